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


def _wait_until(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.05)


def test_the_inputs_of_a_site_are_sources_markdown_theme_code_and_settings(tmp_path: Path) -> None:
    from opeds.build.watch import site_inputs

    source, content, root = tmp_path / "sources", tmp_path / "content", tmp_path / "project"
    wanted = site_inputs(source, content, root)
    assert wanted(source / "001_a.txt")
    assert wanted(content / "2022" / "01" / "a.md")
    assert wanted(root / "theme" / "templates" / "article.html")
    assert wanted(root / "opeds" / "site" / "pages.py")
    assert wanted(root / "pelicanconf.py")
    assert not wanted(source / ".001_a.txt.swp")  # an editor's swap file
    assert not wanted(content / ".import-state.json")  # written by the build itself
    assert not wanted(content / "2022" / "01" / ".a.md.123.tmp")
    assert not wanted(root / "output" / "index.html")
    assert not wanted(root / "cache" / "x.py")
    assert not wanted(root / "opeds" / "site" / "notes.txt")


def test_one_build_per_change_and_none_for_what_the_build_wrote(tmp_path: Path) -> None:
    """The build's import writes into content/, which is watched: that starts no build."""
    import threading

    from opeds.build.watch import SiteWatcher, site_inputs

    source, content = tmp_path / "sources", tmp_path / "content"
    source.mkdir()
    content.mkdir()
    imported = content / "2022" / "01" / "a.md"
    builds: list[float] = []

    def rebuild() -> list[Path]:
        builds.append(time.monotonic())
        imported.parent.mkdir(parents=True, exist_ok=True)
        imported.write_text(f"import {len(builds)}\n", encoding="utf-8")
        (content / ".url-history.json").write_text("{}\n", encoding="utf-8")
        return [imported]

    watcher = SiteWatcher(trees=[source, content], folders=[],
                          wanted=site_inputs(source, content, tmp_path / "project"),
                          rebuild=rebuild)  # fmt: skip
    reloads: list[str | None] = []
    watcher.listen()
    threading.Thread(target=watcher.serve, args=(lambda: reloads.append(watcher.filepath),),
                     daemon=True).start()  # fmt: skip
    try:
        time.sleep(0.3)  # the watches are in place
        (source / "001_a.txt").write_text("Titel\n\nText.\n", encoding="utf-8")
        _wait_until(lambda: len(reloads) == 1)
        assert reloads == [str(source / "001_a.txt")]
        time.sleep(1.5)  # the build's own writes arrived long ago: no second build
        assert len(builds) == 1
        # An editor who changes the file the import wrote changes an input.
        imported.write_text("by hand\n", encoding="utf-8")
        _wait_until(lambda: len(builds) == 2)
        _wait_until(lambda: len(reloads) == 2)
        assert reloads[1] == str(imported)
    finally:
        watcher.stop.set()
