"""Run one command and measure its whole process tree: wall and CPU time, peak memory, writes."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
POLL_SECONDS = 0.05
#: A poll of the memory may cost at most this share of one core. Reading a process's PSS
#: makes the kernel walk its page tables: 10 ms for a process of 550 MB, measured alone. Every
#: 50 ms, the three processes of one of our builds at 10,000 articles (1.1 GB resident) cost
#: about a third of a core, taken from a build that keeps both cores busy; a plain Pelican
#: build, one process on one core, lost nothing to it: the other core was idle.
POLL_SHARE = 0.05


@dataclass
class Measurement:
    """What one run of a command cost."""

    wall_s: float
    cpu_s: float
    peak_mib: float  # the largest proportional set size (PSS) of the process tree at one time
    peak_rss_mib: float  # the largest sum of its processes' resident sizes (shared pages again)
    files_written: int
    returncode: int

    def as_dict(self) -> dict[str, float | int]:
        """Return the figures as a plain dict for the JSON report."""
        return asdict(self)


def _children() -> dict[int, list[int]]:
    """Map each process id to its children's ids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                # The name in parentheses may hold spaces: the fields after the last ")" are safe.
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _tree(root: int) -> list[int]:
    """Return ``root`` and all its descendants now."""
    tree = _children()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, ()))
    return found


#: How often a reading of the tree's memory is taken again when a process came or went while
#: it was taken (see tree_memory).
READINGS = 5


def tree_memory(root: int) -> tuple[int, int]:
    """Return the memory in bytes of ``root`` and all its descendants now: PSS and RSS sums.

    A forked worker shares its parent's pages until it writes to them. The resident sizes
    (RSS) count each shared page in every process that maps it; the proportional set size
    (PSS) splits a shared page among them, so its sum over the tree is the memory it takes.
    The processes are read one after another: a reading during which one was forked or ended
    can count its shared pages in full in two of them, so it is taken again.
    """
    processes = _tree(root)
    for _ in range(READINGS):
        pss, rss = _memory_of(processes)
        now = _tree(root)
        if now == processes:
            break
        processes = now
    return pss, rss


def _memory_of(processes: list[int]) -> tuple[int, int]:
    pss = rss = 0
    for pid in processes:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                for line in rollup:
                    if line.startswith(b"Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith(b"Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):  # ended while we looked
            continue
    return pss, rss


def _inodes(folder: Path) -> set[tuple[str, int]]:
    """Return (path, inode) of every file below ``folder``; a rewritten file gets a new inode."""
    found = set()
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.is_file():
                found.add((path.relative_to(folder).as_posix(), path.stat().st_ino))
    return found


def measure(command: list[str], *, watch: Path | None = None, env=None) -> Measurement:
    """Run ``command``; count files in ``watch`` that are new or were written again.

    CPU time comes from ``wait4`` (the child and every descendant it waited for); peak memory
    from polling /proc, because ``ru_maxrss`` is the largest single process, not the tree:
    every 50 ms, or less often when a poll costs more than ``POLL_SHARE`` of a core.
    """
    before = _inodes(watch) if watch else set()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    peak = peak_rss = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak, peak_rss
        while not done.is_set():
            began = time.perf_counter()
            pss, rss = tree_memory(process.pid)
            peak, peak_rss = max(peak, pss), max(peak_rss, rss)
            cost = time.perf_counter() - began
            done.wait(max(POLL_SECONDS, cost / POLL_SHARE - cost))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    poller.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    written = len(_inodes(watch) - before) if watch else 0
    return Measurement(
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        # A short-lived child can peak between two polls; ru_maxrss catches that one process.
        peak_mib=round(max(peak, usage.ru_maxrss * 1024) / 2**20, 1),
        peak_rss_mib=round(max(peak_rss, usage.ru_maxrss * 1024) / 2**20, 1),
        files_written=written,
        returncode=process.returncode,
    )
