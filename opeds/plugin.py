"""Pelican plugin: German dates, per-language typography and sanitised article HTML."""

from __future__ import annotations

import datetime as dt
import logging

import nh3
from babel.dates import format_date
from markupsafe import Markup, escape
from pelican import signals
from pelican.contents import Article, Page

log = logging.getLogger(__name__)

# Tags and attributes Markdown produces for our content; anything else is dropped.
ALLOWED_TAGS = {"p", "a", "em", "strong", "blockquote", "ul", "ol", "li", "h2", "h3", "h4",
                "br", "hr", "abbr", "span", "sup", "sub", "code", "pre", "figure",
                "figcaption"}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "span": {"class"}}

_PATTERNS = {"day": "d. MMMM y", "month": "MMMM y", "year": "y"}


def date_de(value: dt.date, precision: str = "day", locale: str = "de") -> str:
    """Format a date in words at the precision known: '7. Januar 2022', 'Januar 2022', '2022'."""
    return format_date(value, _PATTERNS.get(precision or "day", _PATTERNS["day"]), locale=locale)


def iso_date(value: dt.date, precision: str = "day") -> str:
    """Format a date for ``<time datetime>`` and JSON-LD at the precision known."""
    return {"year": f"{value:%Y}", "month": f"{value:%Y-%m}"}.get(precision, f"{value:%Y-%m-%d}")


def clean_html(html: str) -> str:
    """Sanitise article HTML: keep what Markdown makes of plain text, drop everything else."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)


def sanitise_content(instance: object) -> None:
    """Clean article and page HTML with nh3 and give templates escaped title markup."""
    if not isinstance(instance, Article | Page):
        return
    if instance._content is not None:
        instance._content = clean_html(instance._content)
    for key in ("title", "kicker", "dateline", "image_caption", "image_credit"):
        value = getattr(instance, key, "")
        setattr(instance, f"{key}_html", Markup(escape(value)) if value else Markup(""))


def add_filters(pelican: object) -> None:
    """Make the date filters available to every template."""
    filters = pelican.settings.setdefault("JINJA_FILTERS", {})
    filters.setdefault("date_de", date_de)
    filters.setdefault("iso_date", iso_date)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(add_filters)
    signals.content_object_init.connect(sanitise_content)
