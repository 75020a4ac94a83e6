"""The edited year's search index made ahead (opeds.search.ahead): used when right, never wrong.

A live output with a sharded index; an edit's page indexed ahead with the live year's other
pages; then the build's own index of a staging folder holding the page as the build wrote it.
Where the page made ahead has the indexed part of the one written, the build runs Pagefind not
at all and its index has the files of one made from scratch; where it has not, the build makes
its own, with the same files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from opeds.search import ahead, pagefind
from opeds.search.pagefind import canonical_files, index_site
from tests.support import linked_staging


def _page(name: str, text: str, related: str = "") -> str:
    # Below the body: what the build adds last (related pieces), which Pagefind does not read.
    return (f'<!DOCTYPE html><html lang="de"><body><main data-pagefind-body><h1>{name}</h1>'
            f"<p>{text}</p></main><aside>{related}</aside></body></html>")  # fmt: skip


def _write(site: Path, save_as: str, text: str) -> None:
    path = site / save_as
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # a link to the live page: a file of its own
    path.write_text(text, encoding="utf-8")


PAGES = {
    "2023/wien/index.html": _page("wien", "Der Gemeinderat tagt in Wien"),
    "2024/graz/index.html": _page("graz", "Die Murbrücke in Graz"),
    "2024/linz/index.html": _page("linz", "Linz an der Donau"),
    "2024/index.html": '<html lang="de"><body><h1>2024</h1></body></html>',  # a list page
}
EDITED = "2024/graz/index.html"


def _index_files(site: Path) -> dict[str, bytes]:
    index = site / "pagefind"
    return canonical_files({path.relative_to(site).as_posix(): path.read_bytes()
                            for path in index.rglob("*") if path.is_file()})  # fmt: skip


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A live output with its sharded index, built as a build does, and the build's cache."""
    staging = tmp_path / "first"
    for save_as, text in PAGES.items():
        _write(staging, save_as, text)
    live = tmp_path / "output"
    index_site(staging, "de", tmp_path / "cache", shards=True, previous=live / "pagefind")
    staging.rename(live)
    return live


def _edit_build(live: Path, page: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list, Path]:
    """Build the staging folder with the edited ``page``; list the build's Pagefind runs.

    Each run as its folder's name, its pages (a glob) and where its index goes.
    """
    staging = live.parent / "staging"
    linked_staging(live, staging)
    _write(staging, EDITED, page)
    runs = []
    real = pagefind._pagefind

    def counted(folder: Path, language: str, glob: str | None, subdir: str) -> None:
        runs.append((folder.name, glob, subdir))
        real(folder, language, glob, subdir)

    monkeypatch.setattr(pagefind, "_pagefind", counted)
    index_site(staging, "de", live.parent / "cache", shards=True, previous=live / "pagefind",
               changed=frozenset({"2024"}))  # fmt: skip
    monkeypatch.setattr(pagefind, "_pagefind", real)
    return runs, staging


def _fresh(staging: Path) -> dict[str, bytes]:
    """The index of ``staging``'s pages made from scratch, with an empty cache."""
    fresh = staging.parent / "fresh"
    shutil.copytree(staging, fresh, ignore=shutil.ignore_patterns("pagefind"))
    index_site(fresh, "de", staging.parent / "fresh-cache", shards=True)
    return _index_files(fresh)


def _target(live: Path) -> dict[str, object]:
    return {"live": live, "cache": live.parent / "cache", "language": "de", "undated": "x"}


def _words(staging: Path, year: str) -> set[str]:
    """The words of the pages Pagefind indexed in the shard ``year`` of ``staging``."""
    fragments = staging / "pagefind" / year / "fragment"
    return {word for fragment in fragments.iterdir()
            for word in pagefind._fragment_words(fragment).split()}  # fmt: skip


def test_an_edit_indexed_ahead_leaves_the_build_no_pagefind_run(
    live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = _page("graz", "Die Murbrücke in Graz bei Hochwasser")
    ahead._index("2024", {EDITED: edited}, _target(live))
    # Written with other related pieces below the body than the page made ahead.
    runs, staging = _edit_build(live, edited.replace("<aside>", "<aside>Linz"), monkeypatch)
    assert runs == []  # neither the year's shard nor the words index
    assert "hochwasser" in _words(staging, "2024")
    assert _index_files(staging) == _fresh(staging)
    assert not list((live.parent / "cache" / "pagefind-shards").glob("ahead-*"))


def test_a_page_indexed_ahead_that_the_build_did_not_write_is_not_used(
    live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead._index("2024", {EDITED: _page("graz", "Die Murbrücke in Graz bei Sturm")}, _target(live))
    runs, staging = _edit_build(live, _page("graz", "Die Murbrücke in Graz bei Hochwasser"),
                                monkeypatch)  # fmt: skip
    assert ("staging", "2024/**/*.html", "pagefind/2024") in runs  # the build's own
    assert "hochwasser" in _words(staging, "2024")
    assert "sturm" not in _words(staging, "2024")
    assert _index_files(staging) == _fresh(staging)


def test_a_failed_run_ahead_leaves_nothing_and_the_build_indexes_the_edit(
    live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = live.parent / "cache" / "pagefind-shards"
    before = sorted(path.name for path in store.iterdir())

    def fails(*args: object, **kwargs: object) -> None:
        raise pagefind.SearchIndexError("Pagefind failed (1): no")

    monkeypatch.setattr(ahead, "run_pagefind", fails)
    edited = _page("graz", "Die Murbrücke in Graz bei Hochwasser")
    ahead._index("2024", {EDITED: edited}, _target(live))  # no error: only time lost
    assert sorted(path.name for path in store.iterdir()) == before
    runs, staging = _edit_build(live, edited, monkeypatch)
    assert ("staging", "2024/**/*.html", "pagefind/2024") in runs
    assert "hochwasser" in _words(staging, "2024")


def test_the_folder_of_a_stopped_helper_is_removed_by_the_next(
    live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = live.parent / "cache" / "pagefind-shards"
    dead = subprocess.Popen(["true"])  # a process number no longer in use
    dead.wait()
    left = store / f"ahead-{dead.pid}.site" / "2024"
    left.mkdir(parents=True)
    mine = store / f"ahead-{os.getppid()}.site"  # a living process's (this one's parent)
    mine.mkdir()
    ahead._index("2024", {EDITED: _page("graz", "Die Murbrücke in Graz bei Sturm")}, _target(live))
    assert not left.parent.exists()
    assert mine.is_dir()
    assert not (store / f"ahead-{os.getpid()}.site").exists()
