"""The site's words in its language: gettext catalogs for the theme, dates and numbers via Babel.

Templates mark their words with ``_()``, ``ngettext()`` and ``pgettext()`` (``jinja2.ext.i18n``);
the catalogs are ``theme/translations/<lang>/LC_MESSAGES/messages.po``, which any PO editor
opens. They are compiled in memory at each build, so there is no ``.mo`` file to go stale.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from pathlib import Path

from babel.core import LOCALE_ALIASES
from babel.dates import format_date, get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from jinja2 import pass_context

#: Languages the theme has catalogs for; any other site language falls back to German.
LANGUAGES = ("de", "en")
DOMAIN = "messages"

_DATE_PATTERNS = {"day": "d. MMMM y", "month": "MMMM y", "year": "y"}
_DATE_PATTERNS_EN = {"day": "d MMMM y", "month": "MMMM y", "year": "y"}


def language(lang: str | None) -> str:
    """Return the base language of ``lang`` if the site has words for it, else German."""
    base = (lang or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else "de"


def catalog_path(translations: Path, lang: str) -> Path:
    """Return where the catalog of ``lang`` lives below the theme's translations folder."""
    return translations / language(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations(translations: Path, lang: str) -> gettext.GNUTranslations:
    """Compile the ``.po`` catalog of ``lang`` in memory into gettext translations."""
    path = catalog_path(translations, lang)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language(lang), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


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
def ui_date(context, value: dt.date, precision: str = "day") -> str:
    """Jinja filter ``date_text``: a date in words in the site's language."""
    return date_text(value, precision, language(context.get("DEFAULT_LANG", "de")))


@pass_context
def ui_month(context, month: int) -> str:
    """Jinja filter ``month_name``: a month's name in the site's language."""
    return month_name(month, context.get("DEFAULT_LANG", "de"))


@pass_context
def ui_number(context, value: int) -> str:
    """Jinja filter ``number``: a count with the site language's digit grouping (1.004)."""
    return format_decimal(value, locale=language(context.get("DEFAULT_LANG", "de")))
