"""Render an :class:`Article` as Markdown with Pelican front matter (pure)."""

from __future__ import annotations

import re

from opeds.common.names import german_slug
from opeds.importer.model import Article

FALLBACK_SLUG = "artikel"
#: Where undated pieces live below content/ (dated ones live in ``YYYY/MM``).
UNDATED_FOLDER = "ohne-datum"

# Characters Markdown (with the "extra" extensions) gives a meaning anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]{}])")
# Paragraph starts that would make a heading, list, rule, definition or fenced block.
_BLOCK_START = re.compile(r"^(?:[#+-]|\d+[.)])")
_ENTITY_START = {":": "&#58;", "~": "&#126;", "=": "&#61;", "|": "&#124;"}


def escape_markdown(text: str) -> str:
    """Escape one paragraph of plain text so that Markdown renders it literally, on one line."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    if match := _BLOCK_START.match(text):
        # "1. FC Köln" → "1\. FC Köln"; "# 1" → "\# 1"; "- item" → "\- item".
        text = f"{match[0][:-1]}\\{match[0][-1]}{text[match.end() :]}"
    elif text[:1] in _ENTITY_START:
        # ':' (definition list), '~~~' (fence), '=' and '|' have no backslash escape.
        text = _ENTITY_START[text[0]] + text[1:]
    return text


def make_slug(article: Article) -> str:
    """Build the URL slug from kicker and headline with German transliteration."""
    title = f"{article.kicker} {article.headline}".strip()
    return german_slug(title) or FALLBACK_SLUG


def article_folder(article: Article) -> str:
    """Return the folder below content/ for ``article``: ``YYYY/MM``, or the undated folder."""
    if article.date is None:
        return UNDATED_FOLDER
    return f"{article.date:%Y}/{article.date:%m}"


def one_line(value: str) -> str:
    """Fold a value to one line so that it can never start a front-matter key of its own."""
    return " ".join(value.split())


def front_matter(fields: dict[str, str]) -> str:
    """Render ``key: value`` lines between ``---`` fences, leaving out empty values."""
    lines = [f"{key}: {one_line(value)}" for key, value in fields.items() if one_line(value)]
    return "---\n" + "\n".join(lines) + "\n---\n"


def render_body(article: Article) -> str:
    """Return the body of ``article``'s Markdown file: its paragraphs, escaped."""
    return "\n\n".join(escape_markdown(p) for p in article.paragraphs)


def render(article: Article, slug: str, source_id: str, source_file: str) -> str:
    """Return the Markdown file for ``article``: front matter, then escaped paragraphs."""
    fields = {
        "title": article.headline,
        "kicker": article.kicker,
        # An undated piece has no date key: Pelican's reader then leaves the date to our plugin.
        "date": article.date.isoformat() if article.date else "",
        "date_precision": article.date_precision,
        "category": article.category,
        # "authors" (not "author"): Pelican splits it at commas into several authors.
        "authors": ", ".join(article.authors),
        "byline": article.byline,
        "dateline": article.dateline,
        "image_caption": article.image_caption,
        "image_credit": article.image_credit,
        "lang": article.lang,
        "slug": slug,
        "source_id": source_id,
        "source_file": source_file,
    }
    return f"{front_matter(fields)}{render_body(article)}\n"
