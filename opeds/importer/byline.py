"""Bylines: who wrote a piece and on which day, from its last or first lines (pure).

Trailing: ``(Markus Bernath, 1.11.2015)``, ``(APA; 15.8.2015)``, ``(APA, red, 10. 9. 2015)``,
``(Anna Beispiel und Ben Muster, 3.5.2016)``, or an agency alone (``(APA)``, ``(dpa/AFP)``).
Leading: a paragraph of its own ``Von Anna Beispiel`` (``und``/``,`` for several).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: News agencies and the desk's own short credit: only these may stand alone in parentheses,
#: so that "(siehe oben)" at the end of a text stays text.
AGENCIES: frozenset[str] = frozenset(
    ("APA", "dpa", "AFP", "AP", "Reuters", "sda", "SDA", "KNA", "epd", "SID", "sid", "red",
     "Bloomberg", "DER STANDARD", "ANP", "ANSA", "Belga", "EFE", "TASS", "Xinhua")
)  # fmt: skip

# The date at the end of a byline: "1.11.2015", "10. 9. 2015", "23.4. 2016".
_DATE = r"(?P<day>\d{1,2})\.\s*(?P<month>\d{1,2})\.\s*(?P<year>\d{4})"
_TRAILING = re.compile(r"\s*\((?P<names>[^()]+?)\s*[,;]\s*" + _DATE + r"\)$")
_AGENCY_ONLY = re.compile(r"\s*\((?P<names>[^()]{2,60})\)$")
# Something that starts like a dated byline but does not end like one: "(APA, 18.9. 20159",
# "(Renate Graber, 23.11.2015" without its ")". It stays in the body and is reported.
_MALFORMED = re.compile(r"\((?P<text>[^()]{1,120}?[,;]\s*\d{1,2}\.\s*\d{1,2}\.?[^()]{0,12})\)?$")
_SPLIT = re.compile(r"\s*[,;/&]\s*|\s+und\s+")
_ANY_DATE = re.compile(r"^\d{1,2}\.\s*\d{1,2}\.\s*\d{4}$")
# "Frank Herrmann aus New Orleans": the place tells where the author wrote from.
_FROM_PLACE = re.compile(r"\s+aus\s+\S.*$")
# A person's name: capitalised words, with the particles names carry ("Anna von Beispiel").
_PARTICLE = r"(?:von|van|de|der|den|zu|di|da|del|la|le)\s+"
_NAME = rf"[A-ZÄÖÜ][\w'.-]*(?:\s+(?:{_PARTICLE})*[A-ZÄÖÜ][\w'.-]*){{1,3}}"
_LEADING = re.compile(rf"^Von\s+(?P<names>{_NAME}(?:(?:\s*,\s*|\s+und\s+){_NAME})*)$")
_LEADING_MAX = 120  # characters: a longer paragraph is prose


@dataclass(frozen=True)
class Byline:
    """A byline as printed (without its parentheses), its authors and its date if it has one."""

    text: str
    authors: tuple[str, ...]
    date: dt.date | None = None


def split_names(names: str) -> tuple[str, ...]:
    """Split a byline's names into authors: ``,``, ``;``, ``/``, ``&`` and ``und`` separate them.

    A credit with a role (``Grafik: fin``) names its contributor; ``aus <Ort>`` after a name
    says where it was written and is not part of the name; a date inside the names is dropped.
    """
    authors: list[str] = []
    for part in _SPLIT.split(names):
        name = part.rpartition(":")[2].strip()
        name = _FROM_PLACE.sub("", name).strip()
        if name and not _ANY_DATE.match(name) and name not in authors:
            authors.append(name)
    return tuple(authors)


def trailing_byline(paragraph: str) -> tuple[str, Byline | None, str]:
    """Split the last paragraph into (text before the byline, byline, warning).

    A malformed byline stays in the text; the warning then says what looked wrong.
    """
    if match := _TRAILING.search(paragraph):
        day, month, year = (int(match[k]) for k in ("day", "month", "year"))
        names = " ".join(match["names"].split())
        printed = " ".join(match[0].strip()[1:-1].split())
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return paragraph, None, f"byline with an impossible date kept in the text: {printed!r}"
        authors = split_names(names)
        if authors:
            return paragraph[: match.start()].rstrip(), Byline(printed, authors, date), ""
    if (match := _AGENCY_ONLY.search(paragraph)) and all(
        part in AGENCIES for part in _SPLIT.split(match["names"].strip())
    ):
        names = " ".join(match["names"].split())
        return paragraph[: match.start()].rstrip(), Byline(names, split_names(names)), ""
    tail = paragraph[-140:]
    if (match := _MALFORMED.search(tail)) and "(" in tail:
        return paragraph, None, f"malformed byline kept in the text: {match[0]!r}"
    return paragraph, None, ""


def leading_byline(paragraph: str) -> Byline | None:
    """Read a paragraph that is only ``Von Anna Beispiel`` (or several names) as a byline."""
    if len(paragraph) > _LEADING_MAX:
        return None
    match = _LEADING.match(paragraph)
    if match is None:
        return None
    return Byline(paragraph, split_names(match["names"]))
