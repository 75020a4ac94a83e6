"""Names the archive gives and reads: raw source files and German URL slugs."""

from __future__ import annotations

import functools
import re

from slugify import slugify

#: A raw source: ``NNN_<16 hex>.txt``; the number is the delivery order, the hex the source id.
SOURCE_NAME = re.compile(r"^(?P<number>\d+)_(?P<id>[0-9a-f]{16})\.txt$")
_NUMBER = re.compile(r"^(\d+)_")
#: Where a file without a delivery number sorts: after every numbered one.
UNNUMBERED = 1 << 62

# German transliteration first, so "Müller" becomes "mueller", not "muller".
GERMAN = [("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ä", "ae"), ("ö", "oe"), ("ü", "ue"),
          ("ß", "ss"), ("ẞ", "SS")]  # fmt: skip
SLUG_MAX = 80


def delivery_number(source_file: str) -> int:
    """Return the numeric prefix of a source file name (``1000_…`` → 1000); none sorts last."""
    match = _NUMBER.match(source_file or "")
    return int(match[1]) if match else UNNUMBERED


def source_id(file_name: str) -> str:
    """Return the source id of a raw file: its hex part, or the stem of an oddly named file."""
    match = SOURCE_NAME.match(file_name)
    return match["id"] if match else file_name.rsplit(".", 1)[0]


@functools.lru_cache(maxsize=65536)  # every article repeats its section and authors
def german_slug(text: str, max_length: int = SLUG_MAX) -> str:
    """Turn any name into a URL slug with German transliteration (``Porträt`` → ``portraet``)."""
    return slugify(str(text), replacements=GERMAN, max_length=max_length, word_boundary=True)
