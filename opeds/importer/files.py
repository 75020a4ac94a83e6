"""The one importer module that touches the file system: read sources, write content, report."""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from opeds.importer.model import ImportError_
from opeds.importer.normalise import decode, normalise
from opeds.importer.parse import parse
from opeds.importer.render import make_slug, render

log = logging.getLogger(__name__)

SOURCE_NAME = re.compile(r"^(?P<number>\d+)_(?P<id>[0-9a-f]{16})\.txt$")


@dataclass
class Entry:
    """What happened to one source file."""

    source: str
    status: str  # imported | unchanged | kept-edited | error
    reason: str = ""
    line: int | None = None
    output: str = ""


@dataclass
class Report:
    """The outcome of one import run, one entry per source file."""

    entries: list[Entry] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Count the entries with ``status``."""
        return sum(1 for e in self.entries if e.status == status)

    @property
    def ok(self) -> bool:
        """Tell whether every file was imported or left as it was."""
        return self.count("error") == 0

    def summary(self) -> str:
        """Return the one-line summary printed after an import."""
        return (
            f"{self.count('imported')} imported, {self.count('unchanged')} unchanged, "
            f"{self.count('kept-edited')} kept, {self.count('error')} errors"
        )

    def write(self, path: Path) -> None:
        """Write the report as JSON, one entry per source file."""
        data = {"summary": self.summary(), "files": [asdict(e) for e in self.entries]}
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def source_order(path: Path) -> tuple[int, str]:
    """Sort key: the numeric delivery prefix (``1000_`` after ``999_``), then the name."""
    match = SOURCE_NAME.match(path.name)
    return (int(match["number"]) if match else 1 << 62, path.name)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def existing_slugs(content: Path) -> dict[str, Path]:
    """Map each source id already in ``content`` to its Markdown file."""
    found: dict[str, Path] = {}
    for md in sorted(content.rglob("*.md")):
        with md.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if line.startswith("source_id:"):
                    found[line.split(":", 1)[1].strip()] = md
                    break
                if number and line.rstrip() == "---":  # end of the front matter
                    break
    return found


def ingest(source: Path, content: Path) -> Report:
    """Import every ``*.txt`` in ``source`` into ``content/YYYY/MM/<slug>.md``."""
    report = Report()
    known = existing_slugs(content)
    taken = {p.relative_to(content).with_suffix("").as_posix() for p in known.values()}
    for path in sorted(source.glob("*.txt"), key=source_order):
        match = SOURCE_NAME.match(path.name)
        source_id = match["id"] if match else path.stem
        try:
            article = parse(normalise(decode(path.read_bytes())))
        except ImportError_ as error:
            report.entries.append(Entry(path.name, "error", error.reason, error.line))
            log.error("%s:%s: %s", path, error.line or 1, error.reason)
            continue
        if source_id in known:
            target = known[source_id]
            slug = target.stem
        else:
            folder = f"{article.date:%Y}/{article.date:%m}"
            base = make_slug(article)
            slug, n = base, 2
            while f"{folder}/{slug}" in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(f"{folder}/{slug}")
            target = content / folder / f"{slug}.md"
        text = render(article, slug, source_id, path.name)
        relative = target.relative_to(content).as_posix()
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report.entries.append(Entry(path.name, "unchanged", output=relative))
            continue
        write_atomic(target, text)
        report.entries.append(Entry(path.name, "imported", output=relative))
    return report
