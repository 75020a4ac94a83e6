"""A warm build (caches and last output reused) gives the very bytes of a cold build.

Each case changes one thing, builds warm on top of the last output and cache, builds the same
state cold into a fresh folder with an empty cache, and compares every file. Pagefind orders
its filter files differently on each run, so the index is compared with that order taken out
(``canonical_files``); every other file must be byte-identical.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from opeds.bench.generate import write_sources
from opeds.importer.files import ingest
from opeds.search.pagefind import canonical_files, indexed_part
from tests.support import ROOT, tree

ARTICLES = 24

BUILD = """
import json, logging, sys
from pathlib import Path
logging.basicConfig(level=logging.WARNING)
logging.getLogger("opeds.build.run").setLevel(logging.INFO)
logging.getLogger("opeds.site.content").setLevel(logging.INFO)
logging.getLogger("opeds.site.related").setLevel(logging.INFO)
logging.getLogger("opeds.build.parallel").setLevel(logging.INFO)
logging.getLogger("opeds.build.articlecache").setLevel(logging.INFO)
logging.getLogger("opeds.search").setLevel(logging.INFO)
from opeds.build.run import build_site
args = json.loads(sys.argv[1])
build_site(Path(args["settings"]), Path(args["content"]), Path(args["output"]),
           cache=Path(args["cache"]), **args["overrides"])
"""


class Site:
    """Content, a live output and its cache, plus the code and theme the builds use."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.content = base / "content"
        self.output = base / "output"
        self.cache = base / "cache"
        self.code = base / "code"  # a copy of the opeds package a case may change
        self.theme = base / "theme"
        # Each build shares its articles out to two worker processes, as a big archive's does.
        self.overrides: dict[str, object] = {
            "THEME": str(self.theme), "BUILD_JOBS": 2, "PARALLEL_MIN_ARTICLES": 1}  # fmt: skip
        shutil.copytree(ROOT / "opeds", self.code / "opeds",
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
        shutil.copytree(ROOT / "theme", self.theme)
        write_sources(base / "sources", ARTICLES)
        assert ingest(base / "sources", self.content).ok
        first = next(iter(sorted(self.content.rglob("*.md"))))
        # Dashes and quotes, so that a change of the typography code shows on a page.
        first.write_text(first.read_text(encoding="utf-8") + '\nEin Satz - mit "Zitat".\n')
        self.runs = 0
        self.warm_log = ""

    def run(self, output: Path, cache: Path) -> subprocess.CompletedProcess:
        """Build the content into ``output`` with ``cache`` and this site's code and theme."""
        args = {
            "settings": str(ROOT / "pelicanconf.py"),
            "content": str(self.content),
            "output": str(output),
            "cache": str(cache),
            "overrides": self.overrides,
        }
        env = {**os.environ, "PYTHONPATH": str(self.code), "PYTHONHASHSEED": "0"}
        # A process of its own, started outside the repository: ``python -c`` puts its working
        # folder first on sys.path, and the code copy must be the one imported.
        command = [sys.executable, "-c", BUILD, json.dumps(args)]
        return subprocess.run(command, env=env, cwd=self.base, capture_output=True, text=True,
                              check=False, timeout=300)  # fmt: skip

    def build(self, output: Path, cache: Path) -> str:
        """Build into ``output``; fail the test with Pelican's words if the build fails."""
        result = self.run(output, cache)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stderr

    def spare_ready(self) -> bool:
        """Wait until the last swap's output is emptied; tell whether the next build has a spare.

        A warm build fills the last-but-one output's folders (see opeds.build.staging) once
        they are emptied, in the background: the cases compare that build with a cold one.
        """
        deadline = time.monotonic() + 30
        while list(self.base.glob(".output.emptying-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        return (self.base / ".output.spare").is_dir()

    def warm_equals_cold(self) -> dict[str, bytes]:
        """Build warm and cold; assert the same files and folders; return the warm site's files."""
        self.runs += 1
        self.spare_ready()
        self.warm_log = self.build(self.output, self.cache)
        cold = self.base / f"cold-{self.runs}"
        self.build(cold, self.base / f"cold-cache-{self.runs}")
        warm_files, cold_files = tree(self.output), tree(cold)
        warm, expected = canonical_files(warm_files), canonical_files(cold_files)
        assert sorted(warm) == sorted(expected)
        differ = sorted(name for name in expected if warm.get(name) != expected[name])
        assert not differ, f"warm build differs from a cold one in {differ[:10]}"
        assert _folders(self.output) == _folders(cold)
        return warm_files


def _folders(top: Path) -> set[str]:
    return {path.relative_to(top).as_posix() for path in top.rglob("*") if path.is_dir()}


def _articles(site: Site) -> list[Path]:
    return sorted(site.content.rglob("*.md"))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _title(path: Path) -> str:
    return next(line for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("title: "))  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A generated site built once, warm builds then follow one another."""
    site = Site(tmp_path_factory.mktemp("incremental"))
    site.warm_equals_cold()
    return site


def test_body_text_edit(site: Site) -> None:
    path = _articles(site)[5]
    body = path.read_text(encoding="utf-8").rsplit("\n---\n", 1)[1]
    word = body.split()[3]
    _replace(path, f" {word} ", f" {word}x ")
    files = site.warm_equals_cold()
    assert any(f"{word}x".encode() in data for name, data in files.items()
               if name.endswith("index.html"))  # fmt: skip
    # Pages that do not show the edited text are linked from the last build, not rendered.
    reused = int(re.search(r"pages: (\d+) pages reused", site.warm_log)[1])
    assert reused >= ARTICLES // 2, site.warm_log[-2000:]
    # The related op-eds came from the worker that read the edited article while Pelican read.
    assert "related articles: worked out ahead, 1 counted there" in site.warm_log
    # The edited article's year was indexed while Pelican worked; the build found it made.
    year = path.relative_to(site.content).parts[0]
    assert f"search index ahead: shard {year} indexed with 1 page(s) rendered" in site.warm_log
    assert "search index: 0 shards indexed," in site.warm_log, site.warm_log[-2000:]


def test_headline_edit_changes_neighbours_lists_and_feeds(site: Site) -> None:
    path = _articles(site)[7]
    _replace(path, _title(path), "title: Ein Schlagzeilenwechsel hier und heute")
    files = site.warm_equals_cold()
    showing = [name for name, data in files.items() if b"Schlagzeilenwechsel" in data]
    # The article itself, at least one neighbour, its month, year, section, home and the feeds.
    assert len(showing) >= 6, showing
    assert "feeds/atom.xml" in showing
    assert "related articles: worked out ahead, 1 counted there" in site.warm_log


def test_each_feed_is_keyed_by_its_articles_and_linked_while_they_are_unchanged(
    site: Site,
) -> None:
    """Every feed has a page key in the manifest; an edit renders only the feeds that list the
    edited article (the output equals a cold build's), the others are linked."""
    site.warm_equals_cold()  # whatever the case before left to do
    feeds = {p.relative_to(site.output).as_posix(): p.stat().st_ino
             for p in (site.output / "feeds").iterdir()}  # fmt: skip
    path = _articles(site)[11]
    _replace(path, _title(path), "title: Ein Rundbrief für alle Leser")
    site.warm_equals_cold()
    manifest = json.loads(next((site.cache / "pages").glob("*.json")).read_text("utf-8"))
    assert feeds.keys() <= manifest["pages"].keys()
    after = {name: (site.output / name).stat().st_ino for name in feeds}
    changed = {name for name in feeds if after[name] != feeds[name]}
    showing = {name for name in feeds
               if b"Rundbrief" in (site.output / name).read_bytes()}  # fmt: skip
    assert "feeds/atom.xml" in showing and len(showing) == 2  # all, and its section's
    assert changed == showing


def test_new_article(site: Site) -> None:
    source = _articles(site)[3]
    new = source.with_name("ein-neuer-beitrag.md")
    text = source.read_text(encoding="utf-8").replace(_title(source), "title: Ein neuer Beitrag")
    text = text.replace("slug: ", "slug: neu-", 1).replace("source_id: ", "source_id: 0", 1)
    new.write_text(text, encoding="utf-8")
    files = site.warm_equals_cold()
    assert any(b"Ein neuer Beitrag" in data for data in files.values())
    # Not among the last build's articles: the worker's list is not the build's.
    assert "worked out ahead" not in site.warm_log
    assert "related articles: 1 counted, " in site.warm_log


def test_removed_article(site: Site) -> None:
    path = _articles(site)[10]
    title = _title(path).removeprefix("title: ")
    path.unlink()
    files = site.warm_equals_cold()
    assert not any(name.endswith("index.html") and title.encode() in data
                   for name, data in files.items())  # fmt: skip
    # The article cache lets go of it, and keeps every other article.
    kept: dict[str, object] = {}
    for file in (_used_cache(site) / ARTICLE_CACHE).iterdir():
        kept.update(pickle.loads(file.read_bytes())[1])
    assert sorted(kept) == sorted(str(p.relative_to(site.content)) for p in _articles(site))


def test_a_build_fills_the_emptied_last_output_and_removes_the_folders_it_left_empty(
    site: Site,
) -> None:
    _replace(_articles(site)[2], "\n\n", "\n\nEin neuer erster Satz.\n\n")
    assert site.spare_ready()
    spare = site.base / ".output.spare"
    # No file but our marker, outside the search index's folders (see the next case).
    assert not [p for p in spare.rglob("*") if p.is_file() and p.name != ".opeds-site"
                and p.relative_to(spare).parts[0] != "pagefind"]  # fmt: skip
    (spare / "1999" / "01" / "weg").mkdir(parents=True)  # as an article removed since
    inode = spare.stat().st_ino
    site.warm_equals_cold()  # the same folders, too
    assert site.output.stat().st_ino == inode
    assert not (site.output / "1999").exists()


def test_the_search_index_folders_a_spare_keeps_are_used_again_only_when_whole(
    site: Site,
) -> None:
    _replace(_articles(site)[3], "\n\n", "\n\nEin anderer erster Satz.\n\n")
    site.warm_equals_cold()
    assert site.spare_ready()
    index = site.base / ".output.spare" / "pagefind"
    shards = sorted(p for p in index.iterdir() if p.is_dir())
    assert len(shards) >= 3 and not [p for p in index.iterdir() if p.is_file()]
    # Each kept folder is hard links to a cached index: nothing was copied.
    assert all(p.stat().st_nlink > 1 for p in shards[0].rglob("*") if p.is_file())
    # One gets a stray file, one loses a file, one is a file where its folder was.
    (shards[0] / "fremd.txt").write_text("nicht von uns", encoding="utf-8")
    next(p for p in sorted(shards[1].rglob("*.pf_fragment"))).unlink()
    shutil.rmtree(shards[2])
    shards[2].write_text("kein Ordner", encoding="utf-8")
    (index / "alt").mkdir()  # a shard there is no more
    _replace(_articles(site)[4], "\n\n", "\n\nNoch ein erster Satz.\n\n")
    files = site.warm_equals_cold()  # the same files as a cold build, in the index too
    assert not any(name.endswith("fremd.txt") or name.startswith("pagefind/alt")
                   for name in files)  # fmt: skip


def test_the_first_edit_keeps_the_search_index_folders_of_the_first_build(tmp_path: Path) -> None:
    """The first build's spare is made from the live output: its index folders too, as links."""
    site = Site(tmp_path)
    site.warm_equals_cold()  # the first build: no earlier output to empty into a spare
    assert site.spare_ready()
    live, spare = site.output / "pagefind", site.base / ".output.spare" / "pagefind"
    shards = sorted(p.name for p in live.iterdir() if p.is_dir())
    assert len(shards) >= 3
    assert sorted(p.name for p in spare.iterdir() if p.is_dir()) == shards
    assert not [p for p in spare.iterdir() if p.is_file()]
    for name in shards:  # the very files of the live index, not copies
        for path in (live / name).rglob("*"):
            if path.is_file():
                assert (spare / name / path.relative_to(live / name)).samefile(path)

    def made(folder: Path) -> tuple[int, int]:  # a folder made anew has another change time
        info = folder.stat()
        return info.st_ino, info.st_ctime_ns

    folders = {name: made(spare / name) for name in shards}
    edited = _articles(site)[2]
    _replace(edited, "\n\n", "\n\nEin erster Satz nach dem ersten Bau.\n\n")
    site.warm_equals_cold()
    # The spare became the output: every year's shard but the edited article's kept its folder
    # (the words index is made again when the edit brings a new word).
    kept = [name for name in shards if made(live / name) == folders[name] and name != "words"]
    year = edited.relative_to(site.content).parts[0]
    assert year in shards and kept == [name for name in shards if name not in (year, "words")]


def test_template_edit(site: Site) -> None:
    _replace(site.theme / "templates" / "article.html", "<h1>", '<h1 class="titel">')
    files = site.warm_equals_cold()
    assert any(b'<h1 class="titel">' in data for data in files.values())


def test_settings_edit(site: Site) -> None:
    site.overrides["SITENAME"] = "Archiv der Meinungen"
    files = site.warm_equals_cold()
    pages = [data for name, data in files.items() if name.endswith("index.html")]
    assert all(b"Archiv der Meinungen" in data for data in pages)


def test_typography_code_change(site: Site) -> None:
    # The spaced dash gets a thin space instead of a no-break space before it.
    typography = site.code / "opeds" / "site" / "typography.py"
    _replace(typography, 'text = _DASH.sub(NBSP + "–", text)', 'text = _DASH.sub("\\u2009–", text)')
    files = site.warm_equals_cold()
    assert any("Satz\u2009–".encode() in data for data in files.values())
    assert not any("Satz&nbsp;–".encode() in data for data in files.values())


def test_the_typography_cache_keeps_only_this_code_versions_titles(site: Site) -> None:
    cache = site.cache / "opeds-html"
    # What an older version left: a file per article text, in folders by its key's start.
    (cache / "ab").mkdir(parents=True, exist_ok=True)
    (cache / "ab" / f"ab{'0' * 62}.html").write_text("12\n<p>alt</p>", encoding="utf-8")
    (cache / "inline-0000000000000000.json").write_text("{}", encoding="utf-8")
    path = _articles(site)[7]  # a change, so the build runs
    word = path.read_text(encoding="utf-8").rsplit("\n---\n", 1)[1].split()[4]
    _replace(path, f" {word} ", f" {word}y ")
    log = site.build(site.output, site.cache)
    left = [p.name for p in cache.iterdir()]
    assert len(left) == 1 and left[0].startswith("inline-")  # the code version's this build ran
    assert left[0] != "inline-0000000000000000.json"
    assert "typography cache: files of other code versions removed: 2" in log


def test_failed_build_leaves_the_live_output_untouched(site: Site) -> None:
    """A build that fails after writing (most pages linked to the live ones) changes nothing."""
    before = tree(site.output)
    inodes = {p: p.stat().st_ino for p in site.output.rglob("*") if p.is_file()}
    path = _articles(site)[2]
    _replace(path, _title(path), "title: Noch eine Schlagzeile")
    broken = site.content / "kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ndate: kein Datum\n---\nText\n", encoding="utf-8")
    result = site.run(site.output, site.cache)
    assert result.returncode != 0
    assert "kaputt.md" in result.stderr
    assert tree(site.output) == before
    assert {p: p.stat().st_ino for p in site.output.rglob("*") if p.is_file()} == inodes
    broken.unlink()
    site.warm_equals_cold()


READER_CACHE = "ArticlesGenerator-Readers.d"  # see opeds.build.readercache
ARTICLE_CACHE = "ArticlesGenerator-Articles.d"  # see opeds.build.articlecache


def _used_cache(site: Site) -> Path:
    """The folder of Pelican's caches of the settings and code the last build ran with."""
    return max(site.cache.glob("pelican/*"), key=lambda folder: folder.stat().st_mtime)


def _cache_files(site: Site, name: str) -> dict[str, tuple[int, int]]:
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in (_used_cache(site) / name).iterdir()}  # fmt: skip


def _made(log: str) -> tuple[int, int]:
    """The articles the last build took from the article cache, and the ones it made."""
    found = re.search(r"article cache: (\d+) articles taken, (\d+) made", log)
    assert found, log[-2000:]
    return int(found[1]), int(found[2])


def test_an_edit_makes_its_article_again_and_writes_the_caches_of_its_folder_only(
    site: Site,
) -> None:
    """Both caches of the articles are a file per content folder: one of each is written."""
    from opeds.build import articlecache, readercache

    site.warm_equals_cold()  # whatever the case before left to do
    folders = len({path.parent for path in _articles(site)})
    before = {name: _cache_files(site, name) for name in (READER_CACHE, ARTICLE_CACHE)}
    assert len(before[READER_CACHE]) == len(before[ARTICLE_CACHE]) == folders > 1
    path = _articles(site)[4]
    _replace(path, " ", " Zwischenruf ")
    site.warm_equals_cold()
    assert _made(site.warm_log) == (len(_articles(site)) - 1, 1)
    written = {
        READER_CACHE: readercache._shard(str(path)) + readercache.SUFFIX,
        ARTICLE_CACHE: articlecache._shard(str(path.relative_to(site.content)))
        + articlecache.SUFFIX,
    }
    for name, expected in written.items():
        after = _cache_files(site, name)
        assert sorted(after) == sorted(before[name])
        assert {file for file in after if after[file] != before[name][file]} == {expected}


def test_the_reader_cache_lets_go_of_its_entries_once_saved_and_the_next_build_reads_them(
    tmp_path: Path,
) -> None:
    """Every entry is kept twice (as read and as saved): both go once Pelican saved them."""
    from types import SimpleNamespace

    from pelican.readers import Readers
    from pelican.settings import DEFAULT_CONFIG

    from opeds.build import readercache
    from opeds.build.run import drop_reader_cache

    settings = dict(DEFAULT_CONFIG, CACHE_PATH=str(tmp_path / "cache"), CACHE_CONTENT=True,
                    LOAD_CONTENT_CACHE=True, CONTENT_CACHING_LAYER="reader", GZIP_CACHE=False,
                    CHECK_MODIFIED_METHOD="mtime")  # fmt: skip
    source = tmp_path / "2020" / "a.md"
    source.parent.mkdir()
    source.write_text("Title: A\n\nText\n", encoding="utf-8")
    entry = ("<p>Text</p>", {"title": "A"})
    readers = Readers(settings, cache_name=readercache.CACHE_NAME)
    readers.cache_data(str(source), entry)
    readers.save_cache()
    assert readers._cache and readers._saved
    drop_reader_cache(SimpleNamespace(readers=readers))
    assert readers._cache == {} and readers._saved == {}
    assert readers.get_cached_data(str(source), None) is None  # nothing is loaded again
    again = Readers(settings, cache_name=readercache.CACHE_NAME)
    assert again.get_cached_data(str(source), None) == entry


def test_the_article_cache_keeps_each_article_s_url_and_file_name(site: Site) -> None:
    """Each kept article carries the URL and file name its build fixed: the next one takes them
    (the build's output equals a cold build's) instead of formatting them again."""
    import pickle

    from opeds.build import articlecache

    _replace(_articles(site)[6], " ", " Randbemerkung ")
    site.warm_equals_cold()
    entries = {}
    for file in (_used_cache(site) / ARTICLE_CACHE).iterdir():
        version, found = pickle.loads(file.read_bytes())
        assert version == articlecache.VERSION
        entries.update(found)
    assert len(entries) == len(_articles(site))
    for name, (_stamp, _data, urls) in entries.items():
        url, save_as = urls
        assert save_as.endswith("index.html") and url == save_as.removesuffix("index.html")
        assert (site.output / save_as).is_file(), name
    assert len({urls for _stamp, _data, urls in entries.values()}) == len(entries)


def test_each_template_is_compiled_once_for_a_version_of_the_settings_and_code(
    site: Site,
) -> None:
    """Jinja's compiled templates are kept in the cache; a template's edit compiles anew."""
    site.warm_equals_cold()  # whatever the case before left to do
    before = _cache_files(site, "templates")
    assert len(before) >= 3  # the article's page, the base it extends, the list pages …
    _replace(_articles(site)[5], " ", " Einwurf ")
    site.warm_equals_cold()
    assert _cache_files(site, "templates") == before  # not one compiled again
    template = site.theme / "templates" / "article.html"
    _replace(template, '<header class="article-head">', '<header class="article-head kopf">')
    files = site.warm_equals_cold()
    assert any(b'<header class="article-head kopf">' in data for data in files.values())
    # The theme is part of the key of the cache's folder: compiled anew, into a new one.
    assert _cache_files(site, "templates") != before


def test_the_numbering_of_the_stems_is_kept_by_the_build_and_by_the_worker(site: Site) -> None:
    """A build that works the related op-eds out itself keeps its numbering of the stems, and
    so does the worker after an edit: the next one numbers only the stems of new texts."""
    from opeds.site import related

    site.warm_equals_cold()  # whatever the case before left to do
    cold_cache = max((site.base / f"cold-cache-{site.runs}").glob("pelican/*"),
                     key=lambda folder: folder.stat().st_mtime)  # fmt: skip
    kept = related.load_numbering(cold_cache / "opeds-related-numbers.pickle")
    assert kept is not None and len(kept.keys) == len(_articles(site))  # kept by a cold build
    path = _articles(site)[9]
    _replace(path, " ", " Querschnitt ")
    site.warm_equals_cold()
    after = related.load_numbering(_used_cache(site) / "opeds-related-numbers.pickle")
    assert after is not None and len(after.keys) == len(_articles(site))
    (stem,) = related.count_terms("Querschnitt", "", related.stemmer()).stems.split()
    assert stem not in kept.vocabulary and stem in after.vocabulary
    assert after.vocabulary[: len(kept.vocabulary)] == kept.vocabulary  # numbered on from there


def test_a_damaged_cache_file_costs_the_making_of_its_articles(site: Site) -> None:
    from opeds.build import articlecache, readercache

    used = _used_cache(site)
    path = _articles(site)[2]
    other = next(p for p in _articles(site) if p.parent != path.parent)
    # The reader cache of the edited article's folder, the article cache of another one.
    damaged = [
        used / READER_CACHE / f"{readercache._shard(str(path))}{readercache.SUFFIX}",
        used / ARTICLE_CACHE
        / f"{articlecache._shard(str(other.relative_to(site.content)))}{articlecache.SUFFIX}",
    ]  # fmt: skip
    for file in damaged:
        file.write_bytes(b"not a pickle")
    _replace(path, " ", " Einwurf ")  # a build that reads
    site.warm_equals_cold()
    assert f"reader cache: {damaged[0]} cannot be read" in site.warm_log
    assert f"article cache: {damaged[1]} cannot be read" in site.warm_log
    in_other_folder = sum(p.parent == other.parent for p in _articles(site))
    assert _made(site.warm_log)[1] == 1 + in_other_folder
    assert all(file.read_bytes() != b"not a pickle" for file in damaged)  # written anew


def test_an_article_whose_making_warns_is_made_again_by_every_build(site: Site) -> None:
    """The article cache keeps no article that logged a warning: made again, it warns again."""
    path = _articles(site)[9]
    text = path.read_text(encoding="utf-8")
    _replace(path, "date_precision: day", "date_precision: unknown")
    warning = "has a date but date_precision: unknown"
    try:
        site.warm_equals_cold()
        assert warning in site.warm_log
        _replace(_articles(site)[1], " ", " Nachtrag ")
        site.warm_equals_cold()
        assert warning in site.warm_log
        assert _made(site.warm_log)[1] == 2
    finally:
        path.write_text(text, encoding="utf-8")
    site.warm_equals_cold()
    assert _made(site.warm_log)[1] == 1


def test_the_related_op_eds_worker_starts_before_the_workers_reading_ahead(site: Site) -> None:
    """The caches of the articles lost, the last build's articles recorded: nothing waits for ever.

    The workers that read every article again fill a cache only this process receives: the
    worker that works the related op-eds out ahead is forked before they start, with Pelican's
    cache as it was, and reads the edited article itself.
    """
    used = _used_cache(site)
    shutil.rmtree(used / READER_CACHE)
    shutil.rmtree(used / ARTICLE_CACHE)
    assert (used / "opeds-related-input.pickle").is_file()
    path = _articles(site)[6]
    _replace(path, " ", " Lesepause ")
    site.warm_equals_cold()
    assert "read ahead: " in site.warm_log
    assert "related articles: worked out ahead, 1 counted there" in site.warm_log


@contextlib.contextmanager
def _limit_lowered(site: Site, module: str, line: str) -> Iterator[None]:
    """Set ``line`` (``NAME = value``) of the code copy's ``module`` to 3 while the block runs."""
    copy = site.code / "opeds" / module
    original = copy.read_text(encoding="utf-8")
    assert f"\n{line}" in original
    copy.write_text(original.replace(f"\n{line}", f"\n{line.split(' = ')[0]} = 3"))
    try:
        yield
    finally:
        copy.write_text(original, encoding="utf-8")


def _edit_with_a_limit_lowered(site: Site, module: str, line: str, word: str) -> None:
    """Build with ``line`` of the code copy's ``module`` set to 3, then edit and build again.

    The code changed: the first build fills a cache folder of its own; the second is an edit's.
    """
    with _limit_lowered(site, module, line):
        site.build(site.output, site.cache)
        _replace(_articles(site)[8], " ", f" {word} ")
        site.warm_equals_cold()


def test_a_big_archive_works_out_its_related_op_eds_itself(site: Site) -> None:
    """Above ``MOST_ARTICLES`` no worker is forked: its copy of Pelican's cache costs memory."""
    _edit_with_a_limit_lowered(site, "site/related_ahead.py", "MOST_ARTICLES = 20_000",
                               "Gedankenstrich")  # fmt: skip
    assert "worked out ahead" not in site.warm_log
    assert "related articles: 1 counted, " in site.warm_log


def test_a_big_archive_indexes_its_edits_after_pelican(site: Site) -> None:
    """Above ``MOST_FILES`` content files nothing is indexed ahead: the peak would rise."""
    _edit_with_a_limit_lowered(site, "search/ahead.py", "MOST_FILES = 20_000", "Querverweis")
    assert "search index ahead" not in site.warm_log
    assert "search index: 1 shards indexed," in site.warm_log, site.warm_log[-2000:]


def test_a_big_archive_keeps_no_article_objects(site: Site) -> None:
    """Above ``MOST_FILES`` content files no article object is kept: all would be held at once."""
    _edit_with_a_limit_lowered(site, "build/articlecache.py", "MOST_FILES = 20_000", "Randnotiz")
    assert "article cache:" not in site.warm_log
    assert not (_used_cache(site) / ARTICLE_CACHE).exists()
    assert (_used_cache(site) / READER_CACHE).is_dir()


def test_a_big_archive_runs_pelican_in_a_process_of_its_own(site: Site) -> None:
    """Above ``APART_FILES`` content files Pelican runs in a child: the build gets its keys back.

    The edit's build reuses the pages of the first one (their keys came back from its child),
    writes only what the edit changed, and equals a cold build.
    """
    _edit_with_a_limit_lowered(site, "build/run.py", "APART_FILES = 20_000", "Zwischenruf")
    assert "build: Pelican runs in a process of its own" in site.warm_log
    reused = re.search(r"pages: (\d+) pages reused", site.warm_log)
    assert reused is not None and int(reused.group(1)) > 0, site.warm_log[-2000:]


def test_a_big_archive_s_failed_build_names_the_file_and_leaves_the_live_output(
    site: Site,
) -> None:
    """The error Pelican's child logged comes back to the build, which fails as it would."""
    before = tree(site.output)
    path = _articles(site)[4]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^date: .*$", "date: kein Datum", text, count=1), encoding="utf-8")
    try:
        with _limit_lowered(site, "build/run.py", "APART_FILES = 20_000"):
            result = site.run(site.output, site.cache)
    finally:
        path.write_text(text, encoding="utf-8")  # the site is the next tests' too
    assert result.returncode != 0
    assert "build: Pelican runs in a process of its own" in result.stderr
    assert f"{path}: could not be read" in result.stderr, result.stderr[-2000:]
    assert tree(site.output) == before


def test_an_article_broken_since_the_last_build_is_named_by_the_build(site: Site) -> None:
    """The worker working out related op-eds ahead fails on it; the build's reading names it."""
    path = _articles(site)[4]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^date: .*$", "date: kein Datum", text, count=1), encoding="utf-8")
    result = site.run(site.output, site.cache)
    assert result.returncode != 0
    assert path.name in result.stderr and "worked out ahead" not in result.stderr
    path.write_text(text + "\nRepariert.\n", encoding="utf-8")
    site.warm_equals_cold()
    # The failed build recorded the articles it could read: the repaired one is new to that
    # list, so the build worked the related op-eds out itself.
    assert "related articles: 1 counted, " in site.warm_log


def test_unchanged_build_writes_no_file(site: Site) -> None:
    """With nothing changed, every file of the new output is the live file, linked."""
    site.build(site.output, site.cache)
    before = {p: p.stat().st_ino for p in site.output.rglob("*") if p.is_file()}
    site.build(site.output, site.cache)
    after = {p: p.stat().st_ino for p in site.output.rglob("*") if p.is_file()}
    assert after == before


def test_search_shards_reindex_only_the_changed_year(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.overrides["SEARCH_SHARDS"] = True
    site.warm_equals_cold()
    listing = json.loads((site.output / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    years = [shard["year"] for shard in listing["shards"]]
    on_disk = sorted(p.name for p in site.output.iterdir() if p.name.isdigit())
    assert years == sorted(on_disk, reverse=True)
    assert all((site.output / s["path"] / "pagefind.js").is_file() for s in listing["shards"])
    assert sum(s["pages"] for s in listing["shards"]) >= ARTICLES
    assert not (site.output / "pagefind" / "pagefind.js").exists()

    def shard_inodes() -> dict[str, set[int]]:
        folders = {year: site.output / "pagefind" / year for year in years}
        return {
            y: {p.stat().st_ino for p in f.rglob("*") if p.is_file()} for y, f in folders.items()
        }

    before, pages_before = shard_inodes(), tree(site.output)
    path = _articles(site)[4]
    year = path.relative_to(site.content).parts[0]
    _replace(path, _title(path), "title: Ein Schlagzeilenwechsel im Index")
    pages_after = site.warm_equals_cold()
    after = shard_inodes()

    # A year is indexed again exactly when what Pagefind reads of one of its pages changed: the
    # article's own year. Neighbours and related pieces in other years show the new headline
    # below their body, which Pagefind does not read: their years keep their index.
    def years_with(differs) -> set[str]:
        return {name.split("/")[0] for name, data in pages_after.items()
                if name.endswith(".html") and name[:4].isdigit()
                and differs(pages_before.get(name, b""), data)}  # fmt: skip

    changed = years_with(lambda old, new: indexed_part(old) != indexed_part(new))
    assert changed == {year}
    assert years_with(lambda old, new: old != new) > changed, "other years' pages did change"
    assert {y for y in years if after[y] != before[y]} == changed


def test_unchanged_build_restores_a_damaged_live_output(site: Site) -> None:
    """Nothing changed in the content, but a live file was removed or edited: build again."""
    site.build(site.output, site.cache)
    expected = tree(site.output)
    page = next(p for p in sorted(site.output.rglob("index.html")) if p.parent != site.output)
    (site.output / "index.html").unlink()
    page.write_bytes(b"damaged")  # written in place: its size and time no longer match
    site.build(site.output, site.cache)
    assert tree(site.output) == expected


def test_the_build_after_a_change_stops_at_once(site: Site) -> None:
    """A build writes the URL history into the content; the next one still finds no change."""
    source = _articles(site)[6]
    text = source.read_text(encoding="utf-8").replace(_title(source), "title: Noch ein Beitrag")
    text = text.replace("slug: ", "slug: noch-", 1).replace("source_id: ", "source_id: 1", 1)
    source.with_name("noch-ein-beitrag.md").write_text(text, encoding="utf-8")
    history = site.content / ".url-history.json"
    recorded = history.read_bytes()
    first = site.run(site.output, site.cache)
    assert history.read_bytes() != recorded  # the build wrote the new URL into the content
    assert first.returncode == 0, first.stderr[-3000:]
    assert "nothing changed" not in first.stderr
    again = site.run(site.output, site.cache)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "nothing changed since the live output was built" in again.stderr


def test_environment_digest_ignores_a_library_found_twice(monkeypatch) -> None:
    """An egg-info in the folder a build runs from lists our package twice: same digest."""
    from opeds.build import incremental

    found = list(incremental.distributions())
    before = incremental.environment_digest()
    monkeypatch.setattr(incremental, "distributions", lambda: found + found[:1])
    assert incremental.environment_digest() == before
    without_numpy = [dist for dist in found if dist.metadata["Name"] != "numpy"]
    monkeypatch.setattr(incremental, "distributions", lambda: without_numpy)
    assert incremental.environment_digest() != before


def test_a_page_key_takes_the_source_digest_the_build_started_with(tmp_path: Path) -> None:
    """A source the build hashed at its start is keyed by that digest and not read again."""
    from types import SimpleNamespace

    from opeds.build.incremental import PageKeys

    root = tmp_path / "content"
    (root / "a").mkdir(parents=True)
    known = root / "a" / "known.md"
    unknown = root / "a" / "unknown.md"
    unknown.write_text("Title: B\n\nText\n", encoding="utf-8")
    sources = {"a/known.md": "ab" * 32}
    keys = PageKeys(tmp_path / "live", tmp_path / "keys.json", "base", sources, str(root))
    article = SimpleNamespace(source_path=str(known), save_as="2024/01/a/index.html")
    # known.md does not exist: reading it would fail.
    assert keys.source_digest(article) == f"{known}\0{'ab' * 32}\0{article.save_as}".encode()
    other = SimpleNamespace(source_path=str(unknown), save_as="2024/01/b/index.html")
    digest = hashlib.sha256(unknown.read_bytes()).hexdigest()
    assert keys.source_digest(other) == f"{unknown}\0{digest}\0{other.save_as}".encode()
    # Another digest at the start of the next build gives another key.
    changed = PageKeys(tmp_path / "live", tmp_path / "keys.json", "base",
                       {"a/known.md": "cd" * 32}, str(root))  # fmt: skip
    assert changed.source_digest(article) != keys.source_digest(article)


def test_a_link_to_another_article_follows_it_when_its_date_moves_it(site: Site) -> None:
    """An article that links another by its file ({filename}) shows that article's new URL
    after the other one's date changed, as a cold build does."""
    first, other = _articles(site)[2], _articles(site)[8]
    target = other.relative_to(site.content).as_posix()
    text = first.read_text(encoding="utf-8")
    first.write_text(text + f"\nSiehe [den anderen Beitrag]({{filename}}/{target}).\n",
                     encoding="utf-8")  # fmt: skip
    site.warm_equals_cold()
    date = re.search(r"(?m)^date: (\d{4})-(\d\d)-(\d\d)$", other.read_text(encoding="utf-8"))
    assert date, other
    moved = f"date: {int(date[1]) - 1}-{date[2]}-{date[3]}"
    _replace(other, date[0], moved)
    site.warm_equals_cold()
