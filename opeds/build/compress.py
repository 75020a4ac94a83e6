"""Precompressed copies of text files, for hosts that serve ``.gz`` and ``.br`` as they are."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli

#: Files a static host may serve precompressed; images and fonts gain nothing.
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}
SUFFIXES = (".gz", ".br")


def _reuse(path: Path, folder: Path, previous: Path | None) -> bool:
    """Link the last build's copies when ``path`` is the very file it compressed (one inode)."""
    if previous is None:
        return False
    old = previous / path.relative_to(folder)
    try:
        if old.stat().st_ino != path.stat().st_ino:
            return False
        copies = [old.with_name(old.name + suffix) for suffix in SUFFIXES]
        if not all(copy.is_file() for copy in copies):
            return False
        for copy in copies:
            os.link(copy, path.with_name(copy.name))
    except FileNotFoundError:
        return False
    return True


def precompress(folder: Path, previous: Path | None = None) -> int:
    """Write deterministic ``.gz`` and ``.br`` siblings of every text file; return their count.

    A file hard-linked from ``previous`` (the live output) is unchanged: its copies are linked.
    """
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        count += 2
        if _reuse(path, folder, previous):
            continue
        data = path.read_bytes()
        # mtime=0 and no file name inside: the same input gives the same bytes.
        with (
            path.with_name(path.name + ".gz").open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
        ):
            gz.write(data)
        path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))
    return count
