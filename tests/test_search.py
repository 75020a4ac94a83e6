"""Search in a real browser: German stemming, filters, and a site served under a sub-path."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.golden_site import build_golden
from tests.support import serve

PREFIX = "/meinung"
GLASGOW = f"{PREFIX}/2021/11/klimakonferenz-in-glasgow-ein-gipfel-der-kompromisse/"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the golden content with its search index, below a sub-path, and serve it."""
    base = tmp_path_factory.mktemp("search")
    output = base / "www" / PREFIX.strip("/")
    assert build_golden(output, base / "cache", search_index=True, SITEURL=PREFIX) == []
    with serve(base / "www") as url:
        yield url


def test_index_is_built_with_the_site(site_url: str) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{site_url}{PREFIX}/pagefind/pagefind.js") as response:
        assert response.status == 200


def test_an_inflected_word_finds_the_article_from_the_header_form(
    browser: Browser, site_url: str
) -> None:
    page = browser.new_page()
    page.goto(f"{site_url}{PREFIX}/")
    page.get_by_label("Im Archiv suchen").fill("Kompromiss")  # the text says "Kompromisse"
    page.get_by_role("button", name="Suchen").click()
    expect(page).to_have_url(f"{site_url}{PREFIX}/suche/?q=Kompromiss")
    results = page.locator("#suche-treffer > li")
    expect(results).to_have_count(1)
    expect(results.locator(".kicker")).to_have_text("Klimakonferenz in Glasgow")
    expect(results.locator(".meta")).to_have_text("7. November 2021")
    expect(page.locator("#suche-status")).to_have_text("1 Treffer")
    results.get_by_role("link").click()
    expect(page).to_have_url(f"{site_url}{GLASGOW}")
    expect(page.locator("h1")).to_have_text("Ein Gipfel der Kompromisse")
    page.close()


def test_year_filter_narrows_and_results_come_newest_first(browser: Browser, site_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{site_url}{PREFIX}/suche/?q=die")
    titles = page.locator("#suche-treffer > li h2")
    expect(titles.first).to_be_visible()
    dates = page.locator("#suche-treffer > li .meta").all_text_contents()
    years = [int(d.split()[-1]) for d in dates]
    assert len(years) >= 2 and years == sorted(years, reverse=True)
    options = page.locator("#suche-jahr option").all_text_contents()
    assert options[0] == "alle" and any(o.startswith("2022 (") for o in options)
    page.goto(f"{site_url}{PREFIX}/suche/?q=die&jahr=2020")
    expect(titles.first).to_be_visible()
    dates = page.locator("#suche-treffer > li .meta").all_text_contents()
    assert dates and all(d.endswith("2020") for d in dates)
    expect(page.locator("#suche-jahr")).to_have_value("2020")
    page.close()


def test_without_javascript_the_search_page_points_to_the_archive(
    browser: Browser, site_url: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}{PREFIX}/suche/")
    link = page.locator("main").get_by_role("link", name="Archiv", exact=True)
    expect(link).to_have_attribute("href", f"{PREFIX}/archiv/")
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
