"""`invoke check` passes on good sites and names the page of every deliberate fault."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opeds.check import Finding, check_site
from tests.corpus import CorpusSite
from tests.support import ROOT

ARTICLE = "2022/01/gewalt-in-almaty-kasachstan-muss-den-westen-aufruetteln/index.html"


@pytest.fixture
def broken(seed_site: Path, tmp_path: Path) -> Path:
    """A copy of the seed site that a test may damage."""
    copy = tmp_path / "site"
    shutil.copytree(seed_site, copy)
    return copy


def add_to_main(site: Path, page: str, html: str) -> None:
    """Insert ``html`` at the start of a page's <main>."""
    path = site / page
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('<main id="inhalt">', f'<main id="inhalt">{html}', 1), "utf-8")


def run_check(site: Path) -> subprocess.CompletedProcess:
    cache = site.parent / f"{site.name}-check-cache"  # never the project's cache/
    return subprocess.run(
        [sys.executable, "-m", "invoke", "check", "--output", str(site), "--cache", str(cache)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_check_passes_on_the_seed_site(seed_site: Path) -> None:
    result = run_check(seed_site)
    assert result.returncode == 0, result.stderr
    assert "0 findings" in result.stdout


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ('<a href="/2022/01/fehlt/">x</a>', "broken link '/2022/01/fehlt/'"),
        ('<a href="/archiv/#nirgends">x</a>', "missing anchor #nirgends"),
        ('<a href="#nirgends">x</a>', "missing anchor #nirgends"),
        ('<a href="javascript:alert(1)">x</a>', "javascript: link"),
        ('<a href="../../../../../etc/passwd">x</a>', "broken link"),
    ],
)
def test_link_faults_are_found_on_their_page(broken: Path, html: str, message: str) -> None:
    add_to_main(broken, ARTICLE, html)
    findings = check_site(broken, html=False, browser=False)
    assert [f.page for f in findings] == [ARTICLE]
    assert message in findings[0].message


def test_invalid_markup_is_found_with_page_and_line(broken: Path) -> None:
    add_to_main(broken, "archiv/index.html", "<p><div>x</p>")
    findings = [f for f in check_site(broken, browser=False) if f.page == "archiv/index.html"]
    assert findings and all(f.message.startswith("line ") for f in findings)


def test_a_broken_feed_is_found(broken: Path) -> None:
    atom = broken / "feeds" / "atom.xml"
    atom.write_text(atom.read_text(encoding="utf-8").replace("</feed>", ""), "utf-8")
    (broken / "feed.json").write_text('{"version": "x"', "utf-8")
    pages = {f.page for f in check_site(broken, html=False, browser=False)}
    assert pages == {"feeds/atom.xml", "feed.json"}


def test_the_command_exits_non_zero_and_prints_the_page(broken: Path) -> None:
    add_to_main(broken, ARTICLE, '<a href="/weg/">x</a>')
    result = run_check(broken)
    assert result.returncode == 1
    assert f"{broken}/{ARTICLE}: broken link '/weg/'" in result.stderr


def test_absolute_links_to_the_site_url_are_checked_as_internal(broken: Path) -> None:
    add_to_main(broken, ARTICLE, '<a href="https://example.org/meinung/fehlt/">x</a>')
    add_to_main(broken, "index.html", '<a href="https://elsewhere.example/fehlt/">x</a>')
    findings = check_site(broken, "https://example.org/meinung", html=False, browser=False)
    broken_links = [f for f in findings if "fehlt" in f.message]
    assert broken_links == [Finding(ARTICLE, "broken link 'https://example.org/meinung/fehlt/'")]


def test_an_accessibility_fault_is_found_by_axe_in_the_browser(broken: Path) -> None:
    from opeds.check import a11y

    add_to_main(broken, ARTICLE, '<a href="/archiv/"></a><input type="text">')
    findings = a11y.check(broken, [ARTICLE, "archiv/index.html"])
    rules = {f.message.split(":")[1].strip() for f in findings}
    assert {f.page for f in findings} == {ARTICLE}
    assert {"link-name", "label"} <= rules
    assert any(f.message.startswith("axe (dark)") for f in findings)


def test_axe_looks_at_one_page_of_each_kind(seed_site: Path) -> None:
    from opeds.check import a11y

    assert a11y.pages_to_check(seed_site) == [
        "index.html", "archiv/index.html", "2022/index.html", "2022/01/index.html", ARTICLE,
        "rubrik/meinung/index.html", "suche/index.html", "404.html",
    ]  # fmt: skip


def test_check_passes_on_the_whole_corpus_site(corpus_site: CorpusSite) -> None:
    findings = check_site(corpus_site.output)
    assert len(list(corpus_site.output.rglob("*.html"))) > 1000
    assert findings == [], "\n".join(map(str, findings[:20]))
