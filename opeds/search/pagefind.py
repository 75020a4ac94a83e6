"""Build the Pagefind search index over a built site (German stemming, no network)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import html
import json
import logging
import os
import pickle
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import cbor2
import pagefind_bin

from opeds.common.atomic import write_atomic
from opeds.common.stamps import SHA256, FileFacts, output_stamp
from opeds.common.walk import below as walked_below

KEEP = 4  # cached indexes kept: enough for a development and a production build side by side
SHARDS_FILE = "pagefind/shards.json"
#: The folder of the pieces without a date (``UNDATED_URL`` in pelicanconf.py): a shard of its own.
UNDATED = "ohne-datum"
_YEAR = re.compile(r"^\d{4}$")
BODY = b"data-pagefind-body"
PARTS_FILE = "page-parts.pickle"  # the digests of the pages' indexed parts, by file stamp


log = logging.getLogger(__name__)


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site."""


def pages_digest(folder: Path, language: str) -> str:
    """Hash every HTML page with its path, plus what else decides the index."""
    digest = hashlib.sha256(f"{version('pagefind-bin')}/{language}".encode())
    for page in sorted(folder.rglob("*.html")):
        digest.update(page.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(page.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def _executable() -> str:
    """The Pagefind program the ``pagefind-bin`` package installed.

    Run directly, not through ``python -m pagefind``: that starts an interpreter only to hand
    over to it, a tenth of a second for each of the two runs after one edit.
    """
    return str(pagefind_bin.get_executable().absolute())


#: The folders of a Pagefind index whose files are named by a digest of their bytes, which
#: Pagefind does not write (nor compress) again when a file of that name is there.
_HASHED = ("fragment", "index", "filter")
_META = re.compile(r"^pagefind\.[^/]+\.pf_meta$")  # the index's list of those files, also hashed


def run_pagefind(folder: Path, language: str, glob: str | None = None,
                 subdir: str = "pagefind", previous: Path | None = None) -> None:  # fmt: skip
    """Index ``folder`` (only the pages ``glob`` matches) into ``folder/subdir``.

    ``previous``: an earlier index of these pages. Its files named by their bytes are linked
    in first, so Pagefind compresses and writes only the ones it has not made before (an
    edited article's page and the word chunks its words are in); the ones the new index does
    not use are removed after. Gives the files of a run without ``previous``.
    """
    if previous is not None and previous.is_dir():
        _link_hashed(previous, folder / subdir)
        _pagefind(folder, language, glob, subdir)
        try:
            _drop_unused(folder / subdir)
            return
        except (OSError, ValueError, KeyError, IndexError, TypeError, cbor2.CBORDecodeError):
            # Not the index this code knows how to read: no earlier files, then.
            shutil.rmtree(folder / subdir)
    _pagefind(folder, language, glob, subdir)


def _link_hashed(previous: Path, index: Path) -> None:
    """Hard-link the files of the index ``previous`` that Pagefind names by their bytes."""
    for name in _HASHED:
        if (previous / name).is_dir():
            (index / name).mkdir(parents=True, exist_ok=True)
            for file in os.listdir(previous / name):
                os.link(previous / name / file, index / name / file)
    for file in os.listdir(previous):
        if _META.match(file):
            os.link(previous / file, index / file)


def _drop_unused(index: Path) -> None:
    """Remove the files named by their bytes that the index at ``index`` does not use.

    Its entry file names each language's metadata file, a gzipped CBOR list of the pages'
    fragments, the word chunks and the filters, each by the digest in its file name.
    """
    entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
    used: set[str] = set()
    for language in entry["languages"].values():
        meta = f"pagefind.{language['hash']}.pf_meta"
        used.add(meta)
        data = gzip.decompress((index / meta).read_bytes())
        _version, pages, chunks, filters, *_rest = cbor2.loads(data.removeprefix(b"pagefind_dcd"))
        used.update(f"fragment/{page[0]}.pf_fragment" for page in pages)
        used.update(f"index/{chunk[2]}.pf_index" for chunk in chunks)
        used.update(f"filter/{item[1]}.pf_filter" for item in filters)
    for name in _HASHED:
        if not (index / name).is_dir():
            continue
        for file in os.listdir(index / name):
            if f"{name}/{file}" not in used:
                os.unlink(index / name / file)
        if not os.listdir(index / name):
            (index / name).rmdir()
    for file in os.listdir(index):
        if _META.match(file) and file not in used:
            os.unlink(index / file)


def _pagefind(folder: Path, language: str, glob: str | None, subdir: str) -> None:
    # One language for the whole archive: the search page queries a single index, so the
    # occasional English piece is still found, stemmed as German.
    command = [_executable(), "--site", str(folder),
               "--force-language", language, "--silent", "--output-subdir", subdir]  # fmt: skip
    if glob:
        command += ["--glob", glob]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode or not (folder / subdir / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind failed ({result.returncode}): {result.stderr.strip()}")


def index_site(
    folder: Path,
    language: str = "de",
    cache: Path | None = None,
    shards: bool = False,
    undated: str = UNDATED,
    started: threading.Event | None = None,
    previous: Path | None = None,
    changed: frozenset[str] = frozenset(),
    stamps: dict[str, list[int]] | None = None,
    walk: Walk | None = None,
) -> None:
    """Add ``folder/pagefind/``, reusing the cached index when no page changed.

    With ``shards``, one index per year and one for the ``undated`` folder (see index_shards);
    ``previous`` is the ``pagefind`` folder of the last build, whose indexes a shard's new one
    starts from; ``changed`` names the top folders with pages this build rendered, whose
    shards are looked at first (only the order changes: every shard's pages are hashed).
    ``started`` is set once the pages are read and the Pagefind runs under way, or as soon as
    those of the ``changed`` shards are: from then on, this thread needs little of its core.
    ``stamps`` gets the stamps of the files of each shard's and the words index's folder, by
    path below ``pagefind/`` (see index_shards). ``walk``: see index_shards; without shards,
    it is called first.

    Pagefind writes its filter and metadata files in an order that varies from run to run
    (upstream issue #638), so only reuse gives the same bytes for the same pages.
    """
    started = started or threading.Event()
    try:
        if shards:
            cache = cache or folder.parent / f".{folder.name}.cache"
            index_shards(folder, language, cache, undated=undated, started=started,
                         previous=previous, changed=changed, stamps=stamps,
                         walk=walk)  # fmt: skip
        else:
            if walk is not None:
                walk()
            started.set()
            _clear(folder / "pagefind")  # the shards a spare output kept (see _place_index)
            _index_whole(folder, language, cache)
    finally:
        started.set()  # also when it failed: nobody waits for what will not come


def _index_whole(folder: Path, language: str, cache: Path | None) -> None:
    if cache is None:
        run_pagefind(folder, language)
        return
    cached = cache / "pagefind" / pages_digest(folder, language)
    if cached.is_dir():
        # Hard links: nothing writes into an index once made, and unchanged files keep one inode.
        shutil.copytree(cached, folder / "pagefind", copy_function=os.link)
        cached.touch()  # most recently used
        return
    run_pagefind(folder, language)
    staging = cached.with_name(cached.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(folder / "pagefind", staging, copy_function=os.link)
    staging.rename(cached)
    entries = sorted(cached.parent.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


#: What a walk of the output gives (see index_shards): the pages by top folder, the stamps.
Walk = Callable[[], tuple[dict[str, list[str]], dict[str, list[int]]]]


def is_shard(name: str, undated: str = UNDATED) -> bool:
    """Tell whether a top folder of the output named ``name`` is a search shard's."""
    return bool(_YEAR.match(name)) or name == undated


def shard_names(folder: Path, undated: str = UNDATED) -> list[str]:
    """Name the folders of ``folder`` that may be search shards: the years and ``undated``."""
    names = [entry.name for entry in os.scandir(folder) if entry.is_dir()]
    return sorted(name for name in names if is_shard(name, undated))


def shard_pages(folder: Path, name: str, found: list[str] | None = None) -> list[str] | None:
    """Return the pages Pagefind would index in the shard ``name``; None if it is no shard.

    A folder none of whose pages is searchable makes no shard: alone in a Pagefind run,
    its pages would be indexed whole instead of not at all, as in the single index. The
    pages are paths as strings, in the order of their parts (as paths sort). ``found``: every
    ``*.html`` below the shard's folder, when a walk of the whole output listed them already.
    """
    found = _html_paths(os.path.join(folder, name)) if found is None else found
    pages = sorted(found, key=_path_parts)
    return pages if any(BODY in _read_bytes(page) for page in pages) else None


def _path_parts(path: str) -> list[str]:
    return path.split(os.sep)


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _element_end(page: bytes, start: int, name: bytes) -> int:
    """Return where the element opened at ``start`` ends, its end tag included."""
    opening, closing = b"<" + name, b"</" + name
    depth, position = 0, start
    while True:
        next_open, next_close = page.find(opening, position), page.find(closing, position)
        if next_close < 0:
            return len(page)
        if 0 <= next_open < next_close:
            depth, position = depth + 1, next_open + len(opening)
            continue
        depth, position = depth - 1, page.find(b">", next_close) + 1 or len(page)
        if depth == 0:
            return position


def indexed_part(page: bytes) -> bytes:
    """Return what Pagefind reads of ``page``: each body element, every ``data-pagefind-*``
    tag, headings and images; b"" for a page without a body element, which Pagefind leaves out.

    A shard is indexed again only when this changes, not when, say, the related pieces or the
    neighbours' links below an article change: those lie outside its body.
    """
    parts = []
    position = 0
    while (mark := page.find(BODY, position)) >= 0:
        start = page.rfind(b"<", 0, mark)
        name = re.match(rb"<([a-zA-Z][a-zA-Z0-9-]*)", page[start : start + 64])
        if name is None:  # the attribute's name in text, not in a tag: judge the whole page
            return page
        position = _element_end(page, start, name[1])
        parts.append(page[start:position])
    if not parts:
        return b""
    # Pagefind's default title and image are the first <h1> and <img>: kept wherever they are.
    for mark, end in ((b"data-pagefind-", b">"), (b"<h1", b"</h1>"), (b"<img", b">")):
        position = 0
        while (found := page.find(mark, position)) >= 0:
            start = page.rfind(b"<", 0, found + 1)
            position = page.find(end, found) + len(end) if page.find(end, found) >= 0 else len(page)
            parts.append(page[start:position])
    return b"\0".join(parts)


def part_digest(page: Path | str, facts: FileFacts, stamp: list[int] | None = None) -> bytes:
    """Return the digest of the indexed part of ``page``; a linked, unchanged page is not read.

    Most pages of a warm build are hard links to the live output's, with its stamp.
    ``stamp``: the page's output stamp, if the caller took it.
    """

    def work_out() -> str:
        return hashlib.sha256(indexed_part(_read_bytes(page))).hexdigest()

    return bytes.fromhex(str(facts.fact(page, "indexed-part", work_out, SHA256, stamp=stamp)))


def _shard_digest(folder: Path, pages: list[str], language: str, facts: FileFacts,
                  stamps: dict[str, list[int]] | None = None) -> str:  # fmt: skip
    digest = hashlib.sha256(f"{version('pagefind-bin')}/{language}/shard/2".encode())
    top = len(os.path.join(os.fspath(folder), ""))
    stamps = stamps or {}
    for page in pages:  # paths below ``folder``: their names relative to it, as POSIX paths
        name = page[top:].replace(os.sep, "/")
        digest.update(name.encode() + b"\0")
        digest.update(part_digest(page, facts, stamps.get(name)))
    return digest.hexdigest()


def _html_files(folder: Path) -> list[Path]:
    """Every ``*.html`` below ``folder`` (os.walk: a path object per file only for pages)."""
    return [Path(where, name) for where, _dirs, files in os.walk(folder)
            for name in files if name.endswith(".html")]  # fmt: skip


def _html_paths(folder: str) -> list[str]:
    """Every ``*.html`` below ``folder``, as strings: every page of a shard, in each build."""
    return [os.path.join(where, name) for where, _dirs, files in os.walk(folder)
            for name in files if name.endswith(".html")]  # fmt: skip


def _html_outside(folder: Path, shards: set[str]) -> list[Path]:
    """Every page of ``folder`` that is not below one of the ``shards`` folders."""
    found = []
    for entry in os.scandir(folder):
        if entry.is_dir() and entry.name not in shards:
            found.extend(_html_files(Path(entry.path)))
        elif entry.is_file() and entry.name.endswith(".html"):
            found.append(Path(entry.path))
    return found


def keep_index(index: Path, store: Path, digest: str, suffix: str = ".tmp") -> None:
    """Keep the index made in ``index`` in ``store`` as ``digest``: hard links (one inode each,
    never rewritten), put in place whole; ``suffix`` names the folder they are linked into."""
    tmp = store / f"{digest}{suffix}"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(index, tmp, copy_function=os.link)
    tmp.rename(store / digest)


def shard_order(name: str) -> tuple[int, int, str]:
    """Sort key of the shards as the search page reads them: newest year first, undated last."""
    return (0, -int(name), "") if _YEAR.match(name) else (1, 0, name)


def index_shards(
    folder: Path,
    language: str,
    cache: Path,
    jobs: int | None = None,
    undated: str = UNDATED,
    started: threading.Event | None = None,
    previous: Path | None = None,
    changed: frozenset[str] = frozenset(),
    stamps: dict[str, list[int]] | None = None,
    walk: Walk | None = None,
) -> None:
    """Index each year of ``folder`` on its own into ``pagefind/YYYY/``; list them in shards.json.

    Pagefind's memory grows with the pages of one run, so a shard per year bounds it by the
    largest year; a year whose pages did not change reuses its cached index (hard links),
    so one edited article costs one year's indexing. The pieces without a date, in the
    ``undated`` folder, are a shard of their own, listed last. Pages outside these folders
    carry no ``data-pagefind-body`` and are not searched, as in the single index; a page that
    does is refused rather than left out of the search silently.

    Every shard's folder and the words index's are hard links of a cached index: ``stamps``
    gets their files' stamps, kept beside each cached index (see :func:`tree_stamps`), by
    path below ``pagefind/``, so the build need not look at the 11,000 files of the index.

    ``walk``, called once the changed shards' runs are under way, goes over the whole output
    for the build (see opeds.build.incremental.link_unchanged) and gives every page below each
    top folder, with the stamps of the files it saw: the other shards' folders are not walked
    again, nor their pages looked at one by one.
    """
    shards = {name for name in os.listdir(folder) if is_shard(name, undated)}
    outside = sorted(p for p in _html_outside(folder, shards) if BODY in p.read_bytes())
    if outside:
        names = ", ".join(p.relative_to(folder).as_posix() for p in outside[:5])
        more = f" and {len(outside) - 5} more" if len(outside) > 5 else ""
        raise SearchIndexError(
            f"searchable pages (data-pagefind-body) outside the year folders and {undated}/, "
            f"so in no search shard: {names}{more}"
        )
    store = cache / "pagefind-shards"
    store.mkdir(parents=True, exist_ok=True)
    # Without the change time: linking an unchanged page into the new output changes it.
    parts = FileFacts(store / PARTS_FILE, ctime=False)
    digests: dict[str, str] = {}
    groups: dict[str, list[Path]] = {}

    def build(name: str) -> None:
        subdir = f"pagefind/{name}"
        _clear(folder / subdir)  # another index of the shard, kept by a spare output
        run_pagefind(folder, language, glob=f"{name}/**/*.html", subdir=subdir,
                     previous=None if previous is None else previous / name)  # fmt: skip
        keep_index(folder / subdir, store, digests[name])
        # Its words for the words index, in a thread of their own: this thread starts the next
        # shard's Pagefind run at once (read here, they took 0.1-0.2 s of a cold build's slot
        # after every run; the index's time barely moved, as both cores stay busy anyway).
        worded.append(wording.submit(shard_words_file, store, digests[name], name))

    # Both cores: Pagefind runs in its own process, so threads only wait for it. A shard's run
    # starts as soon as its pages are hashed, while the next shard's are. The shards with
    # ``changed`` pages first (after one edit, its year's run starts before the other years
    # are listed and hashed); when all changed, the largest first, so the last to start are
    # the shortest and neither core waits long for the other at the end. The shards already
    # indexed are linked into place meanwhile.
    names = shard_names(folder, undated)
    first = [name for name in names if name in changed]
    if len(first) == len(names):
        first = []
    worded: list[Future] = []
    with (ThreadPoolExecutor(max_workers=1, thread_name_prefix="words") as wording,
          ThreadPoolExecutor(max_workers=jobs or min(2, os.cpu_count() or 1)) as pool):  # fmt: skip
        runs, cached = [], []

        seen: dict[str, list[int]] = {}  # the stamps the walk gave

        def start(name: str) -> None:
            digests[name] = _shard_digest(folder, groups[name], language, parts, seen)
            if (store / digests[name]).is_dir():
                cached.append(name)
            else:
                runs.append(pool.submit(build, name))

        for name in first:
            if (pages := shard_pages(folder, name)) is not None:
                groups[name] = pages
                start(name)
        # One shard with changed pages to index again (an edit): its words index made ahead.
        indexed = [name for name in first if name in groups and name not in cached]
        foresight = None
        if len(indexed) == 1 and previous is not None:
            foresight = pool.submit(foresee_words, folder, previous, store, indexed[0],
                                    groups[indexed[0]], language)  # fmt: skip
        if first and started is not None:
            # Its run under way: the other shards are hashed (as unchanged, mostly) while the
            # caller goes on with its own work on this core, instead of waiting for them.
            started.set()
        if walk is not None:
            listed, walked = walk()
            seen.update(walked)
            rest = {name: shard_pages(folder, name, listed.get(name, []))
                    for name in names if name not in first}  # fmt: skip
        else:
            rest = {name: shard_pages(folder, name) for name in names if name not in first}
        groups.update({name: pages for name, pages in rest.items() if pages is not None})
        for name in sorted(set(groups) - set(first), key=lambda name: (-len(groups[name]), name)):
            start(name)
        parts.save()
        if started is not None:
            started.set()
        names = sorted(groups, key=shard_order)  # the order "newest first" shows them in

        def words() -> None:
            for run in runs:
                run.result()
            for made in worded:  # every run has queued its words by now
                made.result()
            if foresight is not None:
                foresight.result()  # it never fails; it may be making the index asked for
            words_index = index_words(
                folder,
                language,
                store,
                {name: digests[name] for name in names},
                previous=None if previous is None else previous / WORDS,
            )
            if stamps is not None:
                stamps.update({f"{WORDS}/{below}": stamp
                               for below, stamp in tree_stamps(words_index).items()})  # fmt: skip

        # The words index once the shards indexed anew have their words; its Pagefind run goes
        # on while the shards already indexed are linked into place.
        with ThreadPoolExecutor(max_workers=1) as after:
            words_done = after.submit(words) if names else None
            for name in cached:
                _place_index(store / digests[name], folder / "pagefind" / name)
            for run in runs:
                run.result()
            if words_done is not None:
                words_done.result()
    log.info("search index: %d shards indexed, %d from the cache", len(runs), len(cached))
    if stamps is not None:
        for name in names:
            for below, stamp in tree_stamps(store / digests[name]).items():
                stamps[f"{name}/{below}"] = stamp
    listing = []
    for name in names:
        os.utime(store / digests[name])  # most recently used
        year = name if _YEAR.match(name) else None
        listing.append(
            {"name": name, "year": year, "path": f"pagefind/{name}/", "pages": len(groups[name])}
        )
    data: dict[str, object] = {"version": 2, "shards": listing}
    if names:
        data["words"] = f"pagefind/{WORDS}/"
    (folder / SHARDS_FILE).parent.mkdir(exist_ok=True)  # no shard when nothing is searchable
    # The folders of shards there are no more, kept by a spare output, go.
    wanted = {*names, WORDS} if names else set()
    for entry in os.scandir(folder / "pagefind"):
        if entry.name not in wanted:
            _clear(Path(entry.path))
    (folder / SHARDS_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    if previous is not None:  # for the words index made ahead by the next build
        last = {name: digests[name] for name in names}
        write_atomic(_last_digests(store, previous), json.dumps(last, sort_keys=True))
    # Each shard's index, its stamps and words, and the words index with its stamps.
    keep = KEEP * (len(groups) + 1) * 3
    # The words by page are kept per shard name, for the shards there are.
    current = {PARTS_FILE, *(_known_words(store, name).name for name in groups)}
    entries = sorted((p for p in store.iterdir()
                      if p.name not in current and not p.name.startswith("last-shards-")),
                     key=lambda p: p.stat().st_mtime, reverse=True)  # fmt: skip
    for old in entries[keep:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


#: The words index: one page per shard holding every word that shard's index knows.
WORDS = "words"
WORDS_FORMAT = 2  # the name of a shard's words file says how its words were written

#: ASCII punctuation that Pagefind drops from the ends of a word without indexing any part of
#: it apart (it splits a word at punctuation, but a part it splits off the end is empty). Not
#: ``#`` and ``*``, which its emoji check looks at, nor ``_``, which begins its own markers.
_EDGE = re.escape("!\"$%&'(),-./:;<=>?@[\\]^`{|}~")
#: A word of lowercase Latin letters between such punctuation: "(berlin)," is "berlin" to
#: Pagefind. Other letters, digits and any punctuation within a word can make Pagefind index
#: more than the word's letters (its parts: "covid19," gives "covid" and "19" too).
_PLAIN_WORD = re.compile(rf"[{_EDGE}]*([a-zß-öø-ÿ]+)[{_EDGE}]*")


@functools.lru_cache(maxsize=1 << 18)
def index_word(token: str) -> str:
    """Return ``token`` (lowercase) without the punctuation Pagefind would ignore around it.

    Both give Pagefind the same index words; one of them is enough in the words index, whose
    Pagefind run takes time by the words of its pages (a third of them at 10,000 synthetic
    op-eds, four fifths in the real corpus). Remembered: a cold build asks for each of a
    shard's words once per page it is on (150,000 times a shard at 10,000 articles).
    """
    found = _PLAIN_WORD.fullmatch(token)
    return found[1] if found else token


def _fragment_words(fragment: Path, urls: dict[str, str] | None = None) -> str:
    """Return the index words of one page of a shard: its text and metadata, sorted.

    ``urls`` gets the page's URL, by the fragment's file name.
    """
    record = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
    if urls is not None:
        urls[fragment.name] = str(record.get("url", ""))
    # Pagefind searches the metadata too (title, kicker, date): a word there is found.
    # Sets made and mapped in C, not in a comprehension: a cold build reads 11,000 pages here.
    words = set(str(record.get("content", "")).lower().split())
    for text in record.get("meta", {}).values():
        words.update(str(text).lower().split())
    return " ".join(sorted(set(map(index_word, words))))


def shard_words(
    index: Path, known: dict[str, str] | None = None, urls: dict[str, str] | None = None
) -> str:
    """Return the words Pagefind indexed in the shard at ``index``: its pages' text and metadata.

    ``known``: the words of pages by fragment file name, from an earlier index of the shard.
    A fragment is named by a digest of its bytes, so only the pages not in it are read; it
    is updated to hold the words of this index's pages, and only those. ``urls``: the URL of
    each page by fragment, kept and updated alike (a fragment read for its words gives it).
    """
    known = {} if known is None else known
    urls = {} if urls is None else urls
    fragments = sorted(os.listdir(index / "fragment"))
    found_urls: dict[str, str] = {}
    found = {}
    for name in fragments:
        if name in known and name in urls:
            found[name], found_urls[name] = known[name], urls[name]
        else:
            found[name] = _fragment_words(index / "fragment" / name, found_urls)
    known.clear()
    known.update(found)
    urls.clear()
    urls.update(found_urls)
    words: set[str] = set()
    for text in found.values():
        words.update(text.split())
    return " ".join(sorted(words))


def _known_words(store: Path, name: str) -> Path:
    """The file of the words of the pages of the last index of the shard ``name``."""
    return store / f"pages-words-{name}.json{WORDS_FORMAT}"


def _known_urls(store: Path, name: str) -> Path:
    """The file of the URLs of the pages of the last index of the shard ``name``, by fragment."""
    return store / f"pages-urls-{name}.json"


def _strings_by_string(path: Path) -> dict[str, str]:
    """A JSON object of strings kept in ``path``; empty if missing or not one."""
    with contextlib.suppress(ValueError, OSError):
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict) and all(isinstance(v, str) for v in loaded.values()):
            return loaded
    return {}


def shard_words_file(store: Path, digest: str, name: str | None = None) -> Path:
    """Return the file of the words of the cached shard index ``digest``; write it if missing.

    ``name``: the shard's name, whose last index's words by page are kept beside, so a new
    index of the shard reads only the pages that changed.
    """
    words = store / f"{digest}.words{WORDS_FORMAT}"
    if not words.is_file():
        known = {} if name is None else _strings_by_string(_known_words(store, name))
        urls = {} if name is None else _strings_by_string(_known_urls(store, name))
        text = shard_words(store / digest, known, urls)
        if name is not None:
            for kept, data in (
                (_known_words(store, name), known),
                (_known_urls(store, name), urls),
            ):
                write_atomic(kept, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        write_atomic(words, text)
    return words


def index_words(
    folder: Path,
    language: str,
    store: Path,
    digests: dict[str, str],
    previous: Path | None = None,
) -> Path:
    """Index one page per shard with that shard's words into ``pagefind/words/``.

    Pagefind matches a query word to the index words it begins, or, when there are none, to
    the longest index word that begins the query word. Within a shard that lacks the word,
    that finds what one index of the whole archive would not ("Obama" finding "ob"). The
    search page asks the words index first: it answers, as one index would, which shards
    hold a match (its filter ``shard``), and only those shards' results count.

    The index is kept by the pages it indexes: an edit that leaves every shard's words as
    they were (a date, a section, a word the shard has elsewhere) reuses it. Another starts
    from ``previous``, the last build's (see run_pagefind). Returns the cached index it linked.
    """
    texts = {}
    for name, digest in digests.items():
        words = shard_words_file(store, digest, name)
        os.utime(words)
        texts[name] = words.read_text(encoding="utf-8")
    cached = _words_index(store, texts, language, previous)
    os.utime(cached)
    _place_index(cached, folder / "pagefind" / WORDS)
    return cached


def _words_index(store: Path, texts: dict[str, str], language: str,
                 previous: Path | None) -> Path:  # fmt: skip
    """Return the cached words index of the shards' words ``texts``; make it if missing."""
    pages = {}
    for name, text in texts.items():
        # No title or other text: the page holds the shard's words and nothing else.
        pages[name] = (f'<!DOCTYPE html><html lang="{language}"><head></head>'
                       f'<body data-pagefind-body><span data-pagefind-filter="shard:{name}"></span>'
                       f"<p>{html.escape(text)}</p></body></html>\n")  # fmt: skip
    key = hashlib.sha256(f"{version('pagefind-bin')}/{language}/words".encode())
    for name in sorted(pages):
        key.update(f"\0{name}\0".encode() + hashlib.sha256(pages[name].encode()).digest())
    cached = store / f"words-{key.hexdigest()}"
    if not cached.is_dir():
        site = store / f"{cached.name}.site"
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir()
        for name, page in pages.items():
            (site / f"{name}.html").write_text(page, encoding="utf-8")
        run_pagefind(site, language, previous=previous)
        (site / "pagefind").rename(cached)
        shutil.rmtree(site)
    return cached


def _last_digests(store: Path, previous: Path) -> Path:
    """The file of the shards' digests of the last index made for the output of ``previous``."""
    where = hashlib.sha256(os.fspath(previous).encode()).hexdigest()[:16]
    return store / f"last-shards-{where}.json"


def _page_url(name: str) -> str:
    """The URL Pagefind gives the page at ``name`` (a relative path): "index.html" left out."""
    path = name.replace(os.sep, "/")
    return "/" + (path[: -len("index.html")] if path.endswith("/index.html") else path)


def _fragments_words(store: Path, pages: list[str], top: Path, name: str,
                     language: str) -> dict[str, str]:  # fmt: skip
    """The words of each of ``pages`` (paths below ``top``) by fragment, indexed on their own.

    A page's fragment, named by its bytes, does not depend on the other pages of a run.
    """
    site = store / f"{name}.foresee"
    shutil.rmtree(site, ignore_errors=True)
    try:
        start = len(os.path.join(os.fspath(top), ""))
        for page in pages:
            target = site / page[start:]
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(page, target)
        _pagefind(site, language, f"{name}/**/*.html", "pagefind")
        fragments = site / "pagefind" / "fragment"
        return {file: _fragment_words(fragments / file) for file in os.listdir(fragments)}
    finally:
        shutil.rmtree(site, ignore_errors=True)


def foresee_words(folder: Path, previous: Path, store: Path, name: str, pages: list[str],
                  language: str) -> None:  # fmt: skip
    """Make ahead the words index that the shard ``name``'s new pages will most likely give.

    Started beside the shard's own Pagefind run, which the words index otherwise waits for
    (0.4 s at 10,000 articles). The other shards' words as the last index of this output had
    them; this shard's as its last index had them, less the fragments of the pages rendered
    again, as the live output has them, plus those of the new ones, each set of pages run
    through Pagefind on its own. The words index is kept by the words it holds: the build
    takes this one only if the shards' words it finds are the same; otherwise it makes its
    own, and this one was made in vain (and is not used).
    """
    try:
        last = json.loads(_last_digests(store, previous).read_text(encoding="utf-8"))
        kept = json.loads(_known_words(store, name).read_text(encoding="utf-8"))
        rendered = [page for page in pages if os.stat(page).st_nlink == 1]
        if not rendered or name not in last:
            return
        live, top = previous.parent, len(os.path.join(os.fspath(folder), ""))
        before = [path for path in (os.fspath(live / page[top:]) for page in rendered)
                  if os.path.isfile(path)]  # fmt: skip
        # The live pages' fragments, as the last index of the shard has them, by their URLs
        # (a page without a body element, a list page, has none); any not found there, run
        # through Pagefind.
        fragment_of = {url: fragment for fragment, url in
                       _strings_by_string(_known_urls(store, name)).items()}  # fmt: skip
        start = len(os.path.join(os.fspath(live), ""))
        found = [fragment_of.get(_page_url(path[start:])) for path in before
                 if BODY in _read_bytes(path)]  # fmt: skip
        if all(fragment in kept for fragment in found):
            old = {fragment: kept[fragment] for fragment in found}
        else:
            old = _fragments_words(store, before, live, name, language) if before else {}
        new = _fragments_words(store, rendered, folder, name, language)
        if old.keys() == new.keys():
            return  # the same fragments: the same words, whose index is kept
        words: set[str] = set()
        for fragment, text in (*kept.items(), *new.items()):
            if fragment not in old or fragment in new:
                words.update(text.split())
        texts = _words_of(store, {shard: made for shard, made in last.items() if shard != name})
        texts[name] = " ".join(sorted(words))
        _words_index(store, texts, language, previous / WORDS)
    except Exception as error:  # only ever time lost: the build makes what it needs itself
        log.debug("words index ahead of shard %s: %s", name, error)


def words_index_ahead(store: Path, previous: Path, name: str, digest: str,
                      language: str) -> None:  # fmt: skip
    """Make the words index of the shards of the last index made for ``previous``'s output,
    with the cached index ``digest`` (its words kept already) as the shard ``name``'s.

    Nothing when ``name`` was no shard of that index, or a shard's words are no longer kept.
    """
    last = json.loads(_last_digests(store, previous).read_text(encoding="utf-8"))
    if name not in last:
        return
    try:
        texts = _words_of(store, {**last, name: digest})
    except FileNotFoundError:
        return
    _words_index(store, texts, language, previous / WORDS)


def _words_of(store: Path, digests: dict[str, str]) -> dict[str, str]:
    """The words of the cached shard indexes ``digests`` (by shard name), as they were kept."""
    return {name: (store / f"{digest}.words{WORDS_FORMAT}").read_text(encoding="utf-8")
            for name, digest in digests.items()}  # fmt: skip


def _clear(path: Path) -> None:
    """Remove the folder or file at ``path``, if any."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _place_index(cached: Path, target: Path) -> None:
    """Make ``target`` a copy of the cached index ``cached``, its files hard links.

    The staging folder is made from a spare output (see opeds.build.staging), which keeps its
    search index's folders: where one holds this very index, it stays (at 10,000 articles,
    11,000 links fewer to make after an edit, and as many fewer to remove after the swap).
    It does when it has the same files as the index, its entry file the index's own.
    """
    if target.is_dir() and not target.is_symlink() and _copy_of(cached, target):
        return
    _clear(target)
    shutil.copytree(cached, target, copy_function=os.link)


def _copy_of(cached: Path, folder: Path) -> bool:
    """Tell whether ``folder`` was copied from the cached index ``cached`` and is complete.

    Pagefind writes the entry file anew in each run, so its inode names the run; nothing
    writes into an index once made, and a spare is only ever a whole, swapped-in output.
    """
    try:
        entry, theirs = (
            os.stat(cached / "pagefind-entry.json"),
            os.stat(folder / "pagefind-entry.json"),
        )
        if (entry.st_ino, entry.st_dev) != (theirs.st_ino, theirs.st_dev):
            return False
        for where, dirs, files in os.walk(cached):
            below = walked_below(where, os.fspath(cached))
            there = folder if below == "." else folder / below
            if sorted(os.listdir(there)) != sorted([*dirs, *files]):
                return False
    except OSError:
        return False
    return True


def tree_stamps(tree: Path) -> dict[str, list[int]]:
    """Return the stamp of each file of the cached index ``tree`` by its path below it.

    Taken once and kept beside it (``<tree>.stamps``): nothing writes into a cached index, and
    each build's copy of it is hard links with the same stamps. Stamps that are wrong all the
    same (a cache edited by hand) only make the next build find the live output changed.
    """
    kept = tree.with_name(f"{tree.name}.stamps")
    with contextlib.suppress(Exception):  # missing or damaged: taken again
        with open(kept, "rb") as file:
            found = pickle.load(file)
        if isinstance(found, dict):
            os.utime(kept)  # used: kept as long as its index
            return found
    found = {}
    top = len(os.path.join(os.fspath(tree), ""))
    for where, _dirs, files in os.walk(tree):
        for name in files:
            path = os.path.join(where, name)
            found[path[top:].replace(os.sep, "/")] = output_stamp(os.stat(path))
    write_atomic(kept, pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
    return found


# Pagefind names its filter and metadata files by a hash of bytes whose order varies per run.
_VARYING = re.compile(r"^pagefind/(?:[^/]+/)?(?:filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta)$")
_VARYING_HASH = re.compile(r"[a-z]+_[0-9a-f]{7,10}")


def canonical_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """Return ``files`` (path → bytes) with Pagefind's run-to-run ordering taken out.

    Two indexes of the same pages differ only in the order of entries inside the filter and
    metadata files and in the hashes that name them; this keeps every byte but sorts them and
    blanks those hashes, so equal results mean the same content, whatever the run.
    """
    varying = [name for name in files if _VARYING.match(name)]
    hashes = {h for name in varying for h in _VARYING_HASH.findall(name.rsplit("/", 1)[1])}
    result = {name: data for name, data in files.items() if name not in varying}
    for name in varying:
        data = gzip.decompress(files[name])
        for value in hashes:
            data = data.replace(value.encode(), b"#")
        kind = name.rsplit("/", 1)[0] + "/*" + name.rsplit(".", 1)[1]
        result.setdefault(kind, b"")
        result[kind] += bytes(sorted(data))
    for name in list(result):
        if name.endswith("pagefind-entry.json"):
            result[name] = _VARYING_HASH.sub("#", result[name].decode()).encode()
    result.update({kind: bytes(sorted(result[kind])) for kind in result if "/*" in kind})
    return result
