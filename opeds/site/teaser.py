"""Teasers in lists: the lead without the headline it often repeats."""

from __future__ import annotations

import re

from opeds.site.metadata import plain

_WORD = re.compile(r"\w+")
# What may stand between a repeated headline and the rest of the lead.
_JOINERS = (
    " \u00a0.,:;!?\u2013\u2014-\"'()"
    "\u201e\u201c\u201d\u201a\u2018\u2019\u00ab\u00bb\u203a\u2039"  # German and French quotes
)


def lead_after_headline(title: str, lead: str) -> str:
    """Return ``lead`` without its first words when they repeat ``title``; '' if nothing is left.

    Real deliveries often open the lead with the headline's sentence word for word; in a list
    the teaser would then say the same thing twice.
    """
    headline = [word.casefold() for word in _WORD.findall(plain(title))]
    if not headline:
        return lead
    matches = _WORD.finditer(lead)
    end = 0
    for expected in headline:
        match = next(matches, None)
        if match is None:  # the lead, shortened, is all headline: it adds nothing
            return "" if end else lead
        if match.group().casefold() != expected:
            return lead
        end = match.end()
    rest = lead[end:].lstrip(_JOINERS)
    if not _WORD.search(rest):
        return ""
    return rest[0].upper() + rest[1:]


def teaser_lead(article) -> str:
    """Jinja filter: the article's description as a teaser, without a repeated headline."""
    return lead_after_headline(str(article.title), getattr(article, "description", "") or "")
