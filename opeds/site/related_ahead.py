"""The related op-eds of the last build's articles, worked out in a worker while Pelican reads.

After one edit the related op-eds of the whole archive are worked out again: a word that comes
or goes changes the weights of every article that has it. That took 1.4 s of the build's own
process at 10,000 articles, after Pelican had read every article, with the second core idle.
Which articles there are, in which order, and what each says hardly changes from one build to
the next, so each build records its articles' source files with their digests and their keys
(:func:`record`). As Pelican's reading starts, a forked worker takes that list, reads again only
the files whose digest changed, and works out the related op-eds of the list it then has
(:func:`start`). Once Pelican has read the articles, :func:`take` hands over the worker's
result only if its keys are the build's own, in the same order: the same documents give the
same related op-eds. A new, removed, moved or withdrawn article gives other keys, and the
build works them out itself, as without the worker. Each worker keeps its numbering of the
stems (:data:`NUMBERS`), as does a build that works them out itself, so the next one numbers
only the stems of the articles it lacks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable
from pathlib import Path

from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator

from opeds.common.atomic import write_atomic
from opeds.common.walk import relative_below
from opeds.common.workers import worker_pool
from opeds.site import related
from opeds.site.settings import build_jobs

log = logging.getLogger(__name__)

RECORD = "opeds-related-input.pickle"  # in Pelican's cache folder: one per settings and code
RECORD_VERSION = 1
#: The last numbering of the stems, for the next worker or build (see related.number_stems).
NUMBERS = "opeds-related-numbers.pickle"
MOST_CHANGED = 16  # more changed articles than this: the build works them out itself
#: More articles than this: no worker. Forked once Pelican's reader cache is loaded, it keeps a
#: copy of every page of it the build's process touches while reading: at 50,000 articles an
#: edit's peak rose from 1.7 to 2.1 GB (the limit is 2 GB). At 10,000 it was 0.52 GB.
MOST_ARTICLES = 20_000
WAIT_SECONDS = 600  # a worker still at work after this is stopped (50,000 articles take 10 s)

#: The content's files by relative path with their digests, as the running build found them at
#: its start (set by opeds.build.run). Empty: nothing is worked out ahead.
SOURCES: dict[str, str] = {}
_RUNNING: dict[int, tuple] = {}  # id(generator) -> (pool, pending result)
#: Steps of the build that need no related op-eds, taken while :func:`take` would otherwise wait
#: for the worker (set by opeds.build.run); each is called at most once, then dropped.
WHILE_WAITING: list[Callable[[], None]] = []
_LOADED: dict[Path, list] = {}  # the record as start() or article_keys() found it, for record()


def _record_path(settings: dict) -> Path:
    return Path(settings["CACHE_PATH"]) / RECORD


def _load(path: Path) -> list[tuple[str, str, str]]:
    try:
        data = pickle.loads(path.read_bytes())
    except Exception:  # missing or damaged: nothing to go by, the build works them out
        return []
    if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
        return []
    return data["articles"]


def record(generator, keys: list[str]) -> None:
    """Keep each article's source file, its digest and its key, in archive order."""
    if not SOURCES:
        return
    entries = []
    for article, key in zip(generator.articles, keys, strict=True):
        name = relative_below(article.source_path, generator.path).replace(os.sep, "/")
        entries.append((name, SOURCES.get(name, ""), key))
    path = _record_path(generator.settings)
    previous = _LOADED.pop(path) if path in _LOADED else _load(path)
    if previous != entries:
        data = {"version": RECORD_VERSION, "articles": entries}
        write_atomic(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def changed_sources(generator) -> list[str] | None:
    """The articles' files whose digest changed since the last build recorded them.

    None when that is not known (no record, no digests), or when articles came or went.
    """
    if not SOURCES:
        return None
    entries = _recorded(generator.settings)
    if not entries or len(entries) != len(generator.articles):
        return None
    return _changed(entries)


def _recorded(settings: dict) -> list[tuple[str, str, str]]:
    """The record the last build kept, read once a build (see :func:`record`)."""
    path = _record_path(settings)
    if path not in _LOADED:
        _LOADED[path] = _load(path)
    return _LOADED[path]


def _changed(entries: list[tuple[str, str, str]]) -> list[str]:
    """The recorded files whose digest is not the one the running build found (or gone)."""
    return [name for name, digest, _key in entries if SOURCES.get(name) != digest]


def article_keys(generator, articles: list[Article]) -> list[str]:
    """Each article's key (see opeds.site.related): the recorded one while its file is unchanged.

    A key is the digest of the article's texts, which its file's bytes decide: the record is
    kept per version of the settings and the code, and the worker takes the same keys from it.
    Worked out anew, they took 0.15 s of the build's process at 10,000 articles after one edit.
    """
    known: dict[str, tuple[str, str]] = {}
    if SOURCES:
        known = {name: (digest, key) for name, digest, key in _recorded(generator.settings)}
    keys = []
    for article in articles:
        name = relative_below(article.source_path, generator.path).replace(os.sep, "/")
        digest, key = known.get(name, ("", ""))
        unchanged = digest and SOURCES.get(name) == digest
        keys.append(key if unchanged else related._article_key(article))
    return keys


def start(generator) -> None:
    """Start the worker on the last build's articles, with the files changed since read again."""
    if not isinstance(generator, ArticlesGenerator) or not SOURCES:
        return
    settings = generator.settings
    # Not while workers read ahead: the cache a fork would copy waits for their results, which
    # only this process receives.
    if build_jobs(settings) < 2 or type(generator.readers._cache) is not dict:
        return
    entries = _LOADED[_record_path(settings)] = _load(_record_path(settings))
    changed = _changed(entries)
    if not entries or len(changed) > MOST_CHANGED or len(entries) > MOST_ARTICLES:
        return
    _SHARED.update(generator=generator, entries=entries)
    pool = worker_pool(1)
    try:
        pending = pool.apply_async(_work_out, (related.RELATED_COUNT,))
    except BaseException:
        pool.terminate()
        raise
    finally:
        _SHARED.clear()  # the worker has its own copy
    _RUNNING[id(generator)] = (pool, pending)


def running(generator) -> bool:
    """Tell whether a worker works out the related op-eds of ``generator``'s articles."""
    return id(generator) in _RUNNING


def take(generator, keys: list[str], count: int) -> tuple | None:
    """Return the worker's related op-eds if it worked them out for ``keys``; stop it.

    The result: each article's (other, score) pairs, the shared words of each pair in that
    order, and the terms of the articles it counted afresh.
    """
    running = _RUNNING.pop(id(generator), None)
    if running is None:
        return None
    pool, pending = running
    while WHILE_WAITING and not pending.ready():
        WHILE_WAITING.pop(0)()
    finished = False
    try:
        found = pending.get(timeout=WAIT_SECONDS)
        finished = True
    except multiprocessing.TimeoutError:
        log.warning("related op-eds ahead: no result after %d s; working them out here",
                    WAIT_SECONDS)  # fmt: skip
        found = None
    except Exception as error:  # the build's own reading reports a broken file
        log.debug("related op-eds ahead: the worker failed (%s)", error)
        found, finished = None, True
    finally:
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()
    if found is None or found[0] != keys or found[1] != count:
        return None
    return found[2:]


def stop() -> None:
    """Stop every worker a failed build left running; forget the record it read."""
    for pool, _pending in _RUNNING.values():
        pool.terminate()
        pool.join()
    _RUNNING.clear()
    _LOADED.clear()


_SHARED: dict[str, object] = {}


def _work_out(count: int) -> tuple | None:
    """In the worker: the keys of the recorded articles as the files are now, and their result."""
    generator, entries = _SHARED["generator"], _SHARED["entries"]
    cache = related.related_cache(generator.settings)
    stem = related.stemmer()
    keys, documents, counted = [], [], {}
    for name, digest, key in entries:
        if SOURCES.get(name) != digest:
            article = _read(generator, name)
            if article is None:
                return None
            key = related._article_key(article)
            counted[key] = related.count_terms(*related.article_texts(article), stem)
        terms = counted.get(key) or cache.entries.get(key)
        if terms is None:
            return None
        keys.append(key)
        documents.append(terms)
    path = numbers_path(generator.settings)
    numbered = related.number_stems(documents, keys, related.load_numbering(path))
    neighbours, words = related.related_of(documents, count, numbered=numbered)
    related.save_numbering(path, numbered)
    return keys, count, neighbours, words, counted


def numbers_path(settings: dict) -> Path:
    """The file of the last numbering of the stems (see related.number_stems)."""
    return Path(settings["CACHE_PATH"]) / NUMBERS


def _read(generator, name: str) -> Article | None:
    """Read one article as Pelican's reading loop does; None if it is no longer one."""
    if name not in SOURCES:
        return None
    article = generator.readers.read_file(
        base_path=generator.path,
        path=name,
        content_class=Article,
        context=generator.context,
        preread_signal=signals.article_generator_preread,
        preread_sender=generator,
        context_signal=signals.article_generator_context,
        context_sender=generator,
    )
    return article if isinstance(article, Article) else None
