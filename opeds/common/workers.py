"""Forked worker processes that never outlive the command that started them.

A build shares work out to processes forked from it. Should the build be killed, its workers
must die with it at once: an orphan would keep the output folder's lock (an inherited file
descriptor) and could go on writing into a staging folder that the next build uses.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
from multiprocessing.pool import Pool

_PR_SET_PDEATHSIG = 1


def _start_worker(parent: int) -> None:
    """In a worker: die with the parent; collect the worker's own garbage, not the parent's."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)
    # The parent's handlers are the parent's business: one that only notes the signal (see
    # ``held_signals``) would keep a worker alive that is told to stop.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    # A build turns the cycle collector off while Pelican runs, and a fork inherits that: a
    # worker reading Markdown then kept every parser's reference cycles (150 MB per worker at
    # 10,000 articles). What the worker inherits is frozen, so the collector never walks (and
    # copies) the parent's pages; it collects only what the worker makes.
    gc.freeze()
    gc.enable()


class _Pool(Pool):
    """A pool whose ``with`` block, ended normally, lets its workers exit on their own.

    ``Pool.__exit__`` stops them with SIGTERM, and a worker that gets it while a handler of its
    parent's is in place that does not end the process (``held_signals`` sets one) lives on:
    the pool then waits for it for ever. Told there is no more work, a worker exits by itself;
    SIGTERM is left to a block that failed.
    """

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
            self.join()
        else:
            self.terminate()


def worker_pool(processes: int) -> Pool:
    """Return a pool of ``processes`` forked workers that die with this process."""
    fork = multiprocessing.get_context("fork")
    return _Pool(processes, _start_worker, (os.getpid(),), context=fork)
