"""The delivery order of imported articles, from their source file's numeric prefix."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^(\d+)_")


def delivery_number(source_file: str) -> int:
    """Return the numeric prefix of a source file name (``1000_…`` → 1000); none sorts last."""
    match = _NUMBER.match(source_file or "")
    return int(match[1]) if match else 1 << 62
