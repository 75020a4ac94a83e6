"""Every word the site shows that is not content: one table per language, dates via Babel."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.core import LOCALE_ALIASES
from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal
from jinja2 import pass_context

# A plural entry is a dict keyed by CLDR plural category ("one", "other"), filled with ``n``.
Entry = str | dict[str, str]

STRINGS: dict[str, dict[str, Entry]] = {
    "de": {
        "skip": "Zum Inhalt springen",
        "nav": "Hauptnavigation",
        "latest": "Neueste",
        "archive": "Archiv",
        "sections": "Rubriken",
        "topics": "Themen",
        "authors": "Autorinnen und Autoren",
        "search": "Im Archiv suchen",
        "search_button": "Suchen",
        "home_title": "Neueste Meinungsbeiträge",
        "pages": "Seiten",
        "newer_pages": "Neuere Beiträge",
        "older_pages": "Ältere Beiträge",
        "page_of": "Seite {number} von {total}",
        "reading_time": {"one": "{n} Minute Lesezeit", "other": "{n} Minuten Lesezeit"},
        "by": "Von",
        "photo_note": "Zum Foto der gedruckten Ausgabe",
        "photo_credit": "Foto:",
        "article_nav": "Im Archiv blättern",
        "older_article": "Vorheriger Beitrag",
        "newer_article": "Nächster Beitrag",
        "more_from": "Mehr aus der Rubrik {section}",
        "archive_title": "Archiv",
        "archive_intro": "Alle Meinungsbeiträge nach Jahren, die neuesten zuerst.",
        "undated": "Ohne Datum",
        "count": {"one": "{n} Beitrag", "other": "{n} Beiträge"},
        "chart_years": "Beiträge pro Jahr",
        "chart_months": "Beiträge pro Monat im Jahr {year}",
        "year_title": "Meinungsbeiträge {year}",
        "month_all": "Alle Beiträge aus {month}",
        "section_title": "Rubrik: {name}",
        "topic_title": "Thema: {name}",
        "author_title": "Beiträge von {name}",
        "not_found_title": "Seite nicht gefunden",
        "not_found_text": "Unter dieser Adresse gibt es keinen Beitrag. "
        "Die Übersicht nach Jahren oder die Suche helfen weiter.",
        "feeds": "Feeds",
        "atom_feed": "Atom-Feed",
        "json_feed": "JSON-Feed",
        "all_articles": "Alle Beiträge",
        "search_title": "Suche",
        "search_noscript": "Die Suche braucht JavaScript. Ohne JavaScript finden Sie jeden Beitrag "
        "im Archiv nach Jahr und Monat.",
        "search_year": "Jahr",
        "search_section": "Rubrik",
        "search_any": "alle",
        "search_results": {"one": "{n} Treffer", "other": "{n} Treffer"},
        "search_none": "Keine Treffer. Versuchen Sie ein anderes Wort oder das Archiv.",
    },
    "en": {
        "skip": "Skip to content",
        "nav": "Main navigation",
        "latest": "Latest",
        "archive": "Archive",
        "sections": "Sections",
        "topics": "Topics",
        "authors": "Authors",
        "search": "Search the archive",
        "search_button": "Search",
        "home_title": "Latest opinion pieces",
        "pages": "Pages",
        "newer_pages": "Newer pieces",
        "older_pages": "Older pieces",
        "page_of": "Page {number} of {total}",
        "reading_time": {"one": "{n} minute read", "other": "{n} minutes read"},
        "by": "By",
        "photo_note": "About the photo in the printed edition",
        "photo_credit": "Photo:",
        "article_nav": "Browse the archive",
        "older_article": "Previous piece",
        "newer_article": "Next piece",
        "more_from": "More from {section}",
        "archive_title": "Archive",
        "archive_intro": "Every opinion piece by year, newest first.",
        "undated": "Undated",
        "count": {"one": "{n} piece", "other": "{n} pieces"},
        "chart_years": "Pieces per year",
        "chart_months": "Pieces per month in {year}",
        "year_title": "Opinion pieces {year}",
        "month_all": "All pieces from {month}",
        "section_title": "Section: {name}",
        "topic_title": "Topic: {name}",
        "author_title": "Pieces by {name}",
        "not_found_title": "Page not found",
        "not_found_text": "There is no piece at this address. "
        "The archive by year or the search will help.",
        "feeds": "Feeds",
        "atom_feed": "Atom feed",
        "json_feed": "JSON feed",
        "all_articles": "All pieces",
        "search_title": "Search",
        "search_noscript": "Search needs JavaScript. Without it, the archive lists every piece "
        "by year and month.",
        "search_year": "Year",
        "search_section": "Section",
        "search_any": "all",
        "search_results": {"one": "{n} result", "other": "{n} results"},
        "search_none": "No results. Try another word or the archive.",
    },
}

_DATE_PATTERNS = {"day": "d. MMMM y", "month": "MMMM y", "year": "y"}
_DATE_PATTERNS_EN = {"day": "d MMMM y", "month": "MMMM y", "year": "y"}


def language(lang: str | None) -> str:
    """Return ``lang`` if the site has words for it, else German."""
    return lang if lang in STRINGS else "de"


def text(key: str, lang: str = "de", n: int | None = None, **values: object) -> str:
    """Return the UI text ``key`` in ``lang``; ``n`` picks the plural form and is formatted."""
    entry = STRINGS[language(lang)][key]
    if isinstance(entry, dict):
        if n is None:
            raise ValueError(f"UI text {key!r} needs a count")
        entry = entry.get(Locale.parse(language(lang)).plural_form(n), entry["other"])
    if n is not None:
        values["n"] = format_decimal(n, locale=language(lang))
    return entry.format(**values) if values else entry


def date_text(value: dt.date, precision: str = "day", lang: str = "de") -> str:
    """Write a date in words at the precision known: '7. Januar 2022', 'Januar 2022', '2022'."""
    patterns = _DATE_PATTERNS_EN if language(lang) == "en" else _DATE_PATTERNS
    return format_date(value, patterns.get(precision or "day", patterns["day"]), locale=lang)


def month_name(month: int, lang: str = "de") -> str:
    """Name a month on its own ('Januar'), as a heading in a year's list."""
    return get_month_names("wide", context="stand-alone", locale=language(lang))[month]


def og_locale(lang: str) -> str:
    """Turn a language code into the territory form OpenGraph wants: 'de' -> 'de_DE'."""
    return LOCALE_ALIASES.get(lang, lang).replace("-", "_")


@pass_context
def ui(context, key: str, n: int | None = None, **values: object) -> str:
    """Jinja global ``t``: the UI text ``key`` in the site's language."""
    return text(key, context.get("DEFAULT_LANG", "de"), n, **values)


@pass_context
def ui_date(context, value: dt.date, precision: str = "day") -> str:
    """Jinja filter ``date_text``: a date in words in the site's language."""
    return date_text(value, precision, language(context.get("DEFAULT_LANG", "de")))


@pass_context
def ui_month(context, month: int) -> str:
    """Jinja filter ``month_name``: a month's name in the site's language."""
    return month_name(month, context.get("DEFAULT_LANG", "de"))
