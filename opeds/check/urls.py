"""Which built file is which kind of page, read from the site's URL settings."""

from __future__ import annotations

import re

from pelican.settings import read_settings

from opeds import PROJECT

# The kinds of page one accessibility run covers, each with the setting that names its file.
KIND_SETTINGS = [
    ("home", "INDEX_SAVE_AS"),
    ("archive", "ARCHIVES_SAVE_AS"),
    ("year", "YEAR_PAGE_SAVE_AS"),
    ("month", "MONTH_ARCHIVE_SAVE_AS"),
    ("article", "ARTICLE_SAVE_AS"),
    ("section", "CATEGORY_SAVE_AS"),
    ("topic", "TAG_SAVE_AS"),
    ("author", "AUTHOR_SAVE_AS"),
    ("search", "SEARCH_SAVE_AS"),
]
_FIELD = re.compile(r"\{([^}]*)\}")
_FIELD_PATTERNS = {"date:%Y": r"\d{4}", "date:%m": r"\d{2}", "date:%d": r"\d{2}"}


def site_settings() -> dict:
    """Read the project's development settings (the URL shapes are the same in production)."""
    return read_settings(str(PROJECT / "pelicanconf.py"))


def save_as_pattern(template: str) -> re.Pattern[str]:
    """Turn a ``*_SAVE_AS`` template such as ``rubrik/{slug}/index.html`` into a regex."""
    parts, last = [], 0
    for match in _FIELD.finditer(template):
        parts.append(re.escape(template[last : match.start()]))
        parts.append(_FIELD_PATTERNS.get(match[1], r"[^/]+"))
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts))


def page_kinds(settings: dict) -> list[tuple[str, re.Pattern[str]]]:
    """List (kind, pattern of its files) for every kind of page the settings write."""
    kinds = [(kind, save_as_pattern(settings[key])) for kind, key in KIND_SETTINGS
             if settings.get(key)]  # fmt: skip
    return [*kinds, ("404", re.compile(re.escape("404.html")))]
