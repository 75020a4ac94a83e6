"""The benchmark's generator and scenarios, on a few articles: no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from opeds.bench import run_bench
from opeds.bench.generate import raw_article, write_sources
from opeds.importer.parse import parse


def test_generated_op_eds_are_deterministic_and_parse() -> None:
    assert raw_article(7) == raw_article(7)
    assert raw_article(7) != raw_article(8)
    words = [len(raw_article(n).split()) for n in range(20)]
    assert 450 < sum(words) / len(words) < 700
    years = {parse(raw_article(n)).date.year for n in range(60)}
    sections = {parse(raw_article(n)).category for n in range(60)}
    assert len(years) > 10 and len(sections) > 4


def test_write_sources_names_files_in_the_raw_shape(tmp_path: Path) -> None:
    paths = write_sources(tmp_path, 3)
    assert [p.name[:4] for p in paths] == ["000_", "001_", "002_"]
    assert all(len(p.stem.split("_")[1]) == 16 for p in paths)


def test_bench_measures_every_scenario_and_matches_a_cold_build(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    run_bench(12, report, workdir=tmp_path / "work", verify=True, livereload=1)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert list(data["ours"]) == ["cold", "text edit", "headline edit", "new article",
                                  "nothing changed"]  # fmt: skip
    assert data["warm_equals_cold"] is True
    for figures in [data["plain_pelican"], *data["ours"].values()]:
        assert figures["wall_s"] > 0 and figures["cpu_s"] > 0 and figures["peak_mib"] > 0
    ours = data["ours"]
    assert ours["nothing changed"]["files_written"] == 0
    assert 0 < ours["text edit"]["files_written"] < ours["cold"]["files_written"]
    assert data["plain_pelican"]["files_written"] > 0
    # One edit under invoke livereload, timed until its page was served with it.
    assert len(data["livereload_edit_served_s"]) == 1
    assert data["livereload_edit_served_s"][0] > 0


#: 200 MiB written by the parent, then a worker forked that only waits: the pages are shared.
_SHARING = (
    "import os, sys, time\n"
    "block = bytearray(200 * 2**20)\n"
    "block[::4096] = b'x' * len(block[::4096])\n"
    "pid = os.fork()\n"
    "if not pid: print('forked', flush=True)\n"
    "time.sleep(float(sys.argv[1]))\n"
    "if pid: os.waitpid(pid, 0)\n"
    "else: os._exit(0)\n"
)


def test_memory_of_a_forked_worker_counts_shared_pages_once() -> None:
    from opeds.bench.measure import tree_memory

    with subprocess.Popen([sys.executable, "-c", _SHARING, "5"], stdout=subprocess.PIPE) as process:
        try:
            assert process.stdout is not None and process.stdout.readline() == b"forked\n"
            for _ in range(3):  # both processes up, neither writing: the block is shared
                pss, rss = (size / 2**20 for size in tree_memory(process.pid))
                assert rss >= 400  # the block in each process, as RSS counts it
                assert 200 <= pss <= rss - 150, "the shared block was counted twice"
                time.sleep(0.1)
        finally:
            process.kill()


def test_the_peak_of_a_forked_worker_counts_its_shared_pages_once() -> None:
    from opeds.bench.measure import measure

    result = measure([sys.executable, "-c", _SHARING, "1.0"])
    assert result.returncode == 0
    assert result.peak_rss_mib >= 400  # the block in each process
    # The block once: about 210 MiB while both processes share it. A reading during which the
    # worker was forked or ended is taken again (tree_memory); the peak is still below the
    # RSS sum, which counts the shared block in both processes.
    assert result.peak_mib >= 200
    assert result.peak_mib < result.peak_rss_mib, "the shared block was counted twice"


def test_a_costly_memory_poll_is_made_less_often(monkeypatch) -> None:
    from opeds.bench import measure as measuring

    calls = []

    def costly(pid: int) -> tuple[int, int]:  # as reading big processes' page tables costs
        calls.append(pid)
        time.sleep(0.02)
        return 0, 0

    monkeypatch.setattr(measuring, "tree_memory", costly)
    result = measuring.measure([sys.executable, "-c", "import time; time.sleep(1.0)"])
    assert result.returncode == 0
    # A poll costing 20 ms may come every 400 ms (5 % of a core): three or four in a second,
    # where every 50 ms would make fourteen.
    assert 1 <= len(calls) <= 5, calls
