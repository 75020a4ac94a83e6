"""Precompressed copies: linked from the live output for unchanged files, never written through."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli

from opeds.build.compress import precompress


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_unchanged_files_link_their_copies_and_changed_ones_get_new_copies(tmp_path: Path) -> None:
    live, staging = tmp_path / "live", tmp_path / "staging"
    for name in ("same/index.html", "changed/index.html", "bare/index.html", "feed.xml"):
        _write(live / name, f"<p>{name} " + "Wort " * 200 + "</p>")
    _write(live / "image.png", "not text")
    assert precompress(live) == 8  # two copies of each text file, none of the image
    assert not (live / "image.png.gz").exists()
    (live / "bare" / "index.html.br").unlink()  # the live copies of one file are incomplete
    live_gz = (live / "bare" / "index.html.gz").read_bytes()

    for name in ("same/index.html", "bare/index.html", "feed.xml", "image.png"):
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        os.link(live / name, staging / name)  # an unchanged file: the live inode
    _write(staging / "changed" / "index.html", "<p>neu</p>")
    _write(staging / "new.json", '{"neu": true}')
    assert precompress(staging, previous=live) == 10

    def inode(path: Path) -> int:
        return path.stat().st_ino

    for suffix in (".gz", ".br"):
        assert inode(staging / f"same/index.html{suffix}") == inode(
            live / f"same/index.html{suffix}"
        )
        assert inode(staging / f"feed.xml{suffix}") == inode(live / f"feed.xml{suffix}")
        assert inode(staging / f"changed/index.html{suffix}") != inode(
            live / f"changed/index.html{suffix}"
        )
    for name in ("changed/index.html", "new.json", "bare/index.html", "same/index.html"):
        data = (staging / name).read_bytes()
        assert gzip.decompress((staging / f"{name}.gz").read_bytes()) == data
        assert brotli.decompress((staging / f"{name}.br").read_bytes()) == data
    # Its copies were made afresh, and the live .gz was neither linked nor written through.
    assert inode(staging / "bare/index.html.gz") != inode(live / "bare/index.html.gz")
    assert (live / "bare" / "index.html.gz").read_bytes() == live_gz
    assert (live / "changed" / "index.html").read_text(encoding="utf-8").startswith("<p>changed")


def test_compressing_on_two_processes_gives_the_same_copies(tmp_path: Path) -> None:
    folders = {jobs: tmp_path / f"jobs-{jobs}" for jobs in (1, 2)}
    for folder in folders.values():
        for number in range(80):  # enough to be shared out
            _write(folder / f"{number}/index.html", f"<p>Seite {number} " + "Wort " * number)
    counts = {jobs: precompress(folder, jobs=jobs) for jobs, folder in folders.items()}
    assert counts == {1: 160, 2: 160}

    def copies(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in folder.rglob("*") if p.suffix in {".gz", ".br"}}  # fmt: skip

    assert len(copies(folders[2])) == 160
    assert copies(folders[2]) == copies(folders[1])
