"""Shared fixtures: a real Pelican build of the seed, done once per test session."""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "000_93860125103f0c6b.txt"
SHARED = ROOT.parent / "shared"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]  # fmt: skip


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port and yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    assert Path(CHROMIUM).is_file(), "Debian's chromium is missing: .ci/run installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Import the seed into a fresh content folder and build it with the real settings."""
    from opeds.build import build_site
    from opeds.importer.files import ingest

    base = tmp_path_factory.mktemp("seed")
    sources, content, output = base / "sources", base / "content", base / "output"
    sources.mkdir()
    shutil.copy(SEED, sources)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    report = ingest(sources, content)
    assert report.ok, report.summary()
    build_site(ROOT / "pelicanconf.py", content, output)
    return output


@pytest.fixture(scope="session")
def golden_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Build the golden content twice, sharing one HTML cache: cold first, then warm."""
    from tests.golden_site import build_golden

    base = tmp_path_factory.mktemp("golden")
    cold_warnings = build_golden(base / "cold", base / "cache")
    warm_warnings = build_golden(base / "warm", base / "cache")
    return {
        "cold": base / "cold",
        "warm": base / "warm",
        "cache": base / "cache",
        "warnings": cold_warnings + warm_warnings,
    }


@pytest.fixture(scope="session")
def golden_site(golden_builds: dict[str, object]) -> Path:
    """The golden site as built with a cold cache."""
    return golden_builds["cold"]


from tests.corpus import corpus_site  # noqa: E402, F401 -- registers the session fixture
