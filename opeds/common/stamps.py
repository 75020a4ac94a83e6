"""Facts about files kept by each file's stamp, so an unchanged file is not read again.

A stamp is the file's inode, size, and modification and change times in nanoseconds. Writing
a file changes its modification and change times; replacing it (as the importer and most
editors save) gives it a new inode. The change time cannot be set by tools that copy times
(``touch -d``, ``rsync -t``, ``cp -p``), so a file with the stamp it had is the file it was.

Times are kept at the clock's granularity, so a file written again within the same tick, at
the same size, keeps its stamp. As git does with its index, a fact about a file changed in
the last seconds is not kept: that file is read again next time.

Files only the build itself writes (the output's pages) may be stamped without the change
time: hard-linking a file into a new output changes its change time but not its bytes. Their
facts are kept once the file is a tenth of a second old, not three seconds: a build writes
each page once, as a new file, and the next build that writes it again comes seconds later,
so no second write shares the clock tick of the first (at three seconds, the first build
after a cold one read all 11,000 pages again for the search index: 1.2 s at 10,000 articles).
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from opeds.common.atomic import write_atomic

VERSION = 2  # 1 was JSON
RECENT_NS = 3 * 10**9  # a file changed this recently may change again within its stamp
OUTPUT_RECENT_NS = 10**8  # the same for a file only the build writes (``ctime=False``)
#: The build's cache keeps the import's facts about sources and content, and the build's own
#: about the content, in these files.
IMPORT_FACTS = "import-facts.pickle"
CONTENT_FACTS = "content-facts.pickle"


def stamp_of(info: os.stat_result) -> list[int]:
    """Return the stamp of a file from its ``stat``."""
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def output_stamp(info: os.stat_result) -> list[int]:
    """Return the stamp of a file only the build writes: without the change time.

    An unchanged page is hard-linked into each new output, which changes its change time.
    """
    return [info.st_ino, info.st_size, info.st_mtime_ns]


_HEX = "0123456789abcdef"


def hex_digest(length: int) -> Callable[[object], bool]:
    """Return a check that a kept value is a hexadecimal digest of ``length`` digits."""

    def valid(value: object) -> bool:
        # Nothing left once every hexadecimal digit is stripped from both ends: all are.
        return type(value) is str and len(value) == length and not value.strip(_HEX)

    return valid


SHA256 = hex_digest(64)
MD5 = hex_digest(32)


#: The file facts of the running build: Pelican's file stamps are worked out through them (see
#: opeds.build.run), in the build's process and in its workers.
RUNNING: list[FileFacts] = []
#: The kind of fact Pelican's file stamps are.
PELICAN_MD5 = "md5"


def _key(kind: str, path: Path | str) -> str:
    name = os.fspath(path)
    return f"{kind}\0{name if os.path.isabs(name) else os.path.abspath(name)}"


class FileFacts:
    """What was worked out from each file (its digest, a field), kept by its stamp on disk."""

    def __init__(self, path: Path | None, ctime: bool = True) -> None:
        self.path = path
        self.ctime = ctime
        self.known: dict[str, list] = {}
        if path is not None:
            # A pickle: at 10,000 articles the import's 30,000 facts took 0.1 s to write as
            # JSON (an absolute path and a stamp each), a tenth of that as a pickle.
            try:
                with open(path, "rb") as file:
                    data = pickle.load(file)
                if data.get("version") == VERSION and isinstance(data.get("files"), dict):
                    self.known = data["files"]
            except Exception:  # missing or damaged: every fact is worked out again
                self.known = {}
        self.used: dict[str, list] = {}
        self.borrowed: dict[str, list] = {}

    def borrow(self, path: Path) -> None:
        """Also take facts from ``path``, another process's facts file, where its stamps match.

        The import and the build each read the content's files: a file the import wrote is
        too recent for its own facts, and the build, seconds later, hashes it again. What
        the build then found need not be found again by the next import.
        """
        other = FileFacts(path, self.ctime)
        self.borrowed = other.known

    def _entry(self, key: str, stamp: list[int], valid: Callable[[object], bool] | None):
        """Return the kept ``[stamp, value]`` of ``key`` if its stamp is ``stamp``, else None.

        Worked out in this run, or kept from an earlier one; else another process's.
        """
        for entry in (self.used.get(key) or self.known.get(key), self.borrowed.get(key)):
            if (type(entry) is list and len(entry) == 2 and entry[0] == stamp
                    and (valid is None or valid(entry[1]))):  # fmt: skip
                return entry
        return None

    def kept(
        self, path: Path | str, kind: str, valid: Callable[[object], bool] | None = None
    ) -> object | None:
        """Return the ``kind`` fact about ``path`` if one is kept for its stamp, else None."""
        try:
            stamp = stamp_of(os.stat(path)) if self.ctime else output_stamp(os.stat(path))
        except OSError:
            return None
        entry = self._entry(_key(kind, path), stamp, valid)
        return None if entry is None else entry[1]

    def fact(
        self,
        path: Path | str,
        kind: str,
        work_out: Callable[[], object],
        valid: Callable[[object], bool] | None = None,
        info: os.stat_result | None = None,
        stamp: list[int] | None = None,
    ) -> object:
        """Return the ``kind`` fact about ``path``: kept while its stamp is unchanged.

        A kept value that ``valid`` refuses (a damaged cache file) is worked out again.
        ``info``: the file's ``os.stat`` just taken, if the caller has it; or ``stamp``, its
        stamp as :func:`stamp_of` (or for ``ctime=False``, :func:`output_stamp`) gives it.
        """
        if stamp is None:
            if info is None:
                try:
                    info = os.stat(path)
                except OSError:
                    return work_out()
            stamp = stamp_of(info) if self.ctime else output_stamp(info)
        key = _key(kind, path)
        # Worked out already in this run, or kept from an earlier one, or by another process.
        entry = self._entry(key, stamp, valid)
        if entry is not None:
            self.used[key] = entry
            return entry[1]
        value = work_out()
        # The stamp from before the work: a file changed meanwhile is worked out again next time.
        recent = RECENT_NS if self.ctime else min(RECENT_NS, OUTPUT_RECENT_NS)
        if time.time_ns() - max(stamp[2:]) > recent:
            self.used[key] = [stamp, value]
        return value

    def learned(self, kind: str, path: Path | str) -> dict[str, list]:
        """Return the ``kind`` fact about ``path`` worked out in this run, for another process.

        A worker process reads files for the build: what it found out about them need not be
        found out again by the build's process (see :meth:`adopt`).
        """
        key = _key(kind, path)
        return {key: self.used[key]} if key in self.used else {}

    def adopt(self, facts: dict[str, list]) -> None:
        """Take ``facts`` another process of this run worked out (from :meth:`learned`)."""
        self.used.update(facts)

    def save(self) -> None:
        """Keep the facts of the files this run used, if any changed."""
        if self.path is not None and self.used != self.known:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {"version": VERSION, "files": self.used}
            write_atomic(self.path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
