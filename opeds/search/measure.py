"""Measure search and related op-eds at archive scale: a benchmark to run by hand, not a test.

``python -m opeds.search.measure --articles 10000 --work DIR`` builds that many synthetic op-eds
(the scale corpus, replicated) with the search index, then reports the cost of the related
op-eds (cold, and after one edit with the stem cache warm) and, in Debian's Chromium on a
loopback server, the time from submitting a search to the first results and the bytes fetched.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import time
from pathlib import Path

from opeds import PROJECT

QUERIES = ["Flüchtlinge", "Regierung", "Wien", "Klimaschutz", "Griechenland Schulden"]


def build(count: int, work: Path) -> Path:
    """Import ``count`` replicated corpus articles and build them with the search index."""
    from opeds.bench import replicate_sources, unpack_corpus
    from opeds.build.run import build_site
    from opeds.importer.files import ingest

    output = work / "output"
    if any((output / "pagefind" / name).is_file() for name in ("pagefind.js", "shards.json")):
        return output
    sources = work / "sources"
    if not sources.is_dir():
        replicate_sources(unpack_corpus(work / "corpus"), sources, count)
    ingest(sources, work / "content")
    start = time.perf_counter()
    build_site(PROJECT / "pelicanconf.py", work / "content", output, cache=work / "cache")
    print(f"build with index: {time.perf_counter() - start:.1f} s")
    return output


def measure_related(content: Path) -> dict[str, float]:
    """Time the related op-eds over every article of ``content``: cold, then one edit warm."""
    from opeds.common.frontmatter import parse_front_matter
    from opeds.site import related

    texts = []
    for path in sorted(content.rglob("*.md")):
        if "pages" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        meta, body = parse_front_matter(text), text.split("\n---\n", 1)[-1]
        texts.append((f"{meta.get('kicker', '')} {meta.get('title', '')}", body))
    figures: dict[str, float] = {"articles": len(texts)}
    cache_file = content.parent / "measure-related.json"
    shutil.rmtree(cache_file.with_name(cache_file.name + ".d"), ignore_errors=True)
    for label, edited in (("cold", False), ("one edit, warm cache", True)):
        if edited:
            title, body = texts[len(texts) // 2]
            texts[len(texts) // 2] = (title, body + " Nachtrag der Redaktion.")
        start = time.perf_counter()
        cache = related.TermCache(cache_file)
        loaded = time.perf_counter()
        documents = [cache.terms(title, body) for title, body in texts]
        counted = time.perf_counter()
        vectors = related.signatures(documents)
        weighed = time.perf_counter()
        related.nearest(vectors)
        found = time.perf_counter()
        cache.save()
        saved = time.perf_counter()
        figures[f"{label}: load stem cache s"] = loaded - start
        figures[f"{label}: count stems s"] = counted - loaded
        figures[f"{label}: tf-idf signatures s"] = weighed - counted
        figures[f"{label}: nearest s"] = found - weighed
        figures[f"{label}: save stem cache s"] = saved - found
        figures[f"{label}: total s"] = saved - start
    figures["stem cache MB"] = cache_file.stat().st_size / 1e6
    return figures


def _count(fetched: list[tuple[str, int]], request) -> None:
    fetched.append((request.url, request.sizes()["responseBodySize"]))


SUBMIT = """async ([query, sort]) => {
  performance.clearMeasures(); performance.clearMarks();
  const form = document.querySelector("form.search-page");
  form.q.value = query;
  form.sort.value = sort;
  const before = performance.now();
  form.requestSubmit();
  const list = document.getElementById("suche-treffer");
  while (!performance.getEntriesByName("suche-results").length) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const all = performance.now() - before;
  while (list.getAttribute("aria-busy") !== "false") {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const counted = performance.now() - before;
  const mark = (name) => performance.getEntriesByName(name).at(-1).startTime - before;
  return {"first results ms": mark("suche-first"), "Pagefind search ms": mark("suche-found"),
          "all 20 ms": all, "with counts ms": counted, shown: list.children.length,
          status: document.getElementById("suche-status").textContent};
}"""


def measure_browser(output: Path) -> list[dict]:
    """Submit each query on a fresh search page, at once, typed and newest first; time it."""
    from playwright.sync_api import sync_playwright

    from opeds.common.browser import launch_chromium, served

    rows = []
    with served(output) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        runs = [(typed, sort, query) for typed, sort in ((False, ""), (True, ""), (False, "neu"))
                for query in QUERIES]  # fmt: skip
        for typed, sort, query in runs:
            context = browser.new_context()
            fetched: list[tuple[str, int]] = []
            # Context-wide, so requests from Pagefind's worker count too.
            context.on("requestfinished", functools.partial(_count, fetched))
            page = context.new_page()
            page.goto(base + "suche/")
            page.wait_for_selector("html[data-search=ready]")
            page.wait_for_timeout(500)  # let late index requests finish before counting
            loaded = sum(size for _, size in fetched)
            before = len(fetched)
            if typed:  # as a reader does: type, pause, press Enter (Pagefind preloads meanwhile)
                page.locator("#suche-q").press_sequentially(query, delay=80)
                page.wait_for_timeout(300)
            row = page.evaluate(SUBMIT, [query, sort])
            page.wait_for_timeout(500)
            query_files = fetched[before:]
            rows.append({"query": query, "typed": typed, "sort": sort or "relevance", **row,
                         "index loaded bytes": loaded,
                         "query bytes": sum(size for _, size in query_files),
                         "query files": len(query_files)})  # fmt: skip
            context.close()
        browser.close()
    return rows


def main() -> None:
    """Build, measure and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--part", choices=["all", "build", "related", "browser"], default="all")
    args = parser.parse_args()
    output = build(args.articles, args.work)
    report: dict[str, object] = {}
    if args.part in ("all", "related"):
        report["related"] = measure_related(args.work / "content")
    if args.part in ("all", "browser"):
        report["search"] = measure_browser(output)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
