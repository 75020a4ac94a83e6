"""Ingest and build over generated hostile trees: odd file kinds, encodings, front matter.

Whatever the tree holds: no traceback (only a report entry or a BuildError), nothing written
outside the content, output and cache folders, sources untouched, every source accounted for.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opeds.build.run import BuildError, build_site
from opeds.importer.files import ingest
from tests.support import ROOT, tree_digest

HOSTILE_TEXT = st.sampled_from(
    ["Müller", "<script>alert(1)</script>", "\u202eevil", "zero\u200bwidth", "next\x85line",
     "---", "slug: x", "&#x202E;", "1. FC Köln", "# 1", "\ufeff", "\x00", "   ", ""]
)  # fmt: skip
DATES = st.one_of(
    st.sampled_from(["2022-01", "2021-12-24", "0001-01", "3015-09", "2022-13", "", "1999"]),
    st.integers(min_value=0, max_value=9999).map(lambda y: f"{y:04d}-{(y % 12) + 1:02d}"),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "broken-utf-8"])
KINDS = st.sampled_from(["text", "text", "text", "folder", "dangling", "fifo", "outside", "upper"])
FRONT_MATTER = st.sampled_from(
    ["summary: <script>alert(1)</script><a href='javascript:x'>y</a>", "url: javascript:alert(1)",
     "save_as: index.html", "save_as: theme/js/search.js", "save_as: ../../../weg.html",
     "slug: ../../x", 'lang: de" onload="x', "title: <img src=x onerror=alert(1)>",
     "template: ../../etc/passwd", "save_as: feed.json", "tags: <b>x</b>", "author: <i>y</i>"]
)  # fmt: skip


def encode(text: str, encoding: str) -> bytes:
    if encoding == "broken-utf-8":
        return text.encode("utf-8") + b"\xc3 kaputt"
    return text.encode(encoding, errors="replace")


@st.composite
def trees(draw):
    """A sources folder description and hand-edited Markdown files."""
    sources = []
    for number in range(draw(st.integers(min_value=1, max_value=8))):
        words = " ".join(draw(st.lists(HOSTILE_TEXT, min_size=1, max_size=4)))
        text = f"date {draw(DATES)} Titel {number} {words}\n\nMeinung Berlin {words} Text.\n"
        sources.append((number, draw(KINDS), text, draw(ENCODINGS)))
    edits = draw(st.lists(FRONT_MATTER, max_size=3))
    return sources, edits


def make(base: Path, sources: list, edits: list[str]) -> int:
    """Write the tree below ``base``; return how many source entries the import must report."""
    folder = base / "sources"
    folder.mkdir()
    outside = base / "outside" / "fremd.txt"
    for number, kind, text, encoding in sources:
        path = folder / f"{number:03d}_{number:016x}.txt"
        if kind == "folder":
            path.mkdir()
        elif kind == "dangling":
            path.symlink_to(base / "nowhere.txt")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "outside":
            path.symlink_to(outside)
        elif kind == "upper":
            path.with_suffix(".TXT").write_bytes(encode(text, encoding))
        else:
            path.write_bytes(encode(text, encoding))
    pages = base / "content" / "pages"
    shutil.copytree(ROOT / "content" / "pages", pages)
    for number, field in enumerate(edits):
        (base / "content" / f"hand-{number}.md").write_text(
            f"---\ntitle: Hand {number}\ndate: 2022-02-0{number + 1}\n{field}\n---\nText.\n",
            encoding="utf-8",
        )
    return len(sources)


def everything(base: Path) -> set[str]:
    return {p.relative_to(base).as_posix() for p in base.rglob("*")}


@settings(
    max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(trees())
def test_hostile_trees_never_crash_or_write_outside(tree: tuple[list, list[str]]) -> None:
    sources, edits = tree
    with tempfile.TemporaryDirectory(prefix="opeds-fuzz-") as tmp:
        base = Path(tmp) / "site"
        (base / "outside").mkdir(parents=True)
        (base / "outside" / "fremd.txt").write_text("date 2022-01 Fremd\n\nMeinung X.\n", "utf-8")
        expected = make(base, sources, edits)
        sources_before = {
            p.name: (p.lstat().st_mode, p.read_bytes() if p.is_file() and not p.is_symlink()
                     else None)
            for p in (base / "sources").iterdir()
        }  # fmt: skip
        outside_before = tree_digest(base / "outside")

        report = ingest(base / "sources", base / "content")  # raises nothing
        assert len(report.entries) == expected
        assert all(e.status in {"imported", "error", "unchanged", "kept-edited"}
                   for e in report.entries)  # fmt: skip
        assert all(e.reason for e in report.entries if e.status == "error")
        built = False
        try:
            build_site(ROOT / "pelicanconf.py", base / "content", base / "output",
                       cache=base / "cache", search_index=False)  # fmt: skip
            assert (base / "output" / "index.html").is_file()
            built = True
        except BuildError as error:
            assert str(error)
            assert not (base / "output").exists()

        assert tree_digest(base / "outside") == outside_before
        assert {
            p.name: (p.lstat().st_mode, p.read_bytes() if p.is_file() and not p.is_symlink()
                     else None)
            for p in (base / "sources").iterdir()
        } == sources_before  # fmt: skip
        # The build's spare output folder (see opeds.build.staging), once made in the background
        # after a build that swapped its output in: the spare there, nothing being emptied.
        deadline = time.monotonic() + 60
        while (
            built
            and time.monotonic() < deadline
            and (list(base.glob(".output.emptying-*")) or not (base / ".output.spare").is_dir())
        ):
            time.sleep(0.05)
        allowed = ("sources", "content", "output", "cache", "outside", ".output.spare")
        stray = {
            name for name in everything(base)
            if name.split("/")[0] not in allowed and name not in (".content.lock", ".output.lock")
        }  # fmt: skip
        assert not stray, stray
        assert not (Path(tmp) / "weg.html").exists()
