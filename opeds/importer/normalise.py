"""Turn delivered bytes into clean text: encoding, BOM, line endings, stray whitespace."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from opeds.importer.model import ImportError_


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else detect the legacy encoding (cp1252 and kin)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "mac_roman"]).best()
    if best is None:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise ImportError_(
            f"undecodable bytes at offset {utf8_error.start}: neither UTF-8 nor a legacy "
            "Western encoding",
            line=line,
        )
    return str(best)


def normalise(text: str) -> str:
    """Unify line endings, drop control characters and trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = "".join(c for c in text if c in "\n\t" or (c >= " " and c != "\x7f"))
    return "\n".join(line.rstrip() for line in text.split("\n"))
