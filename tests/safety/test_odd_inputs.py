"""Sources that are not plain files, damaged encodings, invisible characters, implausible dates."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from opeds.importer.files import IngestError, ingest
from opeds.importer.normalise import decode, normalise
from opeds.importer.parse import parse
from tests.support import invoke


def raw(title: str, date: str = "2022-01", body: str = "") -> bytes:
    return f"date {date} {title}\n\nMeinung Berlin {body or 'Der Text zu ' + title}.\n".encode()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


def test_files_that_are_not_plain_are_reported_and_the_rest_imports(
    sources: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "geheim.txt"
    outside.write_bytes(raw("Geheim"))
    (sources / "001_0000000000000001.txt").mkdir()
    (sources / "002_0000000000000002.txt").symlink_to(tmp_path / "nirgends.txt")
    os.mkfifo(sources / "003_0000000000000003.txt")
    (sources / "004_0000000000000004.txt").symlink_to(outside)
    (sources / "005_0000000000000005.txt").symlink_to("/etc/passwd")
    (sources / "006_0000000000000006.TXT").write_bytes(raw("Gross geschrieben"))
    (sources / "007_0000000000000007.txt").write_bytes(raw("Zuletzt"))
    content, report = tmp_path / "content", tmp_path / "report.json"
    # A separate process with a time limit: a FIFO used to hang the import for ever.
    result = invoke("ingest", f"--source={sources}", f"--content={content}",
                    f"--report={report}")  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert report.is_file()
    lines = result.stderr.strip().split("\n")
    assert lines == [
        f"{sources}/001_0000000000000001.txt:1: a folder, not a file",
        f"{sources}/002_0000000000000002.txt:1: a dangling symbolic link to "
        f"{tmp_path}/nirgends.txt",
        f"{sources}/003_0000000000000003.txt:1: not a regular file (a pipe, socket or device)",
        f"{sources}/004_0000000000000004.txt:1: a symbolic link to {outside}, outside the sources "
        "folder",
        f"{sources}/005_0000000000000005.txt:1: a symbolic link to /etc/passwd, outside the "
        "sources folder",
    ]
    assert result.stdout.strip() == "import: 2 imported, 0 unchanged, 0 kept, 5 errors"
    written = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))
    assert written == ["2022/01/gross-geschrieben.md", "2022/01/zuletzt.md"]
    text = (content / "2022/01/gross-geschrieben.md").read_text(encoding="utf-8")
    assert "source_id: 0000000000000006\n" in text


def test_content_folders_and_files_that_lead_outside_the_content_are_never_written(
    sources: Path, tmp_path: Path
) -> None:
    """A month's folder, or an imported article's file, that an editor made a symbolic link out
    of the content folder is never written through, even with --force; the rest imports."""
    outside = tmp_path / "fremd"
    outside.mkdir()
    (outside / "geheim.md").write_text("nicht anfassen\n", encoding="utf-8")
    content = tmp_path / "content"
    (sources / "002_0000000000000002.txt").write_bytes(raw("Verlinkt", "2022-02"))
    assert ingest(sources, content).entries[0].output == "2022/02/verlinkt.md"
    (content / "2022" / "02" / "verlinkt.md").unlink()
    (content / "2022" / "02" / "verlinkt.md").symlink_to(outside / "geheim.md")
    (sources / "002_0000000000000002.txt").write_bytes(raw("Verlinkt", "2022-02", "Neu"))
    (content / "2022" / "01").symlink_to(outside)
    (sources / "001_0000000000000001.txt").write_bytes(raw("Im Januar", "2022-01"))
    (sources / "003_0000000000000003.txt").write_bytes(raw("Im Maerz", "2022-03"))
    report = ingest(sources, content, force=True)
    errors = {entry.source: entry.reason for entry in report.entries if entry.status == "error"}
    assert errors == {
        "001_0000000000000001.txt": f"2022/01/im-januar.md leads outside {content} "
        "(a symbolic link?)",
        "002_0000000000000002.txt": f"2022/02/verlinkt.md leads outside {content} "
        "(a symbolic link?)",
    }
    assert sorted(os.listdir(outside)) == ["geheim.md"]
    assert (outside / "geheim.md").read_text(encoding="utf-8") == "nicht anfassen\n"
    assert (content / "2022" / "03" / "im-maerz.md").is_file()


def test_a_missing_sources_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="the sources folder does not exist"):
        ingest(tmp_path / "nope", tmp_path / "content")
    result = invoke("ingest", f"--source={tmp_path / 'nope'}", f"--content={tmp_path / 'c'}")
    assert result.returncode == 1
    assert f"{tmp_path / 'nope'}: the sources folder does not exist" in result.stderr


def test_one_bad_byte_in_utf8_text_is_reported_not_read_as_cp1252(sources: Path) -> None:
    data = "date 2022-01 Müller über Öl\n\nMeinung Berlin Der Text.\n\nZweite Zeile\n".encode()
    data = data.replace(b"Zweite", b"Zw\xc3ite")
    (sources / "001_000000000000000a.txt").write_bytes(data)
    entry = ingest(sources, sources.parent / "content").entries[0]
    assert entry.status == "error" and entry.line == 5
    assert entry.reason.startswith("invalid UTF-8 at byte")
    assert not list((sources.parent / "content").rglob("*.md"))


def test_mostly_ascii_with_one_broken_sequence_is_reported(sources: Path) -> None:
    (sources / "001_000000000000000a.txt").write_bytes(b"date 2022-01 M\xc3 ller\n\nMeinung X.\n")
    entry = ingest(sources, sources.parent / "content").entries[0]
    assert (entry.status, entry.line) == ("error", 1)


def test_cp1252_text_still_imports() -> None:
    assert decode("Müller über Öl „Zitat“ – Straße".encode("cp1252")) == (
        "Müller über Öl „Zitat“ – Straße"
    )


def test_nel_breaks_lines_instead_of_gluing_words() -> None:
    text = normalise(decode("date 2022-01 Titel\n\nMeinung Das erste\u0085Wort.\n".encode()))
    assert parse(text).paragraphs == ("Das erste Wort.",)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\u202e", "\u2066", "\u200f"])
def test_invisible_and_bidi_characters_leave_titles(invisible: str) -> None:
    article = parse(normalise(f"date 2022-01 Ti{invisible}tel\n\nMeinung Text.\n"))
    assert article.headline == "Titel"
    entity = f"&#x{ord(invisible):x};"
    assert parse(normalise(f"date 2022-01 Ti{entity}tel\n\nMeinung Text.\n")).headline == "Titel"


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("0001-01", "implausible date '0001-01': before 1800"),
        ("1799-12", "implausible date '1799-12': before 1800"),
        ("3015-09", "implausible date '3015-09': in the future"),
        (f"{dt.date.today().year + 1}", "in the future"),
        ((dt.date.today() + dt.timedelta(days=3)).isoformat(), "in the future"),
    ],
)
def test_implausible_dates_are_reported_with_their_line(
    sources: Path, date: str, reason: str
) -> None:
    (sources / "001_000000000000000a.txt").write_bytes(b"\n\n" + raw("Titel", date))
    entry = ingest(sources, sources.parent / "content").entries[0]
    assert (entry.status, entry.line) == ("error", 3)
    assert reason in entry.reason


def test_todays_date_imports(sources: Path) -> None:
    (sources / "001_000000000000000a.txt").write_bytes(raw("Titel", dt.date.today().isoformat()))
    assert ingest(sources, sources.parent / "content").entries[0].status == "imported"
