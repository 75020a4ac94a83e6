"""Many new sources are parsed by worker processes: the content and the report stay the same."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from opeds.bench import unpack_corpus
from opeds.common.ownership import FolderBusy
from opeds.importer import files
from opeds.importer.files import ingest
from tests.support import CORPUS_ARCHIVE, tree

_TEST_PROCESS = os.getpid()
_REAL_PARSE = files.parse


def _parse_in_a_worker_only(*args: object) -> object:
    assert os.getpid() != _TEST_PROCESS, "parsed in the import's own process"
    return _REAL_PARSE(*args)


def test_the_real_corpus_parsed_by_workers_gives_the_same_content_and_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = unpack_corpus(tmp_path / "corpus", CORPUS_ARCHIVE)
    # A broken source among them: the worker's reason and line are the import's own.
    shutil.copy(next(iter(sorted(sources.glob("*.txt")))), sources / "999999_00000000deadbeef.txt")
    (sources / "999999_00000000deadbeef.txt").write_bytes(b"\n\n\n")
    # Another piece with the same headline in the same month: its slug clashes, gets "-2",
    # and its file is rendered with that slug, not the one the worker chose.
    first = sorted(sources.glob("*.txt"))[0]
    twin = sources / "999998_00000000feedface.txt"
    twin.write_bytes(first.read_bytes() + b"\nEin weiterer Absatz.\n")
    alone = ingest(sources, tmp_path / "alone", jobs=1)
    monkeypatch.setattr(files, "PARALLEL_MIN_SOURCES", 2)
    monkeypatch.setattr(files, "parse", _parse_in_a_worker_only)
    written_here = []
    real_write = files.write_atomic

    def write_here(path: Path, data: bytes) -> None:
        written_here.append(path.name)
        real_write(path, data)

    monkeypatch.setattr(files, "write_atomic", write_here)
    shared = ingest(sources, tmp_path / "shared", jobs=2)
    assert shared.to_json() == alone.to_json()
    assert alone.count("error") == 1 and alone.count("imported") == 1005
    assert tree(tmp_path / "shared") == tree(tmp_path / "alone")
    assert not [p for p in (tmp_path / "shared").rglob("*") if p.name.endswith(".tmp")]
    (clash,) = [path for path in (tmp_path / "shared").rglob("*.md")
                if f"source_file: {twin.name}" in path.read_text(encoding="utf-8")]  # fmt: skip
    assert clash.stem.endswith("-2")
    assert f"slug: {clash.stem}\n" in clash.read_text(encoding="utf-8")
    # The workers wrote the files and the import renamed them into place, all but this one:
    # its text is not the one the worker rendered.
    assert [name for name in written_here if name.endswith(".md")] == [clash.name]


def _killed_at_a_rename(sources: Path, content: Path, renames: int) -> int:
    """Import with workers in a forked child that dies like ``kill -9`` at a rename."""
    pid = os.fork()
    if pid == 0:  # the child: no cleanup, no `finally`
        try:
            real_replace, count = os.replace, [0]

            def dying_replace(source, target) -> None:
                count[0] += 1
                if count[0] == renames:
                    os._exit(9)
                real_replace(source, target)

            files.os.replace = dying_replace
            files.PARALLEL_MIN_SOURCES = 2
            files.BATCH = 5
            ingest(sources, content, jobs=2)
        finally:
            os._exit(0)
    return os.waitpid(pid, 0)[1]


def _once_the_workers_are_gone(run):
    """Run ``run``; while the killed import's workers, about to die with it, hold its lock, wait."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return run()
        except FolderBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _raw(number: int) -> bytes:
    return f"date 2022-0{number % 3 + 1} Titel {number}\n\nMeinung Berlin Text {number}.\n".encode()


@pytest.mark.parametrize("renames", [1, 7, 18])
def test_an_import_with_workers_killed_leaves_their_files_to_the_next_run(
    tmp_path: Path, renames: int
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for number in range(30):
        (sources / f"{number:03d}_{number:016x}.txt").write_bytes(_raw(number))
    whole = ingest(sources, tmp_path / "whole")
    content = tmp_path / "content"
    assert _killed_at_a_rename(sources, content, renames) != 0
    # What the workers wrote and the import never took is there, in its folder of its own.
    (left,) = [p for p in content.iterdir() if p.name.startswith(".import.")]
    assert list(left.glob("*/*.tmp")), "the kill came too late to test anything"
    report = _once_the_workers_are_gone(lambda: ingest(sources, content))
    assert report.ok and whole.ok
    assert not left.exists()
    assert tree(content) == tree(tmp_path / "whole")


def _parse_then_change_the_source(numbered):
    found = _REAL_PARSE_BATCH(numbered)
    for _number, path in numbered:
        if path.name.startswith("003_"):
            path.write_bytes(_raw(3).replace(b"Text 3.", b"Text 3, nach dem Lesen geaendert."))
    return found


_REAL_PARSE_BATCH = files._parse_batch


def test_a_source_changed_after_its_worker_read_it_is_imported_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for number in range(12):
        (sources / f"{number:03d}_{number:016x}.txt").write_bytes(_raw(number))
    monkeypatch.setattr(files, "PARALLEL_MIN_SOURCES", 2)
    monkeypatch.setattr(files, "BATCH", 4)
    monkeypatch.setattr(files, "_parse_batch", _parse_then_change_the_source)
    report = ingest(sources, tmp_path / "content", jobs=2)
    assert report.ok
    (changed,) = [p for p in (tmp_path / "content").rglob("*.md")
                  if "source_file: 003_" in p.read_text(encoding="utf-8")]  # fmt: skip
    assert "nach dem Lesen geaendert" in changed.read_text(encoding="utf-8")
    # Its worker's file was not taken, and is gone with the rest of their folder.
    assert [p.name for p in (tmp_path / "content").iterdir() if p.name.startswith(".")] == [
        files.STATE_FILE
    ]
    assert tree(tmp_path / "content") == tree(_imported_alone(sources, tmp_path / "alone"))


def _imported_alone(sources: Path, content: Path) -> Path:
    assert ingest(sources, content, jobs=1).ok
    return content
