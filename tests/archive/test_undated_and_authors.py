"""Undated pieces, bylines, authors, sections and regional typography through a real build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opeds.importer.files import ingest
from tests.importer.sitecheck import build
from tests.support import soup

SOURCES = {
    "001_00000000000000a1.txt": "date 2016-05 Porträt : Ein Leben für die Bühne\n\n"
    "Porträt Wien Sie stand fünfzig Jahre auf der Bühne.\n\n"
    "Nun hört sie auf. (Jürgen Müller und Anna Beispiel, 3.5.2016)\n",
    "002_00000000000000a2.txt": "date Ohne Datum geliefert\n\n"
    "Kommentar Ein Text, dem das Datum fehlt. (APA)\n",
    "003_00000000000000a3.txt": "date 2016-04 Ohne Rubrik\n\n"
    "Der Text beginnt ohne Rubrikwort.\n\nZweiter Absatz. (Jürgen Müller, 12.4.2016)\n",
    "004_00000000000000a4.txt": "date 2016-03 Älter und von Müller\n\n"
    "Kommentar Ein älterer Text.\n\nEnde. (Jürgen Müller, 2.3.2016)\n",
    "005_00000000000000a5.txt": "date 2016-02 Nur Kommentar\n\nKommentar Datiert.\n",
}
SWISS = """---
title: "Ein Zitat aus Bern"
date: 2016-01-05
date_precision: day
category: Kommentar
lang: de-CH
slug: zitat-aus-bern
---
Er sagte "Grüezi" und 'adieu'.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Import the sources above, add a hand-written Swiss article, build with the real settings."""
    base = tmp_path_factory.mktemp("archive")
    sources, content = base / "sources", base / "content"
    sources.mkdir()
    for name, text in SOURCES.items():
        (sources / name).write_text(text, encoding="utf-8")
    report = ingest(sources, content)
    assert report.ok and report.count("imported") == len(SOURCES), report.summary()
    (content / "2016" / "01").mkdir(parents=True)
    (content / "2016" / "01" / "zitat-aus-bern.md").write_text(SWISS, encoding="utf-8")
    return build(content, base / "output")


def json_ld(page) -> dict:
    return json.loads(page.select_one('script[type="application/ld+json"]').string)


def test_undated_piece_has_its_own_page_and_no_date(site: Path) -> None:
    page = soup(site / "ohne-datum" / "ohne-datum-geliefert" / "index.html")
    assert page.select_one("article .meta .undated").get_text() == "Ohne Datum"
    assert page.select("article time") == []
    assert page.select('meta[property="article:published_time"]') == []
    data = json_ld(page)
    assert "datePublished" not in data and data["author"][0]["name"] == "APA"
    assert page.select_one("article[data-pagefind-body]") is not None  # it is indexed


def test_undated_piece_is_listed_under_ohne_datum_on_the_archive(site: Path) -> None:
    section = soup(site / "archiv" / "index.html").select_one("section.undated-list")
    assert section.h2.get_text(" ", strip=True) == "Ohne Datum (1 Beitrag)"
    assert [a["href"] for a in section.select("a")] == ["/ohne-datum/ohne-datum-geliefert/"]


def test_undated_piece_is_in_no_dated_list_and_no_feed(site: Path) -> None:
    url = "ohne-datum/ohne-datum-geliefert/"
    assert not (site / "1900").exists()
    dated = [site / "index.html", *site.glob("20*/index.html"), *site.glob("20*/*/index.html"),
             site / "feeds" / "atom.xml", site / "feeds" / "kommentar.atom.xml",
             site / "feed.json"]  # fmt: skip
    for path in dated:
        assert url not in path.read_text(encoding="utf-8"), path
    assert soup(site / "index.html").select("h2 a")[0]["href"] != f"/{url}"
    assert f"/{url}</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_sections_and_authors_list_undated_pieces_after_the_dated(site: Path) -> None:
    for page in (site / "rubrik" / "kommentar" / "index.html", site / "autor/apa/index.html"):
        section = soup(page).select_one("section.undated-list")
        assert section is not None, page
        assert [a["href"] for a in section.select("a")] == ["/ohne-datum/ohne-datum-geliefert/"]
    counts = {li.a.get_text(): li.select_one(".count").get_text()
              for li in soup(site / "rubrik" / "index.html").select(".index-list li")}  # fmt: skip
    assert counts["Kommentar"] == "(4 Beiträge)"


def test_section_and_author_urls_use_the_german_slug(site: Path) -> None:
    assert (site / "rubrik" / "portraet" / "index.html").is_file()
    assert not (site / "rubrik" / "portrat").exists()
    author = soup(site / "autor" / "juergen-mueller" / "index.html")
    assert author.h1.get_text() == "Beiträge von Jürgen Müller"
    # Newest first: May, April, March.
    assert [a["href"] for a in author.select("article.teaser h2 a")] == [
        "/2016/05/portraet-ein-leben-fuer-die-buehne/",
        "/2016/04/ohne-rubrik/",
        "/2016/03/aelter-und-von-mueller/",
    ]


def test_bylines_become_authors_in_page_json_ld_and_feed(site: Path) -> None:
    page = soup(site / "2016" / "05" / "portraet-ein-leben-fuer-die-buehne" / "index.html")
    assert [a.get_text() for a in page.select(".byline a")] == ["Jürgen Müller", "Anna Beispiel"]
    assert "Jürgen" not in page.select_one("article .body").get_text()  # out of the body
    assert [a["name"] for a in json_ld(page)["author"]] == ["Jürgen Müller", "Anna Beispiel"]
    assert page.select_one("time")["datetime"] == "2016-05-03"  # the byline's day
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    item = next(
        i for i in feed["items"] if i["url"].endswith("portraet-ein-leben-fuer-die-buehne/")
    )
    assert item["authors"] == [{"name": "Jürgen Müller"}, {"name": "Anna Beispiel"}]
    atom = (site / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "<name>Jürgen Müller</name>" in atom


def test_article_without_section_word_has_no_section(site: Path) -> None:
    page = soup(site / "2016" / "04" / "ohne-rubrik" / "index.html")
    assert "articleSection" not in json_ld(page)
    assert page.select('meta[property="article:section"]') == []
    assert not (site / "rubrik" / "04").exists()
    assert sorted(p.name for p in (site / "rubrik").iterdir() if p.is_dir()) == [
        "kommentar",
        "portraet",
    ]


def test_regional_language_gets_its_base_typography(site: Path) -> None:
    page = soup(site / "2016" / "01" / "zitat-aus-bern" / "index.html")
    assert page.select_one("article")["lang"] == "de-CH"
    assert (
        page.select_one("article .body").get_text().strip()
        == "Er sagte «Grüezi» und\xa0\u2039adieu\u203a."
    )
