"""The build's per-article work on every core: reading ahead and writing the article pages.

Pelican reads and writes the articles one after another in one process. Two steps of a build
are shared out to forked worker processes, which start with Pelican's state as it is:

- Reading ahead: as Pelican's reading loop starts, the articles its reader cache does not
  hold yet are read by the workers with the same Markdown reader; each result goes into
  Pelican's reader cache with the file's stamp, its HTML finished by our reader.
  Pelican's loop, at the same time, waits for each file's entry and only builds the article
  objects. A file a worker cannot read is left out: Pelican reads it itself and reports the
  error as always; a worker that fails fails the build once the loop is done.
- Writing: the article pages are shared out between this process and the workers, each
  rendering (or linking from the live output) a chunk at a time with the build's writer; the
  workers start first, while this process writes Pelican's list pages. Each worker
  sends back what the writer recorded: the files written, the page keys, the claims and any
  error logged; a clash between two workers' claims fails the build as one in a process does.

Fewer articles than ``PARALLEL_MIN_ARTICLES`` stay in one process: forking would cost more.
``BUILD_JOBS`` sets the number of processes (default: every core; 1 turns this off).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
from itertools import chain

from pelican import signals
from pelican.contents import Content
from pelican.generators import ArticlesGenerator
from pelican.readers import _filter_discardable_metadata
from pelican.utils import file_suffix

from opeds.build import articlecache, readercache
from opeds.common.stamps import PELICAN_MD5, RUNNING
from opeds.common.workers import worker_pool
from opeds.site import pages
from opeds.site.settings import build_jobs

log = logging.getLogger(__name__)

MIN_ARTICLES = 64
BATCH = 100  # files a worker reads per task: small enough to share the work out evenly
CHUNK = 32  # article pages a process takes at a time

_SHARED: dict[str, object] = {}  # what the forked workers work on, set just before forking
_STARTED: dict[int, tuple] = {}  # id(generator) -> its workers writing article pages
_READING: list = []  # the pools reading ahead
#: The content's files by path below ``PATH``, as the running build found them at its start
#: (set by opeds.build.run). Empty: not known.
CONTENT_FILES: dict[str, str] = {}


def _least(settings: dict) -> int:
    return int(settings.get("PARALLEL_MIN_ARTICLES", MIN_ARTICLES))


def read_ahead(generator) -> None:
    """Start filling Pelican's reader cache for every article it does not hold yet.

    The workers read in the order of Pelican's own loop, which starts at once: its cache hands
    each file's entry over as it arrives (:class:`_ArrivingCache`), so building the article
    objects overlaps with reading (it followed it, on one core, for 4 s at 10,000 articles).
    :func:`finish_reading_ahead` ends it once Pelican's loop is done.
    """
    if not isinstance(generator, ArticlesGenerator):
        return
    settings = generator.settings
    readers = generator.readers
    jobs = build_jobs(settings)
    if jobs < 2 or not readers._cache_data_policy:
        return
    store = articlecache.store_of(generator)  # the article objects kept: those need no reading

    def to_read(name: str, path: str) -> bool:
        if file_suffix(path) not in readers.readers or (store is not None and store.holds(name)):
            return False
        readercache.ensure_loaded(readers, path)
        return path not in readers._cache

    base = os.path.abspath(generator.path)  # the reader cache's keys: absolute paths
    if CONTENT_FILES:
        # Fewer files of the content than that are to be read (an edit): no workers, and no
        # listing of the articles before Pelican's own (0.05 s at 10,000 articles).
        unread = sum(to_read(name, os.path.join(base, name)) for name in CONTENT_FILES)
        if unread < _least(settings):
            return
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    # In the order Pelican's loop takes them (it walks the same set).
    paths = [(name, os.path.abspath(os.path.join(base, name))) for name in files]
    # Only files the caches have never seen: a changed one costs a stamp to find, and is rare.
    new = [path for name, path in paths if to_read(name, path)]
    if len(new) < _least(settings):
        return
    batches = [new[start : start + BATCH] for start in range(0, len(new), BATCH)]
    _SHARED["readers"] = readers
    pool = worker_pool(jobs)
    try:
        results = pool.imap(_read_batch, batches)
    except BaseException:
        _stop(pool)
        raise
    readers._cache = _ArrivingCache(readers._cache, batches, results, pool, jobs)
    _READING.append(pool)


def finish_reading_ahead(generator) -> None:
    """Take what the workers still read into Pelican's reader cache, as a plain dict; stop them.

    A worker's failure fails the build here. (A build that fails before this point has its
    workers stopped by :func:`stop_workers`.)
    """
    readers = getattr(generator, "readers", None)
    cache = getattr(readers, "_cache", None)
    if isinstance(cache, _ArrivingCache):
        readers._cache = cache.finish()


class _ArrivingCache(dict):
    """Pelican's reader cache while the workers read: a file's entry is waited for when asked."""

    def __init__(self, cache: dict, batches: list[list[str]], results, pool, jobs: int) -> None:
        super().__init__(cache)
        self.batches, self.results, self.pool, self.jobs = batches, results, pool, jobs
        self.pending = {path for batch in batches for path in batch}
        self.taken = self.read = 0
        self.error: BaseException | None = None

    def get(self, key, default=None):
        while key in self.pending:
            self._take()
        return super().get(key, default)

    def _take(self) -> None:
        """Take the next batch the workers read (in order); a file left out Pelican reads."""
        batch = self.batches[self.taken]
        self.taken += 1
        try:
            results = next(self.results)
        except Exception as error:  # raised by finish(); Pelican reads this batch itself
            self.error = self.error or error
            results = []
        for path, stamp, data, learned in results:
            self[path] = (stamp, data)
            self.read += 1
            if RUNNING:  # the stamp: Pelican asks this process for it again
                RUNNING[-1].adopt(learned)
        self.pending.difference_update(batch)

    def finish(self) -> dict:
        finished = False
        try:
            while self.pending:
                self._take()
            finished = True
        finally:
            _stop(self.pool, finished)
            if self.pool in _READING:
                _READING.remove(self.pool)
        if self.error is not None:
            raise self.error
        log.info("read ahead: %d of %d new articles on %d cores",
                 self.read, sum(map(len, self.batches)), self.jobs)  # fmt: skip
        return dict(self)


def _read_batch(paths: list[str]) -> list[tuple[str, object, tuple, dict]]:
    """Read ``paths`` as Pelican's reader would (ours finishes the HTML, see opeds.site.reader).

    Each file comes with the facts behind its stamp, which the build's process would
    otherwise work out again by reading the file.
    """
    readers = _SHARED["readers"]
    results = []
    for path in paths:
        try:
            stamp = readers._get_file_stamp(path)
            content, metadata = readers.readers[file_suffix(path)].read(path)
            metadata = _filter_discardable_metadata(metadata)
        except Exception:  # Pelican reads it again and reports the error
            continue
        learned = RUNNING[-1].learned(PELICAN_MD5, path) if RUNNING else {}
        results.append((path, stamp, (content, metadata), learned))
    return results


_pelican_generate_articles = ArticlesGenerator.generate_articles
_pelican_generate_pages = ArticlesGenerator.generate_pages


def write_articles_in_parallel(generator, write) -> None:
    """Write the article pages as Pelican does, shared out to the build's worker processes."""
    start_article_pages(generator, write)
    finish_article_pages(generator)


#: What an articles generator still has to do before its article pages are written: a list
#: of functions in its attribute of this name, called (and emptied) just before.
BEFORE_ARTICLE_PAGES = pages.BEFORE_ARTICLE_PAGES
_PUT_OFF: dict[int, object] = {}  # id(generator) -> the ``write`` of its article pages


def _steps_before_pages(generator) -> None:
    steps = generator.__dict__.get(BEFORE_ARTICLE_PAGES) or []
    while steps:
        steps.pop(0)()


def start_article_pages(generator, write) -> None:
    """Start the workers on the article pages; this process joins in :func:`finish_article_pages`.

    The article pages are handed out a chunk at a time to whichever process is free. In the
    meantime Pelican's process writes the list pages, which it used to write alone once every
    article page was done (four seconds of one busy core in a cold build of 10,000 articles).
    When the generator still has steps to take before its article pages (its related op-eds
    still being worked out, see opeds.site.pages), the list pages come first, and the workers
    start once those steps are done.
    """
    writer = _writer_of(write)
    keys = getattr(writer, "keys", None)
    claims = getattr(writer, "all_claims", None)
    count = sum(map(len, (generator.translations, generator.articles,
                          generator.hidden_translations, generator.hidden_articles)))  # fmt: skip
    jobs = build_jobs(generator.settings)
    if jobs < 2 or count < _least(generator.settings) or keys is None or claims is None:
        _steps_before_pages(generator)
        _pelican_generate_articles(generator, write)
        return
    if generator.__dict__.get(BEFORE_ARTICLE_PAGES):
        _PUT_OFF[id(generator)] = write
        return
    _start_workers(generator, write)


def _start_workers(generator, write) -> None:
    articles = list(chain(generator.translations, generator.articles,
                          generator.hidden_translations, generator.hidden_articles))  # fmt: skip
    jobs = build_jobs(generator.settings)
    # The next chunk to take, shared by every process: forked with the workers.
    taken = multiprocessing.get_context("fork").Value("q", 0)
    _SHARED.update(generator=generator, write=write, articles=articles, taken=taken)
    pool = worker_pool(jobs - 1)
    try:
        pending = pool.map_async(_write_share, range(1, jobs))
    except BaseException:
        _stop(pool)
        raise
    _STARTED[id(generator)] = (pool, pending, write, jobs, len(articles))


def finish_article_pages(generator) -> None:
    """Write the article pages no worker took; wait for the workers and record what they did."""
    put_off = _PUT_OFF.pop(id(generator), None)
    if put_off is not None:
        _steps_before_pages(generator)
        _start_workers(generator, put_off)
    started = _STARTED.pop(id(generator), None)
    if started is None:
        return
    pool, pending, write, jobs, count = started
    writer = _writer_of(write)
    finished = False
    try:
        _write_chunks(generator, write)
        results = pending.get()
        finished = True
    finally:
        _stop(pool, finished)
    keys, claims = writer.keys, writer.all_claims
    for result in results:
        if isinstance(result, BaseException):
            raise result
        for message in result["errors"]:
            log.error("%s", message)
        writer._written_files.update(result["written"])
        keys.current.update(result["keys"])
        keys.reused += result["reused"]
        for name, source in result["claims"].items():
            claims.claim(name, source)
    log.info("articles: %d pages on %d cores", count, jobs)


def abandon_article_pages(generator) -> None:
    """Stop the workers of a build that failed before its article pages were finished."""
    started = _STARTED.pop(id(generator), None)
    if started is not None:
        _stop(started[0])


def generate_pages(generator, writer) -> None:
    """Pelican's ``generate_pages``, with the workers writing article pages all along."""
    try:
        _pelican_generate_pages(generator, writer)
    except BaseException:
        abandon_article_pages(generator)
        raise
    finish_article_pages(generator)


def stop_workers() -> None:
    """Stop every worker a build started and has not stopped yet (a build that failed)."""
    for pool in [*_READING, *(started[0] for started in _STARTED.values())]:
        _stop(pool)
    _READING.clear()
    _STARTED.clear()
    _PUT_OFF.clear()


def _stop(pool, finished: bool = False) -> None:
    """Stop ``pool``: its workers exit by themselves once ``finished``, else they are killed."""
    if finished:
        pool.close()  # a signal is left to failures: see ``worker_pool``
    else:
        pool.terminate()
    pool.join()
    _SHARED.clear()


def _write_chunks(generator, write) -> None:
    """Write chunks of the article pages, one after another, until none is left to take."""
    articles, taken = _SHARED["articles"], _SHARED["taken"]
    while True:
        with taken.get_lock():
            first = taken.value
            taken.value = first + CHUNK
        if first >= len(articles):
            return
        _write_articles(generator, write, articles[first : first + CHUNK])


def _writer_of(write) -> object:
    """Return the writer whose ``write_file`` Pelican passes (bound, or in a partial)."""
    return getattr(getattr(write, "func", write), "__self__", None)


def _write_articles(generator, write, articles: list) -> None:
    """Pelican's loop over the articles, for one share of them.

    Pelican memoizes each article's content on its class for the rest of the process: a
    second copy of every article's HTML, needed again by no other page but the few feeds
    show. Each is let go once its page is written (a feed works it out again).
    """
    memo = getattr(Content.__dict__.get("get_content"), "cache", {})
    for article in articles:
        signals.article_generator_write_article.send(generator, content=article)
        write(
            article.save_as,
            generator.get_template(article.template),
            generator.context,
            article=article,
            category=getattr(article, "category", None),
            override_output=hasattr(article, "override_save_as"),
            url=article.url,
            blog=True,
        )
        while memo:  # its entries are the newest: a dict keeps the order they came in
            newest = next(reversed(memo))
            if newest[0] is not article:
                break
            del memo[newest]


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _write_share(index: int) -> dict | BaseException:
    """In a worker: write chunks of the article pages; return what was recorded."""
    generator, write = _SHARED["generator"], _SHARED["write"]
    writer = _writer_of(write)
    keys, claims = writer.keys, writer.all_claims
    written, known = set(writer._written_files), set(keys.current)
    owners, reused = set(claims.owners), keys.reused
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    try:
        _write_chunks(generator, write)
    except BaseException as error:  # sent to the build's process, which fails with it
        try:
            pickle.dumps(error)
        except Exception:
            return RuntimeError(f"{type(error).__name__}: {error}")
        return error
    finally:
        logging.getLogger().removeHandler(errors)
    return {
        "written": set(writer._written_files) - written,
        "keys": {name: key for name, key in keys.current.items() if name not in known},
        "reused": keys.reused - reused,
        "claims": {name: s for name, s in claims.owners.items() if name not in owners},
        "errors": errors.messages,
    }
