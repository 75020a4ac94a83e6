"""sitemap.xml: every page worth indexing, each dated by the newest article it shows.

The sitemap protocol allows 50,000 URLs per file. A bigger archive gets a sitemap index at
the sitemap's name, listing parts of at most that many URLs each (``sitemap-1.xml``, ...).
"""

from __future__ import annotations

import posixpath
from xml.sax.saxutils import escape

MAX_URLS = 50_000  # per sitemap file (sitemaps.org); 50,000 URLs stay far below its 50 MB


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


def site_entries(context: dict) -> list[tuple[str, str]]:
    """Return the sitemap's entries for the build's ``context``, worked out once per build.

    The build claims the sitemap's parts before Pelican writes anything, and the sitemap is
    written at the end: both ask, and the answer cannot change in between.
    """
    if "sitemap_entries" not in context:
        context["sitemap_entries"] = sitemap_entries(context, context["archive_years"])
    return context["sitemap_entries"]


def part_names(name: str, count: int) -> list[str]:
    """Name the parts a sitemap of ``count`` URLs is split into; none when one file holds all."""
    if count <= MAX_URLS:
        return []
    stem, suffix = posixpath.splitext(name)
    return [f"{stem}-{number}{suffix}" for number in range(1, -(-count // MAX_URLS) + 1)]


def unique_entries(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return ``entries`` as the sitemap lists them: sorted, each once."""
    return sorted(set(entries))


def sitemap_files(name: str, entries: list[tuple[str, str]], root: str) -> dict[str, str]:
    """Return each file of the sitemap by its name: ``name`` alone, or an index and its parts."""
    listed = unique_entries(entries)
    parts = part_names(name, len(listed))
    if not parts:
        return {name: sitemap_xml(listed, root)}
    files: dict[str, str] = {}
    index = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for number, part in enumerate(parts):
        chunk = listed[number * MAX_URLS : (number + 1) * MAX_URLS]
        files[part] = sitemap_xml(chunk, root)
        line = f"<sitemap><loc>{escape(f'{root}/{part}')}</loc>"
        newest = max(lastmod for _path, lastmod in chunk)
        if newest:
            line += f"<lastmod>{newest}</lastmod>"
        index.append(line + "</sitemap>")
    index.append("</sitemapindex>")
    files[name] = "\n".join(index) + "\n"
    return files


def sitemap_xml(entries: list[tuple[str, str]], root: str) -> str:
    """Write the sitemap protocol's XML for ``entries``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in unique_entries(entries):
        line = f"<url><loc>{escape(f'{root}/{path}')}</loc>"
        if lastmod:
            line += f"<lastmod>{lastmod}</lastmod>"
        lines.append(line + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
