"""sitemap.xml: every page worth indexing, each dated by the newest article it shows."""

from __future__ import annotations

from xml.sax.saxutils import escape


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
    for article in context.get("undated_articles", []):
        # No date known: a lastmod would be invented, so only a hand edit's "modified" counts.
        date = getattr(article, "modified", None)
        entries.append((article.url, date.strftime("%Y-%m-%d") if date else ""))
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
