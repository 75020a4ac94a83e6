"""What the importer last wrote, so re-imports skip unchanged sources and spot hand edits (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from json.encoder import encode_basestring as _quoted
from operator import attrgetter
from pathlib import PurePosixPath

STATE_VERSION = 1


class StateError(ValueError):
    """A state file that is not what :meth:`State.dumps` writes; says where."""


def safe_output(output: str) -> bool:
    """Tell whether ``output`` is a relative ``*.md`` path that stays inside content/."""
    # The usual path ("2021/03/titel.md") passes on plain string checks that imply the ones
    # below (0.1 s of each import at 10,000 records); any other is judged by those.
    if (output.endswith(".md") and "\\" not in output and "\x00" not in output
            and all(part and part[0] != "." for part in output.split("/"))):  # fmt: skip
        return True
    path = PurePosixPath(output)
    return (
        bool(output)
        and "\\" not in output
        and "\x00" not in output
        and not path.is_absolute()
        and path.suffix == ".md"
        and all(part not in ("", ".", "..") and not part.startswith(".") for part in path.parts)
    )


@dataclass(frozen=True)
class Record:
    """One source file and the Markdown file the importer made of it."""

    source: str  # file name in sources/
    source_sha256: str  # of the raw bytes: an unchanged source needs no parse
    output: str  # path below content/, POSIX style; fixed once written (slugs never change)
    output_sha256: str  # of the bytes the importer wrote: anything else is a hand edit


#: A record as ``json.dumps(..., indent=1, sort_keys=True)`` writes it inside the state.
_FIELDS = tuple(sorted(f.name for f in fields(Record)))
_RECORD = "  %s: {\n" + ",\n".join(f"   {_quoted(name)}: %s" for name in _FIELDS) + "\n  }"


@dataclass
class State:
    """Every source id the importer has written, and how its output was made."""

    fingerprint: str = ""  # of importer version and vocabulary: a change means parse again
    records: dict[str, Record] = field(default_factory=dict)

    def dumps(self) -> str:
        """Serialise as stable, sorted JSON (the same state gives the same bytes).

        The bytes of ``json.dumps(..., ensure_ascii=False, indent=1, sort_keys=True)``, written
        here: with an indent, the json module encodes in Python, not C (0.13 s of every
        import at 10,000 records, for a file that changes with any source).
        """
        text = _quoted  # each string as json.dumps gives it, without escaping non-ASCII
        values = attrgetter(*_FIELDS)
        records = [_RECORD % (text(key), *map(text, values(self.records[key])))
                   for key in sorted(self.records)]  # fmt: skip
        articles = "{\n" + ",\n".join(records) + "\n }" if records else "{}"
        return (f'{{\n "articles": {articles},\n "fingerprint": {text(self.fingerprint)},\n'
                f' "version": {STATE_VERSION}\n}}\n')  # fmt: skip

    @classmethod
    def loads(cls, text: str) -> State:
        """Read a state written by :meth:`dumps`; an unknown version counts as no state.

        Raise :class:`StateError` for anything else: not JSON, the wrong shape, or an output
        path that would leave content/ or that two sources share.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise StateError(f"line {error.lineno}: not JSON: {error.msg}") from None
        if not isinstance(data, dict):
            raise StateError("not a JSON object")
        if data.get("version") != STATE_VERSION:
            return cls()
        fingerprint, articles = data.get("fingerprint", ""), data.get("articles", {})
        if not isinstance(fingerprint, str):
            raise StateError("'fingerprint' must be text")
        if not isinstance(articles, dict):
            raise StateError(f"'articles' must be an object, not {type(articles).__name__}")
        keys = {f.name for f in fields(Record)}
        records: dict[str, Record] = {}
        owners: dict[str, str] = {}
        for key, value in articles.items():
            if not isinstance(value, dict) or set(value) != keys:
                raise StateError(f"article {key!r} must have exactly the keys {sorted(keys)}")
            if not all(isinstance(v, str) for v in value.values()):
                raise StateError(f"article {key!r}: every value must be text")
            record = Record(**value)
            if not safe_output(record.output):
                raise StateError(
                    f"article {key!r}: output {record.output!r} is not a path to a .md file "
                    "inside content/"
                )
            if (other := owners.setdefault(record.output.lower(), key)) != key:
                raise StateError(f"articles {other!r} and {key!r} share {record.output!r}")
            records[key] = record
        return cls(fingerprint=fingerprint, records=records)
