"""The one importer module that touches the file system: read sources, write content, report."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from opeds.common import names
from opeds.common.atomic import write_atomic
from opeds.common.frontmatter import read_front_matter
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
from opeds.importer.state import Record, State
from opeds.importer.vocabulary import DEFAULT_SECTIONS

log = logging.getLogger(__name__)

#: Beside the articles, so it travels with content/; Pelican ignores dot files.
STATE_FILE = ".import-state.json"


def source_order(path: Path) -> tuple[int, str]:
    """Sort key: the numeric delivery prefix (``1000_`` after ``999_``), then the name."""
    return (names.delivery_number(path.name), path.name)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(data: bytes | None) -> str | None:
    return None if data is None else _sha256(data)


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


def existing_articles(content: Path) -> dict[str, Path]:
    """Map each source id already in ``content`` to its Markdown file (when state is missing)."""
    found: dict[str, Path] = {}
    for md in sorted(content.rglob("*.md")):
        if sid := read_front_matter(md).get("source_id"):
            found.setdefault(sid, md)
    return found


def load_state(content: Path) -> State:
    """Read what the importer last wrote; rebuild the slug map from the files if that is lost."""
    text = _read(content / STATE_FILE)
    if text is not None:
        try:
            return State.loads(text.decode("utf-8"))
        except (ValueError, TypeError, KeyError) as error:
            log.warning("%s: unreadable (%s); reading source ids from the files", STATE_FILE, error)
    # No record of what we wrote: keep every existing file's path (its slug is published),
    # and treat a difference as a hand edit (an empty hash never matches).
    records = {
        source_id: Record("", "", path.relative_to(content).as_posix(), "")
        for source_id, path in existing_articles(content).items()
    }
    return State(records=records)


class _Importer:
    """One run over a sources folder; holds what the run has seen so far."""

    def __init__(
        self,
        content: Path,
        sections: tuple[str, ...],
        places: tuple[str, ...],
        force: bool,
    ) -> None:
        self.content = content
        self.sections, self.places, self.force = sections, places, force
        self.state = load_state(content)
        self.loaded = (self.state.fingerprint, dict(self.state.records))
        self.fingerprint = fingerprint(sections, places)
        self.reparse = self.state.fingerprint != self.fingerprint
        self.state.fingerprint = self.fingerprint
        self.taken = {r.output.lower() for r in self.state.records.values()}
        self.ids: dict[str, str] = {}  # source id -> first file with it
        self.digests: dict[str, str] = {}  # raw bytes hash -> first file with them
        self.listings: dict[str, set[str]] = {}  # YYYY/MM -> names there at the start

    def run(self, path: Path) -> Entry:
        """Import one source file and say what happened."""
        data = path.read_bytes()
        source_id = names.source_id(path.name)
        digest = _sha256(data)
        if source_id in self.ids:
            reason = f"duplicate source: id {source_id} is already in {self.ids[source_id]}"
            return Entry(path.name, ERROR, reason, 1)
        self.ids[source_id] = path.name
        if digest in self.digests and data.strip():
            reason = f"duplicate source: same text as {self.digests[digest]}"
            return Entry(path.name, ERROR, reason, 1)
        self.digests.setdefault(digest, path.name)

        record = self.state.records.get(source_id)
        recorded = record.output_sha256 if record else ""
        if record and record.source_sha256 == digest and not self.reparse:
            current = _read(self.content / record.output)
            action = decide(recorded, _digest(current), None, force=self.force)
            if action is Action.UNCHANGED:
                return Entry(path.name, UNCHANGED, output=record.output)
            if action is Action.KEPT:
                return self._kept(path.name, source_id, digest, record)
        try:
            article = parse(normalise(decode(data)), load_vocabulary(self.sections, self.places))
        except ImportError_ as error:
            return Entry(path.name, ERROR, error.reason, error.line)

        output = record.output if record else self._allocate(article)
        moved_from = ""
        if record and self._month_changed(record.output, article):
            if self._edited(record) and not self.force:
                return self._kept(path.name, source_id, digest, record)
            moved_from, output = record.output, self._allocate_moved(record.output, article)
        slug = Path(output).stem
        new = render(article, slug, source_id, path.name).encode("utf-8")
        target = self.content / output
        current = _read(target)
        action = decide(recorded, _digest(current), _sha256(new), force=self.force)
        if action is Action.KEPT:
            return self._kept(path.name, source_id, digest, record or Record("", "", output, ""))
        self.state.records[source_id] = Record(path.name, digest, output, _sha256(new))
        if action is Action.UNCHANGED:
            return Entry(path.name, UNCHANGED, output=output)
        write_atomic(target, new)
        reasons = {Action.NEW: "new", Action.UPDATE: "updated",
                   Action.OVERWRITE_EDITS: "hand edits overwritten (--force)"}  # fmt: skip
        reason = reasons[action]
        if moved_from:
            (self.content / moved_from).unlink(missing_ok=True)
            reason = f"moved from {moved_from} (its date changed)"
        return Entry(path.name, IMPORTED, reason, output=output, warnings=list(article.warnings))

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
        folder, base = article_folder(article), Path(old).stem
        slug, number = base, 2
        while f"{folder}/{slug}.md".lower() in self.taken or self._on_disk(folder, slug):
            slug, number = f"{base}-{number}", number + 1
        output = f"{folder}/{slug}.md"
        self.taken.add(output.lower())
        return output

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
        reason = "edited by hand since the last import; --force overwrites it"
        return Entry(name, KEPT, reason, output=record.output)

    def _allocate(self, article) -> str:
        """Choose a free ``YYYY/MM/<slug>.md``: a clash gets ``-2``, ``-3`` …"""
        folder = article_folder(article)
        base = make_slug(article)
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

    def save(self) -> None:
        """Write the state file, only when it changed (an unchanged run writes nothing)."""
        now = (self.state.fingerprint, self.state.records)
        if now != self.loaded or not (self.content / STATE_FILE).exists():
            write_atomic(self.content / STATE_FILE, self.state.dumps().encode("utf-8"))


def ingest(
    source: Path,
    content: Path,
    *,
    sections: Sequence[str] = DEFAULT_SECTIONS,
    places: Iterable[str] = (),
    force: bool = False,
    progress: bool = False,
) -> Report:
    """Import every ``*.txt`` in ``source`` into ``content/YYYY/MM/<slug>.md``."""
    from tqdm import tqdm

    paths = sorted(source.glob("*.txt"), key=source_order)
    importer = _Importer(content, tuple(sections), tuple(sorted(set(places))), force)
    report = Report()
    try:
        for path in tqdm(paths, desc="import", unit=" files", disable=not progress, leave=False):
            entry = importer.run(path)
            if entry.status == ERROR:
                log.debug("%s:%s: %s", path, entry.line or 1, entry.reason)
            report.entries.append(entry)
        report.entries.extend(importer.withdraw_removed({names.source_id(p.name) for p in paths}))
    finally:
        importer.save()  # what was written stays recorded even if a later file crashes
    return report
