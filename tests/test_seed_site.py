"""The seed, imported and built with the real settings, reads as the op-ed it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from opeds.site.typography import educate_text
from tests.support import SEED, soup

ARTICLE = "2022/01/gewalt-in-almaty-kasachstan-muss-den-westen-aufruetteln/index.html"


def seed_paragraphs() -> list[str]:
    """The seed's paragraphs as the site sets them: German typography, spaces collapsed."""
    blocks = SEED.read_text(encoding="utf-8").split("\n\n")
    return [" ".join(educate_text(b, "de").split()) for b in blocks[2:] if b.strip()]


@pytest.mark.parametrize("page", ["index.html", "archiv/index.html", ARTICLE])
def test_site_has_the_core_pages(seed_site: Path, page: str) -> None:
    html = soup(seed_site / page)
    assert html.html["lang"] == "de"
    assert len(html.find_all("h1")) == 1


def test_article_shows_kicker_headline_and_meta(seed_site: Path) -> None:
    article = soup(seed_site / ARTICLE).find("article")
    assert article.find(class_="kicker").get_text(strip=True) == "Gewalt in Almaty"
    # widont binds the last two words with a no-break space; split() reads it as a space
    assert article.h1.get_text().split() == ["Kasachstan", "muss", "den", "Westen", "aufrütteln"]
    meta = article.find(class_="meta")
    assert meta.find("a").get_text() == "Meinung"
    assert meta.find(class_="dateline").get_text() == "Berlin"
    time = meta.find("time")
    assert time.get_text() == "Januar 2022"  # month precision: no invented day
    assert time["datetime"] == "2022-01"


def test_article_body_has_every_paragraph_without_header_or_section(seed_site: Path) -> None:
    body = soup(seed_site / ARTICLE).find(class_="body")
    rendered = [" ".join(p.get_text().split()) for p in body.find_all("p")]
    expected = seed_paragraphs()
    assert expected[0].startswith("Meinung Berlin ")
    assert rendered[0] == expected[0].removeprefix("Meinung Berlin ")
    assert rendered[1:] == expected[1:]
    text = body.get_text()
    assert "date 2022-01" not in text
    assert not text.lstrip().startswith("Meinung")


def test_caption_and_credit_stay_visible(seed_site: Path) -> None:
    caption = soup(seed_site / ARTICLE).find(class_="caption")
    assert caption.get_text(" ", strip=True) == (
        "Russische Soldaten in Kasachstan. Foto: dpa/Uncredited"
    )


def test_archive_lists_the_year_with_its_count(seed_site: Path) -> None:
    archive = soup(seed_site / "archiv/index.html")
    year = archive.find(id="jahr-2022")
    assert year.a["href"] == "/2022/"
    assert year.find(class_="count").get_text() == "(1 Beitrag)"


def test_home_links_the_article(seed_site: Path) -> None:
    links = [a["href"] for a in soup(seed_site / "index.html").select("main a")]
    assert "/" + ARTICLE.removesuffix("index.html") in links
