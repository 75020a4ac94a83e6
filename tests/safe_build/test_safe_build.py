"""A failed, broken or killed build leaves the previous output exactly as it was."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import brotli
import pytest

from opeds.importer.files import ingest
from tests.support import CORPUS_ARCHIVE, ROOT, SEED, invoke, site_folders, tree_digest


def build_command(site: Path, *extra: str) -> list[str]:
    """Return the ``invoke build`` command an editor would type for the folders below ``site``."""
    return [sys.executable, "-m", "invoke", "build", *site_folders(site), *extra]


def invoke_build(site: Path, *extra: str, seed: str = "0") -> subprocess.CompletedProcess:
    """Run ``invoke build`` on the folders below ``site`` and capture what it says."""
    return invoke("build", *site_folders(site), *extra, seed=seed)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built seed site whose output/ the tests try to damage."""
    (tmp_path / "sources").mkdir()
    shutil.copy(SEED, tmp_path / "sources")
    shutil.copytree(ROOT / "content" / "pages", tmp_path / "content" / "pages")
    result = invoke_build(tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_duplicate_url_fails_naming_both_files_and_keeps_output(site: Path) -> None:
    before = tree_digest(site / "output")
    original = next((site / "content" / "2022" / "01").glob("*.md"))
    # A hand-written copy: with the source_id kept, the importer would stop it first.
    text = original.read_text(encoding="utf-8")
    original.with_name("kopie.md").write_text(text.replace("source_id:", "quelle:"), "utf-8")
    result = invoke_build(site)
    assert result.returncode == 1
    assert "duplicate URLs" in result.stderr
    assert str(original) in result.stderr and "kopie.md" in result.stderr
    assert tree_digest(site / "output") == before
    assert not (site / ".output.new").exists()


def test_content_error_fails_naming_the_file_and_keeps_output(site: Path) -> None:
    before = tree_digest(site / "output")
    broken = site / "content" / "2022" / "01" / "kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ndate: 2022-13-45\n---\nText.\n", encoding="utf-8")
    result = invoke_build(site)
    assert result.returncode == 1
    assert f"{broken}: could not be read" in result.stderr
    assert "2022-13-45" in result.stderr
    assert tree_digest(site / "output") == before


def test_killed_build_keeps_output_and_the_next_build_recovers(site: Path, tmp_path: Path) -> None:
    # Enough articles that Pelican is still writing when the kill comes.
    with_corpus = tmp_path / "big"
    shutil.copytree(site, with_corpus)
    shutil.unpack_archive(CORPUS_ARCHIVE, tmp_path / "corpus")
    # Into the site's own sources (a source missing there would be withdrawn), imported before
    # the build so that the kill comes while Pelican writes.
    for raw in (tmp_path / "corpus" / "opeds-scale-corpus").glob("*.txt"):
        shutil.copy(raw, with_corpus / "sources")
    report = ingest(with_corpus / "sources", with_corpus / "content")
    assert report.count("imported") == 1004
    before = tree_digest(with_corpus / "output")
    process = subprocess.Popen(
        build_command(with_corpus), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    staging = with_corpus / ".output.new"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if staging.exists() and sum(1 for _ in staging.rglob("index.html")) > 50:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    assert staging.exists()  # it really was killed half way
    assert tree_digest(with_corpus / "output") == before
    result = invoke_build(with_corpus)
    assert result.returncode == 0, result.stderr
    assert not staging.exists()
    assert len(tree_digest(with_corpus / "output")) > len(before)


def test_two_builds_in_separate_processes_are_byte_identical(site: Path, tmp_path: Path) -> None:
    first = tree_digest(site / "output")
    shutil.rmtree(site / "output")
    # Cold caches of the reader and the titles, too. The search index is reused by the pages'
    # digest: Pagefind orders its filter files differently from run to run (upstream #638).
    shutil.rmtree(site / "cache" / "opeds-html")
    shutil.rmtree(site / "cache" / "pelican")
    result = invoke_build(site, seed="12345")
    assert result.returncode == 0, result.stderr
    assert tree_digest(site / "output") == first


def test_production_build_uses_the_sub_path_and_precompresses(site: Path) -> None:
    result = invoke_build(site, "--siteurl", "https://example.org/meinung/")
    assert result.returncode == 0, result.stderr
    output = site / "output"
    article = next(output.glob("2022/01/*/index.html")).read_text(encoding="utf-8")
    assert 'href="https://example.org/meinung/2022/01/' in article
    assert 'href="/2022/' not in article
    for page in ("index.html", "sitemap.xml", "feeds/atom.xml", "theme/css/site.css"):
        data = (output / page).read_bytes()
        assert gzip.decompress((output / f"{page}.gz").read_bytes()) == data
        assert brotli.decompress((output / f"{page}.br").read_bytes()) == data
    again = tree_digest(output)
    assert invoke_build(site, "--siteurl", "https://example.org/meinung/").returncode == 0
    assert tree_digest(output) == again  # compressed siblings are deterministic too


def test_production_build_without_a_url_fails_and_says_how(site: Path) -> None:
    before = tree_digest(site / "output")
    env_free = {k: v for k, v in os.environ.items() if k != "OPEDS_SITEURL"}
    result = subprocess.run(
        build_command(site, "--production"),
        cwd=ROOT,
        env=env_free,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "OPEDS_SITEURL" in result.stderr + result.stdout
    assert tree_digest(site / "output") == before


def test_build_with_check_keeps_output_when_a_check_fails(site: Path) -> None:
    before = tree_digest(site / "output")
    page = site / "content" / "pages" / "ueber.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[weg](/nirgendwo/)\n", "utf-8")
    result = invoke_build(site, "--check")
    assert result.returncode == 1
    assert "ueber/index.html: broken link '/nirgendwo/'" in result.stderr
    assert tree_digest(site / "output") == before
    assert not (site / ".output.new").exists()


def test_the_replaced_output_is_emptied_in_the_background_and_only_if_ours(site: Path) -> None:
    # A removal stopped half way: our marker is still there, so the next build finishes it.
    stopped = site / ".output.retired-1-1"
    shutil.copytree(site / "output", stopped)
    (stopped / "index.html").unlink()
    # The same for an emptying whose process is gone (no process has a number that high).
    dead = site / f".output.emptying-{2**22 + 1}"
    shutil.copytree(site / "output", dead)
    # A folder of that name without our marker is somebody else's: it stays.
    foreign = site / ".output.retired-2-2"
    foreign.mkdir()
    (foreign / "notiz.txt").write_text("meins", encoding="utf-8")
    page = next((site / "content" / "2022" / "01").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nNachtrag.\n", encoding="utf-8")
    replaced = (site / "output").stat().st_ino
    result = invoke_build(site)
    assert result.returncode == 0, result.stderr
    assert b"Nachtrag" in b"".join(p.read_bytes() for p in (site / "output").rglob("*.html"))
    spare = site / ".output.spare"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        left = sorted(p.name for p in site.iterdir() if re.search(r"\.(retired|emptying)-", p.name))
        if left == [foreign.name] and spare.is_dir():
            break
        time.sleep(0.1)
    assert left == [foreign.name]
    assert (foreign / "notiz.txt").read_text(encoding="utf-8") == "meins"
    # The replaced output, with its folders but no file but our marker, for the next build;
    # and its search index's folders, files and all (hard links to the cached indexes).
    assert spare.stat().st_ino == replaced
    assert [p.name for p in spare.rglob("*") if not p.is_dir()
            and p.relative_to(spare).parts[0] != "pagefind"] == [".opeds-site"]  # fmt: skip
    assert (spare / "2022" / "01").is_dir()
    assert (spare / "pagefind" / "2022" / "pagefind-entry.json").stat().st_nlink > 1
    assert not (spare / "pagefind" / "shards.json").exists()


def test_the_first_build_leaves_a_spare_with_its_folders_and_its_output_as_it_is(
    site: Path,
) -> None:
    spare = site / ".output.spare"
    deadline = time.monotonic() + 60
    while not spare.is_dir() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(site.glob(".output.emptying-*"))
    output = site / "output"
    folders = {p.relative_to(output) for p in output.rglob("*") if p.is_dir()}
    assert {p.relative_to(spare) for p in spare.rglob("*") if p.is_dir()} == folders
    # No file but our marker, and in the search index's folders the live index's own files.
    files = [p.relative_to(spare) for p in spare.rglob("*") if not p.is_dir()]
    assert [p for p in files if p.parts[0] != "pagefind"] == [Path(".opeds-site")]
    index = [p for p in files if p.parts[0] == "pagefind"]
    assert index and all(len(p.parts) > 2 and (spare / p).samefile(output / p) for p in index)
    before = tree_digest(output)
    page = next((site / "content" / "2022" / "01").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nNachtrag.\n", encoding="utf-8")
    inode = spare.stat().st_ino
    result = invoke_build(site)
    assert result.returncode == 0, result.stderr
    assert (site / "output").stat().st_ino == inode  # the spare, filled
    after = tree_digest(site / "output")
    assert b"Nachtrag" in b"".join(p.read_bytes() for p in (site / "output").rglob("*.html"))
    # The same pages; the search index names its files by their bytes.
    assert {n for n in after if not n.startswith("pagefind/")} == {
        n for n in before if not n.startswith("pagefind/")
    }
