"""Many new sources are parsed by worker processes: the content and the report stay the same."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from opeds.bench import unpack_corpus
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
    shared = ingest(sources, tmp_path / "shared", jobs=2)
    assert shared.to_json() == alone.to_json()
    assert alone.count("error") == 1 and alone.count("imported") == 1005
    assert tree(tmp_path / "shared") == tree(tmp_path / "alone")
    (clash,) = [path for path in (tmp_path / "shared").rglob("*.md")
                if f"source_file: {twin.name}" in path.read_text(encoding="utf-8")]  # fmt: skip
    assert clash.stem.endswith("-2")
    assert f"slug: {clash.stem}\n" in clash.read_text(encoding="utf-8")
