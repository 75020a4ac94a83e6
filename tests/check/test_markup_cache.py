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
