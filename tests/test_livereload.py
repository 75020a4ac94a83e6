"""`invoke livereload`: an edited raw source shows in the open browser tab without a reload."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser

from tests.support import ROOT, editor_folders

ARTICLE = "2022/01/gewalt-in-almaty-kasachstan-muss-den-westen-aufruetteln/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_an_edited_source_shows_in_the_browser(tmp_path: Path, browser: Browser) -> None:
    site = editor_folders(tmp_path)
    port = _free_port()
    folders = [f"--{name}={site / name}" for name in ("content", "output", "cache")]
    command = [sys.executable, "-m", "invoke", "livereload", f"--source={site / 'sources'}",
               *folders, f"--port={port}"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/{ARTICLE}", 120)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/{ARTICLE}")
        assert "Kasachstan muss den Westen" in page.locator("h1").inner_text()
        source = next((site / "sources").iterdir())
        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace("muss den Westen", "muss Europa", 1), encoding="utf-8")
        # The page is not reloaded by the test: livereload's script in the page does it.
        page.wait_for_function(
            "() => document.querySelector('h1').innerText.includes('muss Europa')",
            timeout=120_000,
        )
        page.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
