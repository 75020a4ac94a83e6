"""Typography by language: quotes, apostrophes, dashes, ellipses; then typogrify's neutral filters.

typogrify's own smartypants knows only English quotes, so quotes are set here for the text's
language; typogrify keeps doing what is the same in every language (``amp``, ``caps``, ``widont``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from typogrify.filters import amp as typogrify_amp
from typogrify.filters import caps as typogrify_caps

#: Opening double, closing double, opening single, closing single quote per language.
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "de": ("„", "“", "‚", "‘"),
    "de-ch": ("«", "»", "‹", "›"),  # Swiss German: guillemets pointing outwards, no space
    "en": ("“", "”", "‘", "’"),
    # French: guillemets with a narrow no-break space inside, so they never wrap alone.
    "fr": ("«\u202f", "\u202f»", "‹\u202f", "\u202f›"),
}
APOSTROPHE = "’"
NBSP = "\u00a0"

# Text inside these elements is code or machine text: typography would change its meaning.
_SKIP = {"code", "pre", "kbd", "samp", "script", "style", "textarea", "math", "svg"}
# A quote right after one of these opens; these tags end a block, so they count as a space.
_OPENERS = set(" \t\n\r([{/–—-„‚“‘«»\u00a0\u2009\u202f")
_BLOCK = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "br", "div", "dd", "dt",
          "figcaption", "td", "th", "ul", "ol", "hr", "figure", "section", "article"}  # fmt: skip

_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)")
_ELLIPSIS = re.compile(r"\.\.\.")
# A hyphen (or two, three) standing alone between words is a dash: spaced en dash in German.
_DASH = re.compile(r"(\s)(?:-{1,3}|–)(?=\s|$)")
_QUOTE = re.compile(r"[\"']")
# After an opening position, these make a straight single quote an apostrophe: '94, 's, 'n.
_ELISION = re.compile(r"(?:\d\d(?!\d)|(?:s|n|ne|nem|nen|ner|rum|raus|rein|nauf|nüber)\b)")


@dataclass
class _State:
    """What the text before the current node tells about the next quote."""

    before: str = " "
    open_singles: int = 0


def quotes_for(lang: str) -> tuple[str, str, str, str] | None:
    """Return the quotes of ``lang``; a regional tag falls back to its base language."""
    tag = (lang or "").strip().lower().replace("_", "-")
    return QUOTES.get(tag) or QUOTES.get(tag.split("-", 1)[0])


def _educate(text: str, lang: str, state: _State) -> str:
    """Set quotes, apostrophes, dashes and ellipses in one run of plain text."""
    if not text:
        return text
    text = _ELLIPSIS.sub("…", text)
    text = _DASH.sub(NBSP + "–", text)
    quotes = quotes_for(lang)
    if quotes is None:
        state.before = text[-1]
        return text
    out: list[str] = []
    last = 0
    for match in _QUOTE.finditer(text):
        i = match.start()
        before = text[i - 1] if i else state.before
        after = text[i + 1] if i + 1 < len(text) else ""
        opens = before in _OPENERS and not (after.isspace() and before.isspace())
        if match.group() == '"':
            mark = quotes[0] if opens else quotes[1]
        elif before.isalnum() and after.isalpha():
            mark = APOSTROPHE  # geht's, Hebb'sche
        elif opens:
            if _ELISION.match(text, i + 1):
                mark = APOSTROPHE  # '94, so 'n Unsinn
            else:
                mark = quotes[2]
                state.open_singles += 1
        elif state.open_singles:
            mark = quotes[3]
            state.open_singles -= 1
        else:
            mark = APOSTROPHE  # heut', Hans' Buch
        out.append(text[last:i])
        out.append(mark)
        last = i + 1
    out.append(text[last:])
    result = "".join(out)
    state.before = result[-1]
    return result


def educate_text(text: str, lang: str) -> str:
    """Set the typography of plain text (no markup) for ``lang``."""
    return _educate(text, lang, _State())


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def educate_html(markup: str, lang: str) -> str:
    """Set typography in the text nodes of well-formed HTML, leaving tags and code alone."""
    state = _State()
    skipping: list[str] = []
    out: list[str] = []
    for part in _TAG.split(markup):
        if not part:
            continue
        if part.startswith("<"):
            out.append(part)
            name = _TAG_NAME.match(part)
            if name is None:
                continue
            closing, tag = name.group(1) == "/", name.group(2).lower()
            if tag in _SKIP and not part.endswith("/>"):
                if closing and skipping and skipping[-1] == tag:
                    skipping.pop()
                elif not closing:
                    skipping.append(tag)
            if tag in _BLOCK:
                state.before = " "
            continue
        if skipping:
            out.append(part)
            state.before = part[-1]
            continue
        out.append(_escape_text(_educate(html.unescape(part), lang, state)))
    return "".join(out)


# typogrify's pattern for an ampersand between spaces, as it is.
_AMP = re.compile(r"(\s|&nbsp;)(&|&amp;|&\#38;)(\s|&nbsp;)")


def amp(text: str) -> str:
    """typogrify's ``amp``, which changes nothing where its pattern finds no ampersand.

    It takes the text apart at every tag (a costly pattern) and applies this one to each
    piece between; a match in a piece is a match in the whole text, so with none in the whole,
    the pieces go back together as they were. Most articles have no ``&`` between spaces.
    """
    return typogrify_amp(text) if _AMP.search(text) else text


# Two capitals with nothing but digits, or a full stop and maybe a space, between them: what
# every match of typogrify's caps pattern holds ("HE34T" and "D.O.T." in its examples).
_CAPS = re.compile(r"[A-Z](?:\d*|\.\s?)[A-Z]")


def caps(text: str) -> str:
    """typogrify's ``caps``, which changes nothing where no two capitals stand so together.

    Like ``amp``, it takes the text apart at every tag and tries its pattern on each piece; a
    piece holding a match holds two such capitals, so where the whole text holds none, the
    pieces go back together as they were (210 microseconds an article of the synthetic
    archive, whose texts have no abbreviations; real op-eds mostly have some: "EU", "SPD").
    """
    return typogrify_caps(text) if _CAPS.search(text) else text


# typogrify's widont pattern, as it is: its replacement is the one given here.
_WIDONT = re.compile(
    r"((?:</?(?:a|em|span|strong|i|b)[^>]*>)|[^<>\s])\s+([^<>\s]+\s*(</(a|em|span|strong|i|b)>\s*)*"
    r"((</(p|h[1-6]|li|dt|dd)>)|$))"
)
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|dt|dd)>")
#: Characters before a block's end searched first; a longer last word falls back to the whole.
_WIDONT_TAIL = 40


def widont(text: str) -> str:
    """typogrify's ``widont``, the same string, in a fraction of the time.

    typogrify tries its pattern at every character of the page (0.7 ms an article, a sixth of
    a cold build's typesetting). A match cannot hold a block's end (``</p>``, ``</li>`` …)
    but as its last part, so the text splits after each; within a part only one match can
    exist, ending at the part's end: the last word, the spaces before it and the one character
    or inline tag before those. So the pattern is tried on each part's last characters, and
    on the whole part only when those do not settle it.
    """
    out: list[str] = []
    start = 0
    ends = [match.end() for match in _BLOCK_END.finditer(text)]
    if not ends or ends[-1] != len(text):
        ends.append(len(text))  # the rest, where the pattern's ``$`` may match
    for end in ends:
        tail = max(start, end - _WIDONT_TAIL)
        match = _WIDONT.search(text, tail, end)  # as on text[tail:end]: the pattern has no ^
        if match is not None and (match.start() > tail or tail == start):
            # As match.expand(r"\1&nbsp;\2"), which parses its template at each call.
            out += (text[start : match.start()], match[1], "&nbsp;", match[2],
                    text[match.end() : end])  # fmt: skip
        elif match is None and tail == start:
            out.append(text[start:end])
        else:  # not settled by the last characters: the whole part, as typogrify does
            out.append(_WIDONT.sub(r"\1&nbsp;\2", text[start:end]))
        start = end
    return "".join(out)


def typeset_html(markup: str, lang: str) -> str:
    """Set typography for ``lang`` in article HTML, then typogrify's neutral filters."""
    return widont(caps(amp(educate_html(markup, lang))))


def typeset_inline(text: str, lang: str, *, keep_last_words: bool = True) -> Markup:
    """Turn a plain-text title or label into safe markup with the typography of ``lang``."""
    if not text:
        return Markup("")
    markup = caps(amp(str(escape(educate_text(str(text), lang)))))
    return Markup(widont(markup) if keep_last_words else markup)
