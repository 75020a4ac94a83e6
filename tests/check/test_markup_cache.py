"""The markup check keeps each page's errors by its bytes and the checker's version."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from opeds.check import markup

ARTICLE = "2022/01/gewalt-in-almaty-kasachstan-muss-den-westen-aufruetteln/index.html"


def _break(site: Path, page: str) -> None:
    path = site / page
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('<main id="inhalt">', '<main id="inhalt"><p><div>x</p>', 1))


def test_only_changed_pages_go_to_the_checker(
    seed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copytree(seed_site, site)
    cache = tmp_path / "check-markup.json"
    _break(site, "archiv/index.html")
    first = markup.check(site, cache)
    assert {f.page for f in first} == {"archiv/index.html"}
    assert all(f.message.startswith("line ") for f in first)

    # A finding planted in the cache for the unchanged article shows it was not checked again.
    data = json.loads(cache.read_text(encoding="utf-8"))
    digest = hashlib.sha256((site / ARTICLE).read_bytes()).hexdigest()
    data["pages"][digest] = [[1, "planted"]]
    cache.write_text(json.dumps(data), encoding="utf-8")
    _break(site, "index.html")  # changed bytes: checked again
    second = markup.check(site, cache)
    assert {f.page for f in second} == {"archiv/index.html", "index.html", ARTICLE}
    assert [f.message for f in second if f.page == ARTICLE] == ["line 1: planted"]
    # The cache holds the pages of this site only: index.html's old bytes are gone from it.
    kept = json.loads(cache.read_text(encoding="utf-8"))["pages"]
    now = {hashlib.sha256(p.read_bytes()).hexdigest() for p in site.rglob("*.html")}
    assert set(kept) == now

    # Another checker version forgets every kept finding.
    monkeypatch.setattr(markup, "checker_version", lambda: "another-version")
    third = markup.check(site, cache)
    assert {f.page for f in third} == {"archiv/index.html", "index.html"}


def test_runs_share_the_pages_out_by_the_length_of_their_paths() -> None:
    files = [Path("/s") / ("x" * n) for n in (10, 20, 5, 300, 1, 1)]
    chunks = markup._chunks(files, limit=40)
    assert [p for chunk in chunks for p in chunk] == files  # every page once, in order
    sizes = [sum(len(str(p)) + 1 for p in chunk) for chunk in chunks]
    assert [len(chunk) for chunk in chunks] == [2, 1, 1, 2]  # the long path in a run alone
    assert all(size <= 40 for size, chunk in zip(sizes, chunks, strict=True) if len(chunk) > 1)


def test_errors_are_told_to_their_pages_over_several_runs(
    seed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copytree(seed_site, site)
    _break(site, "archiv/index.html")
    _break(site, ARTICLE)
    runs = []
    run = markup._run
    monkeypatch.setattr(markup, "_run", lambda java, files: runs.append(files) or run(java, files))
    monkeypatch.setattr(markup, "CHUNK_BYTES", 200)  # a page or two per run
    found = markup.check(site)
    assert len(runs) > 2
    assert {f.page for f in found} == {"archiv/index.html", ARTICLE}
