"""The golden site read as a reader and a browser would: parsed HTML, not string matching."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.golden_site import SITEURL
from tests.support import soup

QUOTED = "2022/01/fluechtlingspolitik-der-satz-wir-schaffen-das-wirkt-nach/index.html"
HOSTILE = "2022/03/script-alert-1-script-x/index.html"
DAY = "2021/11/klimakonferenz-in-glasgow-ein-gipfel-der-kompromisse/index.html"
YEAR_ONLY = "2020/01/ein-jahr-das-alles-veraendert/index.html"
ENGLISH = "2020/01/a-view-from-abroad-europes-quiet-year/index.html"
EZB = "2022/01/inflation-die-ezb-muss-handeln/index.html"


def words(element) -> str:
    """The element's text with every run of spaces (no-break ones too) made one space."""
    return " ".join(element.get_text().split())


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_every_page_is_german_with_one_h1_and_a_plain_title(golden_site: Path) -> None:
    pages = html_pages(golden_site)
    assert len(pages) > 20
    for page in pages:
        html = soup(golden_site / page)
        assert html.html["lang"] == "de", page
        assert len(html.find_all("h1")) == 1, page
        assert html.title.find_all(True) == [] and "<" not in html.title.decode_contents(), page


def test_quoted_headline_and_body_get_german_quotes(golden_site: Path) -> None:
    article = soup(golden_site / QUOTED).find("article")
    assert words(article.h1) == "Der Satz „Wir schaffen das“ wirkt nach"
    body = words(article.find(class_="body"))
    assert "„Wir schaffen das“, sagte Angela Merkel" in body
    assert "„Wir haben ‚Willkommenskultur‘ nie als Parole verstanden" in body
    assert "damals ’s Land" in body and "seit ’15" in body  # apostrophes, not quotes
    assert "nicht vorbei – sie hat" in body  # spaced en dash for " - "
    assert "heute … nur" in body
    assert '"' not in body and "'" not in body


def test_title_tags_and_meta_carry_no_markup(golden_site: Path) -> None:
    html = soup(golden_site / QUOTED)
    # a no-break space (widont, dashes) is plain text, not markup
    assert words(html.title) == "Der Satz „Wir schaffen das“ wirkt nach – Meinungsarchiv"
    og_title = html.find("meta", property="og:title")["content"]
    assert " ".join(og_title.split()) == "Der Satz „Wir schaffen das“ wirkt nach"


def test_english_article_gets_english_quotes(golden_site: Path) -> None:
    article = soup(golden_site / ENGLISH).find("article")
    assert article["lang"] == "en"
    assert words(article.h1) == "Europe’s “quiet” year"
    assert "looked “calm” – but" in words(article.find(class_="body"))
    assert "weren’t ‘quiet’ at all" in words(article.find(class_="body"))


@pytest.mark.parametrize(
    ("page", "text", "machine"),
    [
        (QUOTED, "Januar 2022", "2022-01"),
        (DAY, "7. November 2021", "2021-11-07"),
        (YEAR_ONLY, "2020", "2020"),
    ],
)
def test_dates_show_only_the_precision_known(
    golden_site: Path, page: str, text: str, machine: str
) -> None:
    time = soup(golden_site / page).find("article").find(class_="meta").find("time")
    assert (time.get_text(), time["datetime"]) == (text, machine)


def test_kicker_above_headline_and_a_meta_line_with_section_dateline_date(
    golden_site: Path,
) -> None:
    head = soup(golden_site / QUOTED).find("article").header
    kicker = head.find(class_="kicker")
    assert kicker.get_text() == "Flüchtlingspolitik"
    assert kicker.find_next("h1") is head.h1  # the kicker comes first
    assert words(head.find(class_="meta")) == "Meinung · Berlin · Januar 2022"
    assert head.find(class_="dateline").get_text() == "Berlin"


def test_hostile_title_is_shown_as_text(golden_site: Path) -> None:
    html = soup(golden_site / HOSTILE)
    assert words(html.h1) == "<script>alert(1)</script> & „x“"
    assert words(html.title) == "<script>alert(1)</script> & „x“ – Meinungsarchiv"
    scripts = html.find_all("script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert "<b>fett</b> bleibt sichtbar" in words(html.find(class_="body"))
    assert html.find(class_="body").find("b") is None


def test_article_page_shows_lead_caption_reading_time_author_topics(golden_site: Path) -> None:
    html = soup(golden_site / QUOTED)
    lead = html.find(class_="body").p
    assert words(lead).startswith("Sieben Jahre nach dem berühmten Satz")
    assert html.find("meta", attrs={"name": "description"})["content"] == words(lead)
    note = html.find(class_="photo-note")
    assert words(note.find(class_="caption")) == (
        "Ankunft am Münchner Hauptbahnhof im Herbst 2015. Foto: dpa/Archiv"
    )
    assert words(html.find(class_="reading-time")) == "1 Minute Lesezeit"
    klima = soup(golden_site / DAY)
    assert words(klima.find(class_="byline")) == "Von Anna Beispiel"
    assert klima.find(class_="byline").a["href"] == f"{SITEURL}/autor/anna-beispiel/"
    topics = [a.get_text() for a in klima.find(class_="topics").find_all("a")]
    assert topics == ["Klima", "Energie"]


def test_previous_and_next_follow_the_archive_order(golden_site: Path) -> None:
    # Archive order: newest first; the two January 2022 articles share a date, slug decides.
    nav = soup(golden_site / QUOTED).find("nav", class_="article-nav")
    older, newer = nav.find("a", rel="prev"), nav.find("a", rel="next")
    assert older["href"] == f"{SITEURL}/2022/01/inflation-die-ezb-muss-handeln/"
    assert newer["href"] == f"{SITEURL}/2022/03/script-alert-1-script-x/"
    ezb_nav = soup(golden_site / EZB).find("nav", class_="article-nav")
    assert ezb_nav.find("a", rel="next")["href"] == f"{SITEURL}/" + QUOTED.removesuffix(
        "index.html"
    )


def test_archive_lists_years_newest_first_above_a_chart(golden_site: Path) -> None:
    main = soup(golden_site / "archiv/index.html").main
    years = [(li.a.get_text(), li.find(class_="count").get_text()) for li in main.ul("li")]
    assert years == [("2022", "(3 Beiträge)"), ("2021", "(1 Beitrag)"), ("2020", "(2 Beiträge)")]
    svg = main.find("svg")
    assert main.ul.find_next("svg") is svg  # the list comes first
    assert svg["role"] == "img"
    assert svg.title.get_text() == "Beiträge pro Jahr"
    assert svg.desc.get_text() == "2020: 2, 2021: 1, 2022: 3"
    assert len(svg.find_all("rect")) == 3


def test_year_page_groups_by_month_with_a_month_chart(golden_site: Path) -> None:
    main = soup(golden_site / "2022/index.html").main
    months = [words(h2) for h2 in main.find_all("h2")]
    assert months == ["März (1 Beitrag)", "Januar (2 Beiträge)"]
    assert main.find("h2", id="monat-1").a["href"] == f"{SITEURL}/2022/01/"
    svg = main.find("svg")
    assert len(svg.find_all("rect")) == 12
    assert svg.desc.get_text().startswith("Januar: 2, Februar: 0, März: 1")


def test_month_page_lists_its_articles(golden_site: Path) -> None:
    main = soup(golden_site / "2022/01/index.html").main
    assert words(main.h1) == "Januar 2022"
    links = [t.h2.a["href"] for t in main.find_all("article", class_="teaser")]
    assert links == [
        f"{SITEURL}/2022/01/fluechtlingspolitik-der-satz-wir-schaffen-das-wirkt-nach/",
        f"{SITEURL}/2022/01/inflation-die-ezb-muss-handeln/",
    ]


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("rubrik/meinung/index.html", "Rubrik: Meinung"),
        ("thema/energie/index.html", "Thema: Energie"),
        ("autor/anna-beispiel/index.html", "Beiträge von Anna Beispiel"),
        ("ueber/index.html", "Über das Archiv"),
        ("404.html", "Seite nicht gefunden"),
    ],
)
def test_section_topic_author_about_and_404_pages(
    golden_site: Path, page: str, heading: str
) -> None:
    assert words(soup(golden_site / page).h1) == heading


def test_every_page_has_the_search_form_and_a_skip_link(golden_site: Path) -> None:
    for page in html_pages(golden_site):
        html = soup(golden_site / page)
        form = html.find("form", role="search")
        assert form["action"] == f"{SITEURL}/suche/" and form["method"] == "get", page
        field = form.find("input", attrs={"name": "q"})
        assert field["type"] == "search", page
        assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True), page
        skip = html.body.find("a")
        assert skip["href"] == "#inhalt" and html.find("main", id="inhalt"), page


def test_article_carries_the_search_index_attributes(golden_site: Path) -> None:
    article = soup(golden_site / QUOTED).find("article")
    assert article.has_attr("data-pagefind-body")
    assert article.find(attrs={"data-pagefind-meta": "kicker"}).get_text() == "Flüchtlingspolitik"
    time = article.find("time")
    assert time["data-pagefind-meta"] == "date:Januar 2022"
    assert time["data-pagefind-sort"] == "date:2022-01-01"
    assert time["data-pagefind-filter"] == "year:2022"
    assert article.find("a", attrs={"data-pagefind-filter": "section"}).get_text() == "Meinung"


def test_no_request_leaves_the_site(golden_site: Path) -> None:
    for page in html_pages(golden_site):
        html = soup(golden_site / page)
        for tag in html.find_all(["link", "script", "img", "iframe", "source", "video"]):
            url = tag.get("src") or (tag.get("href") if tag.name == "link" else None)
            if url and tag.get("rel") != ["canonical"]:
                assert url.startswith(SITEURL + "/"), (page, url)
        assert not html.find("style") and not html.find(attrs={"style": True}), page


def test_canonical_and_opengraph(golden_site: Path) -> None:
    html = soup(golden_site / QUOTED)
    url = f"{SITEURL}/" + QUOTED.removesuffix("index.html")
    assert html.find("link", rel="canonical")["href"] == url
    prop = {m["property"]: m["content"] for m in html.find_all("meta", property=True)}
    assert prop["og:url"] == url
    assert prop["og:locale"] == "de_DE"
    assert prop["article:published_time"] == "2022-01"
    assert prop["article:section"] == "Meinung"


def test_robots_favicon_and_stylesheet(golden_site: Path) -> None:
    robots = (golden_site / "robots.txt").read_text(encoding="utf-8")
    assert re.search(rf"^Sitemap: {re.escape(SITEURL)}/sitemap.xml$", robots, re.MULTILINE)
    head = soup(golden_site / "index.html").head
    assert head.find("link", rel="icon")["href"] == f"{SITEURL}/theme/favicon.svg"
    assert (golden_site / "theme" / "favicon.svg").read_text().startswith("<svg")
    css = (golden_site / "theme" / "css" / "site.css").read_text(encoding="utf-8")
    assert "hyphens: auto" in css and "prefers-color-scheme: dark" in css and "@media print" in css
    assert "@font-face" not in css and "@import" not in css and "url(" not in css
