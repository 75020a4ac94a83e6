"""Markdown's quick inline step gives what Markdown's own gives, on every text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor as InlinePattern
from markdown.treeprocessors import InlineProcessor

import pelicanconf
from opeds.site.inline import KNOWN, QuickInlineProcessor, needed, quicken
from tests.corpus import CorpusSite


def ours() -> Markdown:
    """A Markdown as Pelican makes it from our settings: each configured extension loaded."""
    configured = pelicanconf.MARKDOWN
    return Markdown(extensions=list(configured["extension_configs"]), **configured)


def both(text: str) -> tuple[str, str]:
    """``text`` converted by Markdown as it is and by the quickened one."""
    return ours().convert(text), quicken(ours()).convert(text)


#: Every inline feature of Markdown and its "extra" extensions, and what sits beside them.
EVERY_FEATURE = """\
Ein *betontes* und **starkes** Wort, _unterstrichen_ und __doppelt__, ***beides*** und
* allein, `Code mit *Stern*`, \\*kein Stern\\*, ein [Link](https://example.org "Titel") und
ein ![Bild](bild.png), ein [Verweis][ref] und [ref], ![Bildverweis][ref], <https://example.org>,
<leser@example.org>, &amp; &#38; &#x26; &copy; und ein & allein, <span class="x">HTML</span>,
eine Fußnote[^1] und ein Zeilenumbruch\x20\x20
hier. Die EU und HTML sind Abkürzungen.

| Spalte | *Zweite* |
| ------ | -------- |
| `a`    | [b](c)   |

Begriff
:   Erklärung mit _Betonung_

Absatz mit Attributen {: .klasse }

[ref]: https://example.org/verweis
[^1]: Die Fußnote mit **Text**.
*[EU]: Europäische Union
*[HTML]: Hypertext Markup Language
"""


def test_markdown_s_own_patterns_are_known_and_quickened() -> None:
    md = quicken(ours())
    assert needed(md) == ("  \n", "&", "*", "<", "[", "\\", "_", "`")
    assert type(md.treeprocessors["inline"]) is QuickInlineProcessor
    # Where Markdown has it: after the footnotes' first step, before the rest.
    names = [type(step).__name__ for step in md.treeprocessors]
    first, inline, *rest = [type(step).__name__ for step in ours().treeprocessors]
    assert inline == "InlineProcessor"
    assert names == [first, "QuickInlineProcessor", *rest]


def test_an_unknown_inline_pattern_keeps_markdown_s_own_step() -> None:
    md = ours()
    md.inlinePatterns.register(InlinePattern(r"%%(.+?)%%", md), "percent", 5)
    assert needed(md) is None
    assert type(quicken(md).treeprocessors["inline"]) is InlineProcessor
    # A known name with another expression is unknown too (smarty's strict HTML).
    smart = Markdown(
        extensions=["markdown.extensions.smarty"],
        extension_configs={"markdown.extensions.smarty": {"smart_angled_quotes": True}},
    )
    assert needed(smart) is None


def test_every_feature_converts_as_markdown_converts_it() -> None:
    plain, quick = both(EVERY_FEATURE)
    assert quick == plain
    for made in ("<em>", "<strong>", "<code>", "<a href", "<img", "<sup", "<br", "<abbr", "&amp;"):
        assert made in quick  # the document does use each feature


@pytest.mark.parametrize("regex", sorted(KNOWN))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_no_text_without_what_a_pattern_needs_matches_it(regex: str, data: st.DataObject) -> None:
    needs = KNOWN[regex]
    alphabet = "ab Z9 \n\t!\"#$%'()+,-./:;=>?@]^{|}~*_`[<&\\„“–…é"
    text = data.draw(st.text(alphabet=alphabet, max_size=60))
    if any(part in text for part in needs):
        text = "".join(c for c in text if c not in "".join(needs)).replace("  \n", " \n")
    assert not any(part in text for part in needs)
    assert re.compile(regex, re.DOTALL | re.UNICODE).search(text) is None


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [
                "Wort",
                " ",
                "  ",
                "\n",
                "\n\n",
                "*",
                "**",
                "_",
                "`",
                "[",
                "]",
                "(",
                ")",
                "!",
                "<",
                ">",
                "&",
                ";",
                "#",
                "\\",
                "^",
                ":",
                "|",
                "-",
                "{",
                "}",
                ".",
                "x@y.de",
                "https://a.de",
                "<b>",
                "&amp;",
                "„",
                "“",
                "    ",
            ]
        ),
        max_size=40,
    )
)
def test_any_text_converts_as_markdown_converts_it(pieces: list[str]) -> None:
    plain, quick = both("".join(pieces))
    assert quick == plain


def test_the_real_corpus_converts_as_markdown_converts_it(corpus_site: CorpusSite) -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted(corpus_site.content.rglob("*.md"))]
    assert len(texts) > 1000
    plain, quick = ours(), quicken(ours())
    for text in texts:
        assert quick.reset().convert(text) == plain.reset().convert(text)
