"""The search index per year (the default) against one index: the reader gets the same search.

The golden content and two undated pieces are built twice, with SEARCH_SHARDS (one Pagefind
index per year and one for the undated, listed in pagefind/shards.json) and without it (one
index), and searched in Chromium on both: results, their order, counts, filters and "load more"
must agree, and "newest first" is in date order across the years with the undated pieces last.
"""

from __future__ import annotations

import gzip
import json
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import cbor2
import pytest
from playwright.sync_api import Browser, Page, expect

from opeds.search.pagefind import (
    SearchIndexError,
    canonical_files,
    index_site,
    index_word,
    run_pagefind,
)
from tests.golden_site import CONTENT, SITEURL
from tests.support import ROOT, linked_staging, serve

PREFIX = "/meinung"
RESULTS = "#suche-treffer > li"
UNDATED = {
    "zeitkapsel": "Die Zeitkapsel im Keller",
    "ohne-jahr": "Die Rede ohne Jahr",
}


def _undated(slug: str, title: str, number: int) -> str:
    return (
        f"---\ntitle: {title}\ndate_precision: unknown\ncategory: Meinung\nlang: de\n"
        f"slug: {slug}\nsource_id: 00000000000000f{number}\n"
        f"source_file: 09{number}_00000000000000f{number}.txt\n---\n"
        f"Die Redaktion fand das Blatt ohne Datum, die Zeitkapsel lag im Keller. "
        f"Wer die Rede hielt, ist nicht überliefert; die Kompromisse darin sind es.\n"
    )


def build(www: Path, kind: str, content: Path, cache: Path, **overrides: object) -> None:
    """Build ``content`` with the real settings and the search index into www/KIND/meinung."""
    from opeds.build.run import build_site

    output = www / kind / PREFIX.strip("/")
    settings = {"SITEURL": f"/{kind}{PREFIX}", "FEED_DOMAIN": SITEURL}
    build_site(ROOT / "pelicanconf.py", content, output, cache=cache, **settings, **overrides)
    page = (output / "suche" / "index.html").read_text(encoding="utf-8")
    # /suche-2/ shows two results at a time, so "load more" crosses the shards.
    (output / "suche-2").mkdir()
    (output / "suche-2" / "index.html").write_text(
        page.replace('data-page-size="20"', 'data-page-size="2"'), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Serve the sharded build at /shards/meinung/ and the single index at /single/meinung/."""
    base = tmp_path_factory.mktemp("shards")
    content = base / "content"
    shutil.copytree(CONTENT, content)
    for number, (slug, title) in enumerate(UNDATED.items(), start=1):
        folder = content / "ohne-datum"
        folder.mkdir(exist_ok=True)
        (folder / f"{slug}.md").write_text(_undated(slug, title, number), encoding="utf-8")
    www = base / "www"
    build(www, "shards", content, base / "cache-shards")
    build(www, "single", content, base / "cache-single", SEARCH_SHARDS=False)
    with serve(www) as url:
        yield url, www


def open_search(browser: Browser, url: str) -> Page:
    """Open ``url``, wait for the search and its counts, and fail on any script error."""
    page = browser.new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector("html[data-search=ready]")
    if "?" in url:
        settled(page)
    assert errors == []
    return page


def settled(page: Page) -> None:
    """Wait until the search the last action started has shown its results and counts."""
    expect(page.locator("#suche-treffer")).to_have_attribute("aria-busy", "false")


def shown(page: Page) -> dict[str, object]:
    """What the reader sees: result links (below PREFIX), metas, status, and filter options."""
    links = page.locator(f"{RESULTS} h2 a").evaluate_all(
        "links => links.map((a) => new URL(a.href).pathname)"
    )
    return {
        "links": [link.split(PREFIX, 1)[1] for link in links],
        "metas": page.locator(f"{RESULTS} .meta").all_inner_texts(),
        "excerpts": page.locator(f"{RESULTS} .excerpt").all_inner_texts(),
        "status": page.locator("#suche-status").inner_text(),
        "more": page.locator("#suche-mehr").is_visible(),
        "options": {
            name: page.locator(f"select[name={name}] option").all_inner_texts()
            for name in ("jahr", "rubrik", "autor")
        },
    }


def both(browser: Browser, sites: tuple[str, Path], query: str) -> tuple[dict, dict]:
    """What the reader sees for ``query`` on the sharded site and on the single index."""
    url = sites[0]
    seen = []
    for kind in ("shards", "single"):
        page = open_search(browser, f"{url}/{kind}{PREFIX}/suche/?{query}")
        seen.append(shown(page))
        page.context.close()
    return seen[0], seen[1]


def test_the_default_build_lists_a_shard_per_year_and_the_undated_last(
    sites: tuple[str, Path],
) -> None:
    shards, single = sites[1] / "shards" / "meinung", sites[1] / "single" / "meinung"
    listing = json.loads((shards / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert [(s["year"], s["path"]) for s in listing["shards"]] == [
        ("2022", "pagefind/2022/"),
        ("2021", "pagefind/2021/"),
        ("2020", "pagefind/2020/"),
        (None, "pagefind/ohne-datum/"),
    ]
    assert all((shards / s["path"] / "pagefind.js").is_file() for s in listing["shards"])
    assert not (shards / "pagefind" / "pagefind.js").exists()
    # The words index: one page per shard, filtered by its name.
    assert listing["words"] == "pagefind/words/"
    assert len(list((shards / "pagefind" / "words" / "fragment").iterdir())) == 4
    page = (shards / "suche" / "index.html").read_text(encoding="utf-8")
    assert 'data-shards="pagefind/shards.json"' in page
    # SEARCH_SHARDS = False: one index, and the page asks for that one.
    assert (single / "pagefind" / "pagefind.js").is_file()
    assert not (single / "pagefind" / "shards.json").exists()
    assert 'data-indexes="pagefind/"' in (single / "suche" / "index.html").read_text("utf-8")


# "Inflation" is in no piece of 2021, whose shard alone would match "in" of a kicker there
# (Pagefind's fallback to the longest word that begins the query word); the words index
# keeps that shard out, as one index would. A quoted phrase is matched exactly everywhere.
@pytest.mark.parametrize(
    "query",
    ["q=die", "q=Kompromiss", "q=Zeitkapsel", "q=Inflation+EZB", "q=Inflation", "q=EZB",
     "q=die&rubrik=Meinung", "q=die&jahr=2022", "q=%22die+Zeitkapsel%22",
     "q=die&jahr=2021&rubrik=Kommentar", "autor=Anna+Beispiel", "rubrik=Kommentar"],
)  # fmt: skip
def test_results_and_counts_equal_the_single_index(
    browser: Browser, sites: tuple[str, Path], query: str
) -> None:
    sharded, single = both(browser, sites, query)
    assert sharded["links"]  # each query finds something
    # The same pieces with the same excerpts, the same count and the same filter counts.
    for seen in (sharded, single):
        parts = (seen.pop("links"), seen.pop("metas"), seen.pop("excerpts"))
        seen["pieces"] = sorted(zip(*parts, strict=True))
    assert sharded == single


def test_relevance_merges_the_shards_by_score_as_pagefind_does(
    browser: Browser, sites: tuple[str, Path]
) -> None:
    page = open_search(browser, f"{sites[0]}/shards{PREFIX}/suche/?q=die")
    # Pagefind's own merge of the same shards (mergeIndex: all results sorted by score).
    merged = page.evaluate(
        """async (base) => {
        const listing = await (await fetch(base + "pagefind/shards.json")).json();
        const paths = listing.shards.map((shard) => base + shard.path);
        const pagefind = await import(paths[0] + "pagefind.js");
        await pagefind.options({ baseUrl: new URL(base).pathname });
        for (const path of paths.slice(1)) await pagefind.mergeIndex(path);
        const search = await pagefind.search("die");
        return Promise.all(search.results.map(async (r) => new URL((await r.data()).url,
          location.href).pathname)); }""",
        f"{sites[0]}/shards{PREFIX}/",
    )
    links = shown(page)["links"]
    assert len(links) == 7
    assert links == [link.split(PREFIX, 1)[1] for link in merged]
    page.context.close()


def test_newest_first_runs_across_the_years_with_the_undated_last(
    browser: Browser, sites: tuple[str, Path]
) -> None:
    page = open_search(browser, f"{sites[0]}/shards{PREFIX}/suche/?q=die&sort=neu")
    seen = shown(page)
    links = seen["links"]
    dated = [link for link in links if not link.startswith("/ohne-datum/")]
    undated = links[len(dated) :]
    assert sorted(undated) == sorted(f"/ohne-datum/{slug}/" for slug in UNDATED)
    years = [int(link.split("/")[1]) for link in dated]
    assert years == sorted(years, reverse=True) and len(set(years)) == 3
    # Within a year by date too: the page's <time datetime> of each dated result.
    dates = [
        (sites[1] / "shards" / "meinung" / link.strip("/") / "index.html")
        .read_text(encoding="utf-8")
        .split('<time datetime="', 1)[1][:10]
        for link in dated
    ]
    assert dates == sorted(dates, reverse=True)
    assert seen["status"] == f"{len(links)} Treffer"
    # The single index, asked the same, has the same dated pieces in the same order; Pagefind
    # leaves the pieces without a sort date out of a sorted search there.
    single = open_search(browser, f"{sites[0]}/single{PREFIX}/suche/?q=die&sort=neu")
    assert shown(single)["links"] == dated
    page.context.close()
    single.context.close()


def test_load_more_crosses_the_shards_in_both_orders(
    browser: Browser, sites: tuple[str, Path]
) -> None:
    for order in ("", "&sort=neu"):
        page = open_search(browser, f"{sites[0]}/shards{PREFIX}/suche-2/?q=die{order}")
        full = open_search(browser, f"{sites[0]}/shards{PREFIX}/suche/?q=die{order}")
        everything = shown(full)["links"]
        total = len(everything)
        assert total > 4
        more = page.get_by_role("button", name="Weitere")
        for count in range(2, total, 2):
            expect(page.locator(RESULTS)).to_have_count(count)
            expect(page.locator("#suche-status")).to_have_text(
                f"{total} Treffer, {count} von {total} angezeigt"
            )
            more.click()
        expect(page.locator(RESULTS)).to_have_count(total)
        expect(page.locator("#suche-status")).to_have_text(f"{total} Treffer")
        expect(more).to_be_hidden()
        assert shown(page)["links"] == everything
        page.context.close()
        full.context.close()


def test_filters_count_and_narrow_across_the_shards(
    browser: Browser, sites: tuple[str, Path]
) -> None:
    page = open_search(browser, f"{sites[0]}/shards{PREFIX}/suche/?q=die&sort=neu")
    year, section = page.get_by_label("Jahr"), page.get_by_label("Rubrik")
    # Two undated pieces in "Meinung": counted in the section, in no year.
    expect(year.locator("option")).to_have_text(["alle", "2022 (3)", "2021 (1)", "2020 (1)"])
    expect(section.locator("option")).to_have_text(["alle", "Kommentar (2)", "Meinung (5)"])
    section.select_option("Meinung")
    settled(page)
    links = shown(page)["links"]
    assert [link.startswith("/ohne-datum/") for link in links] == [False] * 3 + [True] * 2
    expect(year.locator("option")).to_have_text(["alle", "2022 (2)", "2020 (1)"])
    year.select_option("2020")
    settled(page)
    assert query_of(page) == {"q": "die", "rubrik": "Meinung", "jahr": "2020", "sort": "neu"}
    assert [link.split("/")[1] for link in shown(page)["links"]] == ["2020"]
    # The English piece of 2020, a "Kommentar", has no "die".
    expect(section.locator("option")).to_have_text(["alle", "Meinung (1)"])
    page.context.close()


def test_an_undated_piece_is_found_and_opens(browser: Browser, sites: tuple[str, Path]) -> None:
    page = open_search(browser, f"{sites[0]}/shards{PREFIX}/suche/?q=Zeitkapsel")
    seen = shown(page)
    assert sorted(seen["links"]) == sorted(f"/ohne-datum/{slug}/" for slug in UNDATED)
    assert seen["metas"] == ["Meinung"] * 2  # no date to show
    assert seen["status"] == "2 Treffer"
    page.locator(f"{RESULTS} h2 a").first.click()
    expect(page.locator("h1")).to_have_text(UNDATED[seen["links"][0].split("/")[2]])
    page.context.close()


def query_of(page: Page) -> dict[str, str]:
    """The page's URL query as a dict."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


def test_a_searchable_page_outside_the_shards_is_refused_by_name(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "2021").mkdir(parents=True)
    (site / "2021" / "a.html").write_text("<html><body data-pagefind-body>Wien</body></html>")
    (site / "extra" / "b").mkdir(parents=True)
    (site / "extra" / "b" / "index.html").write_text(
        "<html><body><main data-pagefind-body>Graz</main></body></html>"
    )
    with pytest.raises(SearchIndexError, match=r"outside .* extra/b/index\.html"):
        index_site(site, "de", tmp_path / "cache", shards=True)
    assert not (site / "pagefind").exists()
    # The same page in the undated folder is a shard of its own, listed last.
    shutil.move(site / "extra", site / "ohne-datum")
    index_site(site, "de", tmp_path / "cache", shards=True)
    listing = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert [s["path"] for s in listing["shards"]] == ["pagefind/2021/", "pagefind/ohne-datum/"]


def test_an_archive_with_nothing_searchable_answers_no_results(
    browser: Browser, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "pages", content / "pages")
    build(tmp_path / "www", "shards", content, tmp_path / "cache")
    site = tmp_path / "www" / "shards" / "meinung"
    listing = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert listing == {"version": 2, "shards": []}
    with serve(tmp_path / "www") as url:
        page = open_search(browser, f"{url}/shards{PREFIX}/suche/?q=Wien")
        expect(page.locator("#suche-status")).to_have_text(
            "Keine Treffer. Versuchen Sie ein anderes Wort oder das Archiv."
        )
        page.context.close()


def test_a_shard_is_indexed_again_only_when_what_pagefind_reads_changes() -> None:
    from opeds.search.pagefind import indexed_part

    page = next(p for p in (ROOT / "tests" / "golden" / "expected").rglob("index.html")
                if b'class="related"' in p.read_bytes()).read_text(encoding="utf-8")  # fmt: skip
    before = indexed_part(page.encode())
    assert before and b"data-pagefind-body" in before
    # The related pieces and the neighbours' links lie below the body: not read, not indexed.
    related = page.replace('<section class="related"', '<section class="related" id="x"', 1)
    assert indexed_part(related.encode()) == before
    # A word of the text, a filter value or the headline is read.
    body_start = page.index("data-pagefind-body")
    paragraph = page.index("<p>", body_start)
    changes = [page[:paragraph] + "<p>Neu " + page[paragraph + 3 :],
               page.replace('data-pagefind-filter="year:', 'data-pagefind-filter="year:1', 1),
               page.replace("<h1>", "<h1>Neu ", 1)]  # fmt: skip
    for changed in changes:
        assert changed != page
        assert indexed_part(changed.encode()) != before
    assert indexed_part(b"<html><body><p>Nichts zu suchen</p></body></html>") == b""


def test_a_page_is_read_again_only_when_its_file_changed(tmp_path: Path, monkeypatch) -> None:
    from opeds.common import stamps
    from opeds.common.stamps import FileFacts
    from opeds.search import pagefind

    monkeypatch.setattr(stamps, "RECENT_NS", -(10**18))  # a page written a moment ago counts
    page = tmp_path / "site" / "2024" / "a.html"
    page.parent.mkdir(parents=True)
    page.write_text("<main data-pagefind-body><h1>Eins</h1><p>Text</p></main>", "utf-8")
    read: list[bytes] = []
    real = pagefind.indexed_part
    monkeypatch.setattr(pagefind, "indexed_part", lambda data: read.append(data) or real(data))
    store = tmp_path / "parts.pickle"
    first = FileFacts(store)
    digest = pagefind.part_digest(page, first)
    first.save()
    assert len(read) == 1
    again = FileFacts(store)
    assert pagefind.part_digest(page, again) == digest and len(read) == 1  # by its stamp
    # A page written anew (another inode, as Pelican's writer gives it) is read again.
    page.unlink()
    page.write_text("<main data-pagefind-body><h1>Zwei</h1><p>Text</p></main>", "utf-8")
    assert pagefind.part_digest(page, again) != digest and len(read) == 2


def test_the_words_index_is_made_again_only_when_a_shards_words_change(tmp_path: Path) -> None:
    from opeds.search import pagefind

    site, cache = tmp_path / "site", tmp_path / "cache"

    def page(year: str, name: str, text: str, section: str) -> None:
        path = site / year / name / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<html lang="de"><body><main data-pagefind-body><h1>{name}</h1>'
                        f'<span data-pagefind-filter="rubrik:{section}"></span><p>{text}</p>'
                        "</main></body></html>", encoding="utf-8")  # fmt: skip

    def index() -> tuple[set[str], int]:
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        index_site(site, "de", cache, shards=True)
        words = cache / "pagefind-shards"
        names = {p.name for p in words.iterdir() if p.name.startswith("words-")}
        entry = site / "pagefind" / "words" / "pagefind-entry.json"
        return names, entry.stat().st_ino

    page("2023", "wien", "Der Gemeinderat tagt in Wien", "Kommentar")
    page("2024", "graz", "Die Murbrücke in Graz", "Kommentar")
    first, inode = index()
    # Another section: the 2024 shard is indexed again, its words stay: the same words index.
    page("2024", "graz", "Die Murbrücke in Graz", "Leitartikel")
    shards = {p.name for p in (cache / "pagefind-shards").iterdir() if p.is_dir()}
    again, inode_again = index()
    assert {p.name for p in (cache / "pagefind-shards").iterdir() if p.is_dir()} > shards
    assert again == first and inode_again == inode
    # A new word in 2024: a new words index that holds it.
    page("2024", "graz", "Die Murbrücke in Graz bei Hochwasser", "Leitartikel")
    third, inode_third = index()
    assert len(third - first) == 1 and inode_third != inode
    fragments = site / "pagefind" / "words" / "fragment"
    text = " ".join(pagefind.gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
                    for f in fragments.iterdir())  # fmt: skip
    assert "hochwasser" in text


def test_a_shards_words_read_only_the_pages_that_changed(tmp_path: Path, monkeypatch) -> None:
    from opeds.search import pagefind

    site, cache = tmp_path / "site", tmp_path / "cache"

    def page(name: str, text: str) -> None:
        path = site / "2024" / name / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<html lang="de"><body><main data-pagefind-body><h1>{name}</h1>'
                        f"<p>{text}</p></main></body></html>", encoding="utf-8")  # fmt: skip

    read: list[str] = []
    real = pagefind._fragment_words

    def counted(fragment: Path, *urls: dict[str, str]) -> str:
        read.append(fragment.name)
        return real(fragment, *urls)

    monkeypatch.setattr(pagefind, "_fragment_words", counted)

    def words() -> tuple[int, str]:
        """Index the site; return the pages read for its words, and its words worked out afresh."""
        read.clear()
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        index_site(site, "de", cache, shards=True)
        listing = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
        assert [shard["name"] for shard in listing["shards"]] == ["2024"]
        return len(read), pagefind.shard_words(site / "pagefind" / "2024")

    for number in range(4):
        page(f"seite{number}", f"Der Gemeinderat tagt zum {number + 1}. Mal (Wien)")
    pages_read, first = words()
    assert pages_read == 4 and "wien" in first.split()
    page("seite2", "Die Murbrücke in Graz, bei Hochwasser")
    pages_read, second = words()
    assert pages_read == 1  # the changed page; the others' words were kept
    kept = [f for f in (cache / "pagefind-shards").iterdir() if f.name.endswith(".words2")]
    newest = max(kept, key=lambda f: f.stat().st_mtime_ns)
    assert newest.read_text(encoding="utf-8") == second
    assert {"hochwasser", "graz", "wien"} <= set(second.split()) and "3." not in second.split()
    pages = json.loads(next((cache / "pagefind-shards").glob("pages-words-2024.*")).read_text())
    assert len(pages) == 4  # the words of this index's pages, and only those
    # And their URLs, by the same fragments: the kept ones with the kept words.
    urls = json.loads((cache / "pagefind-shards" / "pages-urls-2024.json").read_text())
    assert urls.keys() == pages.keys()
    assert sorted(urls.values()) == [f"/2024/seite{number}/" for number in range(4)]


# Words as op-eds write them, with the punctuation around them (and some that matters).
TOKENS = """(berlin), berlin berlin. „berlin“ "berlin" #berlin berlin* _berlin berlin's ärger!
    straße. -straße -- covid19, covid19 (70/66/69/66) eu-mitglied. e.v. z.b. 1968, 12,99 %
    [a] a\\ x÷ ja? ja! \u201aja\u2018 «ja» ja… ja—nein ja-nein ~ja~ {ja} <ja> @ja ja@ 🌦️ja ja🌦️"""


def _cbor(data: bytes, at: int = 0) -> tuple[object, int]:
    """Decode the CBOR value at ``at`` (the kinds a Pagefind index chunk holds); and its end."""
    kind, size = data[at] >> 5, data[at] & 31
    at += 1
    if size >= 24:
        width = 1 << (size - 24)
        size, at = int.from_bytes(data[at : at + width], "big"), at + width
    if kind == 0:
        return size, at
    if kind == 1:
        return -1 - size, at
    if kind == 3:
        return data[at : at + size].decode(), at + size
    if kind == 4:
        items = []
        for _ in range(size):
            item, at = _cbor(data, at)
            items.append(item)
        return items, at
    raise AssertionError(f"CBOR kind {kind} in a Pagefind index: not expected by this test")


def _indexed_words(folder: Path, words: list[str]) -> dict[str, int]:
    """Index one page of ``words``; return each index word with the positions it has."""
    html_words = " ".join(words).replace("&", "&amp;").replace("<", "&lt;")
    folder.mkdir()
    (folder / "index.html").write_text(
        f'<!DOCTYPE html><html lang="de"><body data-pagefind-body><p>{html_words}</p></body>'
        "</html>\n",
        encoding="utf-8",
    )
    run_pagefind(folder, "de")
    found: dict[str, int] = {}
    for chunk in (folder / "pagefind" / "index").iterdir():
        value, _ = _cbor(gzip.decompress(chunk.read_bytes()).removeprefix(b"pagefind_dcd"))
        for word, pages, *_ in value[0]:
            found[word] = sum(len(page[1]) for page in pages)
    return found


def test_a_word_without_the_punctuation_pagefind_ignores_gives_pagefind_the_same_words(
    tmp_path: Path,
) -> None:
    written = TOKENS.lower().split()
    kept = sorted({index_word(token) for token in written})
    assert len(kept) < len(set(written)) - 10  # many were the same word to Pagefind
    assert {"covid19,", "„berlin“", "#berlin", "berlin*", "_berlin", "e.v.", "x÷"} <= set(kept)
    as_written = _indexed_words(tmp_path / "written", sorted(set(written)))
    as_kept = _indexed_words(tmp_path / "kept", kept)
    assert "berlin" in as_kept and "covid" in as_kept  # a part Pagefind split off is there
    # The same index words; each at fewer places, which the words index does not use.
    assert as_kept.keys() == as_written.keys()


def _page(text: str, section: str) -> str:
    return (
        '<!DOCTYPE html><html lang="de"><body data-pagefind-body>'
        f'<span data-pagefind-filter="section">{section}</span><h1>{text}</h1><p>{text}</p>'
        "</body></html>\n"
    )


def _index_files(index: Path) -> dict[str, bytes]:
    return {
        f"pagefind/{path.relative_to(index).as_posix()}": path.read_bytes()
        for path in index.rglob("*")
        if path.is_file()
    }


def test_an_index_started_from_the_last_one_has_the_files_of_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name, text, section in [("a", "Wien und Graz", "Meinung"), ("b", "Linz an der Donau",
                                "Gastbeitrag"), ("c", "Salzburg im Regen", "Meinung")]:  # fmt: skip
        (site / f"{name}.html").write_text(_page(text, section), encoding="utf-8")
    run_pagefind(site, "de", subdir="last")
    last = site / "last"
    before = {path: path.read_bytes() for path in last.rglob("*") if path.is_file()}
    # One page edited, one removed, one new, a section gone: some files stay, some go.
    (site / "b.html").write_text(_page("Linz an der Traun", "Meinung"), encoding="utf-8")
    (site / "a.html").unlink()
    (site / "d.html").write_text(_page("Innsbruck im Schnee", "Meinung"), encoding="utf-8")
    run_pagefind(site, "de", subdir="warm", previous=last)
    run_pagefind(site, "de", subdir="fresh")
    warm, fresh = _index_files(site / "warm"), _index_files(site / "fresh")
    assert canonical_files(warm) == canonical_files(fresh)
    # Pagefind took the unchanged pages' fragments as they were, and wrote none through them.
    lasts = {p.stat().st_ino for p in (last / "fragment").iterdir()}
    assert {p.stat().st_ino for p in (site / "warm" / "fragment").iterdir()} & lasts
    assert {path: path.read_bytes() for path in before} == before

    # An index this code cannot read (a Pagefind of another format) is made again without
    # the last one's files.
    def unreadable(data: bytes) -> object:
        raise cbor2.CBORDecodeError("not this format")

    monkeypatch.setattr(cbor2, "loads", unreadable)
    shutil.rmtree(site / "warm")
    run_pagefind(site, "de", subdir="warm", previous=last)
    again = _index_files(site / "warm")
    assert canonical_files(again) == canonical_files(fresh)
    assert not {p.stat().st_ino for p in (site / "warm" / "fragment").iterdir()} & lasts


def _article(site: Path, year: str, name: str, text: str) -> None:
    path = site / year / name / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<html lang="de"><body><main data-pagefind-body><h1>{name}</h1><p>{text}</p>'
                    "</main></body></html>", encoding="utf-8")  # fmt: skip


def test_an_edit_makes_its_words_index_beside_its_shards_run_and_gets_a_fresh_ones_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words index an edited shard will give is made while that shard is indexed again.

    Each build indexes a staging folder that becomes the live output; the build after an edit
    finds the words index it needs already made (from the live pages and the edited one run
    through Pagefind alone), and it has the files of one made from scratch. Where the guess is
    wrong, the build makes its own.
    """
    from opeds.search import pagefind

    live, cache = tmp_path / "output", tmp_path / "cache"
    made: list[tuple[str, bool]] = []  # (by whom, made there) for each words index asked for
    real_index, real_foresee = pagefind._words_index, pagefind.foresee_words
    ahead = threading.local()

    def words_index(store: Path, texts: dict[str, str], language: str, previous: object) -> Path:
        key_dirs = {p.name for p in store.iterdir()}
        found = real_index(store, texts, language, previous)
        made.append((getattr(ahead, "by", "build"), found.name not in key_dirs))
        return found

    def foresee(*args: object) -> None:
        ahead.by = "ahead"
        try:
            real_foresee(*args)
        finally:
            ahead.by = "build"

    monkeypatch.setattr(pagefind, "_words_index", words_index)
    monkeypatch.setattr(pagefind, "foresee_words", foresee)
    run_alone: list[Path] = []  # the folders whose pages the guess ran through Pagefind alone
    real_alone = pagefind._fragments_words

    def alone(store: Path, pages: list[str], top: Path, *rest: object) -> dict[str, str]:
        run_alone.append(top)
        return real_alone(store, pages, top, *rest)

    monkeypatch.setattr(pagefind, "_fragments_words", alone)

    def build(staging: Path, changed: set[str]) -> None:
        index_site(staging, "de", cache, shards=True, previous=live / "pagefind",
                   changed=frozenset(changed))  # fmt: skip
        shutil.rmtree(live, ignore_errors=True)
        staging.rename(live)

    def year_page(site: Path, year: str, count: int) -> None:
        """The year's list page: no body element, so nothing of it is indexed."""
        path = site / year / "index.html"
        path.unlink(missing_ok=True)  # rendered again in each build: a file of its own
        path.write_text(f'<html lang="de"><body><h1>{year}</h1><p>{count} Texte</p></body>'
                        "</html>", encoding="utf-8")  # fmt: skip

    first = tmp_path / "first"
    _article(first, "2023", "wien", "Der Gemeinderat tagt in Wien")
    _article(first, "2024", "graz", "Die Murbrücke in Graz")
    _article(first, "2024", "linz", "Linz an der Donau")
    year_page(first, "2024", 2)
    build(first, set())
    for number, text in enumerate(["Die Murbrücke in Graz bei Hochwasser",
                                   "Die Murbrücke in Graz bei Hochwasser und Sturm"]):  # fmt: skip
        made.clear()
        run_alone.clear()
        staging = tmp_path / f"edit{number}"
        linked_staging(live, staging)
        (staging / "2024" / "graz" / "index.html").unlink()  # rendered again: a file of its own
        _article(staging, "2024", "graz", text)
        year_page(staging, "2024", 2 + number)
        build(staging, {"2024"})
        # Made ahead; the build found it made.
        assert made == [("ahead", True), ("build", False)], made
        # Only the edited page ran through Pagefind alone: the live one's fragment was known
        # by its URL from the last index of its shard.
        assert run_alone == [staging], run_alone
        fresh = tmp_path / f"fresh{number}"
        shutil.copytree(live, fresh, ignore=shutil.ignore_patterns("pagefind"))
        index_site(fresh, "de", tmp_path / f"fresh-cache{number}", shards=True)
        assert canonical_files(_index_files(live / "pagefind" / "words")) == canonical_files(
            _index_files(fresh / "pagefind" / "words")
        )
    # A wrong guess (its record of the other shards' words changed behind its back): the build
    # makes the words index itself, from the shards as they are.
    made.clear()
    record = next((cache / "pagefind-shards").glob("last-shards-*.json"))
    record.write_text(json.dumps({"2024": json.loads(record.read_text())["2024"]}))
    staging = tmp_path / "edit-wrong"
    linked_staging(live, staging)
    (staging / "2024" / "linz" / "index.html").unlink()
    _article(staging, "2024", "linz", "Linz an der Donau im Nebel")
    build(staging, {"2024"})
    assert made[-1] == ("build", True), made  # not found made: made by the build
    fragments = live / "pagefind" / "words" / "fragment"
    text = " ".join(gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
                    for f in fragments.iterdir())  # fmt: skip
    assert "nebel" in text and "wien" in text
