"""What machines read about an article: description, reading time, JSON-LD."""

from __future__ import annotations

import json
import re

from markupsafe import Markup

WORDS_PER_MINUTE = 200  # a common figure for reading German news prose on screen
DESCRIPTION_LIMIT = 160  # what search engines show of a meta description
_FIRST_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)
_WORD = re.compile(r"\w+")


def absolute_site_url(settings: dict) -> str:
    """Return the site's absolute root URL: SITEURL, or FEED_DOMAIN before a relative one."""
    site = (settings.get("SITEURL") or "").rstrip("/")
    if "://" in site:
        return site
    return (settings.get("FEED_DOMAIN") or "").rstrip("/") + site


def plain(markup: object) -> str:
    """Turn markup into one line of plain text: tags gone, entities decoded, all spaces plain."""
    # striptags decodes &nbsp; after collapsing spaces; machines want ordinary spaces.
    return " ".join(Markup(str(markup or "")).striptags().split())


def lead_html(content: str) -> str:
    """Return the first paragraph of the article HTML, the lead, with its inline markup."""
    match = _FIRST_PARAGRAPH.search(content or "")
    return match.group(1).strip() if match else ""


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Cut ``text`` at a word boundary to at most ``limit`` characters, marking the cut with …."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:\u2013-")
    return cut + "…"


def word_count(content: str) -> int:
    """Count the words of the article text."""
    return len(_WORD.findall(plain(content)))


def reading_minutes(words: int) -> int:
    """Estimate the reading time in whole minutes, at least one."""
    return max(1, round(words / WORDS_PER_MINUTE))


def iso_date(value, precision: str = "day") -> str:
    """Format a date for ``<time datetime>`` and JSON-LD at the precision known."""
    return {"year": f"{value:%Y}", "month": f"{value:%Y-%m}"}.get(precision, f"{value:%Y-%m-%d}")


def script_json(data: object) -> Markup:
    """Serialise ``data`` as JSON that is safe inside ``<script>``: no ``</``, no ``<!--``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def article_json_ld(article, site_url: str, site_name: str, publisher: str) -> dict:
    """Describe ``article`` as a schema.org OpinionNewsArticle."""
    url = f"{site_url}/{article.url}"
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "OpinionNewsArticle",
        "headline": plain(article.title),
    }
    if getattr(article, "kicker", ""):
        data["alternativeHeadline"] = plain(article.kicker)
    if getattr(article, "dateline", ""):
        data["dateline"] = plain(article.dateline)
    if getattr(article, "category", None):
        data["articleSection"] = str(article.category)
    precision = getattr(article, "date_precision", "day")
    if precision != "unknown":  # an undated piece has only a placeholder date: say nothing
        data["datePublished"] = iso_date(article.date, precision)
    if getattr(article, "modified", None):
        data["dateModified"] = article.modified.isoformat()
    data["inLanguage"] = article.lang
    if getattr(article, "description", ""):
        data["description"] = article.description
    data["wordCount"] = getattr(article, "word_count", 0)
    data["url"] = url
    data["mainEntityOfPage"] = url
    authors = getattr(article, "authors", [])
    if authors:
        data["author"] = [
            {"@type": "Person", "name": str(a), "url": f"{site_url}/{a.url}"} for a in authors
        ]
    if getattr(article, "tags", None):
        data["keywords"] = [str(tag) for tag in article.tags]
    caption, credit = getattr(article, "image_caption", ""), getattr(article, "image_credit", "")
    if caption or credit:
        image: dict[str, str] = {"@type": "ImageObject"}
        if caption:
            image["caption"] = plain(caption)
        if credit:
            image["creditText"] = plain(credit)
        data["image"] = image
    data["publisher"] = {"@type": "Organization", "name": publisher, "url": f"{site_url}/"}
    data["isPartOf"] = {"@type": "WebSite", "name": site_name, "url": f"{site_url}/"}
    return data
