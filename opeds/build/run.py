"""Run Pelican in-process into a fresh folder and swap it in only when the build succeeded."""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import gc
import hashlib
import logging
import os
import re
import shutil
import string
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import Pelican, signals
from pelican.cache import FileStampDataCacher
from pelican.contents import Content
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator
from pelican.settings import read_settings
from pelican.utils import SafeDatetime, path_to_url

from opeds.build import articlecache, parallel, readercache
from opeds.build.compress import precompress
from opeds.build.incremental import (
    IncrementalWriter,
    PageKeys,
    content_digests,
    environment_digest,
    input_key,
    link_unchanged,
    settings_digest,
    settled_key,
)
from opeds.build.outputs import Claims, OutputClash, claiming_writer
from opeds.build.parallel import finish_reading_ahead, read_ahead
from opeds.build.staging import INDEX, prepare, staging_folder, swap_in
from opeds.common.forked import ForkedCall
from opeds.common.ownership import MARKER, FolderBusy, TargetRefused, check_target, hold
from opeds.common.stamps import CONTENT_FACTS, MD5, PELICAN_MD5, RUNNING, FileFacts
from opeds.common.walk import relative_below
from opeds.search import ahead as search_ahead
from opeds.search.pagefind import index_site
from opeds.site import related, related_ahead
from opeds.site.content import title_cache
from opeds.site.settings import build_jobs

log = logging.getLogger(__name__)
KEEP_CACHES = 4  # reader caches kept: a development and a production build, and a spare
TEMPLATES = "templates"  # the compiled templates' folder in the reader cache's
NOT_OUTPUT = ("BUILD_JOBS", "PARALLEL_MIN_ARTICLES")  # settings of how, not what, a build makes
#: Above this many content files, Pelican's garbage is collected before the search index
#: starts; below, while Pagefind runs (the memory of either is far from the limits there).
COLLECT_FIRST_ARTICLES = 20_000
#: Above this many content files, Pelican runs in a child process of the build (see
#: _run_apart): what its run leaves behind would stay in the build's memory beside Pagefind's.
APART_FILES = 20_000


class _Steps:
    """Wall time of each step of one build, for the log."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def done(self, name: str) -> None:
        """Record the time since the last step as ``name``."""
        now = time.perf_counter()
        self.seconds[name] = now - self.last
        self.last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())


class BuildError(RuntimeError):
    """A build that must not replace the live output."""


class _ErrorCollector(logging.Handler):
    """Remember every error Pelican logs: it skips broken articles and still exits 0."""

    def __init__(self, content: Path) -> None:
        super().__init__(level=logging.ERROR)
        self.content = content
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Could not process "):
            # Pelican names the file relative to PATH and drops the reason unless DEBUG is on.
            name = message.removeprefix("Could not process ")
            message = f"{self.content / name}: could not be read"
        # Handlers run inside Pelican's except block, so the reason is still at hand.
        reason = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        self.messages.append(f"{message}: {reason}" if reason else message)


class _Members(list):
    """A list whose ``in`` looks up identity in a set.

    Pelican lists a section's articles with ``[a for a in dates if a in articles]``: one scan
    of the section per article of the archive, quadratic in the archive's size. Articles
    compare by identity, so a set of ids answers the same, in constant time.
    """

    def __init__(self, items) -> None:
        super().__init__(items)
        self._ids = {id(item) for item in self}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids

    def append(self, item) -> None:
        """Append ``item`` and remember it."""
        super().append(item)
        self._ids.add(id(item))

    def extend(self, items) -> None:
        """Extend by ``items`` and remember them."""
        for item in items:
            self.append(item)


def forget_memoized() -> None:
    """Let go of what Pelican memoizes on its classes for the life of the process.

    Pelican memoizes every article's content and summary on the class, keyed by the article:
    that holds every article of the build (and a copy of its HTML) for the life of the process.
    """
    for method in ("get_content", "get_summary"):
        memo = Content.__dict__.get(method)
        if hasattr(memo, "cache"):
            memo.cache.clear()


def release_memory() -> None:
    """Free what Pelican keeps after its run, so the search indexing that follows adds to less."""
    forget_memoized()
    gc.unfreeze()  # Pelican's objects are set aside after its run (see _build)
    started = time.perf_counter()
    gc.collect()
    log.debug("memory: collected in %.2f s", time.perf_counter() - started)
    give_back_memory()


def give_back_memory() -> None:
    """Return the C library's free memory to the system (glibc only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def drop_reader_cache(generator) -> None:
    """Let go of Pelican's reader cache once Pelican has saved it: the articles hold what counts.

    It keeps every article's HTML as read, before typesetting, for the rest of the build.
    The memory goes back to the system at once, before the related op-eds fork their
    workers.
    """
    readers = getattr(generator, "readers", None)
    if readers is not None and hasattr(readers, "_cache"):
        readercache.drop(readers)
        give_back_memory()


def start_reading(generator) -> None:
    """Start the related op-eds' worker; give the articles generator the article objects kept;
    start reading what it must make.

    In this order: the worker first, as it is the longest step after an edit (checking the
    kept articles' stamps took 0.1 s at 10,000 articles), and before the workers reading
    ahead take over Pelican's reader cache, which a fork could not use.
    """
    related_ahead.start(generator)
    if len(parallel.CONTENT_FILES) <= articlecache.MOST_FILES:
        articlecache.attach(generator)
    read_ahead(generator)


def cache_templates(generator) -> None:
    """Keep the templates Jinja compiles in the build's cache (its bytecode cache).

    Each generator has its own environment, which compiled every template it uses in each
    build (0.1 s after one edit at 10,000 articles). The folder is the reader cache's, one per
    version of the settings and the code, which decide how a template compiles; Jinja keys
    each entry by the template's file and the digest of its source.
    """
    folder = Path(generator.settings["CACHE_PATH"]) / TEMPLATES
    folder.mkdir(parents=True, exist_ok=True)
    generator.env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def linear_taxonomies(generator) -> None:
    """Give sections, topics and authors member lists that answer ``in`` in constant time."""
    if not isinstance(generator, ArticlesGenerator):
        return
    for name in ("categories", "authors"):
        entries = getattr(generator, name)
        entries[:] = [(key, _Members(articles)) for key, articles in entries]
    for tag, articles in list(generator.tags.items()):
        generator.tags[tag] = _Members(articles)


_pelican_period_archives = ArticlesGenerator._build_period_archives


def linear_period_archives(generator, sorted_articles, articles, settings):
    """Pelican's year, month and day archives, with each period's articles found linearly.

    Pelican lists a period's articles with ``[a for a in articles if a in dates]``: every
    article of the archive against every period, quadratic. Called with no articles, it does
    the rest; each period's articles are then its dates in the order of ``articles``.
    """
    archives = _pelican_period_archives(generator, sorted_articles, [], settings)
    position = {id(article): index for index, article in enumerate(articles)}
    for periods in archives.values():
        for archive in periods:
            members = [a for a in archive["dates"] if id(a) in position]
            archive["articles"] = sorted(members, key=lambda a: position[id(a)])
    return archives


ArticlesGenerator._build_period_archives = linear_period_archives

_pelican_file_stamp = FileStampDataCacher._get_file_stamp


def file_stamp(cacher, filename: str) -> object:
    """Pelican's MD5 file stamp, kept by the file's stamp: unchanged files are not read again.

    Pelican hashes every content file up to three times a build to judge its caches, twice of
    them for a cache that is off: the generators' own (we cache what the readers read). A
    cache that neither holds nor keeps anything compares its stamps with nothing, so any
    stamp but None gives what the file's would.
    """
    if not cacher._cache_data_policy and not cacher._cache:
        return b""
    if not RUNNING or cacher.settings.get("CHECK_MODIFIED_METHOD") != "md5":
        return _pelican_file_stamp(cacher, filename)

    def md5() -> str:
        with open(filename, "rb") as file:
            return hashlib.md5(file.read()).hexdigest()

    try:
        # The name as it is (a path object per file cost a tenth of a second at 10,000).
        return bytes.fromhex(str(RUNNING[-1].fact(filename, PELICAN_MD5, md5, MD5)))
    except OSError:
        return _pelican_file_stamp(cacher, filename)  # Pelican logs why and returns ""


FileStampDataCacher._get_file_stamp = file_stamp
readercache.install()


#: The fields each URL pattern of the settings names, by pattern (None: positional fields).
_URL_FIELDS: dict[str, tuple[str, ...] | None] = {}
_pelican_expand_settings = Content._expand_settings
#: A date format Pelican's ``strftime`` gives as the C library's does: only the C89 directives
#: it passes on one by one, none with its ``-`` (no zero padding), no other ``%``.
_PLAIN_DATE_FORMAT = re.compile(r"(?:%[aAbBcdfGHIjmMpSUuVwWxXyYzZ]|[^%])*")


_pelican_strftime = SafeDatetime.strftime


def plain_strftime(date: SafeDatetime, fmt: str, safe: bool = True) -> str:
    """Pelican's ``SafeDatetime.strftime``, with the C library's for a format it gives alike.

    Pelican formats every date through a regular expression, one directive at a time: the
    dates in the URLs cost a second at 10,000 articles; each article's ``locale_date`` and
    every sitemap entry another at 50,000. See ``_PLAIN_DATE_FORMAT`` for the formats where
    both agree; a date in a URL pattern (``{date:%Y}``) is formatted through this too.
    """
    if safe and _PLAIN_DATE_FORMAT.fullmatch(fmt):
        return datetime.datetime.strftime(date, fmt)
    return _pelican_strftime(date, fmt, safe)


SafeDatetime.strftime = plain_strftime


def _url_fields(pattern: str) -> tuple[str, ...] | None:
    if pattern not in _URL_FIELDS:
        names: set[str] | None = set()
        for _text, field, _spec, _conversion in string.Formatter().parse(pattern):
            if field is None:
                continue
            name = re.split(r"[.\[]", field, maxsplit=1)[0]
            if not name or name.isdigit():
                names = None
                break
            names.add(name)
        _URL_FIELDS[pattern] = None if names is None else tuple(sorted(names))
    return _URL_FIELDS[pattern]


def expand_url_setting(content: Content, key: str, klass: str | None = None) -> str:
    """Pelican's URL of an article or page from a setting such as ``ARTICLE_SAVE_AS``.

    The same values as Pelican's ``url_format``, but only the ones the pattern names: Pelican
    copies all the metadata and works out every field, about 35,000 times a build of 10,000
    articles (1.5 s).
    """
    fq_key = f"{klass or content.__class__.__name__}_{key}".upper()
    pattern = str(content.settings[fq_key])
    fields = _url_fields(pattern)
    if fields is None:
        return _pelican_expand_settings(content, key, klass)
    values = {}
    for name in fields:
        if name == "path":
            metadata = content.metadata
            path = metadata["path"] if "path" in metadata else content.get_relative_source_path()
            values[name] = path_to_url(path)
        elif name == "slug":
            values[name] = getattr(content, "slug", "")
        elif name == "lang":
            values[name] = getattr(content, "lang", "en")
        elif name == "date":
            values[name] = getattr(content, "date", datetime.datetime.now())
        elif name in ("author", "category"):
            values[name] = getattr(content, name).slug if hasattr(content, name) else ""
        elif name in content.metadata:
            values[name] = content.metadata[name]
    return pattern.format(**values)


Content._expand_settings = expand_url_setting
_pelican_relative_source_path = Content.get_relative_source_path


def relative_source_path(content: Content, source_path: str | None = None) -> str | None:
    """Pelican's path of a source file relative to ``PATH``, worked out as ``relative_below`` does.

    Pelican asks it twice for each article, through ``abspath`` and ``relpath`` both times.
    """
    path = source_path or content.source_path
    root = content.settings["PATH"]
    if path and os.path.isabs(path) and os.path.isabs(root):
        return relative_below(path, root)
    return _pelican_relative_source_path(content, source_path)


Content.get_relative_source_path = relative_source_path
ArticlesGenerator.generate_articles = parallel.start_article_pages
ArticlesGenerator.generate_pages = parallel.generate_pages
_pelican_check_disabled_readers = Generator._check_disabled_readers


def check_disabled_readers(generator, paths, exclude: list[str] | None = None) -> None:
    """Pelican's warning for each file a disabled reader would read; none to look for when
    no reader is disabled (Pelican walks the content folder for them all the same: 0.04 s
    for the articles' 10,000 files).
    """
    if generator.readers.disabled_extensions:
        _pelican_check_disabled_readers(generator, paths, exclude)


Generator._check_disabled_readers = check_disabled_readers


def duplicate_urls(generators: list[object]) -> list[str]:
    """Name every output file that two sources would both write."""
    writers: dict[str, list[str]] = defaultdict(list)
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            items = generator.articles + generator.translations + generator.drafts
        elif isinstance(generator, PagesGenerator):
            items = generator.pages + generator.translations + generator.hidden_pages
        else:
            continue
        for item in items:
            writers[item.save_as].append(item.source_path)
    return [
        f"{' and '.join(sorted(sources))} both want the URL /{save_as.removesuffix('index.html')}"
        for save_as, sources in sorted(writers.items())
        if len(sources) > 1
    ]


class _OutputWalk:
    """The walk over the output after Pelican: links unchanged files, takes stamps, lists pages.

    Called once, by the search index's thread (see opeds.search.pagefind.index_shards) or by
    the build's; :meth:`result` waits for it.
    """

    def __init__(self, staging: Path, output: Path, stamps: dict[str, list[int]] | None,
                 pages: dict[str, list[str]], done: bool = False) -> None:  # fmt: skip
        self.staging, self.output, self.stamps, self.pages = staging, output, stamps, pages
        self.linked = 0
        self.ended = threading.Event()
        self.walked = done  # walked already (before the index: see _build)
        if done:
            self.ended.set()

    def __call__(self) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
        if not self.walked:
            self.walked = True
            try:
                self.linked = link_unchanged(self.staging, self.output, leave_out="pagefind",
                                             stamps=self.stamps, pages=self.pages)  # fmt: skip
            finally:
                self.ended.set()
        return self.pages, self.stamps or {}

    def abandon(self) -> None:
        """End the wait of :meth:`result` for a walk that will not come (the index failed)."""
        self.ended.set()

    def result(self) -> int:
        """Wait for the walk; the number of files it linked."""
        self.ended.wait()
        return self.linked


def _stop_workers() -> None:
    """Stop the workers Pelican's run started and has not stopped (after a failure)."""
    parallel.stop_workers()
    related_ahead.stop()
    articlecache.stop()


def _run_apart(settings: dict, keys: PageKeys, facts: FileFacts, collector: _ErrorCollector,
               left: list[dict[str, str]]) -> None:  # fmt: skip
    """Run Pelican in a forked child; take over from it what the rest of the build reads.

    A big archive's run leaves this process holding memory it cannot give back: at 50,000
    articles, 575 MB of the allocator's arenas after the garbage was collected, 198 MB of
    them in use (Python frees an arena only when nothing in it lives). The search index's
    two Pagefind runs came on top of that: the build's peak. The child's memory goes when it
    ends. What Pelican made is on disk; what the build needs of the run comes back: the
    pages' keys, the facts about files worked out, the errors logged, the content's digests
    taken while it waited. An error comes back as it was raised (see opeds.common.forked).
    """

    def run() -> dict[str, object]:
        try:
            Pelican(settings).run()
        finally:  # its workers end before the child does: they hold the pipe to this process
            _stop_workers()
        return {"keys": vars(keys), "facts": vars(facts), "errors": collector.messages,
                "left": left}  # fmt: skip

    log.info("build: Pelican runs in a process of its own")
    outcome = ForkedCall(run).result()
    vars(keys).update(outcome["keys"])
    vars(facts).update(outcome["facts"])
    collector.messages[:] = outcome["errors"]
    left[:] = outcome["left"]


def _undated_folder(settings: dict) -> str:
    """Undated pieces live in the first folder of their URL: a search shard of its own."""
    return str(settings.get("UNDATED_URL") or "ohne-datum/").split("/", 1)[0]


def _start_search_index(
    staging: Path,
    output: Path,
    settings: dict,
    cache: Path,
    started: threading.Event,
    changed: frozenset[str] = frozenset(),
    walk: _OutputWalk | None = None,
) -> Future:
    """Start indexing ``staging`` for search in a thread.

    Its result: the number of files linked from the live index, and the stamps of its files.

    ``started`` is set once the thread's own work is done and it waits for Pagefind.
    ``walk``: the build's walk over the output, which the index takes its pages from (see
    opeds.search.pagefind.index_shards).
    """

    def run() -> tuple[int, dict[str, list[int]]]:
        shards = bool(settings.get("SEARCH_SHARDS"))
        undated = _undated_folder(settings)
        stamps: dict[str, list[int]] = {}
        try:
            index_site(staging, settings["DEFAULT_LANG"], cache, shards=shards, undated=undated,
                       started=started, previous=output / "pagefind", changed=changed,
                       stamps=stamps, walk=walk)  # fmt: skip
            if walk is not None:
                walk()  # done already, unless the index had no use for the pages
        finally:
            if walk is not None:
                walk.abandon()
        # The folders whose stamps the index gave are links of cached indexes: not walked.
        known = frozenset(name.split("/", 1)[0] for name in stamps)
        linked = link_unchanged(staging / "pagefind", output / "pagefind", leave_out=known,
                                stamps=stamps)  # fmt: skip
        return linked, stamps

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search")
    try:
        return pool.submit(run)
    finally:
        pool.shutdown(wait=False)  # the run goes on; the caller waits for its result


#: More content files than this at the last build: the caches are not read ahead of the import.
PRELOAD_MOST_FILES = 20_000


def _forget_preloaded() -> None:
    articlecache.forget_preloaded()
    readercache.forget_preloaded()
    related.forget_preloaded()


def _keep_newest(folder: Path, name: str, keep: int = KEEP_CACHES) -> Path:
    """Return ``folder/name``, marked as just used; remove all but the ``keep`` newest others."""
    path = folder / name
    path.mkdir(parents=True, exist_ok=True)
    os.utime(path)
    others = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return path


def build_site(
    settings_file: Path,
    content: Path,
    output: Path,
    *,
    cache: Path,
    compress: bool = False,
    search_index: bool = True,
    verify: Callable[[Path], list[object]] | None = None,
    force_target: bool = False,
    content_ready: Callable[[], None] | None = None,
    **overrides: object,
) -> None:
    """Build ``content`` into ``output``; swap it in only if Pelican, the index and ``verify`` pass.

    ``verify`` gets the finished staging folder and returns findings; any finding fails the build.
    ``output`` must be missing, empty or an earlier build's (``force_target`` lifts the last).
    ``content_ready`` is called once the build is set up, before it looks at the content: an
    import still at work (see opeds.common.forked) ends there.
    """
    output = Path(os.path.abspath(output))  # "." has no name to put a staging folder beside
    try:
        check_target(output, "to build into", protected=[content], force=force_target)
        with hold(output, "build"):
            _build(settings_file, content, output, cache, compress, search_index, verify,
                   content_ready, overrides)  # fmt: skip
    except (TargetRefused, FolderBusy) as error:
        raise BuildError(str(error)) from None


def _build(settings_file, content, output, cache, compress, search_index, verify, content_ready,
           overrides):  # fmt: skip
    """Build into an empty staging folder and swap it in; called with the output's lock held."""
    if content_ready is not None and not content.is_dir():
        # A first build: the import makes the content folder, which Pelican's settings need.
        content_ready()
        content_ready = None
    staging = staging_folder(output)  # made once the build is known to be needed
    settings = read_settings(
        str(settings_file),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(staging),
            "CACHE_PATH": str(cache),
            # The staging folder is empty but for folders: Pelican need not empty it, and
            # must not remove the folders of the spare it may be (see opeds.build.staging).
            "DELETE_OUTPUT_DIRECTORY": False,
            "OUTPUT_RETENTION": [MARKER],
            **overrides,
        },
    )
    # Pelican's reader cache knows only file stamps: a folder per settings and code version
    # makes every change of those start a fresh one instead of serving stale articles.
    # How many processes read the articles never changes a byte of the output.
    site = settings_digest(settings, leave_out=("OUTPUT_PATH", "CACHE_PATH", *NOT_OUTPUT))
    base_key = hashlib.sha256(f"{environment_digest()}/{site}".encode()).hexdigest()
    settings["CACHE_PATH"] = str(_keep_newest(cache / "pelican", base_key[:16]))
    settings["OPEDS_CACHE_PATH"] = str(cache)
    where = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    # The same content, settings, code and options as the live output, which nobody touched:
    # the build would give the same bytes, so the live output stays as it is.
    options = f"compress={compress} search={search_index}"
    facts = FileFacts(cache / CONTENT_FACTS)
    manifest = cache / "pages" / f"{where}.json"
    keys = PageKeys(output, manifest, base_key, root=str(settings["PATH"]))
    if content_ready is not None:
        # What the build reads whatever the import does, read while it runs; not for a big
        # archive, where it is read in vain when nothing changed (at 50,000 articles, that
        # step's peak rose from 0.3 to 1 GB) and its import takes the longer part anyway.
        known_files = sum(key.startswith("sha256\0") for key in facts.known)
        if known_files <= PRELOAD_MOST_FILES:
            # The kept article objects, or where there are none, what Pelican's readers read.
            if known_files > articlecache.MOST_FILES or not articlecache.preload(settings):
                readercache.preload(settings)
            related.preload_cache(settings)
        content_ready()
    read = content_digests(content, facts)
    keys.known_sources = read  # the content's digests, as the build found them at its start
    start_key = "" if verify else input_key(read, base_key, options)
    if keys.up_to_date(start_key):
        _forget_preloaded()
        facts.save()
        log.info("build: nothing changed since the live output was built")
        return
    prepare(output)
    if not search_index:  # the search index's folders a spare output kept (see make_spare)
        shutil.rmtree(staging / INDEX, ignore_errors=True)
    incremental = type("BuildWriter", (IncrementalWriter,), {"keys": keys})
    collector = _ErrorCollector(content)
    duplicates: list[str] = []
    claims = Claims()

    def find_duplicates(generators: list[object]) -> None:
        duplicates.extend(duplicate_urls(generators))
        if duplicates:
            # Stop before Pelican writes anything: its own error names only the output file.
            raise BuildError("duplicate URLs:\n  " + "\n  ".join(duplicates))
        claims.claim_copies(generators, settings)

    def writer(pelican: object) -> type:
        # Every article and list is read: what lives now lives to the end of the run. Kept out
        # of the collector from here on, the collector can run again for the pages' own
        # garbage (each render leaves reference cycles: 70 MB in each process at 10,000).
        gc.freeze()
        gc.enable()
        give_back_memory()
        return claiming_writer(claims, base=incremental)

    signals.all_generators_finalized.connect(find_duplicates)
    signals.get_writer.connect(writer)
    signals.article_generator_finalized.connect(linear_taxonomies)
    signals.article_generator_finalized.connect(drop_reader_cache)
    signals.article_generator_init.connect(start_reading)
    signals.generator_init.connect(cache_templates)
    signals.article_generator_pretaxonomy.connect(finish_reading_ahead)
    signals.article_generator_finalized.connect(search_ahead.start)
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        steps = _Steps()
        # Pelican's objects live until its run ends: the cycle collector, passing over them all
        # again and again while the run allocates, would find nothing. It runs once, after.
        gc.disable()
        RUNNING.append(facts)
        related_ahead.SOURCES.update(read)
        # The content as the build leaves it, hashed while Pelican's process waits for the
        # related op-eds' worker if it does (the URL history, the one file the build writes
        # there, is written by then); else after Pelican, beside the search index's runs.
        left: list[dict[str, str]] = []
        related_ahead.WHILE_WAITING.append(lambda: left.append(content_digests(content, facts)))
        parallel.CONTENT_FILES.update(read)
        apart = len(read) > APART_FILES
        if (search_index and settings.get("SEARCH_SHARDS") and (output / INDEX).is_dir()
                and len(read) <= search_ahead.MOST_FILES and not apart):  # fmt: skip
            # An edited article's year indexed while Pelican still works (see its module).
            language, undated = settings["DEFAULT_LANG"], _undated_folder(settings)
            search_ahead.prepare({"live": output, "cache": cache, "language": language,
                                  "undated": undated})  # fmt: skip
        try:
            if apart:
                _run_apart(settings, keys, facts, collector, left)
            else:
                Pelican(settings).run()
        finally:
            indexed_ahead = search_ahead.wait()  # in the cache before the index looks there
            RUNNING.remove(facts)
            related_ahead.SOURCES.clear()
            related_ahead.WHILE_WAITING.clear()
            parallel.CONTENT_FILES.clear()
            forget_memoized()  # also after errors: the memo would keep every article
            # What Pelican made stays set aside: the collector, back on for what comes next,
            # would otherwise soon go over all of it again (0.3 s at 10,000 articles) only
            # to find the garbage release_memory collects, or that the process leaves behind.
            gc.freeze()
            gc.enable()
        steps.done("Pelican")
        if collector.messages:
            raise BuildError("Pelican reported errors:\n  " + "\n  ".join(collector.messages))
        # A big archive's Pagefind runs add to what this process still holds: collect first
        # (at 50,000 articles, collecting while they ran raised the peak from 1.8 to 2.3 GB).
        # A smaller one starts them at once and links and collects while they run; when it
        # rendered few pages (one edit), its few runs are small: it does not collect at all.
        collect_first = len(read) > COLLECT_FIRST_ARTICLES
        collect = collect_first or not keys.mostly_reused()
        # Pages rendered again with the bytes of the live ones (after a template or code
        # change) are linked before the index reads them: it then knows their indexed parts by
        # the stamps it kept (reading 11,000 pages took 1.2 s at 10,000 articles), and keeps
        # the stamps the next build will find.
        link_first = collect_first or (collect and output.is_dir())
        linked = 0
        # The stamps of the files but the search index's, taken as they are linked; compression
        # adds files everywhere, so then they are taken at the end.
        stamps: dict[str, list[int]] | None = None if compress else {}
        pages: dict[str, list[str]] = {}  # every page below each top folder, as walked
        if link_first:  # the index's folder: not yet made (only as the spare kept it)
            linked = link_unchanged(staging, output, leave_out=INDEX, stamps=stamps, pages=pages)
        if collect_first:
            release_memory()
        # The same bytes either way, so the index may read a page before or after its link;
        # the index's own files are still being written, and it links them itself.
        walk = _OutputWalk(staging, output, stamps, pages, done=link_first)
        # The search index is made in a thread, its Pagefind runs in processes of their own.
        # Once the runs of the shards with changed pages are under way, it walks the output
        # (linking unchanged files, taking stamps) and lists the other shards' pages from that
        # walk, while this thread hashes the content.
        started = threading.Event()
        search = None
        if search_index:
            # The shards with pages rendered again are hashed first, so that their Pagefind
            # runs start early. After an edit whose shard was indexed ahead, only that one:
            # the others have only their related pieces and neighbours changed, outside what
            # is indexed, and are hashed after the walk, from the stamps it takes.
            changed = indexed_ahead or keys.rendered_folders()
            search = _start_search_index(staging, output, settings, cache, started, changed,
                                         walk)  # fmt: skip
            # Its reading of the pages first: until its Pagefind runs start, it needs this core.
            started.wait()
        try:
            if search is None:
                walk()
            after = left[0] if left else content_digests(content, facts)
            linked += walk.result()
            if collect and not collect_first:
                release_memory()
            if stamps is not None:
                keys.note_stamps(staging, leave_out="pagefind", stamps=stamps)
            facts.save()  # while the index is made: nothing changes them after this
        finally:
            index_linked, index_stamps = search.result() if search is not None else (0, None)
            linked += index_linked  # its error, if any, raised
        steps.done("search index" if search_index else "memory")
        log.info("pages: %d pages reused, %d more files unchanged", keys.reused, linked)
        if verify:
            findings = verify(staging)
            steps.done("checks")
            if findings:
                raise BuildError("the checks failed:\n  " + "\n  ".join(map(str, findings)))
        if compress:
            precompress(staging, previous=output, jobs=build_jobs(settings))
            steps.done("compression")
        written = {settings.get("URL_HISTORY") or ""}  # the one file a build writes there
        settled = settled_key(read, after, written, base_key, options)
        keys.save(staging, settled if start_key else "", later=None if compress else index_stamps)
        if pruned := title_cache(settings).prune():
            log.info("typography cache: files of other code versions removed: %d", pruned)
        steps.done("keys")
    except BuildError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except OutputClash as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"two outputs at one path: {error}") from None
    except Exception as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"{type(error).__name__}: {error}") from error
    finally:
        gc.unfreeze()  # a caller that goes on collects the build's garbage in its own time
        root.removeHandler(collector)
        signals.all_generators_finalized.disconnect(find_duplicates)
        signals.get_writer.disconnect(writer)
        signals.article_generator_finalized.disconnect(linear_taxonomies)
        signals.article_generator_finalized.disconnect(drop_reader_cache)
        signals.article_generator_init.disconnect(start_reading)
        signals.generator_init.disconnect(cache_templates)
        signals.article_generator_pretaxonomy.disconnect(finish_reading_ahead)
        _stop_workers()
        _forget_preloaded()
    swap_in(staging, output)
    steps.done("swap")
    log.info("build: %s", steps)
