"""Search in a real browser: relevance and date order, load more, excerpts, filters in the URL,
the hostile title staying text, keyboard use, axe in light and dark, a site under a sub-path."""

from __future__ import annotations

import re
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from opeds.check.a11y import AXE
from tests.golden_site import build_golden
from tests.support import serve

PREFIX = "/meinung"
GLASGOW = f"{PREFIX}/2021/11/klimakonferenz-in-glasgow-ein-gipfel-der-kompromisse/"
HOSTILE = "<script>alert(1)</script> &\u00a0„x“"  # as typeset: no-break space, German quotes
RESULTS = "#suche-treffer > li"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the golden content with its search index below a sub-path and serve it.

    Beside /suche/ the fixture writes /suche-2/, the same page showing two results at a time,
    so "load more" has something to load among the six golden articles.
    """
    base = tmp_path_factory.mktemp("search")
    output = base / "www" / PREFIX.strip("/")
    assert build_golden(output, base / "cache", search_index=True, SITEURL=PREFIX) == []
    page = (output / "suche" / "index.html").read_text(encoding="utf-8")
    assert 'data-page-size="20"' in page
    (output / "suche-2").mkdir()
    (output / "suche-2" / "index.html").write_text(
        page.replace('data-page-size="20"', 'data-page-size="2"'), encoding="utf-8"
    )
    with serve(base / "www") as url:
        yield url


def open_search(browser: Browser, url: str, **context: object) -> Page:
    """Open ``url`` in a new page and wait until the script has loaded the index and searched."""
    page = browser.new_context(**context).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector("html[data-search=ready]")
    assert errors == []
    return page


def settled(page: Page) -> None:
    """Wait until the search the last action started has shown its results and counts."""
    expect(page.locator("#suche-treffer")).to_have_attribute("aria-busy", "false")


def query_of(page: Page) -> dict[str, str]:
    """The page's URL query as a dict."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


def result_dates(page: Page) -> list[str]:
    """The date of each shown result (the meta line is 'section · date')."""
    return [text.split(" · ")[-1] for text in page.locator(f"{RESULTS} .meta").all_inner_texts()]


def test_index_is_built_with_the_site_one_per_year(site_url: str) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{site_url}{PREFIX}/pagefind/shards.json") as response:
        listing = json.load(response)
    assert [shard["year"] for shard in listing["shards"]] == ["2022", "2021", "2020"]
    for shard in listing["shards"]:
        with urllib.request.urlopen(f"{site_url}{PREFIX}/{shard['path']}pagefind.js") as response:
            assert response.status == 200


def test_an_inflected_word_finds_the_article_from_the_header_form(
    browser: Browser, site_url: str
) -> None:
    page = browser.new_page()
    page.goto(f"{site_url}{PREFIX}/")
    page.get_by_label("Im Archiv suchen").fill("Kompromiss")  # the text says "Kompromisse"
    page.get_by_role("button", name="Suchen").click()
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche/?q=Kompromiss")
    results = page.locator(RESULTS)
    expect(results).to_have_count(1)
    expect(results.locator(".kicker")).to_have_text("Klimakonferenz in Glasgow")
    expect(results.locator(".meta")).to_have_text("Kommentar · 7. November 2021")
    expect(page.locator("#suche-status")).to_have_text("1 Treffer")
    # The excerpt marks the matched word, and only that is markup.
    # (Pagefind ends the headline with a full stop and marks the word with it.)
    expect(results.locator(".excerpt mark")).to_have_text([re.compile(r"^Kompromisse\.?$")])
    results.get_by_role("link").click()
    expect(page).to_have_url(f"{site_url}{GLASGOW}")
    expect(page.locator("h1")).to_have_text("Ein Gipfel der Kompromisse")
    page.close()


def test_best_matches_come_first_and_newest_first_is_a_choice_the_url_keeps(
    browser: Browser, site_url: str
) -> None:
    page = open_search(browser, f"{site_url}{PREFIX}/suche/?q=die")
    expect(page.locator(RESULTS)).to_have_count(5)
    expect(page.get_by_role("radio", name="Relevanz")).to_be_checked()
    shown = page.locator(f"{RESULTS} h2 a").evaluate_all("links => links.map((a) => a.href)")
    # Pagefind's own ranking over the year shards, asked directly: the page shows it unchanged.
    ranked = page.evaluate(
        """async (base) => { const pagefind = await import(base + "pagefind/2022/pagefind.js");
        await pagefind.options({ baseUrl: new URL(base).pathname });
        for (const year of ["2021", "2020"]) await pagefind.mergeIndex(`${base}pagefind/${year}/`);
        const search = await pagefind.search("die");
        return Promise.all(search.results.map(async (r) => new URL((await r.data()).url,
          location.href).href)); }""",
        f"{site_url}{PREFIX}/",
    )
    assert shown == ranked
    relevance_dates = result_dates(page)
    page.get_by_role("radio", name="Neueste zuerst").check()
    settled(page)
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche/?q=die&sort=neu")
    expect(page.locator(RESULTS)).to_have_count(5)
    newest_dates = result_dates(page)
    years = [int(date.split()[-1]) for date in newest_dates]
    assert years == sorted(years, reverse=True)
    assert newest_dates[0] == "14. März 2022"
    assert relevance_dates != newest_dates  # the two orders really differ for this query
    page.close()
    # The URL alone brings the choice back.
    page = open_search(browser, f"{site_url}{PREFIX}/suche/?q=die&sort=neu")
    expect(page.get_by_role("radio", name="Neueste zuerst")).to_be_checked()
    assert result_dates(page) == newest_dates
    page.close()


def test_load_more_reaches_every_result_with_the_count(browser: Browser, site_url: str) -> None:
    page = open_search(browser, f"{site_url}{PREFIX}/suche-2/?q=die")
    status, more = page.locator("#suche-status"), page.get_by_role("button", name="Weitere")
    expect(page.locator(RESULTS)).to_have_count(2)
    expect(status).to_have_text("5 Treffer, 2 von 5 angezeigt")
    more.click()
    expect(page.locator(RESULTS)).to_have_count(4)
    expect(status).to_have_text("5 Treffer, 4 von 5 angezeigt")
    more.click()
    expect(page.locator(RESULTS)).to_have_count(5)
    expect(status).to_have_text("5 Treffer")
    expect(more).to_be_hidden()
    titles = page.locator(f"{RESULTS} h2").all_inner_texts()
    assert len(set(titles)) == 5
    page.close()


def test_each_filter_and_their_combination_are_kept_in_the_url_with_counts(
    browser: Browser, site_url: str
) -> None:
    page = open_search(browser, f"{site_url}{PREFIX}/suche/?q=die")
    year, section = page.get_by_label("Jahr"), page.get_by_label("Rubrik")
    author = page.get_by_label("Autorin, Autor")
    expect(year.locator("option")).to_have_text(["alle", "2022 (3)", "2021 (1)", "2020 (1)"])
    expect(section.locator("option")).to_have_text(["alle", "Kommentar (2)", "Meinung (3)"])
    year.select_option("2022")
    settled(page)
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche/?q=die&jahr=2022")
    expect(page.locator(RESULTS)).to_have_count(3)
    assert all(date.endswith("2022") for date in result_dates(page))
    # The chosen year still counts the other years, so a reader sees where else to look.
    expect(year.locator("option")).to_have_text(["alle", "2022 (3)", "2021 (1)", "2020 (1)"])
    expect(section.locator("option")).to_have_text(["alle", "Kommentar (1)", "Meinung (2)"])
    section.select_option("Meinung")
    settled(page)
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche/?q=die&jahr=2022&rubrik=Meinung")
    expect(page.locator(RESULTS)).to_have_count(2)
    metas = page.locator(f"{RESULTS} .meta").all_inner_texts()
    assert metas == ["Meinung · Januar 2022"] * 2
    page.close()
    # Authors: the golden content has two, each with one article.
    page = open_search(browser, f"{site_url}{PREFIX}/suche/?autor=Anna+Beispiel")
    author = page.get_by_label("Autorin, Autor")
    expect(author).to_have_value("Anna Beispiel")
    expect(author.locator("option")).to_have_text(
        [
            "alle",
            "Anna Beispiel (1)",
            "Bernd Muster (1)",
        ]
    )
    expect(page.locator(f"{RESULTS} h2")).to_have_text(["Ein Gipfel der Kompromisse"])
    author.select_option("Bernd Muster")
    settled(page)
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche/?autor=Bernd+Muster")
    expect(page.locator(f"{RESULTS} h2")).to_have_text(["Ein Jahr, das alles verändert"])
    page.close()
    # All of it from the URL alone, as a bookmark or a shared link brings it.
    url = f"{site_url}{PREFIX}/suche/?q=die&jahr=2022&rubrik=Meinung&sort=neu"
    page = open_search(browser, url)
    expect(page.get_by_label("Jahr")).to_have_value("2022")
    expect(page.get_by_label("Rubrik")).to_have_value("Meinung")
    expect(page.locator(RESULTS)).to_have_count(2)
    assert query_of(page) == {"q": "die", "jahr": "2022", "rubrik": "Meinung", "sort": "neu"}
    page.close()


def test_a_hostile_title_in_a_result_stays_text(browser: Browser, site_url: str) -> None:
    page = open_search(browser, f"{site_url}{PREFIX}/suche/?q=fett")
    result = page.locator(RESULTS)
    expect(result).to_have_count(1)
    expect(result.locator("h2 a")).to_have_text(HOSTILE)
    expect(result.locator(".excerpt mark")).to_have_text(["<b>fett</b>"])
    assert "alert(2)" in result.locator(".excerpt").inner_text()
    tags = result.evaluate("li => [...li.querySelectorAll('*')].map((e) => e.localName)")
    assert set(tags) <= {"p", "h2", "a", "mark"}, tags
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # search.js alone
    page.close()


def test_the_page_header_is_not_indexed_text(browser: Browser, site_url: str) -> None:
    page = open_search(browser, f"{site_url}{PREFIX}/suche/?q=Kompromiss")
    content = page.evaluate(
        """async (base) => { const pagefind = await import(base + "pagefind/2021/pagefind.js");
        const search = await pagefind.search("Kompromiss");
        return (await search.results[0].data()).content; }""",
        f"{site_url}{PREFIX}/",
    )
    assert content.startswith("Ein Gipfel der Kompromisse. Die Klimakonferenz endet")
    for header_text in ("Klimakonferenz in Glasgow", "Lesezeit", "Anna Beispiel", "November"):
        assert header_text not in content
    page.close()


def test_keyboard_alone_searches_sorts_filters_and_loads_more(
    browser: Browser, site_url: str
) -> None:
    page = open_search(browser, f"{site_url}{PREFIX}/suche-2/")

    def tab_to(selector: str) -> None:
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#suche-q")
    page.keyboard.type("die")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche-2/?q=die")
    settled(page)
    expect(page.locator(RESULTS)).to_have_count(2)
    tab_to("input[name=sort]:checked")
    page.keyboard.press("ArrowDown")  # radios: the arrow picks the next choice
    settled(page)
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche-2/?q=die&sort=neu")
    tab_to("#suche-jahr")
    page.keyboard.press("ArrowDown")  # a closed select: the arrow picks the next value
    settled(page)
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche-2/?q=die&jahr=2022&sort=neu")
    expect(page.locator(RESULTS)).to_have_count(2)
    tab_to("#suche-mehr")
    page.keyboard.press("Enter")
    expect(page.locator(RESULTS)).to_have_count(3)
    # Focus moves to the first new result, so the reader goes on reading from there.
    focused = page.evaluate("document.activeElement.closest('li') === "
                            "document.querySelectorAll('#suche-treffer > li')[2]")  # fmt: skip
    assert focused
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_be_visible()
    assert "/2022/" in page.url and "/suche" not in page.url
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_search_page_with_results(
    browser: Browser, site_url: str, scheme: str
) -> None:
    page = open_search(browser, f"{site_url}{PREFIX}/suche-2/?q=die&jahr=2022", color_scheme=scheme)
    expect(page.locator(RESULTS)).to_have_count(2)
    expect(page.locator(".excerpt mark").first).to_be_visible()
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    assert result["violations"] == [], [v["id"] for v in result["violations"]]
    assert len(result["passes"]) > 10  # axe really looked at the page
    page.close()


def test_without_javascript_the_search_page_points_to_the_archive(
    browser: Browser, site_url: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}{PREFIX}/suche/")
    link = page.locator("main").get_by_role("link", name="Archiv", exact=True)
    expect(link).to_have_attribute("href", f"{PREFIX}/archiv/")
    # Controls that only the script can serve stay out of the way.
    expect(page.get_by_role("radio", name="Relevanz")).to_be_hidden()
    expect(page.get_by_label("Jahr")).to_be_hidden()
    context.close()


def test_index_is_reused_for_unchanged_pages_and_rebuilt_for_changed_ones(tmp_path: Path) -> None:
    from opeds.search.pagefind import index_site, pages_digest

    site, cache = tmp_path / "site", tmp_path / "cache"
    assert build_golden(site, cache, search_index=False) == []
    first = pages_digest(site, "de")
    index_site(site, "de", cache)
    assert (cache / "pagefind" / first / "pagefind.js").is_file()
    built = {p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*")
             if p.is_file()}  # fmt: skip
    shutil.rmtree(site / "pagefind")
    index_site(site, "de", cache)
    again = {p.relative_to(site): p.read_bytes() for p in (site / "pagefind").rglob("*")
             if p.is_file()}  # fmt: skip
    assert again == built
    shutil.rmtree(site / "pagefind")
    page = site / "ueber" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Archiv", "Arkiv"), "utf-8")
    index_site(site, "de", cache)
    assert sorted(p.name for p in (cache / "pagefind").iterdir()) == sorted(
        [first, pages_digest(site, "de")]
    )
