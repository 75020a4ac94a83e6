"""axe-core in Debian's headless Chromium finds no accessibility violation on any kind of page."""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

from opeds import PROJECT
from opeds.check.finding import Finding
from opeds.check.urls import page_kinds, site_settings
from opeds.common.atomic import write_atomic
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
    output: Path,
    pages: list[str] | None = None,
    settings: dict | None = None,
    siteurl: str = "",
    cache: Path | None = None,
) -> list[Finding]:
    """Run axe on one page of each kind in light and dark mode; report every violation.

    A site built for ``siteurl`` loads its styles and scripts from there: those requests are
    answered from ``output``, so the pages look as they will, and nothing leaves the machine.
    With ``cache`` (a JSON file), each page's violations are kept by a key of its bytes, the
    styles and scripts it can load, axe, Chromium and the site URL; only pages whose key is
    new go to the browser, which is not started at all when there are none.
    """
    if not CHROMIUM.is_file() or not AXE.is_file():
        missing = CHROMIUM if not CHROMIUM.is_file() else AXE
        return [Finding(str(output), f"cannot check accessibility: {missing} is missing "
                        "(apt-get install chromium; npm ci --ignore-scripts)")]  # fmt: skip
    chosen = pages or pages_to_check(output, settings)
    base = _environment_key(output, siteurl)
    keys = {name: hashlib.sha256(base + (output / name).read_bytes()).hexdigest()
            for name in chosen}  # fmt: skip
    known: dict[str, list[str]] = {}
    if cache is not None:
        try:
            known = json.loads(cache.read_text(encoding="utf-8"))["pages"]
        except (OSError, ValueError, KeyError, TypeError):
            known = {}
    todo = [name for name in chosen if keys[name] not in known]
    found: list[Finding] = []
    if todo:
        # Playwright's sync API refuses to run where an event loop is already running (say, a
        # caller that drives its own browser): a thread of its own always has none.
        with ThreadPoolExecutor(max_workers=1) as worker:
            found = worker.submit(_run_axe, output, todo, siteurl).result()
    for name in todo:
        known[keys[name]] = [f.message for f in found if f.page == name]
    if cache is not None and todo:
        kept = {keys[name]: known[keys[name]] for name in chosen}  # this site's pages only
        write_atomic(cache, json.dumps({"pages": kept}, sort_keys=True))
    return [Finding(name, message) for name in chosen for message in known[keys[name]]]


def _environment_key(output: Path, siteurl: str) -> bytes:
    """Hash all but the page that decides its violations: what it loads, axe, Chromium, URL,
    and this module, which decides how axe is run."""
    digest = hashlib.sha256(f"a11y/1\0{siteurl}\0".encode())
    digest.update(hashlib.sha256(Path(__file__).read_bytes()).digest())  # how axe is run
    digest.update(hashlib.sha256(AXE.read_bytes()).digest())
    info = CHROMIUM.stat()
    digest.update(f"{CHROMIUM.resolve()}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    # The theme's styles, scripts and fonts, and the search's own scripts and styles.
    assets = sorted(p for p in (output / "theme").rglob("*") if p.is_file())
    search = output / "pagefind"
    if search.is_dir():
        assets += sorted(p for p in search.iterdir() if p.is_file())
    for path in assets:
        digest.update(path.relative_to(output).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


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
