"""The search index of an edited article's year, made while Pelican still works on the rest.

After one edit the build's search index waited for Pelican to write the article's page, then
ran Pagefind over the pages of its year (0.8 s at 10,000 articles) and over the words index
(0.3 s): a quarter of the edit's time. What Pagefind reads of a page, its indexed part (see
opeds.search.pagefind.indexed_part), is the article element and the tags naming metadata:
not the related op-eds nor the neighbours' links, which Pelican works out last. So as soon as
Pelican has read the articles, the changed ones' pages are rendered here, put beside hard links
of the live output's other pages of their year in a folder of the cache, and indexed in a
child process: into the cache of shard indexes, under the digest of their indexed parts, with the
words index of the whole archive beside it.

The build's own search index then finds both in the cache, when the pages Pelican wrote have
the same indexed parts, and links them in place of its two Pagefind runs. When they do not (the
article links to a page Pelican had not read yet, say), it indexes them itself, as without
this step: the index made ahead was made in vain, never used wrongly. Only edits of articles
whose pages the live output has, all of one shard, are indexed ahead: a new or removed article
changes more than its own page there.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

from pelican.generators import ArticlesGenerator

from opeds.common.forked import ForkedCall
from opeds.common.stamps import FileFacts
from opeds.search.pagefind import (
    WORDS,
    WORDS_FORMAT,
    _last_digests,
    _shard_digest,
    _words_index,
    run_pagefind,
    shard_pages,
    shard_words_file,
)
from opeds.site import related_ahead

log = logging.getLogger(__name__)

#: Set by opeds.build.run for one build that makes a sharded search index beside a live
#: output: ``live`` (that output), ``cache`` (the build's cache folder), ``language`` and
#: ``undated`` (the folder of the pieces without a date). Empty: nothing is indexed ahead.
TARGET: dict[str, object] = {}
MOST_CHANGED = 4  # more changed articles than this are no edit: the build indexes them itself
_YEAR = re.compile(r"^\d{4}$")
_RUNNING: list[ForkedCall] = []


def start(generator) -> None:
    """Render the changed articles' pages of ``generator`` and index their shard in a child process.

    Called once Pelican has read every article (their neighbours linked, their related op-eds
    not yet). Does nothing for anything but a few edited articles of one shard.
    """
    if not TARGET or not isinstance(generator, ArticlesGenerator):
        return
    try:
        found = _changed_pages(generator, Path(str(TARGET["live"])), str(TARGET["undated"]))
    except Exception as error:  # only ever time lost: the build indexes what it must itself
        log.debug("search index ahead: not started (%s)", error)
        return
    if found is None:
        return
    name, pages = found
    # A child of its own: in a thread, its own steps (linking the year's pages, hashing them)
    # held Pelican's process back by as much as they took.
    _RUNNING.append(ForkedCall(_index, name, pages, dict(TARGET)))


def wait() -> None:
    """Wait until the index made ahead, if any, is in the cache (or given up)."""
    while _RUNNING:
        try:
            _RUNNING.pop().result()
        except Exception as error:  # the child died: only time lost
            log.debug("search index ahead: %s", error)


def _changed_pages(generator, live: Path, undated: str) -> tuple[str, dict[str, str]] | None:
    """The shard of the edited articles and their pages as rendered now, by output path."""
    changed = related_ahead.changed_sources(generator)
    if not changed or len(changed) > MOST_CHANGED:
        return None
    wanted = {os.path.join(generator.path, name) for name in changed}
    articles = [article for article in generator.articles if article.source_path in wanted]
    if len(articles) != len(wanted):  # a draft, a hidden or withdrawn piece, a translation
        return None
    shards = {article.save_as.split("/", 1)[0] for article in articles}
    if len(shards) != 1:
        return None
    name = shards.pop()
    if not (_YEAR.match(name) or name == undated):
        return None
    if not all(os.path.isfile(live / article.save_as) for article in articles):
        return None  # a page at a new URL: its old one changes too
    return name, {article.save_as: _render(generator, article) for article in articles}


def _render(generator, article) -> str:
    """The article's page as Pelican's writer renders it (see pelican.writers.Writer)."""
    context = generator.context.copy()
    context["localsiteurl"] = context.get("localsiteurl", None)
    context["output_file"] = article.save_as
    context.update(article=article, category=getattr(article, "category", None),
                   url=article.url, blog=True)  # fmt: skip
    return generator.get_template(article.template).render(context)


def _index(name: str, pages: dict[str, str], target: dict[str, object]) -> None:
    """Index the shard ``name`` of the live output with ``pages`` in place; then the words."""
    live, cache = Path(str(target["live"])), Path(str(target["cache"]))
    language = str(target["language"])
    store = cache / "pagefind-shards"
    site = store / f"ahead-{os.getpid()}.site"
    try:
        shutil.rmtree(site, ignore_errors=True)
        _link_pages(live / name, site / name)
        for save_as, text in pages.items():
            page = site / save_as
            page.unlink(missing_ok=True)  # a link to the live page: never written through
            page.write_text(text, encoding="utf-8")
        listed = shard_pages(site, name)
        if listed is None:
            return
        digest = _shard_digest(site, listed, language, FileFacts(None, ctime=False))
        if not (store / digest).is_dir():
            subdir = f"pagefind/{name}"
            run_pagefind(site, language, glob=f"{name}/**/*.html", subdir=subdir,
                         previous=live / "pagefind" / name)  # fmt: skip
            made = store / f"{digest}.ahead"
            shutil.rmtree(made, ignore_errors=True)
            shutil.copytree(site / subdir, made, copy_function=os.link)
            made.rename(store / digest)
        shard_words_file(store, digest, name)
        _words_ahead(store, name, digest, live, language)
        log.info("search index ahead: shard %s indexed with %d page(s) rendered",
                 name, len(pages))  # fmt: skip
    except Exception as error:  # only ever time lost: the build indexes what it must itself
        log.debug("search index ahead of shard %s: %s", name, error)
    finally:
        shutil.rmtree(site, ignore_errors=True)


def _words_ahead(store: Path, name: str, digest: str, live: Path, language: str) -> None:
    """Make the words index of the last build's shards, with ``name``'s index now ``digest``."""
    last = json.loads(_last_digests(store, live / "pagefind").read_text(encoding="utf-8"))
    if name not in last:
        return
    last[name] = digest
    texts = {}
    for shard, made in last.items():
        words = store / f"{made}.words{WORDS_FORMAT}"
        if not words.is_file():
            return  # a shard's index no longer cached: the build works it out
        texts[shard] = words.read_text(encoding="utf-8")
    _words_index(store, texts, language, live / "pagefind" / WORDS)


def _link_pages(folder: Path, target: Path) -> None:
    """Hard-link every page (``*.html``) below ``folder`` to the same place below ``target``."""
    top = os.fspath(folder)
    for where, _dirs, files in os.walk(top):
        pages = [name for name in files if name.endswith(".html")]
        if not pages:
            continue
        below = os.path.relpath(where, top)
        there = target if below == "." else target / below
        there.mkdir(parents=True, exist_ok=True)
        for page in pages:
            os.link(os.path.join(where, page), there / page)
