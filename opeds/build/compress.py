"""Precompressed copies of text files, for hosts that serve ``.gz`` and ``.br`` as they are."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli

#: Files a static host may serve precompressed; images and fonts gain nothing.
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}


def precompress(folder: Path) -> int:
    """Write deterministic ``.gz`` and ``.br`` siblings of every text file; return their count."""
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        data = path.read_bytes()
        # mtime=0 and no file name inside: the same input gives the same bytes.
        with (
            path.with_name(path.name + ".gz").open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
        ):
            gz.write(data)
        path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))
        count += 2
    return count
