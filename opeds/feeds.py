"""Machine-read lists of the site: a JSON Feed 1.1 and sitemap.xml, dated by the articles."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from opeds.metadata import plain

log = logging.getLogger(__name__)

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def absolute_site_url(settings: dict) -> str:
    """Return the site's absolute root URL: SITEURL, or FEED_DOMAIN before a relative one."""
    site = (settings.get("SITEURL") or "").rstrip("/")
    if "://" in site:
        return site
    return (settings.get("FEED_DOMAIN") or "").rstrip("/") + site


def json_feed(articles: list, settings: dict) -> dict:
    """Describe the newest articles as a JSON Feed 1.1; an item's id is its permanent URL."""
    root = absolute_site_url(settings)
    items = []
    for article in articles[: settings.get("FEED_MAX_ITEMS") or len(articles)]:
        url = f"{root}/{article.url}"
        item: dict[str, object] = {
            "id": url,
            "url": url,
            "title": plain(article.title),
            "content_html": article.get_content(root),
            "summary": getattr(article, "description", ""),
            "date_published": article.date.isoformat(),
        }
        if getattr(article, "modified", None):
            item["date_modified"] = article.modified.isoformat()
        if getattr(article, "authors", None):
            item["authors"] = [{"name": str(author)} for author in article.authors]
        tags = [str(article.category)] if getattr(article, "category", None) else []
        tags += [str(tag) for tag in getattr(article, "tags", [])]
        if tags:
            item["tags"] = tags
        item["language"] = article.lang
        items.append(item)
    return {
        "version": JSON_FEED_VERSION,
        "title": settings["SITENAME"],
        "home_page_url": f"{root}/",
        "feed_url": f"{root}/{settings['JSON_FEED']}",
        "description": settings.get("SITESUBTITLE", ""),
        "language": settings.get("DEFAULT_LANG", "de"),
        "authors": [{"name": settings.get("PUBLISHER", settings["SITENAME"])}],
        "items": items,
    }


def _newest(articles: list) -> str:
    return max(article.date for article in articles).strftime("%Y-%m-%d") if articles else ""


def sitemap_entries(context: dict, years: list) -> list[tuple[str, str]]:
    """List (URL path, lastmod) for every page worth indexing; lastmod comes from the articles."""
    articles = context["articles"]
    entries = [("", _newest(articles)), (context["ARCHIVES_URL"], _newest(articles))]
    for page in context.get("pages", []):
        date = getattr(page, "modified", None) or getattr(page, "date", None)
        entries.append((page.url, date.strftime("%Y-%m-%d") if date else ""))
    for article in articles:
        date = getattr(article, "modified", None) or article.date
        entries.append((article.url, date.strftime("%Y-%m-%d")))
    for year in years:
        entries.append((year.url, _newest([a for m in year.months for a in m.articles])))
        entries.extend((month.url, _newest(month.articles)) for month in year.months)
    for group in ("categories", "tags", "authors"):
        items = context.get(group, [])
        pairs = items.items() if isinstance(items, dict) else items
        entries.extend((item.url, _newest(list(arts))) for item, arts in pairs)
    return entries


def sitemap_xml(entries: list[tuple[str, str]], root: str) -> str:
    """Write the sitemap protocol's XML for ``entries``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in sorted(set(entries)):
        line = f"<url><loc>{escape(f'{root}/{path}')}</loc>"
        if lastmod:
            line += f"<lastmod>{lastmod}</lastmod>"
        lines.append(line + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def write_text(output: Path, name: str, text: str) -> None:
    """Write one generated file into the output folder."""
    path = output / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    log.info('Writing "%s"', path)


def json_feed_text(articles: list, settings: dict) -> str:
    """Serialise the JSON Feed, stable byte for byte."""
    return json.dumps(json_feed(articles, settings), ensure_ascii=False, indent=1) + "\n"
