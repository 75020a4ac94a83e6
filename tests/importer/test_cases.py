"""Case pairs: every raw input in cases/ imports to exactly its expected Markdown or error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pelican.readers import MarkdownReader
from pelican.settings import read_settings

from opeds.common.frontmatter import read_front_matter as front_matter
from tests.importer.casebook import CASES, case_names, expected_path, run_case

ROOT = Path(__file__).resolve().parent.parent.parent
MARKDOWN_CASES = sorted(p.stem for p in CASES.glob("*.md"))


def test_every_case_has_its_expected_file() -> None:
    missing = [name for name in case_names() if expected_path(name) is None]
    assert not missing, f"cases without .md or .error (run `invoke cases`, review): {missing}"
    inputs = set(case_names())
    orphans = [p.name for p in CASES.iterdir() if p.suffix != ".txt" and p.stem not in inputs]
    assert not orphans, f"expected files without an input: {orphans}"
    assert len(MARKDOWN_CASES) >= 20 and len(inputs) > len(MARKDOWN_CASES)


@pytest.mark.parametrize("name", case_names())
def test_case_imports_to_expected(name: str) -> None:
    expected = expected_path(name)
    assert expected is not None, f"{name}: no expected file"
    suffix, text = run_case(name)
    assert (suffix, text) == (expected.suffix, expected.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reader() -> MarkdownReader:
    """Pelican's own Markdown reader with the project's settings."""
    return MarkdownReader(read_settings(str(ROOT / "pelicanconf.py")))


@pytest.mark.parametrize("name", MARKDOWN_CASES)
def test_expected_markdown_reads_back_through_pelican(name: str, reader: MarkdownReader) -> None:
    path = CASES / f"{name}.md"
    fields = front_matter(path)
    content, metadata = reader.read(str(path))
    assert set(metadata) == set(fields)  # no key lost, none forged
    assert metadata["title"] == fields["title"]
    if fields["date_precision"] == "unknown":
        assert "date" not in fields and "date" not in metadata  # the plugin dates it
    else:
        assert metadata["date"].date() == dt.date.fromisoformat(fields["date"])
        assert metadata["date_precision"] in {"day", "month", "year"}
    if "category" in fields:
        assert metadata["category"].name == fields["category"]
    for key in ("kicker", "dateline", "image_caption", "image_credit", "lang", "slug"):
        if key in fields:
            assert metadata[key] == fields[key]
    if "authors" in fields:
        assert [a.name for a in metadata["authors"]] == fields["authors"].split(", ")
    assert metadata["source_id"] == fields["source_id"]
    assert content.startswith("<p>") and "<script" not in content
