"""Writing content: slugs, order, re-imports, hand edits, duplicates, reports, the command."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

import pytest

from opeds.importer import files
from opeds.importer.files import STATE_FILE, ingest

ROOT = Path(__file__).resolve().parent.parent.parent


def raw(title: str, body: str = "", date: str = "2022-01") -> bytes:
    # A body of its own per title: identical bytes would be reported as duplicates.
    return f"date {date} {title}\n\n{body or f'Meinung Berlin Der Text zu {title}.'}\n".encode()


def put(sources: Path, number: int, source_id: str, data: bytes) -> Path:
    sources.mkdir(parents=True, exist_ok=True)
    path = sources / f"{number:03d}_{source_id:0>16}.txt"
    path.write_bytes(data)
    return path


def snapshot(content: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``content`` with its bytes and modification time in nanoseconds."""
    return {
        p.relative_to(content).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(content.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "sources", tmp_path / "content"


def test_same_headline_same_month_gets_distinct_slugs_in_numeric_order(dirs) -> None:
    sources, content = dirs
    put(sources, 1000, "b", raw("Gleicher Titel", "Meinung Zweiter Text."))
    put(sources, 999, "a", raw("Gleicher Titel", "Meinung Erster Text."))
    report = ingest(sources, content)
    assert [e.source for e in report.entries] == [
        "999_000000000000000a.txt",
        "1000_000000000000000b.txt",
    ]
    assert [e.output for e in report.entries] == [
        "2022/01/gleicher-titel.md",
        "2022/01/gleicher-titel-2.md",
    ]


def test_slugs_never_change_once_written(dirs) -> None:
    sources, content = dirs
    put(sources, 5, "b", raw("Gleicher Titel"))
    ingest(sources, content)
    # An earlier-numbered newcomer with the same headline must not take the published slug.
    put(sources, 1, "a", raw("Gleicher Titel", "Meinung Neuzugang."))
    # A changed headline keeps the slug (and file) it was first published under.
    put(sources, 5, "b", raw("Ganz neuer Titel"))
    report = ingest(sources, content)
    outputs = {e.source[:3]: (e.status, e.output) for e in report.entries}
    assert outputs == {
        "001": ("imported", "2022/01/gleicher-titel-2.md"),
        "005": ("imported", "2022/01/gleicher-titel.md"),
    }
    text = (content / "2022/01/gleicher-titel.md").read_text(encoding="utf-8")
    assert "title: Ganz neuer Titel\n" in text and "slug: gleicher-titel\n" in text


def test_reimport_of_unchanged_sources_rewrites_nothing(dirs) -> None:
    sources, content = dirs
    for n in range(5):
        put(sources, n, f"{n}", raw(f"Titel {n}"))
    first = ingest(sources, content)
    assert first.count("imported") == 5
    before = snapshot(content)
    assert STATE_FILE in before
    again = ingest(sources, content)
    assert [e.status for e in again.entries] == ["unchanged"] * 5
    assert snapshot(content) == before


def test_changed_source_updates_its_file(dirs) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Titel", "Meinung Der alte Text."))
    ingest(sources, content)
    put(sources, 1, "a", raw("Titel", "Meinung Der neue Text."))
    report = ingest(sources, content)
    assert (report.entries[0].status, report.entries[0].reason) == ("imported", "updated")
    assert (content / "2022/01/titel.md").read_text(encoding="utf-8").endswith("Der neue Text.\n")


def test_hand_edit_is_kept_and_reported_unless_forced(dirs) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Titel", "Meinung Der alte Text."))
    ingest(sources, content)
    md = content / "2022/01/titel.md"
    edited = md.read_text(encoding="utf-8").replace("Der alte Text.", "Von Hand verbessert.")
    md.write_text(edited, encoding="utf-8")
    # Unchanged source: the edit stays.
    report = ingest(sources, content)
    assert report.entries[0].status == "kept-edited"
    assert "--force" in report.entries[0].reason
    # Changed source: the edit still stays, the run is not an error.
    put(sources, 1, "a", raw("Titel", "Meinung Der neue Text."))
    report = ingest(sources, content)
    assert report.entries[0].status == "kept-edited" and report.ok
    assert md.read_text(encoding="utf-8") == edited
    # Forced: the importer's text wins, and afterwards the file counts as its own again.
    report = ingest(sources, content, force=True)
    assert report.entries[0].status == "imported"
    assert md.read_text(encoding="utf-8").endswith("Der neue Text.\n")
    assert ingest(sources, content).entries[0].status == "unchanged"


def test_lost_state_reuses_files_by_source_id(dirs) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Titel"))
    ingest(sources, content)
    (content / STATE_FILE).unlink()
    before = snapshot(content)
    put(sources, 2, "b", raw("Titel", "Meinung Ein anderer Text."))
    report = ingest(sources, content)
    assert [(e.status, e.output) for e in report.entries] == [
        ("unchanged", "2022/01/titel.md"),
        ("imported", "2022/01/titel-2.md"),
    ]
    assert snapshot(content)["2022/01/titel.md"] == before["2022/01/titel.md"]


def test_duplicates_are_reported_and_the_rest_imports(dirs) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Erster"))
    put(sources, 2, "a", raw("Gleiche Id"))
    put(sources, 3, "c", raw("Erster"))  # same bytes as 001
    put(sources, 4, "d", raw("Vierter"))
    report = ingest(sources, content)
    assert [e.status for e in report.entries] == ["imported", "error", "error", "imported"]
    assert "duplicate source: id" in report.entries[1].reason
    assert "001_000000000000000a.txt" in report.entries[2].reason
    assert report.entries[1].line == 1


def test_bad_files_are_reported_with_line_and_the_rest_imports(dirs) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Gut"))
    put(sources, 2, "b", raw("Schlecht", date="2022-13"))
    put(sources, 3, "c", b"")
    put(sources, 4, "d", b"\n\ndate 2022-01 Kopf ohne Text\n")
    report = ingest(sources, content)
    assert [(e.status, e.line) for e in report.entries] == [
        ("imported", None),
        ("error", 1),
        ("error", 1),
        ("error", 3),
    ]
    assert report.entries[1].reason.startswith("impossible date '2022-13'")
    assert report.summary() == "1 imported, 0 unchanged, 0 kept, 3 errors"
    assert not report.ok


def test_report_file_has_one_entry_per_source(dirs, tmp_path: Path) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Gut"))
    put(sources, 2, "b", raw("Schlecht", date="2022-13"))
    files.write_report(ingest(sources, content), tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["files"] == [
        {
            "source": "001_000000000000000a.txt",
            "status": "imported",
            "reason": "new",
            "line": None,
            "output": "2022/01/gut.md",
            "warnings": [],
        },
        {
            "source": "002_000000000000000b.txt",
            "status": "error",
            "reason": "impossible date '2022-13': month must be in 1..12",
            "line": 1,
            "output": "",
            "warnings": [],
        },
    ]


def test_failed_write_leaves_the_old_file_and_no_temporary(dirs, monkeypatch) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Titel", "Meinung Der alte Text."))
    ingest(sources, content)
    md = content / "2022/01/titel.md"
    old = md.read_bytes()
    put(sources, 1, "a", raw("Titel", "Meinung Der neue Text."))

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    entry = ingest(sources, content).entries[0]  # reported, and the import goes on
    assert entry.status == "error" and "disk full" in entry.reason
    monkeypatch.undo()
    assert md.read_bytes() == old
    assert sorted(p.name for p in md.parent.iterdir()) == ["titel.md"]


def test_written_files_are_readable_by_others(dirs) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Titel"))
    ingest(sources, content)
    assert (content / "2022/01/titel.md").stat().st_mode & 0o044 == 0o044 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def run_task(*args: str, tty: bool = False) -> tuple[int, str, str]:
    """Run ``invoke ingest`` as a user would; stderr on a pseudo-terminal when ``tty``."""
    command = [sys.executable, "-m", "invoke", "-r", str(ROOT), "ingest", *args]
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    # A terminal of 24 rows and 80 columns: tqdm draws no bar on a zero-width terminal.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen(command, stdout=stdout, stderr=follower, cwd=ROOT)
        os.close(follower)
        chunks = []
        while True:  # read while it runs: Linux drops unread terminal output at the end
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the program closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        process.wait()
        stdout.seek(0)
        out = stdout.read().decode()
    return process.returncode, out, b"".join(chunks).decode()


def test_command_reports_errors_by_file_and_line_and_exits_non_zero(dirs, tmp_path) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Gut"))
    bad = put(sources, 2, "b", raw("Schlecht", date="2022-13"))
    report = tmp_path / "r.json"
    code, out, err = run_task("--source", str(sources), "--content", str(content),
                              "--report", str(report))  # fmt: skip
    assert code == 1
    assert out.strip().split("\n") == ["import: 1 imported, 0 unchanged, 0 kept, 1 errors"]
    assert f"{bad}:1: impossible date '2022-13'" in err
    assert "\r" not in err  # no progress bar when not on a terminal
    assert len(json.loads(report.read_text(encoding="utf-8"))["files"]) == 2


def test_command_shows_a_progress_bar_on_a_terminal(dirs) -> None:
    sources, content = dirs
    for n in range(30):
        put(sources, n, f"{n:x}", raw(f"Titel {n}"))
    code, out, err = run_task("--source", str(sources), "--content", str(content), tty=True)
    assert code == 0
    assert out.strip() == "import: 30 imported, 0 unchanged, 0 kept, 0 errors"
    assert "import:   0%" in err and "/30 [" in err and "\r" in err


def test_command_takes_sections_and_places(dirs, tmp_path) -> None:
    sources, content = dirs
    put(sources, 1, "a", raw("Lokal", "Aus der Region Teltow-Fläming Neue Radwege entstehen."))
    places = tmp_path / "places.txt"
    places.write_text("# Landkreise in Brandenburg\nTeltow-Fläming\n", encoding="utf-8")
    options = ["--sections", "Aus der Region,Meinung", "--places", str(places)]
    code, _, err = run_task("--source", str(sources), "--content", str(content), *options)
    assert code == 0, err
    text = (content / "2022/01/lokal.md").read_text(encoding="utf-8")
    assert "category: Aus der Region\ndateline: Teltow-Fläming\n" in text
    assert text.endswith("---\nNeue Radwege entstehen.\n")


def test_state_saves_grow_apart_as_they_grow_slower(tmp_path: Path, monkeypatch) -> None:
    # A save of a big state takes long: the next is due only when saving stays a tenth of the
    # import's time, and never sooner than a second after the last.
    content = tmp_path / "content"
    content.mkdir()
    importer = files._Importer(content, (), (), False)
    clock = [100.0]
    monkeypatch.setattr(files.time, "monotonic", lambda: clock[0])
    saved = []
    monkeypatch.setattr(importer, "save", lambda: saved.append(clock[0]))
    importer.saved_at = 100.0
    for seconds, due in ((0.01, 1.0), (0.5, 5.0), (2.0, 20.0)):
        importer.save_seconds = seconds
        clock[0] = importer.saved_at + due - 0.01
        importer.checkpoint()
        assert saved == [], (seconds, due)
        clock[0] = importer.saved_at + due
        importer.checkpoint()
        assert saved == [clock[0]], (seconds, due)
        saved.clear()
        importer.saved_at = clock[0]


def test_a_save_records_how_long_it_took(dirs) -> None:
    _sources, content = dirs
    importer = files._Importer(content, (), (), False)
    importer.save()
    assert (content / STATE_FILE).is_file()
    assert 0 < importer.save_seconds < 5
