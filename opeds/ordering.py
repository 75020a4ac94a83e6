"""Article order for Pelican: newest first, and within one date the order of delivery."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^(\d+)_")


def delivery_number(source_file: str) -> int:
    """Return the numeric prefix of a source file name (``1000_…`` → 1000); none sorts last."""
    match = _NUMBER.match(source_file or "")
    return int(match[1]) if match else 1 << 62


def newest_first(article: object) -> tuple[float, int, str]:
    """Sort key for ``ARTICLE_ORDER_BY``: date descending, then delivery number, then slug."""
    date = article.date
    return (
        -date.timestamp(),
        delivery_number(getattr(article, "source_file", "")),
        article.slug,
    )
