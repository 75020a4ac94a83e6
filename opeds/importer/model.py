"""The data that flows through the importer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

#: How much of the date is known; "unknown": the source has no date at all (no ``date`` key).
Precision = Literal["day", "month", "year", "unknown"]


class ImportError_(ValueError):
    """A raw file that cannot become an article; says which line and why."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class Vocabulary:
    """The words that open a body: section names and known dateline places."""

    sections: tuple[str, ...]
    places: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Article:
    """One op-ed as parsed from its raw text, before it becomes Markdown."""

    headline: str
    date: dt.date | None  # None when the source has no date (precision "unknown")
    date_precision: Precision
    paragraphs: tuple[str, ...]
    kicker: str = ""
    category: str = ""
    dateline: str = ""
    image_caption: str = ""
    image_credit: str = ""
    lang: str = "de"
    authors: tuple[str, ...] = ()
    byline: str = ""  # the byline as printed, without its parentheses: nothing of it is lost
    warnings: tuple[str, ...] = ()  # what an editor should look at; the article still imports
