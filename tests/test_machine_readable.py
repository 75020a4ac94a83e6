"""Feeds, JSON Feed, JSON-LD and sitemap of the golden site, read by real parsers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from tests.golden_site import SITEURL

ARTICLES = 6
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.mark.parametrize(
    ("feed", "count"),
    [("feeds/atom.xml", ARTICLES), ("feeds/meinung.atom.xml", 4), ("feeds/kommentar.atom.xml", 2)],
)
def test_atom_feeds_parse_with_required_fields(golden_site: Path, feed: str, count: int) -> None:
    parsed = feedparser.parse((golden_site / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title and parsed.feed.id and parsed.feed.updated
    assert len(parsed.entries) == count
    for entry in parsed.entries:
        assert entry.title and entry.id and entry.published and entry.updated
        assert entry.link.startswith(f"{SITEURL}/")
    # widont's no-break space is plain text; compare words
    titles = [" ".join(entry.title.split()) for entry in parsed.entries]
    if feed == "feeds/atom.xml":
        assert titles[0] == "<script>alert(1)</script> & „x“"  # text, neither markup nor lost
        assert "Der Satz „Wir schaffen das“ wirkt nach" in titles


def test_json_feed_is_version_1_1_with_stable_ids(golden_site: Path) -> None:
    feed = json.loads((golden_site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Meinungsarchiv"
    assert feed["home_page_url"] == f"{SITEURL}/"
    assert feed["feed_url"] == f"{SITEURL}/feed.json"
    items = feed["items"]
    assert len(items) == ARTICLES
    for item in items:
        assert item["id"] == item["url"] and item["url"].startswith(f"{SITEURL}/20")
        assert item["title"] and item["content_html"] and item["date_published"]
    assert len({item["id"] for item in items}) == ARTICLES
    dates = [item["date_published"] for item in items]
    assert dates == sorted(dates, reverse=True)


def json_ld_blocks(site: Path) -> list[tuple[str, dict]]:
    blocks = []
    for page in sorted(site.rglob("*.html")):
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for script in html.find_all("script", type="application/ld+json"):
            blocks.append((page.relative_to(site).as_posix(), json.loads(script.string)))
    return blocks


def test_every_article_has_one_valid_json_ld_block(golden_site: Path) -> None:
    blocks = json_ld_blocks(golden_site)
    assert len(blocks) == ARTICLES
    assert len({page for page, _ in blocks}) == ARTICLES
    for page, data in blocks:
        assert data["@type"] == "OpinionNewsArticle", page
        assert data["@context"] == "https://schema.org"
        assert data["headline"] and data["datePublished"] and data["inLanguage"]
        assert data["publisher"]["@type"] == "Organization"
        assert data["url"] == f"{SITEURL}/" + page.removesuffix("index.html")


def test_json_ld_describes_the_article_at_the_precision_known(golden_site: Path) -> None:
    by_page = dict(json_ld_blocks(golden_site))
    data = by_page["2022/01/fluechtlingspolitik-der-satz-wir-schaffen-das-wirkt-nach/index.html"]
    assert data["headline"] == "Der Satz „Wir schaffen das“ wirkt nach"
    assert data["alternativeHeadline"] == "Flüchtlingspolitik"
    assert data["dateline"] == "Berlin"
    assert data["articleSection"] == "Meinung"
    assert data["datePublished"] == "2022-01"
    assert data["inLanguage"] == "de"
    assert data["image"] == {
        "@type": "ImageObject",
        "caption": "Ankunft am Münchner Hauptbahnhof im Herbst 2015.",
        "creditText": "dpa/Archiv",
    }
    assert by_page["2020/01/ein-jahr-das-alles-veraendert/index.html"]["datePublished"] == "2020"


def test_json_ld_of_a_hostile_title_cannot_close_the_script(golden_site: Path) -> None:
    raw = (golden_site / "2022/03/script-alert-1-script-x/index.html").read_text(encoding="utf-8")
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    assert json.loads(block)["headline"] == "<script>alert(1)</script> & „x“"


def test_sitemap_lists_every_page_with_dates_from_the_articles(golden_site: Path) -> None:
    root = ET.parse(golden_site / "sitemap.xml").getroot()
    entries = {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("s:url", SITEMAP_NS)
    }
    assert entries[f"{SITEURL}/"] == "2022-03-14"  # the newest article, not the build day
    assert entries[f"{SITEURL}/2021/11/klimakonferenz-in-glasgow-ein-gipfel-der-kompromisse/"] == (
        "2021-11-07"
    )
    assert entries[f"{SITEURL}/2022/"] == "2022-03-14"
    assert entries[f"{SITEURL}/rubrik/kommentar/"] == "2022-03-14"
    assert f"{SITEURL}/ueber/" in entries
    articles = [u for u in entries if u.count("/") == SITEURL.count("/") + 4]
    assert len(articles) == ARTICLES
