"""Read new articles on every core before Pelican reads them one at a time.

Pelican reads the articles one after another in one process: Markdown and our typography cost
about 3.5 ms an article, so a cold build of 10,000 articles spends most of its time on one
core. Before Pelican's loop starts, the articles its reader cache does not hold yet are read by
worker processes (forked, so each has Pelican's readers as they are set up): each worker runs
the same Markdown reader and puts the result into Pelican's reader cache with the file's stamp,
and typesets the HTML into our HTML cache. Pelican's loop then finds both caches filled and
only builds the article objects. A file a worker cannot read is left out: Pelican reads it
itself and reports the error as it always does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os

from pelican.generators import ArticlesGenerator
from pelican.readers import _filter_discardable_metadata
from pelican.utils import file_suffix

from opeds.site.content import html_cache

log = logging.getLogger(__name__)

#: Fewer new files than this are read in Pelican's own loop: forking would cost more.
MIN_FILES = 64
BATCH = 100  # files a worker reads per task: small enough to share the work out evenly

_READERS = None  # the generator's readers, for the forked workers


def read_ahead(generator) -> None:
    """Fill Pelican's reader cache and our HTML cache for every article not cached yet."""
    if not isinstance(generator, ArticlesGenerator):
        return
    settings = generator.settings
    readers = generator.readers
    jobs = int(settings.get("READ_AHEAD_JOBS") or os.cpu_count() or 1)
    least = int(settings.get("READ_AHEAD_MIN_FILES", MIN_FILES))
    if jobs < 2 or not readers._cache_data_policy:
        return
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    paths = sorted(os.path.abspath(os.path.join(generator.path, name)) for name in files)
    # Only files the cache has never seen: a changed one costs a stamp to find, and is rare.
    new = [
        path
        for path in paths
        if path not in readers._cache and file_suffix(path) in readers.readers
    ]
    if len(new) < least:
        return
    global _READERS
    _READERS = readers
    batches = [new[start : start + BATCH] for start in range(0, len(new), BATCH)]
    read = 0
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for results in pool.imap(_read_batch, batches):
                for path, stamp, data in results:
                    readers._cache[path] = (stamp, data)
                    read += 1
    finally:
        _READERS = None
    log.info("read ahead: %d of %d new articles on %d cores", read, len(new), jobs)


def _read_batch(paths: list[str]) -> list[tuple[str, object, tuple]]:
    """Read ``paths`` as Pelican's reader would; typeset each into the HTML cache."""
    readers = _READERS
    settings = readers.settings
    cache = html_cache(settings)
    results = []
    for path in paths:
        try:
            stamp = readers._get_file_stamp(path)
            content, metadata = readers.readers[file_suffix(path)].read(path)
            metadata = _filter_discardable_metadata(metadata)
            if content:
                lang = metadata.get("lang") or settings.get("DEFAULT_LANG", "de")
                cache.finished_with_words(content, lang)
        except Exception:  # Pelican reads it again and reports the error
            continue
        results.append((path, stamp, (content, metadata)))
    return results
