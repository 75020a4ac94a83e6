"""Parse the raw op-ed shape into an :class:`Article` (pure: text in, data out)."""

from __future__ import annotations

import datetime as dt
import re

from opeds.importer.byline import Byline, leading_byline, trailing_byline
from opeds.importer.model import Article, ImportError_, Precision, Vocabulary
from opeds.importer.normalise import unescape_entities
from opeds.importer.vocabulary import make_vocabulary, split_section

DEFAULT_VOCABULARY = make_vocabulary()

# "date", then a token that looks like a date (it may still be impossible), then the title.
# A short number alone ("date 46 Tote ...") belongs to the title: the date is missing.
_HEADER = re.compile(
    r"^\s*date(?=\s|$)\s*(?P<date>(?:\d{4,}|\d+(?=-))(?:-\d+)*(?=\s|$))?\s*(?P<title>.*)$"
)
# A photo credit closes the caption: "Foto: dpa/Uncredited", "FOTO: AFP", "Fotos: ...".
_CREDIT = re.compile(
    r"^(?P<caption>.*?)\s*(?<!\w)(?:Fotos?|Bild|Grafik|Illustration)\s*:\s*(?P<credit>\S.*)$",
    re.IGNORECASE,
)
_CAPTION_MAX = 500  # characters: a longer first block is prose, even with a "Foto:" in it
#: No op-ed archive starts earlier: a year before this is a typo (0001, 0202), not a date.
EARLIEST_YEAR = 1800


def parse_date(
    token: str | None, line: int = 1, today: dt.date | None = None
) -> tuple[dt.date | None, Precision]:
    """Turn ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` into a date and its precision.

    No date at all is no error: the piece is undated (``None``, precision ``unknown``).
    """
    if not token:
        return None, "unknown"
    parts = token.split("-")
    if len(parts) > 3:
        raise ImportError_(f"impossible date {token!r}: expected YYYY, YYYY-MM or YYYY-MM-DD", line)
    if len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
        raise ImportError_(
            f"impossible date {token!r}: expected YYYY, YYYY-MM or YYYY-MM-DD "
            "(four-digit year, two-digit month and day)",
            line,
        )
    numbers = [int(p) for p in parts]
    precision: Precision = ("year", "month", "day")[len(numbers) - 1]
    try:
        date = dt.date(numbers[0], *(numbers[1:] + [1] * (3 - len(numbers))))
    except ValueError as error:
        raise ImportError_(f"impossible date {token!r}: {error}", line) from None
    check_plausible(date, token, line, today)
    return date, precision


def check_plausible(date: dt.date, token: str, line: int, today: dt.date | None = None) -> None:
    """Refuse a date before :data:`EARLIEST_YEAR` or after today: it would head the archive."""
    if date.year < EARLIEST_YEAR:
        raise ImportError_(f"implausible date {token!r}: before {EARLIEST_YEAR}", line)
    # A day of grace: the newsroom's clock may be a time zone ahead of ours.
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    if date > latest:
        raise ImportError_(f"implausible date {token!r}: in the future", line)


def split_title(title: str) -> tuple[str, str]:
    """Split ``kicker : headline``; a title without `` : `` has no kicker."""
    kicker, sep, headline = title.partition(" : ")
    if sep and kicker.strip() and headline.strip():
        return kicker.strip(), headline.strip()
    return "", title.strip()


def clean_text(text: str) -> str:
    """Decode entities and fold every run of whitespace into one space."""
    return " ".join(unescape_entities(text).split())


def paragraphs_of(lines: list[str], first_line: int = 1) -> list[tuple[int, str]]:
    """Group lines into paragraphs at blank lines, joining hard-wrapped lines; keep line numbers."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = first_line
    for number, line in enumerate(lines, start=first_line):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, clean_text(" ".join(current))))
            current = []
    if current:
        blocks.append((start, clean_text(" ".join(current))))
    return [(n, text) for n, text in blocks if text]


def date_from_byline(
    date: dt.date | None, precision: Precision, byline: Byline | None
) -> tuple[dt.date | None, Precision, str]:
    """Take the byline's day when it agrees with what the header knows; else say why not."""
    if byline is None or byline.date is None:
        return date, precision, ""
    found = byline.date
    agrees = {
        "unknown": True,
        "year": date is not None and found.year == date.year,
        "month": date is not None and (found.year, found.month) == (date.year, date.month),
        "day": found == date,
    }[precision]
    if agrees:
        return found, "day", ""
    header = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}[precision]
    return (
        date,
        precision,
        (
            f"date conflict: the byline says {found:%Y-%m-%d}, the header {date:{header}}; "
            "the header's date is kept"
        ),
    )


def find_bylines(
    paragraphs: list[str],
) -> tuple[list[str], Byline | None, Byline | None, str]:
    """Take a ``Von …`` paragraph near the start and a byline at the end out of the body."""
    leading = None
    for index in range(min(2, len(paragraphs) - 1)):
        if found := leading_byline(paragraphs[index]):
            leading = found
            paragraphs = paragraphs[:index] + paragraphs[index + 1 :]
            break
    rest, trailing, warning = trailing_byline(paragraphs[-1])
    paragraphs = paragraphs[:-1] + ([rest] if rest else [])
    return paragraphs, leading, trailing, warning


def _starts_with_section(text: str, vocabulary: Vocabulary) -> bool:
    return any(text == s or text.startswith(s + " ") for s in vocabulary.sections)


def parse(text: str, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> Article:
    """Parse one raw op-ed (already decoded, ``\\n`` line ends) into an :class:`Article`."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportError_("empty file", line=1)
    header_line = first + 1
    header = _HEADER.match(lines[first])
    if not header:
        raise ImportError_("the first line is not a header 'date YYYY-MM <title>'", header_line)
    date, precision = parse_date(header["date"], header_line)
    title = clean_text(header["title"])
    if not title:
        raise ImportError_("the header has no title", header_line)
    kicker, headline = split_title(title)

    blocks = paragraphs_of(lines[first + 1 :], first_line=header_line + 1)
    caption = credit = ""
    # A short first block ending in a photo credit is the caption of a photo we do not have.
    if (
        len(blocks) > 1
        and len(blocks[0][1]) <= _CAPTION_MAX
        and not _starts_with_section(blocks[0][1], vocabulary)
        and (match := _CREDIT.match(blocks[0][1]))
    ):
        caption, credit = match["caption"].strip(), match["credit"].strip()
        blocks = blocks[1:]
    if not blocks:
        raise ImportError_("header without body: no text below the header", header_line)
    # A "Von Anna Beispiel" paragraph may stand before the section paragraph.
    leading = leading_byline(blocks[0][1]) if len(blocks) > 1 else None
    if leading:
        blocks = blocks[1:]
    section, dateline, lead = split_section(blocks[0][1], vocabulary)
    paragraphs = [p for p in [lead, *(t for _, t in blocks[1:])] if p]
    if not paragraphs:
        raise ImportError_("no body text after the section word", blocks[0][0])
    paragraphs, leading_after, trailing, warning = find_bylines(paragraphs)
    if not paragraphs:
        raise ImportError_("no body text besides the byline", blocks[0][0])
    leading = leading or leading_after
    warnings = [f"line {blocks[-1][0]}: {warning}"] if warning else []
    date, precision, conflict = date_from_byline(date, precision, trailing)
    if conflict:
        warnings.append(f"line {header_line}: {conflict}")
    bylines = [b for b in (leading, trailing) if b]
    authors = tuple(dict.fromkeys(a for b in bylines for a in b.authors))
    return Article(
        headline=headline,
        kicker=kicker,
        date=date,
        date_precision=precision,
        category=section,
        dateline=dateline,
        image_caption=caption,
        image_credit=credit,
        paragraphs=tuple(paragraphs),
        authors=authors,
        byline=" | ".join(b.text for b in bylines),
        warnings=tuple(warnings),
    )
