"""axe-core in Debian's headless Chromium finds no accessibility violation on any kind of page."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

from opeds import PROJECT
from opeds.check.finding import Finding
from opeds.check.urls import page_kinds, site_settings
from opeds.common.browser import CHROMIUM, launch_chromium, served

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"


def pages_to_check(output: Path, settings: dict | None = None) -> list[str]:
    """Pick the first page of each kind (in sorted order) that the site has."""
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    chosen = []
    for _, pattern in page_kinds(settings or site_settings()):
        match = next((p for p in pages if re.fullmatch(pattern, p)), None)
        if match and match not in chosen:
            chosen.append(match)
    return chosen


def check(
    output: Path, pages: list[str] | None = None, settings: dict | None = None, siteurl: str = ""
) -> list[Finding]:
    """Run axe on one page of each kind in light and dark mode; report every violation.

    A site built for ``siteurl`` loads its styles and scripts from there: those requests are
    answered from ``output``, so the pages look as they will, and nothing leaves the machine.
    """
    if not CHROMIUM.is_file() or not AXE.is_file():
        missing = CHROMIUM if not CHROMIUM.is_file() else AXE
        return [Finding(str(output), f"cannot check accessibility: {missing} is missing "
                        "(apt-get install chromium; npm ci --ignore-scripts)")]  # fmt: skip
    chosen = pages or pages_to_check(output, settings)
    # Playwright's sync API refuses to run where an event loop is already running (say, a
    # caller that drives its own browser): a thread of its own always has none.
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(_run_axe, output, chosen, siteurl).result()


def local_file(output: Path, siteurl: str, url: str) -> Path | None:
    """Return the file of ``output`` that ``url`` of the site at ``siteurl`` names, if any."""
    site, wanted = urlsplit(siteurl), urlsplit(url)
    if (wanted.scheme, wanted.netloc) != (site.scheme, site.netloc):
        return None
    prefix = site.path.rstrip("/") + "/"
    path = unquote(wanted.path)
    if not (path + "/").startswith(prefix):
        return None
    file = output / path[len(prefix) :]
    if file.is_dir():
        file = file / "index.html"
    inside = file.resolve().is_relative_to(output.resolve())
    return file if inside and file.is_file() else None


def _run_axe(output: Path, pages: list[str], siteurl: str = "") -> list[Finding]:
    from playwright.sync_api import sync_playwright

    axe = AXE.read_text(encoding="utf-8")
    findings = []
    with served(output) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)

        def answer(route) -> None:
            url = route.request.url
            if url.startswith(base):
                route.continue_()
            elif siteurl and (file := local_file(output, siteurl, url)):
                route.fulfill(path=file)
            else:
                route.abort()  # no request leaves the machine: no waiting for a name lookup

        for scheme in ("light", "dark"):
            page = browser.new_page(color_scheme=scheme)
            page.route("**/*", answer)
            for name in pages:
                page.goto(base + name.removesuffix("index.html"))
                page.add_script_tag(content=axe)
                result = page.evaluate("async () => await axe.run(document)")
                for violation in result["violations"]:
                    targets = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
                    findings.append(Finding(name, f"axe ({scheme}): {violation['id']}: "
                                            f"{violation['help']} at {targets}"))  # fmt: skip
            page.close()
        browser.close()
    return findings
