"""Read the ``key: value`` front matter of an article's Markdown file without Pelican."""

from __future__ import annotations

from pathlib import Path

FENCE = "---"


def parse_front_matter(text: str) -> dict[str, str]:
    """Return the fields between the opening and closing ``---``; none without a fence."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        return {}
    fields: dict[str, str] = {}
    for line in lines[1:]:
        if line.rstrip() == FENCE:
            return fields
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields.setdefault(key.strip().lower(), value.strip())
    return {}  # never closed: not front matter


def read_front_matter(path: Path) -> dict[str, str]:
    """Read the front matter of one Markdown file, stopping at the closing fence."""
    lines = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle):
            lines.append(line.rstrip("\n"))
            if number and line.rstrip() == FENCE:
                break
            if number == 0 and line.rstrip() != FENCE:
                return {}
    return parse_front_matter("\n".join(lines))
