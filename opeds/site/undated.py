"""Pieces without a date: a placeholder date no page shows, their own URLs, their own list.

The importer writes no ``date`` key for an undated source (``date_precision: unknown``). Pelican
needs a date for every article, so the reader gets ``UNDATED_DATE``; the piece is then kept out
of everything that is ordered by date (home page, years, months, feeds, neighbours) and listed
on the archive page under "Ohne Datum", on its section's, authors' and topics' pages after the
dated ones, in the sitemap and in search.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from opeds.common.names import delivery_number

log = logging.getLogger(__name__)

UNKNOWN = "unknown"


def is_undated(article) -> bool:
    """Tell whether ``article`` has no known date."""
    return getattr(article, "date_precision", "") == UNKNOWN


def undated_order(article) -> tuple[int, str]:
    """Sort key among undated pieces: delivery order, then slug."""
    return (delivery_number(getattr(article, "source_file", "")), article.slug)


def date_undated(generator, metadata: dict) -> None:
    """Give a piece without ``date`` the placeholder date; a date set by hand makes it dated."""
    if "date" not in metadata:
        metadata["date"] = dt.datetime(*generator.settings["UNDATED_DATE"])
        metadata["date_precision"] = UNKNOWN
    elif metadata.get("date_precision") == UNKNOWN:
        # An editor added the date but left the precision: the date wins, shown to the day.
        log.warning(
            "%s: has a date but date_precision: unknown; set day, month or year",
            metadata.get("title", "an article"),
        )
        metadata["date_precision"] = "day"


def undated_url(article) -> None:
    """Give an undated article its URL from ``UNDATED_URL`` instead of the dated scheme."""
    if is_undated(article):
        settings = article.settings
        article.override_url = settings["UNDATED_URL"].format(slug=article.slug)
        article.override_save_as = settings["UNDATED_SAVE_AS"].format(slug=article.slug)


def set_aside_undated(generator) -> None:
    """Take undated pieces out of the dated lists before Pelican builds sections and feeds."""
    undated = sorted((a for a in generator.articles if is_undated(a)), key=undated_order)
    generator.articles = [a for a in generator.articles if not is_undated(a)]
    # Hidden articles are still written, but listed nowhere by Pelican itself.
    generator.hidden_articles = [*generator.hidden_articles, *undated]
    generator.undated_articles = undated


def _items(article, kind: str) -> list:
    """Return the article's section (as a list), authors or topics."""
    if kind == "category":
        return [article.category] if getattr(article, "category", None) else []
    return getattr(article, f"{kind}s", None) or []


def group_undated(articles: list) -> dict[str, dict[str, list]]:
    """Group undated pieces by the URL of their section, each author and each topic."""
    groups: dict[str, dict[str, list]] = {"category": {}, "author": {}, "tag": {}}
    for kind in groups:
        found: dict[str, list] = defaultdict(list)
        for article in articles:
            for item in _items(article, kind):
                found[item.url].append(article)
        groups[kind] = dict(found)
    return groups


def _add_missing(pairs: list, articles: list, kind: str) -> list:
    """Give every section/author/topic that only undated pieces carry an (empty) dated list."""
    known = {item.url for item, _ in pairs}
    for article in articles:
        for item in _items(article, kind):
            if item.url not in known:
                known.add(item.url)
                pairs.append((item, []))
    return sorted(pairs, key=lambda pair: pair[0])


def list_undated(generator) -> None:
    """Put the undated pieces into the context; their sections and authors get a page too."""
    undated = getattr(generator, "undated_articles", [])
    generator.context["undated_articles"] = undated
    generator.context["undated_by"] = group_undated(undated)
    if not undated:
        return
    generator.categories = _add_missing(generator.categories, undated, "category")
    generator.authors = _add_missing(generator.authors, undated, "author")
    tags = _add_missing(list(generator.tags.items()), undated, "tag")
    generator.tags = defaultdict(list, tags)
    generator.context["categories"] = generator.categories
    generator.context["authors"] = generator.authors
    generator.context["tags"] = list(generator.tags.items())  # Pelican's context holds pairs
