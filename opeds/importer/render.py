"""Render an :class:`Article` as Markdown with Pelican front matter (pure)."""

from __future__ import annotations

import re

from slugify import slugify

from opeds.importer.model import Article

_GERMAN = [["Ä", "Ae"], ["Ö", "Oe"], ["Ü", "Ue"], ["ä", "ae"], ["ö", "oe"], ["ü", "ue"],
           ["ß", "ss"], ["ẞ", "SS"]]  # fmt: skip
SLUG_MAX = 80

# Characters Markdown gives a meaning anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]])")
# A paragraph start that would become a heading, quote, list, or rule.
_BLOCK_START = re.compile(r"^(#|[-+](\s|$))")
_ORDERED = re.compile(r"^(\d+)([.)])(\s|$)")


def escape_markdown(text: str) -> str:
    """Escape plain text so that Markdown renders every character literally."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _ORDERED.sub(r"\1\\\2\3", text)
    if _BLOCK_START.match(text):
        text = "\\" + text
    return text


def make_slug(article: Article) -> str:
    """Build the URL slug from kicker and headline with German transliteration."""
    title = f"{article.kicker} {article.headline}".strip()
    slug = slugify(title, replacements=_GERMAN, max_length=SLUG_MAX, word_boundary=True)
    return slug or "artikel"


def one_line(value: str) -> str:
    """Fold a value to one line so that it can never start a front-matter key of its own."""
    return " ".join(value.split())


def render(article: Article, slug: str, source_id: str, source_file: str) -> str:
    """Return the Markdown file for ``article``: front matter, blank line, escaped paragraphs."""
    fields = {
        "title": article.headline,
        "kicker": article.kicker,
        "date": article.date.isoformat(),
        "date_precision": article.date_precision,
        "category": article.category,
        "dateline": article.dateline,
        "image_caption": article.image_caption,
        "image_credit": article.image_credit,
        "lang": article.lang,
        "slug": slug,
        "source_id": source_id,
        "source_file": source_file,
    }
    front = "\n".join(f"{key}: {one_line(value)}" for key, value in fields.items() if value)
    body = "\n\n".join(escape_markdown(p) for p in article.paragraphs)
    return f"---\n{front}\n---\n{body}\n"
