"""Typography by language, as a table of source and expected text, and the HTML cache."""

from __future__ import annotations

import json
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typogrify.filters import amp as typogrify_amp
from typogrify.filters import caps as typogrify_caps
from typogrify.filters import widont as typogrify_widont

from opeds.site import reader, titlecache
from opeds.site.titlecache import TitleCache
from opeds.site.typography import (
    amp,
    caps,
    educate_html,
    educate_text,
    typeset_html,
    typeset_inline,
    widont,
)
from tests.corpus import CorpusSite
from tests.support import ROOT

NB = "\u00a0"

GERMAN = [
    ('Er sagte: "Das reicht."', "Er sagte: „Das reicht.“"),
    ('"Ja", sagte sie.', "„Ja“, sagte sie."),
    ('die "House of Cards"-Staffel', "die „House of Cards“-Staffel"),
    ("\"Dieser 'Tatort' ist gut\"", "„Dieser ‚Tatort‘ ist gut“"),
    ("Wie geht's? Hebb'sche Regel", "Wie geht’s? Hebb’sche Regel"),
    ("von '94 bis '99", "von ’94 bis ’99"),
    ("für die Katz'. Dann", "für die Katz’. Dann"),
    ("so 'n Unsinn", "so ’n Unsinn"),
    ("Putin - wieder", f"Putin{NB}– wieder"),
    ("Putin -- wieder", f"Putin{NB}– wieder"),
    ("warten ...", "warten …"),
    ("Bindestrich-Wort und 10-20", "Bindestrich-Wort und 10-20"),
    ('("eingeklammert")', "(„eingeklammert“)"),
]
ENGLISH = [
    ('He said "enough".', "He said “enough”."),
    ("Europe's 'quiet' year", "Europe’s ‘quiet’ year"),
]


@pytest.mark.parametrize(("source", "expected"), GERMAN)
def test_german_text(source: str, expected: str) -> None:
    assert educate_text(source, "de") == expected


@pytest.mark.parametrize(("source", "expected"), ENGLISH)
def test_english_text(source: str, expected: str) -> None:
    assert educate_text(source, "en") == expected


def test_unknown_language_keeps_straight_quotes() -> None:
    assert educate_text('Ha detto "no" ...', "it") == 'Ha detto "no" …'


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de-AT", "Er sagt „Ja“ und ‚nein‘."),
        ("de_AT", "Er sagt „Ja“ und ‚nein‘."),
        ("de-CH", "Er sagt «Ja» und \u2039nein\u203a."),
        ("fr", "Er sagt «\u202fJa\u202f» und \u2039\u202fnein\u202f\u203a."),
        ("fr-CA", "Er sagt «\u202fJa\u202f» und \u2039\u202fnein\u202f\u203a."),
        ("en-GB", "Er sagt “Ja” und ‘nein’."),
    ],
)
def test_regional_language_tags_get_their_language_quotes(lang: str, expected: str) -> None:
    assert educate_text("Er sagt \"Ja\" und 'nein'.", lang) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('<p>"<em>Wort</em>" und</p>', "<p>„<em>Wort</em>“ und</p>"),
        ('<p>Ende"</p><p>"Anfang</p>', "<p>Ende“</p><p>„Anfang</p>"),
        ('<p><code>a = "x"</code> "y"</p>', '<p><code>a = "x"</code> „y“</p>'),
        ('<p><a href="/x?a=1&amp;b=2" title="t">"L"</a></p>', None),
        ("<p>A &amp; B &lt;tag&gt;</p>", "<p>A &amp; B &lt;tag&gt;</p>"),
    ],
)
def test_html_changes_text_but_never_tags_or_code(source: str, expected: str | None) -> None:
    result = educate_html(source, "de")
    if expected is None:  # the attribute values stay byte for byte
        assert result == '<p><a href="/x?a=1&amp;b=2" title="t">„L“</a></p>'
    else:
        assert result == expected


def test_typogrify_neutral_filters_still_run() -> None:
    html = typeset_html("<p>Die EU &amp; die USA streiten lange</p>", "de")
    assert '<span class="caps">EU</span>' in html
    assert '<span class="amp">&amp;</span>' in html
    assert html.endswith("lange</p>") and "streiten&nbsp;lange" in html


def test_inline_titles_are_escaped_before_markup_is_added() -> None:
    title = typeset_inline('<script>alert(1)</script> & "x"', "de")
    assert "<script>" not in title
    assert title.startswith("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert title.striptags() == f"<script>alert(1)</script> &{NB}„x“"


def test_the_reader_gives_finished_html_its_word_count_and_language(tmp_path: Path) -> None:
    from pelican.settings import DEFAULT_CONFIG

    source = tmp_path / "a.md"
    source.write_text('Title: T\nLang: en\n\n"Hello" - world <script>x</script>\n', "utf-8")
    found = reader.MarkdownReader(dict(DEFAULT_CONFIG))
    content, meta = found.read(str(source))
    assert content == reader.finish(markdown.markdown('"Hello" - world <script>x</script>'), "en")
    assert "“Hello”" in content and "<script>" not in content
    assert (meta[reader.WORDS], meta[reader.LANG]) == (2, "en")  # the script and its text go


# Documents that leave state in a Markdown instance: abbreviations, link references,
# footnotes, front matter with a formatted field. Each next one uses what the one before
# defined, which a fresh Markdown does not know.
STATEFUL = [
    "Title: A\nSummary: Die *EZB* [hier][x]\n\nDie EZB[^1] [dort][x].\n\n"
    "*[EZB]: Europäische Zentralbank\n[x]: https://example.org/x\n[^1]: Eine Fußnote.\n",
    "Title: B\n\nDie EZB [dort][x] und eine Fußnote[^1].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "Title: C\nLang: en\n\nTitle: not front matter here\n\nThe ECB[^1].\n\n[^1]: Its own.\n",
    "No front matter at all, an EZB and [x].\n",
]


def test_one_markdown_for_every_file_reads_as_a_new_one_each_time(
    tmp_path: Path, corpus_site: CorpusSite
) -> None:
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    files = []
    for number, text in enumerate(STATEFUL * 2):
        files.append(tmp_path / f"{number}.md")
        files[-1].write_text(text, encoding="utf-8")
    files += sorted(corpus_site.content.rglob("*.md"))[:300]
    kept = reader.MarkdownReader(settings)
    once = [kept.read(str(path)) for path in files]
    assert kept._markdown is not None  # one Markdown, reused: the case under test
    afresh = [reader.MarkdownReader(settings).read(str(path)) for path in files]
    assert once == afresh
    assert "Zentralbank" not in once[1][0] and "EZB" in once[1][0]  # the state was there


def test_html_our_reader_finished_is_not_typeset_again_nor_for_another_language(
    tmp_path: Path,
) -> None:
    from pelican.contents import Page
    from pelican.settings import DEFAULT_CONFIG

    from opeds.site.content import typeset_content

    settings = dict(DEFAULT_CONFIG, OPEDS_CACHE_PATH=str(tmp_path))
    # As the reader left it: typeset already, so straight quotes here are the text's own.
    done = {"title": "T", "lang": "de", reader.WORDS: 2, reader.LANG: "de"}
    page = Page('<p>"Hallo" Welt</p>', metadata=done, settings=settings)
    typeset_content(page)  # the plugin may have run it already: a second time changes nothing
    assert page._content == '<p>"Hallo" Welt</p>' and page.word_count == 2
    # Typeset for English, but its language is German (given from outside the file).
    with pytest.raises(ValueError, match="typeset as 'en' but its language is 'de'"):
        typeset_content(Page("<p>x</p>", metadata={**done, reader.LANG: "en"}, settings=settings))


def test_an_article_keeps_its_html_as_utf8_and_gives_it_back_as_the_same_text(
    tmp_path: Path,
) -> None:
    """Packed to save memory at archive scale (see opeds.site.content.PackedText)."""
    import pickle

    from markupsafe import Markup
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    import opeds.site.content  # noqa: F401  (installs the packing)

    html = "<p>„Grüße“ aus Köln – 2\u202f%, ein 👍</p>"
    settings = dict(DEFAULT_CONFIG, OPEDS_CACHE_PATH=str(tmp_path))
    # As our reader leaves it, so that the plugin, if a test connected it, does not typeset it.
    done = {"title": "T", "lang": "de", reader.WORDS: 7, reader.LANG: "de"}
    article = Article(html, metadata=done, settings=settings)
    assert article.__dict__["_content"] == html.encode()
    assert article._content == html and type(article._content) is str
    assert article.content == html
    assert pickle.loads(pickle.dumps(article))._content == html
    article._content = Markup("<p>x</p>")  # another kind of text is kept as it was given
    assert type(article._content) is Markup
    article._content = None
    assert article._content is None
    del article.__dict__["_content"]
    with pytest.raises(AttributeError):
        article._content  # noqa: B018


def test_a_text_is_searched_for_links_by_file_name_only_when_it_can_hold_one(
    tmp_path: Path,
) -> None:
    """Pelican's static links and our page keys skip a text without ``{`` or ``|``."""
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from opeds.build.incremental import links_content
    from opeds.site.content import may_link_by_name

    settings = dict(DEFAULT_CONFIG, OPEDS_CACHE_PATH=str(tmp_path))
    done = {"title": "T", "lang": "de", reader.WORDS: 2, reader.LANG: "de"}

    def article(html: str, **more) -> Article:
        return Article(html, metadata=done, settings=dict(settings, **more),
                       source_path=str(tmp_path / "a.md"))  # fmt: skip

    linked = article(
        '<p>„Bild“ <img src="{static}/bilder/a.png"> und <a href="{filename}b.md">b</a></p>'
    )
    assert may_link_by_name(linked) and links_content(linked)
    assert linked.get_static_links() == {"bilder/a.png"}
    plain = article("<p>„Kein“ Verweis – nur Text</p>")
    assert not may_link_by_name(plain) and not links_content(plain)
    assert plain.get_static_links() == set()
    barred = article("<p>a | b</p>")  # may hold one: the pattern decides, and finds none
    assert may_link_by_name(barred) and not links_content(barred)
    # Another pattern in the settings: the text is always searched with it.
    other = article('<p><img src="%static%/x.png"></p>', INTRASITE_LINK_REGEX="%(?P<what>.*?)%")
    assert may_link_by_name(other) and other.get_static_links() == {"x.png"}


def test_the_reader_gives_the_lead_and_description_the_article_takes(tmp_path: Path) -> None:
    """Worked out once by the reader; the article made of it has them as if worked out there."""
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from opeds.site.content import typeset_content

    settings = dict(DEFAULT_CONFIG, OPEDS_CACHE_PATH=str(tmp_path), DEFAULT_LANG="de")
    source = tmp_path / "a.md"
    words = " ".join(["Wort"] * 60)
    source.write_text(f'Title: T\n\nDer *erste* "Absatz" {words}.\n\nDer zweite.\n', "utf-8")
    content, meta = reader.MarkdownReader(settings).read(str(source))
    assert meta[reader.LEAD].startswith("Der <em>erste</em> „Absatz“ Wort")
    assert meta[reader.DESCRIPTION].startswith("Der erste „Absatz“ Wort")
    assert len(meta[reader.DESCRIPTION]) <= 160 and meta[reader.DESCRIPTION].endswith("…")
    kept = Article(content, metadata=dict(meta, title="T"), settings=settings)
    fresh = Article(content, metadata={"title": "T", reader.WORDS: meta[reader.WORDS],
                                       reader.LANG: "de"}, settings=settings)  # fmt: skip
    for article in (kept, fresh):
        typeset_content(article)  # again: the plugin is not connected here
    assert kept.metadata["summary"] == fresh.metadata["summary"] == meta[reader.LEAD]
    # The summary is the lead's one copy the article keeps.
    assert reader.LEAD not in kept.metadata and not hasattr(kept, reader.LEAD)
    assert kept.description == fresh.description == meta[reader.DESCRIPTION]
    # Pelican's own typogrify changes the text after the reader: worked out from the text then.
    changed = Article("<p>Anders.</p>", metadata=dict(meta, title="T"),
                      settings=dict(settings, TYPOGRIFY=True))  # fmt: skip
    typeset_content(changed)
    assert changed.description == "Anders."
    # A summary in the front matter is the description's source, not the lead.
    source.write_text(f"Title: T\nSummary: Kurz gesagt.\n\nDer erste {words}.\n", "utf-8")
    content, meta = reader.MarkdownReader(settings).read(str(source))
    assert reader.LEAD not in meta
    summarised = Article(content, metadata=dict(meta, title="T"), settings=settings)
    typeset_content(summarised)
    assert summarised.description == "Kurz gesagt."


def test_titles_are_typeset_once_then_read_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    cache = TitleCache(tmp_path)
    title = cache.inline('Die EU & der "Euro" - ein Streit', "de")
    label = cache.inline('Die EU & der "Euro" - ein Streit', "de", keep_last_words=False)
    assert title == typeset_inline('Die EU & der "Euro" - ein Streit', "de")
    assert label == typeset_inline('Die EU & der "Euro" - ein Streit', "de", keep_last_words=False)
    assert title != label  # the last two words are kept together only in the title
    cache.save_inline()

    def fail(text: str, lang: str, *, keep_last_words: bool = True) -> str:
        raise AssertionError("typeset again although cached")

    monkeypatch.setattr(titlecache.typography, "typeset_inline", fail)
    again = TitleCache(tmp_path)  # a new build process: only the files remain
    assert again.inline('Die EU & der "Euro" - ein Streit', "de") == title
    assert again.inline('Die EU & der "Euro" - ein Streit', "de", False) == label
    again.save_inline()
    # The file holds what the last build used; a new code version starts a file of its own.
    assert json.loads(again.inline_path.read_text(encoding="utf-8")) == {
        'de|1|Die EU & der "Euro" - ein Streit': str(title),
        'de|0|Die EU & der "Euro" - ein Streit': str(label),
    }
    before = again.inline_path
    monkeypatch.setattr(titlecache, "CODE_VERSION", "another-version")
    assert again.inline_path != before


# Pieces of HTML where typogrify's widont pattern decides: words short and longer than the
# part of a block that ``widont`` searches first, spaces, inline tags (with attributes), block
# ends and other tags, in upper case too, and a final newline (the pattern's ``$``).
_PIECES = st.sampled_from([
    "Wort", "a", "Donaudampfschifffahrtsgesellschaftskapitänsmütze" * 2, "x" * 39, "y" * 41,
    "1.", "–", "&amp;", " ", "  ", "\n", "\t", "\u00a0", "<p>", "</p>", "<P>", "</P>", "<h2>",
    "</h2>", "</h7>", "<li>", "</li>", "</dt>", "</dd>", "<div>", "</div>", "<br>", "<br/>",
    "<pre>", "</pre>", "<a href=\"/x y\">", "</a>", "<em>", "</em>", "<i>", "</i>", "<b class='k'>",
    "</b>", "<span>", "</span>", "<strong>", "</strong>", "<abbr>", "</abbr>", "<", ">",
    "&", "&amp;", "&#38;", "&nbsp;", "<a title='&'>", '<img alt="a & b">', "=",
])  # fmt: skip


# Capitals alone and together, with digits, full stops, spaces and apostrophes between, and in
# tags or elements whose text caps leaves alone.
_CAPITALS = st.sampled_from([
    "A", "B", "EU", "D.", "O.", "T.", "D.O.T.", "2", "34", "KU2", "'", "’", ".", " ", "  ", "\n",
    "\u00a0", "Wort", "eu", "<p>", "</p>", "<kbd>", "</kbd>", "<script>", "</script>", "<code>",
    "</code>", '<a title="EU">', "</a>", "<abbr>", "</abbr>", "<", ">", "-", "&amp;",
])  # fmt: skip


@pytest.mark.parametrize(
    ("ours", "theirs", "pieces"),
    [
        (widont, typogrify_widont, _PIECES),
        (amp, typogrify_amp, _PIECES),
        (caps, typogrify_caps, _CAPITALS),
    ],
    ids=["widont", "amp", "caps"],
)
@settings(max_examples=3000, deadline=None)
@given(data=st.data())
def test_our_filter_gives_typogrifys_string(ours, theirs, pieces, data: st.DataObject) -> None:
    text = "".join(data.draw(st.lists(pieces, max_size=40)))
    assert ours(text) == theirs(text)


def test_widont_amp_and_caps_give_typogrifys_string_for_real_pages() -> None:
    pages = sorted((Path(__file__).parent / "golden").rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert widont(text) == typogrify_widont(text), page
        assert caps(text) == typogrify_caps(text), page
        assert caps(text.lower()) == typogrify_caps(text.lower()), page
        for ampersand in ("", " & ", " &amp; "):  # none, and one to wrap
            changed = text.replace("</h1>", f"{ampersand}</h1>")
            assert amp(changed) == typogrify_amp(changed), page
