"""The plugin's own settings: defaults, one check at start, and what templates are given."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup

from opeds.site import archive, content, i18n, metadata, teaser

log = logging.getLogger(__name__)

#: Keys this plugin reads, with the value it uses when pelicanconf.py leaves one out.
DEFAULTS: dict[str, object] = {
    "PUBLISHER": "",  # empty: the site's name
    "JSON_FEED": "feed.json",
    "SITEMAP_SAVE_AS": "sitemap.xml",
    "YEAR_PAGE_SAVE_AS": "{date:%Y}/index.html",
    "YEAR_PAGE_HEADLINES": 5,
    "SEARCH_URL": "suche/",
    # Undated pieces: their URL, and the placeholder date Pelican needs but no page shows.
    "UNDATED_URL": "ohne-datum/{slug}/",
    "UNDATED_SAVE_AS": "ohne-datum/{slug}/index.html",
    "UNDATED_DATE": (1900, 1, 1),
    # Every URL an article had, beside the content (commit it); "" keeps no history.
    "URL_HISTORY": ".url-history.json",
    "REDIRECTS_SAVE_AS": "_redirects",  # Netlify / Cloudflare Pages; "" writes none
}


def build_jobs(settings: dict) -> int:
    """Return how many processes may read and count articles: ``BUILD_JOBS``, else every core."""
    return max(1, int(settings.get("BUILD_JOBS") or os.cpu_count() or 1))


def check_settings(settings: dict) -> list[str]:
    """Name every plugin setting with a value of the wrong kind."""
    problems = []
    for key, default in DEFAULTS.items():
        value = settings[key]
        if isinstance(default, tuple):
            if not isinstance(value, tuple | list) or not all(isinstance(v, int) for v in value):
                problems.append(f"{key} must be a tuple of whole numbers, not {value!r}")
        elif isinstance(default, int) and (not isinstance(value, int) or value < 0):
            problems.append(f"{key} must be a whole number of at least 0, not {value!r}")
        elif isinstance(default, str) and not isinstance(value, str | None):
            problems.append(f"{key} must be text, not {value!r}")
    if settings["SEARCH_URL"] and not settings["SEARCH_URL"].endswith("/"):
        problems.append(f"SEARCH_URL must end with '/', not {settings['SEARCH_URL']!r}")
    return problems


@pass_context
def json_ld(context, article) -> Markup:
    """Jinja global: the article's JSON-LD, safe to put inside ``<script>``."""
    data = metadata.article_json_ld(
        article, context["SITEURL_ABSOLUTE"], context["SITENAME"], context["PUBLISHER"]
    )
    return metadata.script_json(data)


def configure(pelican) -> None:
    """Fill in the plugin's defaults, check them once, and give templates their helpers."""
    settings = pelican.settings
    for key, default in DEFAULTS.items():
        settings.setdefault(key, default)
    settings["PUBLISHER"] = settings["PUBLISHER"] or settings["SITENAME"]
    for problem in check_settings(settings):
        log.error("opeds.site: %s", problem)
    settings["SITEURL_ABSOLUTE"] = metadata.absolute_site_url(settings)
    settings.setdefault("JINJA_FILTERS", {}).update(
        iso_date=metadata.iso_date,
        date_text=i18n.ui_date,
        month_name=i18n.ui_month,
        og_locale=i18n.og_locale,
        number=i18n.ui_number,
        teaser_lead=teaser.teaser_lead,
    )
    settings.setdefault("JINJA_GLOBALS", {}).update(
        json_ld=json_ld,
        years_chart=archive.years_chart,
        months_chart=archive.months_chart,
    )
    content.reset_cache_counts(settings)


def install_translations(generator) -> None:
    """Give the generator's templates ``_``, ``ngettext`` and ``pgettext`` in the site language."""
    folder = Path(generator.settings["THEME"]) / "translations"
    generator.env.add_extension("jinja2.ext.i18n")
    translations = i18n.load_translations(folder, generator.settings["DEFAULT_LANG"])
    generator.env.install_gettext_translations(translations, newstyle=True)
