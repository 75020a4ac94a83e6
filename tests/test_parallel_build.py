"""The article pages shared out to worker processes: what each worker records comes back."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from opeds.build import parallel
from opeds.build.outputs import Claims, OutputClash
from opeds.common.ownership import MARKER
from tests.support import ROOT


class _Unpicklable(Exception):
    def __init__(self, reason: str, lock: object) -> None:
        super().__init__(reason)
        self.lock = lock  # a lock cannot be pickled: the error cannot travel as it is


class FakeWriter:
    """Records as the build's writer does: the files, the page keys and the claims.

    The build's process writes nothing until a worker has written a page (or failed), so
    both kinds of process write whatever the timing; ``fail`` fails the worker's first page.
    """

    def __init__(self, fail: bool = False, claims: Claims | None = None, both: bool = True) -> None:
        self.keys = SimpleNamespace(current={}, reused=0)
        self.all_claims = claims or Claims()
        self._written_files: set[str] = set()
        self.fail, self.both = fail, both
        self.parent = os.getpid()
        self.worker_wrote = multiprocessing.get_context("fork").Event()

    def write_file(self, name, template, context, **values) -> None:
        if not self.both:
            pass
        elif os.getpid() == self.parent:
            assert self.worker_wrote.wait(timeout=60), "no worker wrote a page"
        else:
            self.worker_wrote.set()
            if self.fail:
                import threading

                raise _Unpicklable(f"cannot render {name}", threading.Lock())
        self.all_claims.claim(name, values["article"].source_path)
        self._written_files.add(name)
        self.keys.current[name] = (
            f"{name} by {'this process' if os.getpid() == self.parent else 'a worker'}"
        )
        self.keys.reused += 1


@pytest.fixture(autouse=True)
def _one_article_a_chunk(monkeypatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 1)


def _generator(count: int) -> SimpleNamespace:
    articles = [SimpleNamespace(save_as=f"{n}/index.html", template="article", url=f"{n}/",
                                source_path=f"{n}.md") for n in range(count)]  # fmt: skip
    return SimpleNamespace(
        settings={"BUILD_JOBS": 2, "PARALLEL_MIN_ARTICLES": 1},
        translations=[], articles=articles, hidden_translations=[], hidden_articles=[],
        context={}, get_template=lambda name: name,
    )  # fmt: skip


def test_what_the_worker_wrote_is_recorded_in_the_build_process() -> None:
    generator, writer = _generator(5), FakeWriter()
    parallel.write_articles_in_parallel(generator, writer.write_file)
    names = {f"{n}/index.html" for n in range(5)}
    assert set(writer.keys.current) == names
    writers = {key.split(" by ")[1] for key in writer.keys.current.values()}
    assert writers == {"this process", "a worker"}
    assert writer._written_files == names
    assert writer.keys.reused == 5
    assert set(writer.all_claims.owners) - {MARKER} == names


def test_an_articles_memoized_content_is_let_go_once_its_page_is_written() -> None:
    from pelican.contents import Content

    class Article(SimpleNamespace):
        __hash__ = object.__hash__  # as Pelican's, hashed by identity

    memo = Content.__dict__["get_content"].cache
    generator, writer = _generator(3), FakeWriter(both=False)
    generator.articles = [Article(**vars(a)) for a in generator.articles]
    other = Article()
    memo[(other, "")] = "kept: not an article of this share"

    def write(name, template, context, **values):
        article = values["article"]
        memo[(article, "")] = f"content of {name}"  # as the template's article.content does
        writer.write_file(name, template, context, **values)

    try:
        parallel._write_articles(generator, write, generator.articles)
        assert writer._written_files == {f"{n}/index.html" for n in range(3)}
        assert list(memo) == [(other, "")]
    finally:
        memo.clear()


def test_an_error_in_the_worker_fails_the_build_with_its_message() -> None:
    generator, writer = _generator(4), FakeWriter(fail=True)
    with pytest.raises(RuntimeError, match=r"_Unpicklable: cannot render \d/index.html"):
        parallel.write_articles_in_parallel(generator, writer.write_file)


def test_a_worker_writing_what_this_process_wrote_is_a_clash() -> None:
    generator = _generator(4)
    generator.articles[1].save_as = "0/index.html"  # the worker's, and this process's too
    with pytest.raises(OutputClash, match=r"0\.md and 1\.md both write /0/index\.html"):
        parallel.write_articles_in_parallel(generator, FakeWriter().write_file)


def test_list_pages_are_written_while_the_workers_write_the_article_pages() -> None:
    generator, writer = _generator(6), FakeWriter()
    done = []

    def lists(write) -> None:  # Pelican's next step after the article pages
        done.append(set(writer._written_files))
        write("index.html", None, {}, article=SimpleNamespace(source_path="the index"))

    generator.generate_articles = lambda write: parallel.start_article_pages(generator, write)
    generator.generate_period_archives = lists
    for step in ("direct_templates", "tags", "categories", "authors", "drafts"):
        setattr(generator, f"generate_{step}", lambda write: None)
    generator.settings["RELATIVE_URLS"] = False
    parallel.generate_pages(generator, writer)
    assert done == [set()]  # no article page was done in this process when the lists began
    assert writer._written_files == {"index.html"} | {f"{n}/index.html" for n in range(6)}
    assert parallel._STARTED == {}


def test_a_failing_list_page_stops_the_workers() -> None:
    generator, writer = _generator(6), FakeWriter()
    workers = []

    def lists(write) -> None:
        pool = parallel._STARTED[id(generator)][0]
        workers.extend(process.pid for process in pool._pool)
        raise ValueError("a list page failed")

    generator.generate_articles = lambda write: parallel.start_article_pages(generator, write)
    generator.generate_period_archives = lists
    generator.settings["RELATIVE_URLS"] = False
    with pytest.raises(ValueError, match="a list page failed"):
        parallel.generate_pages(generator, writer)
    assert parallel._STARTED == {} and parallel._SHARED == {}
    assert workers and not any(Path(f"/proc/{pid}").exists() for pid in workers)


class _Pool:
    stopped = False

    def terminate(self) -> None:
        self.stopped = True

    def close(self) -> None:
        self.stopped = True

    def join(self) -> None:
        assert self.stopped


def _arriving(results) -> tuple[parallel._ArrivingCache, list[int]]:
    batches = [["a", "b"], ["c", "d"], ["e"]]
    taken = []

    class Delivered:  # as Pool.imap: a failed batch raises, the next ones still come
        def __next__(self):
            if len(taken) == len(results):
                raise StopIteration
            found = results[len(taken)]
            taken.append(len(taken))
            if isinstance(found, Exception):
                raise found
            return [(path, f"stamp of {path}", f"data of {path}", {}) for path in found]

    cache = parallel._ArrivingCache({"old": "kept"}, batches, Delivered(), _Pool(), 2)
    return cache, taken


def test_the_reader_cache_waits_for_a_file_the_workers_read_and_no_longer() -> None:
    cache, taken = _arriving([["a", "b"], ["c", "d"], ["e"]])
    assert cache.get("old") == "kept" and taken == []  # no wait for a file read before
    assert cache.get("c") == ("stamp of c", "data of c") and taken == [0, 1]
    assert cache.get("a") == ("stamp of a", "data of a") and taken == [0, 1]
    assert cache.get("elsewhere", "none") == "none" and taken == [0, 1]
    pool = cache.pool
    final = cache.finish()
    assert type(final) is dict and taken == [0, 1, 2] and pool.stopped
    assert set(final) == {"old", "a", "b", "c", "d", "e"}


def test_a_file_no_worker_could_read_is_left_to_pelican() -> None:
    cache, _ = _arriving([["a"], ["c", "d"], ["e"]])  # "b" could not be read
    assert cache.get("b", "read it yourself") == "read it yourself"
    assert "b" not in cache.finish()


def test_a_failed_worker_fails_the_build_once_pelican_has_read_the_rest() -> None:
    cache, _ = _arriving([["a", "b"], MemoryError("worker out of memory"), ["e"]])
    assert cache.get("d", "read it yourself") == "read it yourself"
    assert cache.get("e") == ("stamp of e", "data of e")  # the workers went on
    with pytest.raises(MemoryError, match="worker out of memory"):
        cache.finish()
    assert cache.pool.stopped


WORKER_PROGRAM = """
import os, sys, time
from opeds.common.workers import worker_pool
pool = worker_pool(1)
result = pool.apply_async(os.getpid)
print(result.get(timeout=30), flush=True)
pool.apply_async(time.sleep, (60,))
time.sleep(60)
"""


def test_workers_die_with_a_killed_build() -> None:
    process = subprocess.Popen([sys.executable, "-c", WORKER_PROGRAM], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    worker = int(process.stdout.readline())
    assert Path(f"/proc/{worker}").exists()
    process.kill()
    process.wait()
    process.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.05)
    assert not _alive(worker), "the worker outlived the killed build"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has died and waits only to be reaped


# A build holds SIGTERM around steps that must not be cut in half (``held_signals``): its
# handler only notes the signal. A worker forked meanwhile inherits that handler, and Pool's
# ``terminate`` stops workers with SIGTERM, so it then waited for them for ever.
HELD_SIGNAL_PROGRAM = """
import os, signal, sys
from opeds.common.workers import worker_pool
signal.signal(signal.SIGTERM, lambda signum, frame: None)
for _ in range(3):
    with worker_pool(2) as pool:
        assert pool.map(abs, [-1, -2, -3]) == [1, 2, 3]
try:
    with worker_pool(2) as pool:
        pool.map(abs, [-1])
        raise KeyError("stopped")
except KeyError:
    pass
print("done", flush=True)
"""


def test_a_pool_ends_although_its_workers_inherited_a_sigterm_handler() -> None:
    done = subprocess.run([sys.executable, "-c", HELD_SIGNAL_PROGRAM], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "done\n"), done.stderr
