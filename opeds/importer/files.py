"""The one importer module that touches the file system: read sources, write content, report."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from opeds.common import names
from opeds.common.atomic import TMP_SUFFIX, held_signals, write_atomic
from opeds.common.frontmatter import read_front_matter
from opeds.common.ownership import hold
from opeds.common.stamps import SHA256, FileFacts, stamp_of
from opeds.common.walk import below as walked_below
from opeds.common.workers import worker_pool
from opeds.importer.decide import Action, decide
from opeds.importer.gazetteer import fingerprint, load_vocabulary
from opeds.importer.model import ImportError_
from opeds.importer.normalise import decode, normalise
from opeds.importer.parse import parse
from opeds.importer.render import article_folder, make_slug, render
from opeds.importer.report import (
    ERROR,
    IMPORTED,
    KEPT,
    SOURCE_REMOVED,
    UNCHANGED,
    WITHDRAWN,
    Entry,
    Report,
)
from opeds.importer.state import Record, State, StateError
from opeds.importer.vocabulary import DEFAULT_SECTIONS

log = logging.getLogger(__name__)

#: Beside the articles, so it travels with content/; Pelican ignores dot files.
STATE_FILE = ".import-state.json"
#: How often a long import records its progress: a kill loses at most this much bookkeeping,
#: and even that is recovered from the files' own source_id on the next run.
CHECKPOINT_SECONDS = 1.0
#: At most this share of a long import's time goes to recording it: a save takes longer as the
#: state grows (0.4 s at 50,000 records), so the saves grow further apart.
CHECKPOINT_SHARE = 0.1
# What write_atomic leaves behind when it is killed: ".<name>.<pid>.tmp".
_LEFTOVER = re.compile(r"^\..+\.\d+" + re.escape(TMP_SUFFIX) + "$")
#: The folder, at the top of the content, where an import's workers write the new files
#: they render, for the import to rename into place: ".import.<pid>.tmp".
_WRITTEN_AHEAD = ".import.{pid}" + TMP_SUFFIX
_LEFTOVER_FOLDER = re.compile(r"^\.import\.\d+" + re.escape(TMP_SUFFIX) + "$")


class IngestError(RuntimeError):
    """An import that cannot start: a missing sources folder or a damaged state file."""


class _SourceProblem(Exception):
    """A source path that is not a plain file we may read."""


def source_order(path: Path) -> tuple[int, str]:
    """Sort key: the numeric delivery prefix (``1000_`` after ``999_``), then the name."""
    return (names.delivery_number(path.name), path.name)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(data: bytes | None) -> str | None:
    return None if data is None else _sha256(data)


def _is_source_id(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_digest_or_none(value: object) -> bool:
    return value is None or SHA256(value)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_report(report: Report, path: Path) -> None:
    """Write the import report as JSON."""
    write_atomic(path, report.to_json())


def read_places(path: Path) -> list[str]:
    """Read a places file: one dateline per line, ``#`` starts a comment."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").split("\n"))
    return [" ".join(line.split()) for line in lines if line]


def source_files(source: Path) -> list[Path]:
    """List the raw sources in ``source`` in delivery order (``.txt`` in any case)."""
    if not source.is_dir():
        what = "does not exist" if not source.exists() else "is not a folder"
        raise IngestError(f"{source}: the sources folder {what}")
    paths = [p for p in source.iterdir() if p.suffix.lower() == ".txt" and p.name[0] != "."]
    return sorted(paths, key=source_order)


def scan_content(
    content: Path, facts: FileFacts | None = None, written: dict[str, tuple[str, str]] | None = None
) -> dict[str, list[str]]:
    """Map each source id in ``content`` to every Markdown file that names it; drop leftovers.

    The files' own ``source_id`` is the truth when the state file is missing, short or stale
    (a killed import, a file an editor moved); temporary files a killed import left are removed.
    ``written``: the source id and digest of what the importer wrote, by relative path; a file
    the facts know to have that digest is not read for its id.
    """
    found: dict[str, list[str]] = {}
    root = os.path.abspath(content)
    # Names as strings, not path objects: every article file, in each build.
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        if folder == root:
            for name in [name for name in subfolders if _LEFTOVER_FOLDER.match(name)]:
                log.info("%s: removing what an interrupted import left", os.path.join(root, name))
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
                subfolders.remove(name)
        below = walked_below(folder, root)
        prefix = "" if below == "." else below.replace(os.sep, "/") + "/"
        for name in sorted(files):
            path = os.path.join(folder, name)
            if _LEFTOVER.match(name):
                log.info("%s: removing what an interrupted import left", path)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            elif (
                name.endswith(".md")
                and not name.startswith(".")
                and (sid := _source_id_of(path, facts, (written or {}).get(prefix + name)))
            ):
                found.setdefault(sid, []).append(prefix + name)
    return found


def _source_id_of(
    path: str, facts: FileFacts | None, written: tuple[str, str] | None = None
) -> str | None:
    def read() -> str | None:
        # The very bytes the importer wrote for a source name that source (a file it wrote
        # in the last seconds has no fact of its own yet; the build's may have come since).
        if written is not None and facts is not None and facts.kept(path, "sha256") == written[1]:
            return written[0]
        return read_front_matter(Path(path)).get("source_id") or None

    return read() if facts is None else facts.fact(path, "source_id", read, _is_source_id)


def existing_articles(content: Path) -> dict[str, Path]:
    """Map each source id already in ``content`` to its first Markdown file."""
    return {sid: content / paths[0] for sid, paths in scan_content(content).items()}


def load_state(
    content: Path, facts: FileFacts | None = None
) -> tuple[State, dict[str, list[str]], bool]:
    """Read what the importer last wrote, reconciled with the files; return clashes apart.

    Returns the state, the files of each source id that two files claim, and whether the
    files changed the state (then it is written even if no source changes).
    """
    state = State()
    text = _read(content / STATE_FILE)
    if text is not None:
        try:
            state = State.loads(text.decode("utf-8"))
        except (UnicodeDecodeError, StateError) as error:
            raise IngestError(
                f"{content / STATE_FILE}: {error}. Fix it, or delete it: the next import "
                "rebuilds it from the source_id in every Markdown file"
            ) from None
    clashes: dict[str, list[str]] = {}
    before = dict(state.records)
    written = {r.output: (sid, r.output_sha256) for sid, r in state.records.items()}
    for sid, paths in scan_content(content, facts, written).items():
        record = state.records.get(sid)
        if record and record.output not in paths and (content / record.output).exists():
            paths = [record.output, *paths]  # its recorded file lost the source_id line
        if len(paths) > 1:
            clashes[sid] = paths
        elif record is None:
            # A file we have no record of (killed import, lost state): keep its path (its slug
            # may be published) and treat any difference as a hand edit (no hash matches "").
            state.records[sid] = Record("", "", paths[0], "")
        elif record.output != paths[0]:
            state.records[sid] = replace(record, output=paths[0])  # moved by an editor
    return state, clashes, state.records != before


PARALLEL_MIN_SOURCES = 64  # fewer new sources than this are parsed in the import's process
BATCH = 200  # sources per worker task, in delivery order


@dataclass(frozen=True)
class Parsed:
    """What a worker made of one source: the article, or why there is none."""

    digest: str  # of the bytes the worker read
    article: object | None
    reason: str = ""
    line: int | None = None
    # The pure parts of writing its file, made by the worker too: the import's own process
    # allocates paths and writes files one by one, and was the cold import's slowest step.
    slug: str | None = None  # make_slug(article), before a clash adds "-2"
    text: bytes | None = None  # the file as render() makes it with that slug
    # The source's stamp as the worker read it: while the file has it still, the import takes
    # the worker's digest instead of reading and hashing the source again.
    stamp: list[int] | None = None
    # Where the worker wrote ``text`` (see _WRITTEN_AHEAD), for the import to rename: it
    # created each file itself before, and was the one process still busy after the workers
    # (its CPU in a cold build of 10,000 sources: 4.2-5.0 s before, 2.7-3.1 s after).
    written: str | None = None


_VOCABULARY = None  # the vocabulary the forked parsing workers use
_AHEAD_FOLDER: str | None = None  # where they write the files they render, if anywhere


def _parse_batch(numbered: list[tuple[int, Path]]) -> dict[Path, Parsed]:
    """In a worker: parse each of ``numbered``; a file it cannot read is left to the import."""
    found = {}
    for number, path in numbered:
        try:
            data, info = _Importer._read_plain_source(path)
        except (OSError, _SourceProblem):
            continue
        digest = _sha256(data)
        try:
            article = parse(normalise(decode(data)), _VOCABULARY)
        except ImportError_ as error:
            found[path] = Parsed(digest, None, error.reason, error.line)
            continue
        slug = make_slug(article)
        text = render(article, slug, names.source_id(path.stem + ".txt"), path.name)
        made = text.encode("utf-8")
        written = None
        if _AHEAD_FOLDER is not None:
            # A folder for each worker: two creating files in one folder wait for each other.
            folder = os.path.join(_AHEAD_FOLDER, str(os.getpid()))
            written = os.path.join(folder, f"{number}{TMP_SUFFIX}")
            try:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(folder)
                _write_new(written, made)
            except OSError:
                written = None  # the import writes it itself
        found[path] = Parsed(digest, article, slug=slug, text=made, stamp=stamp_of(info),
                             written=written)  # fmt: skip
    return found


def _write_new(path: str, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` (mode 0o666 less the umask); never half of it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


class _Importer:
    """One run over a sources folder; holds what the run has seen so far."""

    def __init__(
        self,
        content: Path,
        sections: tuple[str, ...],
        places: tuple[str, ...],
        force: bool,
        facts: FileFacts | None = None,
    ) -> None:
        self.content = content
        self.root = content.resolve()  # where every file the import writes must be
        self.inside_folders: dict[Path, bool] = {}  # see _inside
        self.folders_made: set[Path] = set()  # see _folder
        self.renamed: str | None = None  # the last file a worker wrote that was taken
        self.folder = os.path.abspath(content)  # as the file facts name its files
        self.sections, self.places, self.force = sections, places, force
        self.facts = facts or FileFacts(None)
        # The geonames names are kept beside the file facts, in the build's cache.
        self.store = None if self.facts.path is None else self.facts.path.parent
        self.state, self.clashes, reconciled = load_state(content, self.facts)
        self.loaded = None if reconciled else (self.state.fingerprint, dict(self.state.records))
        self.saved_at = time.monotonic()
        self.save_seconds = 0.0  # how long the last save took
        self.fingerprint = fingerprint(sections, places)
        self.reparse = self.state.fingerprint != self.fingerprint
        self.state.fingerprint = self.fingerprint
        self.taken = {r.output.lower() for r in self.state.records.values()}
        self.taken.update(p.lower() for paths in self.clashes.values() for p in paths)
        self.ids: dict[str, str] = {}  # source id -> first file with it
        self.digests: dict[str, str] = {}  # raw bytes hash -> first file with them
        self.listings: dict[str, set[str]] = {}  # YYYY/MM -> names there at the start

    def parse_ahead(self, paths: list[Path], jobs: int) -> Iterator[tuple[Path, Parsed | None]]:
        """Yield each of ``paths`` in order, with what a worker made of it if it is new.

        Parsing is the costly, pure part of importing a new source: the sources with no
        record yet are parsed by forked workers, a batch at a time and in order, while this
        process allocates their paths and writes them one by one as before.
        """
        new = [p for p in paths if names.source_id(p.stem + ".txt") not in self.state.records]
        if jobs < 2 or len(new) < PARALLEL_MIN_SOURCES:
            yield from ((path, None) for path in paths)
            return
        global _VOCABULARY, _AHEAD_FOLDER
        # Once, shared by the fork.
        _VOCABULARY = load_vocabulary(self.sections, self.places, self.store)
        starts = range(0, len(paths), BATCH)
        batches = [paths[start : start + BATCH] for start in starts]
        wanted = set(new)
        # The workers write the files they render into a folder of this import's own, made
        # here (never one that was there before); what the import does not rename into place,
        # this removes at the end, and a killed import's next run (see scan_content).
        ahead = self.content / _WRITTEN_AHEAD.format(pid=os.getpid())
        try:
            ahead.mkdir()
            _AHEAD_FOLDER = str(ahead)
        except OSError:
            ahead = None
        try:
            with worker_pool(jobs) as pool:
                work = [[(n, p) for n, p in enumerate(batch, start) if p in wanted]
                        for start, batch in zip(starts, batches, strict=True)]  # fmt: skip
                for batch, parsed in zip(batches, pool.imap(_parse_batch, work), strict=True):
                    for path in batch:
                        yield path, parsed.get(path)
        finally:
            _VOCABULARY = _AHEAD_FOLDER = None
            if ahead is not None:  # the workers are gone: nothing writes there any more
                shutil.rmtree(ahead, ignore_errors=True)

    def run(self, path: Path, ahead: Parsed | None = None) -> Entry:
        """Import one source file and say what happened; any problem becomes an error entry.

        ``ahead`` is what a worker made of the file (see :meth:`parse_ahead`), used only if
        the file's bytes are still those the worker read.
        """
        try:
            return self._run(path, ahead)
        except _SourceProblem as problem:
            return Entry(path.name, ERROR, str(problem))
        except OSError as error:
            return Entry(path.name, ERROR, f"cannot read or write: {error}")
        finally:
            if ahead is not None and ahead.written not in (None, self.renamed):  # not taken
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(ahead.written)

    def _read_source(self, path: Path) -> bytes:
        """Read a source that is a plain file inside the sources folder, never anything else."""
        return self._read_plain_source(path)[0]

    @classmethod
    def _read_plain_source(cls, path: Path) -> tuple[bytes, os.stat_result]:
        """Read a source after checking it is a plain file inside the sources folder.

        Returns its bytes and its stat as it was read.
        """
        cls._check_source(path)
        # O_NONBLOCK: should the file be swapped for a pipe after the check, reading never hangs.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _SourceProblem("not a regular file (a pipe, socket or device)")
            data = handle.read()
        return data, info

    @staticmethod
    def _check_source(path: Path) -> os.stat_result:
        """Refuse a source that is not a plain file inside the sources folder; return its stat."""
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = path.resolve()
            try:
                info = os.stat(path)
            except FileNotFoundError:
                raise _SourceProblem(f"a dangling symbolic link to {target}") from None
            if path.parent.resolve() not in target.parents:
                raise _SourceProblem(f"a symbolic link to {target}, outside the sources folder")
        if stat.S_ISDIR(info.st_mode):
            raise _SourceProblem("a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _SourceProblem("not a regular file (a pipe, socket or device)")
        return info

    def _run(self, path: Path, ahead: Parsed | None = None) -> Entry:
        info = self._check_source(path)  # every time: a stamp does not tell a link from its target
        read: list[bytes] = []

        def data() -> bytes:
            if not read:
                read.append(self._read_source(path))
            return read[0]

        # "X.TXT" is the same source as "X.txt": the id never depends on the extension's case.
        source_id = names.source_id(path.stem + ".txt")
        # What a worker made of the very version of the file that is there now, if it did.
        fresh = ahead if ahead is not None and ahead.stamp == stamp_of(info) else None
        # Read only when the file changed since its digest was kept (see opeds.common.stamps).
        digest = str(self.facts.fact(path, "sha256", lambda: fresh.digest if fresh else
                                     _sha256(data()), SHA256, info=info))  # fmt: skip
        if source_id in self.ids:
            reason = f"duplicate source: id {source_id} is already in {self.ids[source_id]}"
            return Entry(path.name, ERROR, reason, 1)
        self.ids[source_id] = path.name
        if source_id in self.clashes:
            files = " and ".join(self.clashes[source_id])
            reason = f"source id {source_id} is in two files, {files}: keep one, delete the other"
            return Entry(path.name, ERROR, reason)
        if digest in self.digests and data().strip():
            reason = f"duplicate source: same text as {self.digests[digest]}"
            return Entry(path.name, ERROR, reason, 1)
        self.digests.setdefault(digest, path.name)

        record = self.state.records.get(source_id)
        recorded = record.output_sha256 if record else ""
        if record and record.source_sha256 == digest and not self.reparse:
            output = os.path.join(self.folder, record.output)  # a string: for every source
            current = self.facts.fact(output, "sha256", lambda: _digest(_read(Path(output))),
                                      _is_digest_or_none)  # fmt: skip
            action = decide(recorded, current, None, force=self.force)
            if action is Action.UNCHANGED:
                return Entry(path.name, UNCHANGED, output=record.output)
            if action is Action.KEPT:
                return self._kept(path.name, source_id, digest, record)
        if fresh is not None:
            made, digest = fresh, fresh.digest
        else:
            source = data()
            digest = _sha256(source)  # of the very bytes parsed, should the file have changed
            made = ahead if ahead is not None and ahead.digest == digest else None
        if made is not None:
            if made.article is None:
                return Entry(path.name, ERROR, made.reason, made.line)
            article = made.article
        else:
            try:
                vocabulary = load_vocabulary(self.sections, self.places, self.store)
                article = parse(normalise(decode(data())), vocabulary)
            except ImportError_ as error:
                return Entry(path.name, ERROR, error.reason, error.line)

        base = made.slug if made is not None and made.slug else make_slug(article)
        output = record.output if record else self._free_path(article_folder(article), base)
        moved_from = ""
        if record and self._month_changed(record.output, article):
            if self._edited(record) and not self.force:
                return self._kept(path.name, source_id, digest, record)
            moved_from, output = record.output, self._allocate_moved(record.output, article)
        slug = Path(output).stem
        if made is not None and made.text is not None and slug == made.slug:
            new = made.text  # the worker rendered it with this very slug
        else:
            new = render(article, slug, source_id, path.name).encode("utf-8")
        target = self.content / output
        if not self._inside(target):
            raise _SourceProblem(f"{output} leads outside {self.content} (a symbolic link?)")
        # A moved file is judged by what is at its old place: that is what the importer wrote.
        current = _read(self.content / moved_from) if moved_from else _read(target)
        output_sha256 = _sha256(new)
        action = decide(recorded, _digest(current), output_sha256, force=self.force)
        if action is Action.KEPT:
            return self._kept(path.name, source_id, digest, record or Record("", "", output, ""))
        # Written, recorded and (when moved) its old file removed as one step that Ctrl-C or
        # SIGTERM cannot cut: a file written but not recorded would be imported twice.
        with held_signals():
            if action is Action.UNCHANGED:
                pass
            elif made is not None and made.written is not None and new is made.text:
                self._folder(target.parent)
                os.replace(made.written, target)  # what the worker wrote: these very bytes
                self.renamed = made.written
            else:
                write_atomic(target, new)
            # Recorded only once the file is there: a state that names a missing file means
            # an editor deleted it.
            self.state.records[source_id] = Record(path.name, digest, output, output_sha256)
            if moved_from and action is not Action.UNCHANGED:
                (self.content / moved_from).unlink(missing_ok=True)
        if action is Action.UNCHANGED:
            return Entry(path.name, UNCHANGED, output=output)
        reasons = {Action.NEW: "new", Action.UPDATE: "updated",
                   Action.OVERWRITE_EDITS: "hand edits overwritten (--force)"}  # fmt: skip
        reason = reasons[action]
        if moved_from:
            reason = f"moved from {moved_from} (its date changed)"
        self.checkpoint()
        return Entry(path.name, IMPORTED, reason, output=output, warnings=list(article.warnings))

    def _folder(self, folder: Path) -> None:
        """Make ``folder`` and its parents if they are missing (asked once per folder)."""
        if folder not in self.folders_made:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders_made.add(folder)

    def _inside(self, target: Path) -> bool:
        """Tell whether ``target``, a file below the content folder, resolves to a place in it.

        Each folder is resolved once (resolving every file's whole path looked at each part
        of it: 0.3 s of an import of 10,000 new sources); the file itself is followed when it
        is a symbolic link.
        """
        inside = self.inside_folders.get(target.parent)
        if inside is None:
            folder = target.parent.resolve()
            inside = self.inside_folders[target.parent] = (
                folder == self.root or self.root in folder.parents
            )
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISLNK(os.lstat(target).st_mode):
                return self.root in target.resolve().parents
        return inside

    # --- A source whose month changed moves its file, keeping its slug -------------------------

    @staticmethod
    def _month_changed(output: str, article) -> bool:
        """Tell whether ``article`` now belongs in another folder than ``output``."""
        return Path(output).parent.as_posix() != article_folder(article)

    def _edited(self, record: Record) -> bool:
        """Tell whether the file the importer wrote for ``record`` was changed by hand."""
        current = _read(self.content / record.output)
        return current is not None and _sha256(current) != record.output_sha256

    def _allocate_moved(self, old: str, article) -> str:
        """Choose the new path of a moved file: same slug in the new folder (``-2`` on a clash)."""
        return self._free_path(article_folder(article), Path(old).stem)

    # --- A source removed from sources/ withdraws its article ----------------------------------

    def withdraw_removed(self, seen: set[str]) -> list[Entry]:
        """Withdraw the article of every recorded source that is gone; keep hand-edited ones."""
        entries = []
        for source_id in sorted(set(self.state.records) - seen):
            record = self.state.records[source_id]
            if record.source == "":  # found by its source_id without state: never ours to drop
                continue
            if self._edited(record) and not self.force:
                reason = "source removed, but the article was edited by hand: kept"
                entries.append(Entry(record.source, SOURCE_REMOVED, reason, output=record.output))
                continue
            (self.content / record.output).unlink(missing_ok=True)
            del self.state.records[source_id]
            reason = "source removed: the article leaves the site"
            entries.append(Entry(record.source, WITHDRAWN, reason, output=record.output))
        return entries

    def _kept(self, name: str, source_id: str, digest: str, record: Record) -> Entry:
        # Remember the source we saw, not a new output: the hand-edited file stays the editor's.
        self.state.records[source_id] = Record(name, digest, record.output, record.output_sha256)
        if (self.content / record.output).exists():
            reason = "edited by hand since the last import; --force overwrites it"
        else:
            reason = "deleted by hand since the last import; --force writes it again"
        return Entry(name, KEPT, reason, output=record.output)

    def _free_path(self, folder: str, base: str) -> str:
        """Take ``folder/base.md``, or ``base-2``, ``base-3`` … when that is taken or on disk."""
        slug, number = base, 2
        while f"{folder}/{slug}.md".lower() in self.taken or self._on_disk(folder, slug):
            slug, number = f"{base}-{number}", number + 1
        output = f"{folder}/{slug}.md"
        self.taken.add(output.lower())
        return output

    def _on_disk(self, folder: str, slug: str) -> bool:
        """Tell whether ``folder/slug.md`` exists, e.g. written by hand (one listing per folder)."""
        if folder not in self.listings:
            try:
                self.listings[folder] = {n.lower() for n in os.listdir(self.content / folder)}
            except FileNotFoundError:
                self.listings[folder] = set()
        return f"{slug}.md".lower() in self.listings[folder]

    def checkpoint(self) -> None:
        """Record progress now and then, so a killed import loses little bookkeeping."""
        due = max(CHECKPOINT_SECONDS, self.save_seconds / CHECKPOINT_SHARE)
        if time.monotonic() - self.saved_at >= due:
            self.save()

    def save(self) -> None:
        """Write the state file, only when it changed (an unchanged run writes nothing)."""
        now = (self.state.fingerprint, self.state.records)
        if now != self.loaded or not (self.content / STATE_FILE).exists():
            started = time.monotonic()
            write_atomic(self.content / STATE_FILE, self.state.dumps().encode("utf-8"))
            self.loaded = (self.state.fingerprint, dict(self.state.records))
            self.save_seconds = time.monotonic() - started
        self.saved_at = time.monotonic()


def ingest(
    source: Path,
    content: Path,
    *,
    sections: Sequence[str] = DEFAULT_SECTIONS,
    places: Iterable[str] = (),
    force: bool = False,
    progress: bool = False,
    facts: Path | None = None,
    borrow: Path | None = None,
    jobs: int = 1,
) -> Report:
    """Import every ``*.txt`` in ``source`` into ``content/YYYY/MM/<slug>.md``.

    Holds the lock of ``content`` (:class:`~opeds.common.ownership.FolderBusy` if another
    import has it); raises :class:`IngestError` when the import cannot start. ``facts`` is a
    file of the build's cache that keeps each file's digest and source id by its stamp, so
    unchanged sources and articles are not read again (see :mod:`opeds.common.stamps`);
    ``borrow``, the build's facts about the content's files, which it takes where they match.
    With ``jobs`` above 1, many new sources are parsed by that many worker processes.
    """
    from tqdm import tqdm

    paths = source_files(source)
    content.mkdir(parents=True, exist_ok=True)
    with hold(content, "import"):
        known = FileFacts(facts)
        if borrow is not None:
            known.borrow(borrow)
        importer = _Importer(content, tuple(sections), tuple(sorted(set(places))), force, known)
        report = Report()
        pairs = importer.parse_ahead(paths, jobs)
        try:
            bar = tqdm(pairs, total=len(paths), desc="import", unit=" files",
                       disable=not progress, leave=False)  # fmt: skip
            for path, ahead in bar:
                entry = importer.run(path, ahead)
                if entry.status == ERROR:
                    log.debug("%s:%s: %s", path, entry.line or 1, entry.reason)
                report.entries.append(entry)
            seen = {names.source_id(p.stem + ".txt") for p in paths}
            report.entries.extend(importer.withdraw_removed(seen))
        finally:
            pairs.close()  # its workers stopped, and what they wrote that was not taken removed
            importer.save()  # what was written stays recorded even if a later file crashes
            known.save()
    return report
