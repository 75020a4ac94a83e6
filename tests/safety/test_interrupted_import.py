"""An import killed at any point, or a state file that is lost, short, stale or forged."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opeds.common import atomic
from opeds.importer import files
from opeds.importer.files import STATE_FILE, IngestError, ingest
from tests.support import ROOT, editor_folders, invoke, tree


def raw(number: int, date: str = "2022-01") -> bytes:
    """A valid raw op-ed; the same headline every time, so slugs clash and get -2, -3 …"""
    return f"date {date} Gleicher Titel\n\nMeinung Berlin Text Nummer {number}.\n".encode()


def put(sources: Path, numbers: range) -> None:
    sources.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (sources / f"{n:03d}_{n:016x}.txt").write_bytes(raw(n, f"2022-{n % 3 + 1:02d}"))


def markdown(content: Path) -> list[str]:
    return sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))


def source_ids(content: Path) -> list[str]:
    ids = [
        line.removeprefix("source_id: ")
        for path in content.rglob("*.md")
        for line in path.read_text(encoding="utf-8").split("\n")
        if line.startswith("source_id: ")
    ]
    return sorted(ids)


@pytest.fixture(scope="module")
def first_and_whole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Content after importing the first 12 sources, and after importing all 24 uninterrupted."""
    base = tmp_path_factory.mktemp("interrupted")
    put(base / "first", range(12))
    put(base / "all", range(24))
    ingest(base / "first", base / "after-first")
    shutil.copytree(base / "after-first", base / "after-all")
    assert ingest(base / "all", base / "after-all").count("imported") == 12
    return {"sources": base / "all", "first": base / "after-first", "whole": base / "after-all"}


def killed_import(sources: Path, content: Path, replaces: int, before: bool, every: bool) -> int:
    """Import in a forked child that dies like ``kill -9`` at its ``replaces``-th rename."""
    pid = os.fork()
    if pid == 0:  # the child: no cleanup, no `finally`, like a kill -9
        try:
            real_replace, count = os.replace, [0]

            def dying_replace(src, dst):
                count[0] += 1
                if count[0] == replaces and before:
                    os._exit(9)  # the temporary file is written, the rename never happens
                real_replace(src, dst)
                if count[0] == replaces:
                    os._exit(9)

            atomic.os.replace = dying_replace
            files.CHECKPOINT_SECONDS = 0.0 if every else 1e9
            files.CHECKPOINT_SHARE = float("inf") if every else 0.1
            ingest(sources, content)
        finally:
            os._exit(0)
    return os.waitpid(pid, 0)[1]


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    replaces=st.integers(min_value=1, max_value=40),
    before=st.booleans(),
    every=st.booleans(),
)
def test_an_import_killed_anywhere_and_run_again_gives_the_uninterrupted_result(
    first_and_whole: dict[str, Path], tmp_path: Path, replaces: int, before: bool, every: bool
) -> None:
    content = tmp_path / f"content-{replaces}-{before}-{every}"
    shutil.copytree(first_and_whole["first"], content)
    killed_import(first_and_whole["sources"], content, replaces, before, every)
    report = ingest(first_and_whole["sources"], content)
    assert report.ok, report.summary()
    # Byte for byte what one uninterrupted import gives: the state file too, no -2 twins,
    # no temporary file left.
    assert tree(content) == tree(first_and_whole["whole"])
    assert len(source_ids(content)) == len(set(source_ids(content))) == 24


def test_sigkill_after_some_files_then_again_gives_no_twins(tmp_path: Path) -> None:
    # The reproduction: import 150, add many more, kill -9 part way, import again.
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(150))
    assert ingest(sources, content).count("imported") == 150
    put(sources, range(150, 1500))
    code = "import sys; from opeds.importer.files import ingest; ingest(*map(__import__('pathlib').Path, sys.argv[1:]))"  # noqa: E501
    process = subprocess.Popen([sys.executable, "-c", code, str(sources), str(content)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(content.rglob("*.md"))) < 220:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 220 <= len(markdown(content)) < 1500, "the kill came too late to test anything"
    report = ingest(sources, content)
    assert report.ok
    assert len(markdown(content)) == 1500
    assert source_ids(content) == sorted(f"{n:016x}" for n in range(1500))
    assert not [p for p in content.rglob("*") if p.name.endswith(".tmp")]


def _terminated_once_importing(task: list[str], content: Path) -> list[str]:
    """Run the invoke ``task``, SIGTERM it once it has written 100 files; return its files."""
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), *task],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(content.rglob("*.md"))) < 100:
        time.sleep(0.005)
    process.terminate()
    assert process.wait() == 128 + signal.SIGTERM
    written = markdown(content)
    assert 100 <= len(written) < 1500, "the signal came too late to test anything"
    return written


def test_sigterm_records_what_was_written(tmp_path: Path) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(1500))
    written = _terminated_once_importing(
        ["ingest", f"--source={sources}", f"--content={content}"], content
    )
    state = json.loads((content / STATE_FILE).read_text(encoding="utf-8"))
    assert sorted(r["output"] for r in state["articles"].values()) == written


def test_sigterm_to_a_build_stops_its_import_which_records_what_it_wrote(tmp_path: Path) -> None:
    # The build imports in a forked child (opeds.common.forked): the signal reaches the build's
    # process only, which passes it on and returns once the import has recorded its files.
    sources, content, output = tmp_path / "sources", tmp_path / "content", tmp_path / "output"
    put(sources, range(1500))
    folders = [f"--source={sources}", f"--content={content}", f"--output={output}",
               f"--cache={tmp_path / 'cache'}"]  # fmt: skip
    written = _terminated_once_importing(["build", *folders], content)
    time.sleep(0.5)
    assert markdown(content) == written  # nothing went on importing after the build ended
    # Its workers wrote files ahead of it (1,500 new sources): what it did not take is gone.
    assert not [path for path in content.rglob("*") if path.name.endswith(".tmp")]
    state = json.loads((content / STATE_FILE).read_text(encoding="utf-8"))
    assert sorted(r["output"] for r in state["articles"].values()) == written
    assert not output.exists()


def test_sigterm_held_while_a_block_runs_arrives_after_it() -> None:
    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    done = []
    try:
        with pytest.raises(SystemExit), atomic.held_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)  # time enough for a signal that is not held
            done.append("the rest of the block")
        assert done == ["the rest of the block"]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_just_after_a_file_is_written_still_records_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window the subprocess test above can only hit by chance, hit every time."""
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(6))
    written = atomic.write_atomic
    articles = []

    def write_then_signal(path: Path, data) -> None:
        written(path, data)
        if path.suffix == ".md":
            articles.append(path)
            if len(articles) == 3:
                os.kill(os.getpid(), signal.SIGTERM)  # as `invoke ingest` gets it
                time.sleep(0.05)

    def stop(signum, frame):
        raise SystemExit(128 + signum)  # what tasks.py makes of SIGTERM

    monkeypatch.setattr(files, "write_atomic", write_then_signal)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(SystemExit):
            ingest(sources, content)
    finally:
        signal.signal(signal.SIGTERM, previous)
    state = json.loads((content / STATE_FILE).read_text(encoding="utf-8"))
    assert len(markdown(content)) == 3
    assert sorted(r["output"] for r in state["articles"].values()) == markdown(content)


def test_a_short_state_file_gives_no_second_file(tmp_path: Path) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(10))
    ingest(sources, content)
    before = tree(content)
    state = json.loads((content / STATE_FILE).read_text(encoding="utf-8"))
    for key in list(state["articles"])[::2]:
        del state["articles"][key]
    (content / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    report = ingest(sources, content)
    assert report.ok and report.count("imported") == 0
    assert tree(content) == before


def test_a_file_an_editor_moved_does_not_come_back(tmp_path: Path) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(3))
    ingest(sources, content)
    old = content / "2022/01/gleicher-titel.md"
    new = content / "2022/05/gleicher-titel.md"
    new.parent.mkdir()
    new.write_text(old.read_text(encoding="utf-8").replace("2022-01-01", "2022-05-01"), "utf-8")
    old.unlink()
    report = ingest(sources, content)
    assert not old.exists()
    entry = report.entries[0]
    assert (entry.status, entry.output) == ("kept-edited", "2022/05/gleicher-titel.md")
    state = json.loads((content / STATE_FILE).read_text(encoding="utf-8"))
    assert state["articles"][f"{0:016x}"]["output"] == "2022/05/gleicher-titel.md"


def test_a_deleted_file_stays_deleted_unless_forced(tmp_path: Path) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(2))
    ingest(sources, content)
    gone = content / "2022/01/gleicher-titel.md"
    gone.unlink()
    entry = ingest(sources, content).entries[0]
    assert (entry.status, entry.output) == ("kept-edited", "2022/01/gleicher-titel.md")
    assert "deleted by hand" in entry.reason
    assert not gone.exists()
    assert ingest(sources, content, force=True).entries[0].status == "imported"
    assert gone.exists()


def test_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(2))
    ingest(sources, content)
    leftovers = [content / "2022/01/.gleicher-titel.md.4242.tmp", content / f".{STATE_FILE}.7.tmp"]
    for path in leftovers:
        path.write_text("half", encoding="utf-8")
    keep = content / "2022/01/notiz.tmp"  # not a name write_atomic makes: not ours
    keep.write_text("mine", encoding="utf-8")
    ingest(sources, content)
    assert not any(path.exists() for path in leftovers)
    assert keep.read_text(encoding="utf-8") == "mine"


def test_two_files_with_one_source_id_are_an_error_naming_both(tmp_path: Path) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(2))
    ingest(sources, content)
    original = content / "2022/01/gleicher-titel.md"
    shutil.copy(original, original.with_name("kopie.md"))
    entry = ingest(sources, content).entries[0]
    assert entry.status == "error"
    assert "2022/01/gleicher-titel.md" in entry.reason and "2022/01/kopie.md" in entry.reason


@pytest.mark.parametrize(
    ("articles", "message"),
    [
        ([], "'articles' must be an object, not list"),
        ({"a": {"source": "x.txt"}}, "article 'a' must have exactly the keys"),
        (
            {
                "a": {
                    "source": "",
                    "source_sha256": "",
                    "output": "../../../tmp/x.md",
                    "output_sha256": "",
                }
            },
            "output '../../../tmp/x.md' is not a path to a .md file inside content/",
        ),
        (
            {"a": {"source": "", "source_sha256": "", "output": "/tmp/x.md", "output_sha256": ""}},
            "is not a path to a .md file inside content/",
        ),
    ],
)
def test_a_forged_state_file_is_an_error_naming_it(tmp_path: Path, articles, message) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    (sources).mkdir()
    (sources / "001_000000000000000a.txt").write_bytes(raw(1))
    content.mkdir()
    state = content / STATE_FILE
    state.write_text(json.dumps({"version": 1, "fingerprint": "", "articles": articles}), "utf-8")
    with pytest.raises(IngestError, match=r"must|not a path") as error:
        ingest(sources, content)
    assert str(state) in str(error.value) and message in str(error.value)
    assert sorted(p.name for p in content.iterdir()) == [STATE_FILE]
    result = invoke("ingest", f"--source={sources}", f"--content={content}")
    assert result.returncode == 1
    assert f"{state}: " in result.stderr and "Traceback" not in result.stderr


def test_a_state_file_that_is_not_json_is_an_error_with_its_line(tmp_path: Path) -> None:
    sources, content = tmp_path / "sources", tmp_path / "content"
    put(sources, range(1))
    content.mkdir()
    (content / STATE_FILE).write_text('{\n "version": 1,\n "articles": {\n', encoding="utf-8")
    with pytest.raises(IngestError, match=r"\.import-state\.json: line 4: not JSON"):
        ingest(sources, content)


def test_a_first_build_takes_the_imports_result_before_it_reads_the_content(
    tmp_path: Path,
) -> None:
    """A first build's import makes the content folder, which Pelican's settings need.

    The build runs beside its import (see opeds.common.forked): at 50,000 sources the build
    came to Pelican's settings before the import had made the folder, and failed.
    """
    from opeds.build.run import build_site

    site = editor_folders(tmp_path)
    content = tmp_path / "first-content"  # not there yet, as before a first import
    seen: list[bool] = []

    def content_ready() -> None:  # the import's end: it made the folder
        seen.append(content.exists())
        assert ingest(site / "sources", content).ok

    build_site(ROOT / "pelicanconf.py", content, tmp_path / "output", cache=tmp_path / "cache",
               content_ready=content_ready)  # fmt: skip
    assert seen == [False]
    assert list((tmp_path / "output").glob("20*/*/*/index.html"))
