"""Turn delivered bytes into clean text: encoding, BOM, line endings, stray characters."""

from __future__ import annotations

import codecs
import html
import re

from charset_normalizer import from_bytes

from opeds.importer.model import ImportError_

#: Legacy encodings a German newsroom export may use; charset-normalizer picks among them.
LEGACY_ENCODINGS = ("cp1252", "latin_1")

# Only entities closed by ';' are decoded: "AT&T" or "&para" inside a word stay as they are.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# C0/C1 controls and DEL carry no text; tabs and newlines are kept until lines are split.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Breaks that are not LF would be dropped with the controls and glue words together. NEL (a C1
# control) ends lines in text converted from mainframes; U+2028 breaks a line inside a
# paragraph, where a space means the same and a header line stays one line; U+2029 ends one.
_BREAKS = {"\x85": "\n", "\u2028": " ", "\u2029": "\n\n"}
# Invisible characters that change nothing a reader should see but can hide or reverse text:
# zero-width spaces and joiners, word joiner and invisible operators, bidi marks and overrides.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# A valid UTF-8 sequence of two to four bytes: cp1252 text practically never holds one.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM, else detect cp1252/Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ImportError_(f"undecodable UTF-16 at byte {error.start}", line=1) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    line = data[: utf8_error.start].count(b"\n") + 1
    if _UTF8_MULTIBYTE.search(data) or data[utf8_error.start] in (0xC2, 0xC3):
        # UTF-8 with a damaged byte: read as cp1252 every ü would silently become "Ã¼".
        raise ImportError_(
            f"invalid UTF-8 at byte {utf8_error.start} in text that is otherwise UTF-8 "
            f"(bytes {data[utf8_error.start : utf8_error.end].hex(' ')}); fix or remove them",
            line=line,
        )
    if b"\x00" not in data:  # NUL bytes mean binary data, whatever a detector might guess
        best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
        if best is not None:
            return str(best)
    raise ImportError_(
        f"undecodable bytes at byte {utf8_error.start}: neither UTF-8 nor cp1252/Latin-1",
        line=line,
    )


def normalise(text: str) -> str:
    """Unify line endings to LF, drop control and invisible characters and blanks at line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # str.translate with a table looks each character up (a third of a millisecond a source);
    # the same breaks replaced one by one, only when there.
    for old, new in _BREAKS.items():
        if old in text:
            text = text.replace(old, new)
    text = _CONTROL.sub("", _INVISIBLE.sub("", text.replace("\t", " ")))
    return "\n".join(line.rstrip() for line in text.split("\n"))


def unescape_entities(text: str) -> str:
    """Decode HTML entities closed by a semicolon (``B&ouml;se`` → ``Böse``)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: _CONTROL.sub("", _INVISIBLE.sub("", html.unescape(m[0]))), text)
