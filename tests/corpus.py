"""The scale corpus, imported and built once per test session with the real settings.

Shared by the importer tests and the site checks; tests/conftest.py registers the fixture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from opeds.bench import unpack_corpus
from opeds.importer.files import ingest
from opeds.importer.report import Report
from tests.importer.sitecheck import build
from tests.support import CORPUS_ARCHIVE


@dataclass
class CorpusSite:
    """The raw corpus, its manifest, the import report and the built site."""

    sources: Path
    manifest: dict[str, dict]  # by file name
    content: Path
    report: Report
    output: Path


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> CorpusSite:
    """Unpack tests/data/corpus (a missing corpus fails, never skips), import it, build it."""
    base = tmp_path_factory.mktemp("corpus")
    sources = unpack_corpus(base, CORPUS_ARCHIVE)
    manifest = json.loads((sources / "manifest.json").read_text(encoding="utf-8"))
    content = base / "content"
    report = ingest(sources, content)
    output = build(content, base / "output")
    articles = {a["file"]: a for a in manifest["articles"]}
    return CorpusSite(sources, articles, content, report, output)
