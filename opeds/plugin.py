"""Pelican plugin: typography by language, clean HTML, archive shape, JSON Feed and sitemap."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup
from pelican import signals
from pelican.contents import Article, Page

from opeds import archive, feeds, i18n, metadata
from opeds.htmlcache import HtmlCache
from opeds.metadata import iso_date
from opeds.sanitise import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean_html
from opeds.typography import typeset_inline

log = logging.getLogger(__name__)

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "clean_html", "date_de", "iso_date", "register"]

# One cache per cache folder, so builds with different settings in one process stay apart.
_CACHES: dict[Path, HtmlCache] = {}
_INLINE_FIELDS = ("kicker", "dateline", "image_caption", "image_credit")


def date_de(value: dt.date, precision: str = "day", locale: str = "de") -> str:
    """Format a date in words at the precision known: '7. Januar 2022', 'Januar 2022', '2022'."""
    return i18n.date_text(value, precision, locale)


@pass_context
def json_ld(context, article) -> Markup:
    """Jinja global: the article's JSON-LD, safe to put inside ``<script>``."""
    data = metadata.article_json_ld(
        article, context["SITEURL_ABSOLUTE"], context["SITENAME"], context["PUBLISHER"]
    )
    return metadata.script_json(data)


def _cache(settings: dict) -> HtmlCache:
    folder = Path(settings["CACHE_PATH"]) / "opeds-html"
    if folder not in _CACHES:
        _CACHES[folder] = HtmlCache(folder)
    return _CACHES[folder]


def configure_templates(pelican) -> None:
    """Give every template the UI texts, date filters, charts and the absolute site URL."""
    settings = pelican.settings
    settings["SITEURL_ABSOLUTE"] = feeds.absolute_site_url(settings)
    filters = settings.setdefault("JINJA_FILTERS", {})
    filters.update(
        date_de=date_de,
        iso_date=iso_date,
        date_text=i18n.ui_date,
        month_name=i18n.ui_month,
        og_locale=i18n.og_locale,
    )
    settings.setdefault("JINJA_GLOBALS", {}).update(
        t=i18n.ui,
        json_ld=json_ld,
        years_chart=archive.years_chart,
        months_chart=archive.months_chart,
    )
    cache = _cache(settings)
    cache.hits = cache.misses = 0


def typeset_content(instance: object) -> None:
    """Clean and typeset article and page HTML and titles for their language; derive metadata."""
    if not isinstance(instance, Article | Page):
        return
    lang = getattr(instance, "lang", None) or instance.settings.get("DEFAULT_LANG", "de")
    if instance._content is not None:
        instance._content = _cache(instance.settings).finished(instance._content, lang)
    instance.title = typeset_inline(getattr(instance, "title", ""), lang)
    for key in _INLINE_FIELDS:
        value = getattr(instance, key, "")
        if value:
            setattr(instance, key, typeset_inline(value, lang, keep_last_words=False))
    content = instance._content or ""
    lead = metadata.lead_html(content)
    if "summary" not in instance.metadata and lead:
        instance.metadata["summary"] = Markup(lead)
    instance.description = metadata.shorten(metadata.plain(instance.metadata.get("summary", "")))
    instance.word_count = metadata.word_count(content)
    instance.reading_minutes = metadata.reading_minutes(instance.word_count)


def link_archive(generator) -> None:
    """Link neighbours and related articles, and put the years and months into the context."""
    archive.link_neighbours(generator.articles)
    archive.link_related(generator.categories)
    generator.context["archive_years"] = archive.build_years(generator.articles, generator.settings)


def write_year_pages(generator, writer) -> None:
    """Write one page per year: its months with counts, a chart and the latest headlines."""
    template = generator.get_template("year")
    for year in generator.context["archive_years"]:
        writer.write_file(
            year.save_as,
            template,
            generator.context,
            relative_urls=generator.settings["RELATIVE_URLS"],
            url=year.url,
            year=year,
        )


def write_json_feed(generator, writer) -> None:
    """Write the JSON Feed 1.1 of the newest articles."""
    name = generator.settings.get("JSON_FEED")
    if name:
        text = feeds.json_feed_text(generator.articles, generator.settings)
        feeds.write_text(Path(writer.output_path), name, text)


def write_sitemap(generator, writer) -> None:
    """Write sitemap.xml with the last change of every page taken from its articles."""
    name = generator.settings.get("SITEMAP_SAVE_AS")
    if name:
        entries = feeds.sitemap_entries(generator.context, generator.context["archive_years"])
        root = generator.settings["SITEURL_ABSOLUTE"]
        feeds.write_text(Path(writer.output_path), name, feeds.sitemap_xml(entries, root))


def report_cache(pelican) -> None:
    """Log how many articles the HTML cache saved from being typeset again."""
    cache = _cache(pelican.settings)
    log.info("typography cache: %d reused, %d typeset", cache.hits, cache.misses)


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(configure_templates)
    signals.content_object_init.connect(typeset_content)
    signals.article_generator_finalized.connect(link_archive)
    signals.article_writer_finalized.connect(write_year_pages)
    signals.article_writer_finalized.connect(write_json_feed)
    signals.article_writer_finalized.connect(write_sitemap)
    signals.finalized.connect(report_cache)
