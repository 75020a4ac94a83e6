"""URLs that never break: moved months, edited slugs, dated by hand, withdrawn pieces; and a
build that goes on without the sources that cannot be imported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from opeds.build.run import build_site
from opeds.importer.files import ingest
from opeds.site.history import moves, record_urls, redirects_file
from tests.support import ROOT, invoke, site_folders, soup


def raw(title: str, date: str = "2016-05", body: str = "") -> str:
    return f"date {date} {title}\n\nKommentar {body or f'Der Text zu {title}.'}\n"


def put(sources: Path, number: int, text: str) -> None:
    sources.mkdir(parents=True, exist_ok=True)
    (sources / f"{number:03d}_{number:016x}.txt").write_text(text, encoding="utf-8")


def rebuild(base: Path) -> tuple[Path, object]:
    """Import and build ``base`` in-process as ``invoke build`` does; return output and report."""
    report = ingest(base / "sources", base / "content")
    build_site(ROOT / "pelicanconf.py", base / "content", base / "output", cache=base / "cache",
               search_index=False)  # fmt: skip
    return base / "output", report


@pytest.fixture
def base(tmp_path: Path) -> Path:
    put(tmp_path / "sources", 1, raw("Bleibt"))
    put(tmp_path / "sources", 2, raw("Wandert"))
    put(tmp_path / "sources", 3, raw("Verschwindet"))
    put(tmp_path / "sources", 4, raw("Ohne Zeit", date=""))
    output, report = rebuild(tmp_path)
    assert report.ok and (output / "2016/05/wandert/index.html").is_file()
    return tmp_path


def assert_redirect(output: Path, old: str, new: str) -> None:
    page = soup(output / old / "index.html")
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert page.select_one('meta[http-equiv="refresh"]')["content"] == f"0; url=/{new}"
    assert page.select_one('link[rel="canonical"]')["href"] == f"http://127.0.0.1:8000/{new}"
    assert page.select_one("main a")["href"] == f"/{new}"  # a link for readers without refresh
    assert f"/{old} /{new} 301\n" in (output / "_redirects").read_text(encoding="utf-8")


def test_source_moved_to_another_month_moves_its_file_and_redirects(base: Path) -> None:
    put(base / "sources", 2, raw("Wandert", date="2016-03"))
    output, report = rebuild(base)
    entry = next(e for e in report.entries if e.source.startswith("002_"))
    assert (entry.status, entry.output) == ("imported", "2016/03/wandert.md")
    assert entry.reason == "moved from 2016/05/wandert.md (its date changed)"
    assert not (base / "content/2016/05/wandert.md").exists()
    assert (output / "2016/03/wandert/index.html").is_file()
    assert_redirect(output, "2016/05/wandert/", "2016/03/wandert/")
    history = json.loads((base / "content/.url-history.json").read_text(encoding="utf-8"))
    assert history["articles"][f"{2:016x}"] == ["2016/05/wandert/", "2016/03/wandert/"]


def test_slug_edited_by_hand_redirects_the_old_url(base: Path) -> None:
    md = base / "content/2016/05/bleibt.md"
    md.write_text(md.read_text(encoding="utf-8").replace("slug: bleibt", "slug: bleibt-neu"),
                  encoding="utf-8")  # fmt: skip
    output, report = rebuild(base)
    assert next(e for e in report.entries if e.source.startswith("001_")).status == "kept-edited"
    assert_redirect(output, "2016/05/bleibt/", "2016/05/bleibt-neu/")


def test_undated_piece_dated_by_hand_moves_to_its_month(base: Path) -> None:
    md = base / "content/ohne-datum/ohne-zeit.md"
    text = md.read_text(encoding="utf-8").replace(
        "date_precision: unknown", "date: 2016-02-01\ndate_precision: month"
    )
    md.write_text(text, encoding="utf-8")
    output, _ = rebuild(base)
    assert (output / "2016/02/ohne-zeit/index.html").is_file()
    assert "ohne-zeit" not in (output / "archiv/index.html").read_text(encoding="utf-8")
    assert_redirect(output, "ohne-datum/ohne-zeit/", "2016/02/ohne-zeit/")


def test_removed_source_is_withdrawn_and_its_url_says_so(base: Path) -> None:
    (base / "sources" / f"003_{3:016x}.txt").unlink()
    output, report = rebuild(base)
    entry = next(e for e in report.entries if e.source.startswith("003_"))
    assert (entry.status, entry.output) == ("withdrawn", "2016/05/verschwindet.md")
    assert "1 withdrawn" in report.summary()
    assert not (base / "content/2016/05/verschwindet.md").exists()
    page = soup(output / "2016/05/verschwindet/index.html")
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert page.h1.get_text() == "Dieser Beitrag wurde zurückgezogen"
    assert page.select("article") == []
    month = (output / "2016/05/index.html").read_text(encoding="utf-8")
    assert "verschwindet" not in month
    assert "verschwindet" not in (output / "sitemap.xml").read_text(encoding="utf-8")


def test_removed_source_of_a_hand_edited_article_keeps_it_and_reports(base: Path) -> None:
    md = base / "content/2016/05/verschwindet.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nNachtrag der Redaktion.\n", encoding="utf-8")
    (base / "sources" / f"003_{3:016x}.txt").unlink()
    output, report = rebuild(base)
    entry = next(e for e in report.entries if e.source.startswith("003_"))
    assert entry.status == "source-removed" and "edited by hand" in entry.reason
    assert md.is_file()
    assert "Nachtrag" in (output / "2016/05/verschwindet/index.html").read_text(encoding="utf-8")


def test_history_table() -> None:
    history = record_urls({"a": ["1/"], "b": ["2/"], "c": ["3/", "4/"]}, {"a": "1/", "c": "5/"})
    assert history == {"a": ["1/"], "b": ["2/"], "c": ["3/", "4/", "5/"]}
    found = moves(history, {"a": "1/", "c": "5/"})
    assert found.redirects == {"3/": "5/", "4/": "5/"} and found.withdrawn == ["2/"]
    # An old URL that another article now has is that article's: no redirect, no withdrawal.
    assert moves({"a": ["x/", "y/"], "b": ["x/"]}, {"a": "y/", "b": "x/"}).redirects == {}
    text = redirects_file({"2016/05/a/": "2016/03/a/"}, "https://example.org/meinung")
    assert text == "/meinung/2016/05/a/ /meinung/2016/03/a/ 301\n"


def test_build_goes_on_without_a_broken_source_and_strict_stops(tmp_path: Path) -> None:
    for number in range(1, 6):
        put(tmp_path / "sources", number, raw(f"Gut {number}"))
    put(tmp_path / "sources", 6, "date 2016-13 Unmöglich\n\nKommentar Text.\n")
    shutil.copytree(ROOT / "content" / "pages", tmp_path / "content" / "pages")
    report = tmp_path / "report.json"
    result = invoke("build", *site_folders(tmp_path), f"--report={report}")
    assert result.returncode == 0, result.stderr
    broken = tmp_path / "sources" / f"006_{6:016x}.txt"
    assert f"{broken}:1: impossible date '2016-13'" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        f"build: site written to {tmp_path / 'output'} without 1 of 6 sources that failed to "
        "import (listed above; --strict makes that fatal)"
    )
    assert (tmp_path / "output/2016/05/gut-5/index.html").is_file()
    entries = json.loads(report.read_text(encoding="utf-8"))["files"]
    assert [(e["status"], e["line"]) for e in entries][-1] == ("error", 1)

    shutil.rmtree(tmp_path / "output")
    strict = invoke("build", *site_folders(tmp_path), "--strict")
    assert strict.returncode == 1
    last = strict.stdout.strip().splitlines()[-1]
    out = tmp_path / "output"
    assert last == f"build stopped: 1 sources failed to import (--strict); {out} left as it was"
    assert not (tmp_path / "output").exists()
