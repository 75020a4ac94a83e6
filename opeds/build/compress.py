"""Precompressed copies of text files, for hosts that serve ``.gz`` and ``.br`` as they are."""

from __future__ import annotations

import gzip
import logging
import os
import stat
from pathlib import Path

import brotli

from opeds.common.walk import below
from opeds.common.workers import worker_pool

log = logging.getLogger(__name__)

#: Fewer files to compress than this stay in the build's process: forking would cost more.
PARALLEL_MIN_FILES = 64

#: Files a static host may serve precompressed; images and fonts gain nothing.
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}
SUFFIXES = (".gz", ".br")


def _reuse(path: str, inode: int, old: str) -> bool:
    """Link the last build's copies when ``path`` is the very file it compressed (one inode)."""
    try:
        if os.stat(old).st_ino != inode:
            return False
        copies = [old + suffix for suffix in SUFFIXES]
        for copy in copies:
            os.stat(copy)  # both, before linking either
        for copy, suffix in zip(copies, SUFFIXES, strict=True):
            os.link(copy, path + suffix)
    except FileNotFoundError:
        for suffix in SUFFIXES:  # a copy that vanished meanwhile: none is linked
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        return False
    return True


def _compress(path: str) -> int:
    data = Path(path).read_bytes()
    # mtime=0 and no file name inside: the same input gives the same bytes.
    with (
        open(path + ".gz", "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(data)
    Path(path + ".br").write_bytes(brotli.compress(data, quality=11))
    return len(data)


def precompress(folder: Path, previous: Path | None = None, jobs: int = 1) -> int:
    """Write deterministic ``.gz`` and ``.br`` siblings of every text file; return their count.

    A file hard-linked from ``previous`` (the live output) is unchanged: its copies are linked.
    The others are compressed on ``jobs`` processes: Brotli's best quality takes a few
    milliseconds a page, so a first publish of 10,000 articles spent minutes on one core.
    """
    count = size = 0
    todo: list[str] = []
    root = os.fspath(folder)
    old_root = os.fspath(previous) if previous is not None else None
    for where, _dirs, files in os.walk(root):
        relative = below(where, root)
        for name in sorted(files):
            if os.path.splitext(name)[1] not in COMPRESSIBLE:
                continue
            path = os.path.join(where, name)
            try:
                info = os.stat(path)
            except FileNotFoundError:  # a link to nowhere: nothing to serve
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            count += 2
            if old_root is not None:
                old = os.path.normpath(os.path.join(old_root, relative, name))
                if _reuse(path, info.st_ino, old):
                    continue
            todo.append(path)
    if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES:
        with worker_pool(jobs) as pool:
            size = sum(pool.imap_unordered(_compress, todo, chunksize=16))
    else:
        size = sum(map(_compress, todo))
    log.info("compression: %d files compressed (%d kB), the rest linked", len(todo), size // 1024)
    return count
