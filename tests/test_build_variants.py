"""The golden content built in other ways: warm cache, English UI, small pages, a long article."""

from __future__ import annotations

import hashlib
import html
import logging
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from opeds.site import reader
from tests.golden_site import CONTENT, build_golden
from tests.support import ROOT, soup, tree

PAGINATION = {"index": None, "tag": None, "category": None, "author": None, "period_archives": 1}


def test_warm_cache_build_typesets_nothing_and_gives_the_same_site(
    golden_builds: dict[str, object], tmp_path: Path, monkeypatch
) -> None:
    def fail(markup: str, lang: str) -> str:
        raise AssertionError("an unchanged article was typeset again")

    monkeypatch.setattr(reader, "finish", fail)
    assert build_golden(tmp_path / "out", golden_builds["cache"]) == []
    assert tree(tmp_path / "out") == tree(golden_builds["cold"])


def template_messages() -> set[tuple[str | None, object]]:
    """Extract every (context, msgid) the templates mark for translation, as Babel does."""
    found = set()
    for path in sorted((ROOT / "theme" / "templates").glob("*.html")):
        with path.open("rb") as handle:
            for _line, msgid, _comments, context in extract(
                babel_extract, handle, keywords=DEFAULT_KEYWORDS
            ):
                found.add((context, msgid))
    return found


def read_catalog(lang: str):
    with (ROOT / "theme/translations" / lang / "LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_template_word_is_translated_in_each_catalog(lang: str) -> None:
    catalog = read_catalog(lang)
    wanted = template_messages()
    assert len(wanted) > 30
    have = {(m.context, m.id) for m in catalog if m.id}
    assert wanted - have == set(), "missing from the catalog"
    assert have - wanted == set(), "no longer used by any template"
    for message in catalog:
        if message.id:
            strings = message.string if message.pluralizable else [message.string]
            assert all(strings), f"{lang}: {message.id!r} is not translated"
    problems = [(m.id, errors) for m, errors in catalog.check() if errors]
    assert problems == []  # placeholders and plural forms agree with the msgid


def test_english_site_language_changes_every_ui_word(tmp_path: Path) -> None:
    assert build_golden(tmp_path / "out", tmp_path / "cache", DEFAULT_LANG="en") == []
    site = tmp_path / "out"
    article = soup(
        site / "2022/01/fluechtlingspolitik-der-satz-wir-schaffen-das-wirkt-nach/index.html"
    )
    assert article.html["lang"] == "en"
    assert article.find(class_="skip-link").get_text() == "Skip to content"
    assert article.find("article").find(class_="meta").time.get_text() == "January 2022"
    assert article.find("article")["lang"] == "de"  # the article keeps its own language
    assert soup(site / "archiv/index.html").find(id="jahr-2022").find(
        class_="count"
    ).get_text() == ("(3 pieces)")
    # No German UI word is left anywhere, apart from words the content itself contains.
    content = " ".join(p.read_text(encoding="utf-8") for p in CONTENT.rglob("*.md"))
    content += " Meinungsarchiv Kommentare und Meinungsbeiträge Redaktion"
    german = set()
    for message in read_catalog("de"):
        strings = message.string if message.pluralizable else [message.string]
        english = message.id if message.pluralizable else [message.id]
        for text in strings:
            for fragment in re.split(r"%\(\w+\)s", text):
                fragment = fragment.strip(" :·()")
                if len(fragment) >= 4 and fragment not in content and fragment not in english:
                    german.add(fragment)
    german |= {"Januar", "November", "März"} - {"November"}
    for page in sorted(site.rglob("*.html")):
        text = html.unescape(page.read_text(encoding="utf-8"))
        found = sorted(f for f in german if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text))
        assert not found, (page.relative_to(site).as_posix(), found)


def test_paginated_lists_name_their_pages_in_words_with_rel_links(tmp_path: Path) -> None:
    warnings = build_golden(
        tmp_path / "out", tmp_path / "cache", DEFAULT_PAGINATION=2, PAGINATED_TEMPLATES=PAGINATION
    )
    assert warnings == []
    site = tmp_path / "out"
    first, second = soup(site / "index.html"), soup(site / "seite/2/index.html")
    assert first.head.find("link", rel="next")["href"].endswith("/meinung/seite/2/")
    assert first.head.find("link", rel="prev") is None
    pager = first.find("nav", class_="pager")
    assert pager.find("a", rel="next").get_text() == "Ältere Beiträge"
    assert "Seite 1 von 3" in pager.get_text()
    assert second.find("nav", class_="pager").find("a", rel="prev").get_text() == "Neuere Beiträge"
    assert second.head.find("link", rel="prev")["href"].endswith("/meinung/")
    assert "Seite 2 von 3" in second.title.get_text()
    assert len(first.find_all("article", class_="teaser")) == 2
    # month pages split too; year pages are never split (they list months, not every article)
    assert (site / "2022/01/seite/2/index.html").is_file()
    assert not (site / "2022/seite").exists()


def long_article(words: int) -> str:
    sentence = "Die Regierung muss jetzt handeln, denn die Lage in den Kommunen bleibt ernst."
    per_sentence = len(sentence.split())
    sentences = [sentence] * (words // per_sentence)
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs)


def test_a_600_word_article_page_and_stylesheet_stay_under_30_kb(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    body = long_article(600)
    assert 590 <= len(body.split()) <= 610
    (content / "2022/01/lang.md").write_text(
        "---\ntitle: Ein langer Kommentar über die Lage der Kommunen\n"
        "kicker: Kommunalfinanzen\ndate: 2022-01-20\ndate_precision: day\ncategory: Meinung\n"
        "dateline: Frankfurt am Main\nimage_caption: Ein Rathaus im Abendlicht.\n"
        "image_credit: dpa/Archiv\nauthor: Anna Beispiel\ntags: Kommunen, Finanzen, Energie\n"
        f"lang: de\nslug: ein-langer-kommentar\n---\n{body}\n",
        encoding="utf-8",
    )
    from opeds.build.run import build_site

    out = tmp_path / "out"
    build_site(ROOT / "pelicanconf.py", content, out, cache=tmp_path / "cache")
    page = out / "2022/01/ein-langer-kommentar/index.html"
    css = out / "theme/css/site.css"
    assert soup(page).find(class_="reading-time").get_text() == "3 Minuten Lesezeit"
    assert page.stat().st_size + css.stat().st_size < 30 * 1024


def test_reading_and_writing_on_two_cores_gives_the_same_site(
    golden_builds: dict[str, object], tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="opeds.build.parallel")
    caplog.set_level(logging.INFO, logger="opeds.site.content")
    warnings = build_golden(
        tmp_path / "out", tmp_path / "cache", PARALLEL_MIN_ARTICLES=1, BUILD_JOBS=2
    )
    assert warnings == []
    articles = len(list((CONTENT).glob("[0-9]*/**/*.md")))
    assert f"read ahead: {articles} of {articles} new articles on 2 cores" in caplog.text
    assert f"articles: {articles} pages on 2 cores" in caplog.text
    assert tree(tmp_path / "out") == tree(golden_builds["cold"])
    # The workers' reader typesets the articles; Pelican's process typesets only the one page,
    # which is not read ahead.
    assert "typography: 1 articles and pages typeset in this process" in caplog.text


def test_the_build_process_does_not_hash_again_what_the_workers_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opeds.build import run
    from opeds.common import stamps

    monkeypatch.setattr(stamps, "RECENT_NS", -(10**18))  # the golden files are new here
    hashed: list[str] = []

    class Counting:  # hashlib, counting the MD5s of Pelican's stamps in this process
        def __getattr__(self, name: str) -> object:
            return getattr(hashlib, name)

        def md5(self, data: bytes) -> object:
            hashed.append(data[:80])
            return hashlib.md5(data)

    monkeypatch.setattr(run, "hashlib", Counting())
    build_golden(tmp_path / "out", tmp_path / "cache", PARALLEL_MIN_ARTICLES=1, BUILD_JOBS=2)
    # Hashed here (workers count in their own copy of the list): only the one page, which no
    # worker reads. The articles' stamps came with the workers' batch; the one Pelican's
    # generator asks for before it waits for the batch is for a cache that is off.
    articles = len(list(CONTENT.glob("[0-9]*/**/*.md")))
    assert articles > 2 and len(hashed) == 1
    assert any(b"slug: ueber" in start for start in hashed)


def test_a_warm_build_asks_for_each_file_stamp_once(
    golden_builds: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opeds.common import stamps

    asked: list[str] = []
    fact = stamps.FileFacts.fact

    def counting(self, path, kind, *args, **kwargs):
        if kind == stamps.PELICAN_MD5:
            asked.append(Path(path).relative_to(CONTENT).as_posix())
        return fact(self, path, kind, *args, **kwargs)

    monkeypatch.setattr(stamps.FileFacts, "fact", counting)
    assert build_golden(tmp_path / "out", golden_builds["cache"]) == []
    # The readers' cache checks each source once; the generators keep no cache of their own,
    # so their two requests per file (Pelican's) are answered without the file.
    sources = sorted(p.relative_to(CONTENT).as_posix() for p in CONTENT.rglob("*.md"))
    assert sorted(asked) == sources
    assert tree(tmp_path / "out") == tree(golden_builds["cold"])


def test_read_ahead_leaves_a_broken_article_to_pelican_which_names_it(tmp_path: Path) -> None:
    from opeds.build.run import BuildError, build_site

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    broken = content / "2022" / "01" / "kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ndate: 2022-13-45\n---\nText.\n", encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build_site(ROOT / "pelicanconf.py", content, tmp_path / "out", cache=tmp_path / "cache",
                   search_index=False, PARALLEL_MIN_ARTICLES=1)  # fmt: skip
    assert f"{broken}: could not be read" in str(failure.value)
    assert "2022-13-45" in str(failure.value)
    assert not (tmp_path / "out").exists()
