"""The search index of an edited article's year, made while Pelican still works on the rest.

After one edit the build's search index waited for Pelican to write the article's page, then
ran Pagefind over the pages of its year (0.8 s at 10,000 articles) and over the words index
(0.3 s): a quarter of the edit's time. What Pagefind reads of a page, its indexed part (see
opeds.search.pagefind.indexed_part), is the article element and the tags naming metadata:
not the related op-eds nor the neighbours' links, which Pelican works out last. So as soon as
Pelican has read the articles, the changed ones' pages are rendered here, put beside hard links
of the live output's other pages of their year in a folder of the cache, and indexed by a
helper process: into the cache of shard indexes, under the digest of their indexed parts, with the
words index of the whole archive beside it.

The build's own search index then finds both in the cache, when the pages Pelican wrote have
the same indexed parts, and links them in place of its two Pagefind runs. When they do not (the
article links to a page Pelican had not read yet, say), it indexes them itself, as without
this step: the index made ahead was made in vain, never used wrongly. Only edits of articles
whose pages the live output has, all of one shard, are indexed ahead: a new or removed article
changes more than its own page there.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from opeds.common.stamps import FileFacts
from opeds.search.pagefind import (
    _shard_digest,
    is_shard,
    keep_index,
    run_pagefind,
    shard_pages,
    shard_words_file,
    words_index_ahead,
)

log = logging.getLogger(__name__)

#: Set by opeds.build.run for one build that makes a sharded search index beside a live
#: output (see :func:`prepare`): ``live`` (that output), ``cache`` (the build's cache folder),
#: ``language`` and ``undated`` (the folder of the pieces without a date).
TARGET: dict[str, object] = {}
MOST_CHANGED = 4  # more changed articles than this are no edit: the build indexes them itself
#: More content files than this: nothing indexed ahead. A year of such an archive runs Pagefind
#: over thousands of pages, beside Pelican's process at its biggest; after Pelican, the build
#: lets go of most of that first (see opeds.build.run), to stay below 2 GB at 50,000 articles.
MOST_FILES = 20_000
WAIT_SECONDS = 600  # a helper still at work after this is stopped: the build indexes itself
_HELPER: list[subprocess.Popen] = []  # the helper of this build, until it is waited for
_ASKED: list[tuple[str, int]] = []  # the shard asked of it, with the pages rendered


def prepare(target: dict[str, object]) -> None:
    """Start the helper that indexes ahead for one build; it waits for :func:`start`.

    A new interpreter, started before Pelican reads: forked from the build once Pelican had
    read, a child made the build's own process copy every page of memory it then wrote to
    (398,000 page faults in one edit at 10,000 articles against 369,000-371,000 so), and
    added its copies to the peak memory. Waited for by :func:`wait`, which every build calls.
    """
    TARGET.clear()
    TARGET.update(target)
    # Started in the folder that holds this package, so ``-m`` finds this very code.
    package_root = Path(__file__).resolve().parents[2]
    try:
        helper = subprocess.Popen([sys.executable, "-m", "opeds.search.ahead", str(os.getpid())],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  cwd=package_root)  # fmt: skip
    except OSError as error:
        log.debug("search index ahead: no helper (%s)", error)
        return
    _HELPER.append(helper)


def start(generator) -> None:
    """Render the changed articles' pages of ``generator``; the helper indexes their shard.

    Called once Pelican has read every article (their neighbours linked, their related op-eds
    not yet). Does nothing for anything but a few edited articles of one shard.
    """
    from pelican.generators import ArticlesGenerator  # not needed by the helper

    if not TARGET or not _HELPER or not isinstance(generator, ArticlesGenerator):
        return
    try:
        found = _changed_pages(generator, Path(str(TARGET["live"])), str(TARGET["undated"]))
    except Exception as error:  # only ever time lost: the build indexes what it must itself
        log.debug("search index ahead: not started (%s)", error)
        return
    if found is None:
        return
    name, pages = found
    _send(_HELPER[0], pickle.dumps((name, pages, dict(TARGET))))
    _ASKED.append((name, len(pages)))


def wait() -> frozenset[str]:
    """Wait for the helper; name the shard whose index it put in the cache, if any."""
    TARGET.clear()
    asked, made = list(_ASKED), set()
    _ASKED.clear()
    while _HELPER:
        helper = _HELPER.pop()
        try:
            if not asked:
                _send(helper, b"")  # nothing asked: it ends at once
            assert helper.stdout is not None
            stop = threading.Timer(WAIT_SECONDS, helper.kill)  # its answer then ends at once
            stop.start()
            try:
                data = helper.stdout.read()
            finally:
                stop.cancel()
            helper.wait()
            name = pickle.loads(data) if data else None
        except BaseException as error:
            helper.kill()
            helper.wait()
            if not isinstance(error, Exception):
                raise
            log.debug("search index ahead: %s", error)
            continue
        finally:
            for pipe in (helper.stdin, helper.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        for shard, rendered in asked:
            if shard == name:
                made.add(name)
                log.info("search index ahead: shard %s indexed with %d page(s) rendered",
                         name, rendered)  # fmt: skip
    return frozenset(made)


def _send(helper: subprocess.Popen, message: bytes) -> None:
    """Send the helper one message, its length first; close the pipe.

    Not read to its end: the build's workers forked since the helper started hold the pipe
    open too, so the helper would see its end only once they had all ended.
    """
    assert helper.stdin is not None
    with contextlib.suppress(OSError):  # the helper is gone: its answer says so
        helper.stdin.write(len(message).to_bytes(8, "big") + message)
        helper.stdin.close()


def _changed_pages(generator, live: Path, undated: str) -> tuple[str, dict[str, str]] | None:
    """The shard of the edited articles and their pages as rendered now, by output path."""
    from opeds.site import related_ahead  # not needed by the helper

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
    if not is_shard(name, undated):
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


def _index(name: str, pages: dict[str, str], target: dict[str, object]) -> str | None:
    """Index the shard ``name`` of the live output with ``pages`` in place; then the words.

    Returns ``name`` once its index is in the cache; None if it could not be made.
    """
    live, cache = Path(str(target["live"])), Path(str(target["cache"]))
    language = str(target["language"])
    store = cache / "pagefind-shards"
    site = store / f"ahead-{os.getpid()}.site"
    try:
        _remove_left_behind(store)
        _link_pages(live / name, site / name)
        for save_as, text in pages.items():
            page = site / save_as
            page.unlink(missing_ok=True)  # a link to the live page: never written through
            page.write_text(text, encoding="utf-8")
        listed = shard_pages(site, name)
        if listed is None:
            return None
        digest = _shard_digest(site, listed, language, FileFacts(None, ctime=False))
        if not (store / digest).is_dir():
            subdir = f"pagefind/{name}"
            run_pagefind(site, language, glob=f"{name}/**/*.html", subdir=subdir,
                         previous=live / "pagefind" / name)  # fmt: skip
            keep_index(site / subdir, store, digest, suffix=".ahead")
        shard_words_file(store, digest, name)
        words_index_ahead(store, live / "pagefind", name, digest, language)
        return name
    except Exception as error:  # only ever time lost: the build indexes what it must itself
        log.debug("search index ahead of shard %s: %s", name, error)
        return None
    finally:
        shutil.rmtree(site, ignore_errors=True)


def _remove_left_behind(store: Path) -> None:
    """Remove the folders of helpers that were stopped before they removed them themselves."""
    for folder in store.glob("ahead-*.site"):
        pid = folder.name.removeprefix("ahead-").removesuffix(".site")
        try:
            if int(pid) != os.getpid():
                os.kill(int(pid), 0)
                continue  # another build's helper at work (or its process number reused)
        except ProcessLookupError:
            pass
        except (ValueError, PermissionError):
            continue
        shutil.rmtree(folder, ignore_errors=True)


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


def _serve() -> None:
    """The helper: index the shard the build asks for on stdin; answer its name on stdout."""
    with contextlib.suppress(OSError, AttributeError):  # it dies with the build
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    # Ctrl-C reaches the whole command: the build reports it, the helper just ends (what it
    # leaves in the cache, the next helper removes).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if str(os.getppid()) != sys.argv[1]:  # the build ended before it could ask
        return
    size = int.from_bytes(_read_exactly(8), "big")
    data = _read_exactly(size)
    if not size or len(data) < size:  # nothing asked, or the build ended while asking
        return
    name, pages, target = pickle.loads(data)
    sys.stdout.buffer.write(pickle.dumps(_index(name, pages, target)))


def _read_exactly(size: int) -> bytes:
    """Read ``size`` bytes from stdin; fewer if it ends first."""
    data = b""
    while len(data) < size and (part := sys.stdin.buffer.read(size - len(data))):
        data += part
    return data


_PR_SET_PDEATHSIG = 1

if __name__ == "__main__":
    _serve()
