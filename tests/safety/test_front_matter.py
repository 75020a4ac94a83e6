"""Hand-edited front matter: hostile HTML never reaches a page or feed, paths stay in the site."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from opeds.build.run import BuildError, build_site
from opeds.site.fields import path_problem
from tests.support import ROOT, soup

ARTICLE = """---
title: Ein Titel
date: 2022-01-05
category: Meinung
{extra}
---
Der Text.
"""


def run(tmp_path: Path, extra: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    (content / "2022" / "01").mkdir(parents=True)
    (content / "2022/01/artikel.md").write_text(ARTICLE.format(extra=extra), encoding="utf-8")
    output = tmp_path / "output"
    build_site(ROOT / "pelicanconf.py", content, output, cache=tmp_path / "cache",
               search_index=False)  # fmt: skip
    return output


def hostile(markup: str) -> list[str]:
    """Name every script, event handler or javascript: link in an HTML fragment."""
    page = soup_of(markup)
    found = [f"<{tag.name}>" for tag in page.find_all(["script", "iframe", "object", "embed"])]
    for tag in page.find_all(True):
        found += [f"{tag.name} {name}" for name in tag.attrs if name.lower().startswith("on")]
        for name in ("href", "src", "action", "formaction"):
            if str(tag.get(name, "")).strip().lower().startswith("javascript:"):
                found.append(f"{tag.name} {name}=javascript:")
    return found


def page_findings(text: str) -> list[str]:
    """Like :func:`hostile` for a whole page, less the theme's own scripts and its JSON-LD."""
    page = soup_of(text)
    for tag in page.find_all("script"):
        own = str(tag.get("src", "")).startswith(("/theme/", "/pagefind/"))
        if own or tag.get("type") == "application/ld+json":
            tag.decompose()
    return hostile(str(page))


def soup_of(markup: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(markup, "html.parser")


SUMMARY = ('summary: Hallo <script>alert(1)</script> <a href="javascript:alert(2)">x</a> '
           "<img src=x onerror=alert(3)>")  # fmt: skip


def test_a_hostile_summary_is_sanitised_in_pages_and_feeds(tmp_path: Path) -> None:
    output = run(tmp_path, SUMMARY)
    atom = (output / "feeds" / "atom.xml").read_text(encoding="utf-8")
    summaries = [html.unescape(part.split("</summary>")[0]) for part in atom.split("<summary")[1:]]
    assert summaries and all(not hostile(s) for s in summaries), summaries
    assert "Hallo" in summaries[0]
    for page in output.rglob("*.html"):
        assert not page_findings(page.read_text(encoding="utf-8")), page
    feed = json.loads((output / "feed.json").read_text(encoding="utf-8"))
    for item in feed["items"]:
        assert not hostile(item["content_html"])
        assert "<script" not in item["summary"]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("url: javascript:alert(1)", "front matter url: 'javascript:alert(1)'"),
        ("save_as: ../../ausserhalb.html", "front matter save_as: '../../ausserhalb.html'"),
        ("save_as: /etc/x.html", "front matter save_as: '/etc/x.html'"),
        ("slug: ../../x", "front matter slug: '../../x'"),
        ('lang: de" onmouseover="alert(1)', "front matter lang:"),
    ],
)
def test_unsafe_paths_in_front_matter_fail_the_build_naming_the_file(
    tmp_path: Path, field: str, message: str
) -> None:
    with pytest.raises(BuildError) as error:
        run(tmp_path, field)
    assert f"{tmp_path / 'content' / '2022/01/artikel.md'}: {message}" in str(error.value)
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("save_as: index.html", "the template index.html"),
        ("save_as: theme/js/search.js", f"the theme file {ROOT / 'theme/static/js/search.js'}"),
        ("save_as: feeds/atom.xml", "the feed feeds/atom.xml"),
        ("save_as: feed.json", "the JSON Feed"),
        ("save_as: sitemap.xml", "the sitemap"),
        ("save_as: archiv/index.html", "the template archives.html"),
        ("save_as: rubrik/meinung/index.html", "the template category.html for the category"),
        ("save_as: pagefind/pagefind.js", "the search index (Pagefind)"),
        ("save_as: 2022/index.html", "the template year.html"),
    ],
)
def test_two_outputs_at_one_path_fail_the_build_naming_both(
    tmp_path: Path, field: str, other: str
) -> None:
    with pytest.raises(BuildError) as error:
        run(tmp_path, field)
    message = str(error.value)
    assert "two outputs at one path" in message or "duplicate URLs" in message
    assert str(tmp_path / "content" / "2022/01/artikel.md") in message
    assert other in message, message


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2022/01/x/index.html", True), ("ueber/", True), ("", True), ("x.html", True),
     ("javascript:alert(1)", False), ("../x", False), ("/x", False), ("a//b", False),
     ("a b/index.html", False), ("x?y", False), ("a\\b", False), ("./x", False)],
)  # fmt: skip
def test_path_rules(value: str, ok: bool) -> None:
    assert (path_problem(value) is None) is ok


def test_a_plain_page_still_builds(tmp_path: Path) -> None:
    output = run(tmp_path, "summary: Ein *kurzer* Anriss mit <em>Betonung</em>.")
    page = soup(output / "2022/01/ein-titel/index.html")
    assert page.find("h1").get_text() == "Ein\xa0Titel" or "Titel" in page.find("h1").get_text()


def test_a_sitemap_part_is_claimed_like_the_sitemap(tmp_path: Path, monkeypatch) -> None:
    """Past the protocol's limit the sitemap is an index of parts; each part is the sitemap's."""
    from opeds.site import sitemap

    monkeypatch.setattr(sitemap, "MAX_URLS", 4)
    output = run(tmp_path / "plain", "")
    index = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "<sitemapindex" in index and "/sitemap-1.xml</loc>" in index
    assert "<urlset" in (output / "sitemap-1.xml").read_text(encoding="utf-8")
    with pytest.raises(BuildError) as error:
        run(tmp_path / "clash", "save_as: sitemap-1.xml")
    assert "the sitemap" in str(error.value) and "sitemap-1.xml" in str(error.value)
