"""The plugin's pure parts as tables: neighbours, years and months, shortening, JSON-LD, sitemap."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from opeds.site.archive import build_years, link_neighbours
from opeds.site.metadata import article_json_ld, iso_date, shorten
from opeds.site.sitemap import sitemap_entries, sitemap_xml

SETTINGS = {
    "YEAR_ARCHIVE_URL": "{date:%Y}/",
    "YEAR_PAGE_SAVE_AS": "{date:%Y}/index.html",
    "MONTH_ARCHIVE_URL": "{date:%Y}/{date:%m}/",
}


def article(slug: str, date: str, **fields: object) -> SimpleNamespace:
    """A stand-in for a Pelican article with the fields the pure parts read."""
    day = dt.datetime.fromisoformat(date)
    values = {"slug": slug, "date": day, "url": f"{day:%Y/%m}/{slug}/", "title": slug.title()}
    return SimpleNamespace(**{**values, **fields})


def test_neighbours_link_each_article_to_the_next_newer_and_older() -> None:
    newest, middle, oldest = (
        article(s, f"2022-0{n}-01") for s, n in (("c", 3), ("b", 2), ("a", 1))
    )
    link_neighbours([newest, middle, oldest])
    table = [(a.slug, a.newer_article, a.older_article) for a in (newest, middle, oldest)]
    assert table == [("c", None, middle), ("b", newest, oldest), ("a", middle, None)]


def test_a_single_article_has_no_neighbours() -> None:
    only = article("a", "2022-01-01")
    link_neighbours([only])
    assert (only.newer_article, only.older_article) == (None, None)


def test_years_and_months_newest_first_with_counts_and_urls() -> None:
    articles = [article("d", "2022-03-05"), article("c", "2022-03-01"),
                article("b", "2022-01-09"), article("a", "2020-12-31")]  # fmt: skip
    years = build_years(articles, SETTINGS)
    table = [
        (y.number, y.url, y.save_as, y.count, [(m.number, m.url, m.count) for m in y.months])
        for y in years
    ]
    assert table == [
        (2022, "2022/", "2022/index.html", 3, [(3, "2022/03/", 2), (1, "2022/01/", 1)]),
        (2020, "2020/", "2020/index.html", 1, [(12, "2020/12/", 1)]),
    ]
    assert years[0].month_counts() == [(1, 1), (2, 0), (3, 2)] + [(n, 0) for n in range(4, 13)]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Kurz.", 160, "Kurz."),
        ("ein zwei drei vier", 18, "ein zwei drei vier"),
        ("ein zwei drei vier", 12, "ein zwei…"),
        ("Erstens, zweitens – drittens", 20, "Erstens, zweitens…"),
        ("Wort; noch ein Wort", 9, "Wort…"),
    ],
)
def test_shorten_cuts_at_a_word_and_marks_the_cut(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


@pytest.mark.parametrize(
    ("precision", "expected"),
    [("day", "2022-01-07"), ("month", "2022-01"), ("year", "2022"), (None, "2022-01-07")],
)
def test_iso_date_keeps_only_the_precision_known(precision, expected) -> None:
    assert iso_date(dt.date(2022, 1, 7), precision) == expected


def test_json_ld_of_a_month_precise_article_with_kicker_author_and_photo() -> None:
    author = type("Author", (), {"url": "autor/anna-beispiel/", "__str__": lambda s: "Anna"})()
    piece = article(
        "x",
        "2022-01-01",
        title="Der <em>Titel</em>",
        kicker="Dach",
        dateline="Berlin",
        category="Meinung",
        date_precision="month",
        lang="de",
        description="Die Beschreibung.",
        word_count=321,
        authors=[author],
        tags=[],
        image_caption="Ein Bild.",
        image_credit="dpa",
        modified=None,
    )
    data = article_json_ld(piece, "https://zeitung.example", "Archiv", "Verlag")
    assert data == {
        "@context": "https://schema.org",
        "@type": "OpinionNewsArticle",
        "headline": "Der Titel",
        "alternativeHeadline": "Dach",
        "dateline": "Berlin",
        "articleSection": "Meinung",
        "datePublished": "2022-01",
        "inLanguage": "de",
        "description": "Die Beschreibung.",
        "wordCount": 321,
        "url": "https://zeitung.example/2022/01/x/",
        "mainEntityOfPage": "https://zeitung.example/2022/01/x/",
        "author": [
            {
                "@type": "Person",
                "name": "Anna",
                "url": "https://zeitung.example/autor/anna-beispiel/",
            }
        ],
        "image": {"@type": "ImageObject", "caption": "Ein Bild.", "creditText": "dpa"},
        "publisher": {"@type": "Organization", "name": "Verlag", "url": "https://zeitung.example/"},
        "isPartOf": {"@type": "WebSite", "name": "Archiv", "url": "https://zeitung.example/"},
    }


def test_sitemap_dates_every_list_by_its_newest_article() -> None:
    newer, older = article("b", "2022-03-05"), article("a", "2021-12-31")
    section = SimpleNamespace(url="rubrik/meinung/")
    context = {
        "articles": [newer, older],
        "ARCHIVES_URL": "archiv/",
        "pages": [SimpleNamespace(url="ueber/", modified=None, date=None)],
        "categories": [(section, [older])],
        "tags": {},
        "authors": [],
    }
    entries = sitemap_entries(context, build_years([newer, older], SETTINGS))
    assert sorted(entries) == [
        ("", "2022-03-05"),
        ("2021/", "2021-12-31"),
        ("2021/12/", "2021-12-31"),
        ("2021/12/a/", "2021-12-31"),
        ("2022/", "2022-03-05"),
        ("2022/03/", "2022-03-05"),
        ("2022/03/b/", "2022-03-05"),
        ("archiv/", "2022-03-05"),
        ("rubrik/meinung/", "2021-12-31"),
        ("ueber/", ""),
    ]
    xml = sitemap_xml([("ueber/", ""), ("a&b/", "2022-01-01")], "https://x.example")
    assert "<url><loc>https://x.example/a&amp;b/</loc><lastmod>2022-01-01</lastmod></url>" in xml
    assert "<url><loc>https://x.example/ueber/</loc></url>" in xml


def test_a_sitemap_past_the_protocols_limit_becomes_an_index_of_parts(monkeypatch) -> None:
    import xml.etree.ElementTree as ET

    from opeds.site import sitemap

    entries = [(f"2022/0{n}/a/", f"2022-0{n}-01") for n in range(1, 8)] + [("ueber/", "")]
    root = "https://x.example/meinung"
    assert list(sitemap.sitemap_files("sitemap.xml", entries * 2, root)) == ["sitemap.xml"]
    monkeypatch.setattr(sitemap, "MAX_URLS", 3)
    files = sitemap.sitemap_files("sitemap.xml", entries * 2, root)  # each URL once
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{ns['s']}}}sitemapindex"
    listed = [(e.findtext("s:loc", namespaces=ns), e.findtext("s:lastmod", namespaces=ns))
              for e in index.findall("s:sitemap", ns)]  # fmt: skip
    assert listed == [(f"{root}/sitemap-1.xml", "2022-03-01"),
                      (f"{root}/sitemap-2.xml", "2022-06-01"),
                      (f"{root}/sitemap-3.xml", "2022-07-01")]  # fmt: skip
    found = []
    for name in ("sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"):
        urls = ET.fromstring(files[name]).findall("s:url", ns)
        assert 1 <= len(urls) <= 3
        found += [u.findtext("s:loc", namespaces=ns).removeprefix(root + "/") for u in urls]
    assert found == sorted(path for path, _ in set(entries))
    assert sitemap.part_names("feeds/sitemap.xml", 4) == ["feeds/sitemap-1.xml",
                                                          "feeds/sitemap-2.xml"]  # fmt: skip
    assert sitemap.part_names("sitemap.xml", 3) == []


def test_plugin_settings_get_defaults_and_each_bad_value_is_named() -> None:
    from opeds.site.settings import DEFAULTS, check_settings

    assert check_settings(dict(DEFAULTS)) == []
    bad = {**DEFAULTS, "YEAR_PAGE_HEADLINES": "five", "SEARCH_URL": "suche", "JSON_FEED": 3}
    assert check_settings(bad) == [
        "JSON_FEED must be text, not 3",
        "YEAR_PAGE_HEADLINES must be a whole number of at least 0, not 'five'",
        "SEARCH_URL must end with '/', not 'suche'",
    ]
