"""Clean article HTML with nh3: keep what Markdown and our typography make, drop everything else."""

from __future__ import annotations

import nh3

# Tags and attributes Markdown produces for our content; anything else is dropped.
ALLOWED_TAGS = {"p", "a", "em", "strong", "blockquote", "ul", "ol", "li", "h2", "h3", "h4",
                "br", "hr", "abbr", "span", "sup", "sub", "code", "pre", "figure",
                "figcaption"}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "span": {"class"}}


def clean_html(html: str) -> str:
    """Sanitise article HTML: keep what Markdown makes of plain text, drop everything else."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
