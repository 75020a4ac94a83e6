"""Markdown's inline step, passing over text that none of its inline patterns can match.

Python-Markdown tries each of its inline patterns (code, escapes, links, images, autolinks,
line breaks, HTML, entities, emphasis, footnotes) on the text of every paragraph, one pattern
after the other: half the time of converting an op-ed (0.5 of 1.0 ms), though most of its
paragraphs hold none of the characters those patterns need. Every match of each pattern holds
one of a few strings (a backtick, ``[``, ``<``, ``&``, ``*`` …), so text without any of them
is left as it is: exactly what the patterns would leave.

Only patterns known here are judged so, each by its very regular expression (emphasis by its
delimiters); with any other pattern in a Markdown (an extension of a user's, another Markdown
version), its inline step stays as it is. The reader's Markdown gets this step (see
opeds.site.reader); it changes no byte of any page (tests/site/test_inline.py).
"""

from __future__ import annotations

from markdown import Markdown
from markdown import inlinepatterns as patterns
from markdown.treeprocessors import InlineProcessor

#: The priority Markdown registers its inline step with.
INLINE_PRIORITY = 20
#: The regular expressions of Markdown's own inline patterns and of its footnotes (Markdown
#: 3.11), each with the strings one of which every match holds.
KNOWN: dict[str, tuple[str, ...]] = {
    patterns.BACKTICK_RE: ("`",),
    patterns.ESCAPE_RE: ("\\",),
    patterns.LINK_RE: ("[",),  # also that of references, short ones too
    patterns.IMAGE_LINK_RE: ("[",),  # also that of image references
    patterns.AUTOLINK_RE: ("<",),
    patterns.AUTOMAIL_RE: ("<",),
    patterns.LINE_BREAK_RE: ("  \n",),
    patterns.HTML_RE: ("<",),
    patterns.ENTITY_RE: ("&",),
    r"\[\^([^\]]*)\]": ("[",),  # footnotes
}


def needed(md: Markdown) -> tuple[str, ...] | None:
    """The strings one of which every match of ``md``'s inline patterns holds; None if unknown.

    Emphasis and strong emphasis are one pattern, which finds its delimiters (``*``, ``_``).
    """
    found: set[str] = set()
    for pattern in md.inlinePatterns:
        if type(pattern) is patterns.DelimiterProcessor:
            found.update(pattern.tokens)
            continue
        holds = None
        if isinstance(pattern, patterns.InlineProcessor):
            holds = KNOWN.get(pattern.compiled_re.pattern)
        if holds is None:
            return None
        found.update(holds)
    return tuple(sorted(found))


class QuickInlineProcessor(InlineProcessor):
    """Markdown's inline step, which leaves text holding none of ``needs`` as it is."""

    def __init__(self, md: Markdown, needs: tuple[str, ...]) -> None:
        super().__init__(md)
        self.needs = needs

    # InlineProcessor.__handleInline, by its mangled name: the one step that tries the patterns,
    # on a text and again on what a match made of it.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        for part in self.needs:
            if part in data:
                return super()._InlineProcessor__handleInline(data, patternIndex)
        return data


def quicken(md: Markdown) -> Markdown:
    """Give ``md`` the quick inline step when all its inline patterns are known; return it."""
    needs = needed(md)
    if needs is not None and type(md.treeprocessors["inline"]) is InlineProcessor:
        md.treeprocessors.register(QuickInlineProcessor(md, needs), "inline", INLINE_PRIORITY)
    return md
