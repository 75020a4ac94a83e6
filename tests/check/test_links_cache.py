"""The link check parses only changed pages, yet judges every link against today's files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opeds.check import links

ARTICLE = "2022/01/gewalt-in-almaty-kasachstan-muss-den-westen-aufruetteln/index.html"


def test_unchanged_pages_are_not_parsed_again_but_their_links_are_judged_afresh(
    seed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copytree(seed_site, site)
    cache = tmp_path / "check-links.json"
    assert links.check(site, cache=cache) == []
    assert links.check(site) == []  # the same answer without a cache

    parsed: list[str] = []
    original = links.parse_page
    monkeypatch.setattr(links, "parse_page", lambda text: parsed.append(text) or original(text))
    # One page gains a broken link and a missing anchor; the article every list links to goes.
    home = site / "index.html"
    text = home.read_text(encoding="utf-8")
    extra = '<a href="/2022/01/fehlt/">x</a><a href="/archiv/#nirgends">y</a>'
    home.write_text(text.replace('<main id="inhalt">', f'<main id="inhalt">{extra}', 1))
    gone = "/" + ARTICLE.removesuffix("index.html")
    pages = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}
    linking = {name for name, data in pages.items() if f'href="{gone}"'.encode() in data}
    linking -= {"index.html", ARTICLE}
    assert linking, "the seed site links the article from its lists"
    (site / ARTICLE).unlink()
    findings = links.check(site, cache=cache)
    assert len(parsed) == 1, "only the edited page is parsed again"
    messages = {(f.page, f.message) for f in findings}
    assert ("index.html", "broken link '/2022/01/fehlt/'") in messages
    assert ("index.html", "missing anchor #nirgends in '/archiv/#nirgends'") in messages
    # Pages whose bytes did not change still lose their link to the removed article.
    assert {f.page for f in findings if f.message == f"broken link {gone!r}"} >= linking
    assert sorted(links.check(site)) == sorted(findings)  # the cache changes nothing found


def test_a_change_to_the_link_checks_code_parses_every_page_again(
    seed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "check-links.json"
    assert links.check(seed_site, cache=cache) == []
    parsed: list[str] = []
    original = links.parse_page
    monkeypatch.setattr(links, "parse_page", lambda text: parsed.append(text) or original(text))
    assert links.check(seed_site, cache=cache) == [] and parsed == []
    # The version is this module's own code: another one finds nothing it can reuse.
    monkeypatch.setattr(links, "CACHE_VERSION", "the code after an edit")
    assert links.check(seed_site, cache=cache) == []
    assert len(parsed) == sum(1 for _ in seed_site.rglob("*.html"))


def test_page_digests_are_kept_by_stamp_and_a_rewritten_page_is_read_and_judged_again(
    seed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from opeds.check import page_digests
    from opeds.common import stamps

    monkeypatch.setattr(stamps, "RECENT_NS", -(10**18))  # a page written a moment ago counts
    site = tmp_path / "site"
    shutil.copytree(seed_site, site)
    store, cache = tmp_path / "check-pages.pickle", tmp_path / "check-links.json"
    first = page_digests(site, store)
    assert first == {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                     for p in site.rglob("*.html")}  # fmt: skip
    assert links.check(site, cache=cache, digests=first) == []
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    assert page_digests(site, store) == first and read == []  # by their stamps, none read
    # A page written anew (a new inode, as the build writes it) is read and parsed again.
    home = site / "index.html"
    text = home.read_text(encoding="utf-8")
    home.unlink()
    home.write_text(text.replace('<main id="inhalt">', '<main id="inhalt"><a href="/x/">x</a>', 1),
                    encoding="utf-8")  # fmt: skip
    second = page_digests(site, store)
    assert read == ["index.html"] and second["index.html"] != first["index.html"]
    findings = links.check(site, cache=cache, digests=second)
    assert [(f.page, f.message) for f in findings] == [("index.html", "broken link '/x/'")]
