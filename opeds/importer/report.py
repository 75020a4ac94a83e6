"""What an import run did with each source file, for the summary line and ``--report``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

IMPORTED, UNCHANGED, KEPT, ERROR = "imported", "unchanged", "kept-edited", "error"
# A source that left sources/: its article is withdrawn, or kept when edited by hand.
WITHDRAWN, SOURCE_REMOVED = "withdrawn", "source-removed"


@dataclass
class Entry:
    """What happened to one source file."""

    source: str
    status: str  # imported | unchanged | kept-edited | error | withdrawn | source-removed
    reason: str = ""
    line: int | None = None
    output: str = ""  # path below content/
    warnings: list[str] = field(default_factory=list)  # imported, but an editor should look


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
        text = (
            f"{self.count(IMPORTED)} imported, {self.count(UNCHANGED)} unchanged, "
            f"{self.count(KEPT)} kept, {self.count(ERROR)} errors"
        )
        for status in (WITHDRAWN, SOURCE_REMOVED):  # only when a source left sources/
            if self.count(status):
                text += f", {self.count(status)} {status}"
        return text

    def to_json(self) -> str:
        """Serialise the report as JSON, one entry per source file."""
        data = {"summary": self.summary(), "files": [asdict(e) for e in self.entries]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
