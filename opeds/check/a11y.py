"""axe-core in Debian's headless Chromium finds no accessibility violation on any kind of page."""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from opeds.check.finding import Finding
from opeds.check.markup import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]  # fmt: skip
# One page of each kind, found by the shape of its path: (kind, pattern).
KINDS = [
    ("home", r"index\.html"),
    ("archive", r"archiv/index\.html"),
    ("year", r"\d{4}/index\.html"),
    ("month", r"\d{4}/\d{2}/index\.html"),
    ("article", r"\d{4}/\d{2}/[^/]+/index\.html"),
    ("section", r"rubrik/[^/]+/index\.html"),
    ("topic", r"thema/[^/]+/index\.html"),
    ("search", r"suche/index\.html"),
    ("404", r"404\.html"),
]


def pages_to_check(output: Path) -> list[str]:
    """Pick the first page of each kind (in sorted order) that the site has."""
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    chosen = []
    for _, pattern in KINDS:
        match = next((p for p in pages if re.fullmatch(pattern, p)), None)
        if match:
            chosen.append(match)
    return chosen


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def check(output: Path, pages: list[str] | None = None) -> list[Finding]:
    """Run axe on one page of each kind in light and dark mode; report every violation."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file() or not AXE.is_file():
        missing = CHROMIUM if not CHROMIUM.is_file() else AXE
        return [Finding(str(output), f"cannot check accessibility: {missing} is missing "
                        "(apt-get install chromium; npm ci --ignore-scripts)")]  # fmt: skip
    axe = AXE.read_text(encoding="utf-8")
    findings = []
    with served(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for scheme in ("light", "dark"):
            page = browser.new_page(color_scheme=scheme)
            for name in pages or pages_to_check(output):
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
