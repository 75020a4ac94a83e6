"""The JSON Feed 1.1 of the newest articles (Pelican writes the Atom feeds itself)."""

from __future__ import annotations

import json

from opeds.site.metadata import absolute_site_url, plain

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


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


def json_feed_text(articles: list, settings: dict) -> str:
    """Serialise the JSON Feed, stable byte for byte."""
    return json.dumps(json_feed(articles, settings), ensure_ascii=False, indent=1) + "\n"
