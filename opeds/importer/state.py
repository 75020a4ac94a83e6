"""What the importer last wrote, so re-imports skip unchanged sources and spot hand edits (pure)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

STATE_VERSION = 1


@dataclass(frozen=True)
class Record:
    """One source file and the Markdown file the importer made of it."""

    source: str  # file name in sources/
    source_sha256: str  # of the raw bytes: an unchanged source needs no parse
    output: str  # path below content/, POSIX style; fixed once written (slugs never change)
    output_sha256: str  # of the bytes the importer wrote: anything else is a hand edit


@dataclass
class State:
    """Every source id the importer has written, and how its output was made."""

    fingerprint: str = ""  # of importer version and vocabulary: a change means parse again
    records: dict[str, Record] = field(default_factory=dict)

    def dumps(self) -> str:
        """Serialise as stable, sorted JSON (the same state gives the same bytes)."""
        data = {
            "version": STATE_VERSION,
            "fingerprint": self.fingerprint,
            "articles": {key: asdict(self.records[key]) for key in sorted(self.records)},
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def loads(cls, text: str) -> State:
        """Read a state written by :meth:`dumps`; an unknown version counts as no state."""
        data = json.loads(text)
        if data.get("version") != STATE_VERSION:
            return cls()
        records = {key: Record(**value) for key, value in data.get("articles", {}).items()}
        return cls(fingerprint=data.get("fingerprint", ""), records=records)
