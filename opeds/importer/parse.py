"""Parse the raw op-ed shape into an :class:`Article` (pure: text in, data out)."""

from __future__ import annotations

import datetime as dt
import html
import re

from opeds.importer.model import Article, ImportError_, Precision

#: Section words that open the first body paragraph (configurable per call).
DEFAULT_SECTIONS: tuple[str, ...] = (
    "Meinung", "Kommentar", "Leitartikel", "Gastbeitrag", "Gastkommentar", "Kolumne",
    "Analyse", "Essay", "Standpunkt", "Kritik", "Glosse", "Porträt", "Interview",
    "Inland", "International", "Wirtschaft", "Politik", "Kultur", "Sport", "Panorama",
    "Wissenschaft", "Web", "Etat", "Lokales", "Feuilleton",
)  # fmt: skip

_HEADER = re.compile(r"^\s*date(?:\s+(?P<date>\d{1,}(?:-\d{1,2}){0,2})(?=\s|$))?\s*(?P<title>.*)$")
_CREDIT = re.compile(r"^(?P<caption>.*?)\s*\b(?:Foto|Fotos|Bild|Grafik)\s*:\s*(?P<credit>\S.*)$",
                     re.IGNORECASE)  # fmt: skip
#: Datelines of more than one word, or ones the heuristic below would miss.
DEFAULT_PLACES: frozenset[str] = frozenset(
    ("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Frankfurt am Main", "Frankfurt (Oder)",
     "Stuttgart", "Düsseldorf", "Leipzig", "Dresden", "Potsdam", "Bonn", "Brüssel", "Wien",
     "Zürich", "Paris", "London", "Rom", "Madrid", "Washington", "New York", "Moskau", "Kiew",
     "Peking", "Tokio", "Jerusalem", "Tel Aviv", "Sankt Augustin", "St. Pölten", "Wiener Neustadt",
     "Los Angeles", "San Francisco", "Neu-Delhi", "Den Haag", "Brandenburg an der Havel",
     "Halle (Saale)", "Freiburg im Breisgau", "Mülheim an der Ruhr", "Genf", "Athen")
)  # fmt: skip

# Words that start a German sentence but never a place name: they end a dateline.
_SENTENCE_STARTERS = frozenset(
    [
        "Der",
        "Die",
        "Das",
        "Den",
        "Dem",
        "Des",
        "Ein",
        "Eine",
        "Einen",
        "Einem",
        "Einer",
        "Es",
        "Er",
        "Sie",
        "Wir",
        "Ich",
        "Man",
        "In",
        "Im",
        "Am",
        "An",
        "Auf",
        "Aus",
        "Bei",
        "Mit",
        "Nach",
        "Seit",
        "Von",
        "Vor",
        "Zu",
        "Zum",
        "Zur",
        "Für",
        "Über",
        "Unter",
        "Um",
        "Wer",
        "Was",
        "Wie",
        "Wo",
        "Wann",
        "Warum",
        "Als",
        "Wenn",
        "Ob",
        "Dass",
        "Doch",
        "Aber",
        "Und",
        "Oder",
        "Nun",
        "Noch",
        "Schon",
        "Nicht",
        "Kein",
        "Keine",
        "Alle",
        "Viele",
        "Dieser",
        "Diese",
        "Dieses",
        "Jetzt",
        "Heute",
        "Gestern",
        "Morgen",
        "Seine",
        "Ihre",
        "Mehr",
        "Nur",
        "Auch",
        "So",
        "Da",
        "Dann",
        "Damit",
        "Denn",
        "Gegen",
        "Ohne",
        "Trotz",
        "Während",
        "Wegen",
        "Bis",
        "Mehrere",
        "Zwei",
        "Drei",
    ]
)


def parse_date(token: str | None) -> tuple[dt.date, Precision]:
    """Turn ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` into a date and its precision."""
    if not token:
        raise ImportError_("the header has no date (expected 'date YYYY-MM')", line=1)
    parts = token.split("-")
    if len(parts[0]) != 4:
        raise ImportError_(f"impossible date {token!r}: the year needs four digits", line=1)
    numbers = [int(p) for p in parts]
    precision: Precision = ("year", "month", "day")[len(numbers) - 1]
    try:
        date = dt.date(numbers[0], *(numbers[1:] + [1] * (3 - len(numbers))))
    except ValueError as error:
        raise ImportError_(f"impossible date {token!r}: {error}", line=1) from None
    return date, precision


def split_title(title: str) -> tuple[str, str]:
    """Split ``kicker : headline``; a title without `` : `` has no kicker."""
    kicker, sep, headline = title.partition(" : ")
    if sep and kicker.strip() and headline.strip():
        return kicker.strip(), headline.strip()
    return "", title.strip()


def paragraphs_of(lines: list[str]) -> list[tuple[int, str]]:
    """Group lines into paragraphs at blank lines, joining hard-wrapped lines; keep line numbers."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((start, " ".join(current)))
            current = []
    if current:
        blocks.append((start, " ".join(current)))
    return [(n, " ".join(text.split())) for n, text in blocks]


def split_section(
    paragraph: str, sections: tuple[str, ...], places: frozenset[str] = frozenset()
) -> tuple[str, str, str]:
    """Split the first paragraph into section word, dateline and lead."""
    words = paragraph.split(" ")
    if len(words) < 2 or words[0] not in sections:
        return "", "", paragraph
    section, rest = words[0], words[1:]
    # A known place wins, the longest first ("Frankfurt am Main" before "Frankfurt").
    for size in range(min(4, len(rest) - 1), 0, -1):
        candidate = " ".join(rest[:size])
        if candidate in places:
            return section, candidate, " ".join(rest[size:])
    # Otherwise one capitalised word followed by a typical sentence start is a dateline.
    starts_lead = len(rest) > 2 and rest[1] in _SENTENCE_STARTERS
    if starts_lead and rest[0][:1].isupper() and rest[0] not in _SENTENCE_STARTERS:
        return section, rest[0], " ".join(rest[1:])
    return section, "", " ".join(rest)


def parse(
    text: str,
    sections: tuple[str, ...] = DEFAULT_SECTIONS,
    places: frozenset[str] = DEFAULT_PLACES,
) -> Article:
    """Parse one raw op-ed (already decoded, ``\\n`` line ends) into an :class:`Article`."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportError_("the file is empty", line=1)
    header = _HEADER.match(lines[first])
    if not header:
        raise ImportError_("the first line is not a header 'date YYYY-MM <title>'", first + 1)
    try:
        date, precision = parse_date(header["date"])
    except ImportError_ as error:
        raise ImportError_(error.reason, first + 1) from None
    title = " ".join(html.unescape(header["title"]).split())
    if not title:
        raise ImportError_("the header has no title", first + 1)
    kicker, headline = split_title(title)

    blocks = [(n + first + 1, t) for n, t in paragraphs_of(lines[first + 1 :])]
    caption = credit = ""
    # A short first block ending in a photo credit is the caption of a photo we do not have.
    if len(blocks) > 1 and len(blocks[0][1]) < 400 and (match := _CREDIT.match(blocks[0][1])):
        caption, credit = match["caption"].strip(), match["credit"].strip()
        blocks = blocks[1:]
    if not blocks:
        raise ImportError_("the header has no body below it", first + 1)
    section, dateline, lead = split_section(blocks[0][1], sections, places)
    paragraphs = tuple(p for p in [lead, *(t for _, t in blocks[1:])] if p)
    if not paragraphs:
        raise ImportError_("the body has no text after the section word", blocks[0][0])
    return Article(
        headline=headline,
        kicker=kicker,
        date=date,
        date_precision=precision,
        category=section,
        dateline=dateline,
        image_caption=caption,
        image_credit=credit,
        paragraphs=paragraphs,
    )
