"""Shared fixtures: a real Pelican build of the seed, done once per test session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from playwright.sync_api import Browser, sync_playwright

from opeds.common.browser import CHROMIUM, launch_chromium
from tests.support import ROOT, SEED

# Tests never write into the repository: Hypothesis keeps its examples and caches elsewhere.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "opeds-hypothesis")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    assert CHROMIUM.is_file(), "Debian's chromium is missing: .ci/run installs it"
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Import the seed into a fresh content folder and build it with the real settings."""
    from opeds.build.run import build_site
    from opeds.importer.files import ingest

    base = tmp_path_factory.mktemp("seed")
    sources, content, output = base / "sources", base / "content", base / "output"
    sources.mkdir()
    shutil.copy(SEED, sources)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    report = ingest(sources, content)
    assert report.ok, report.summary()
    build_site(ROOT / "pelicanconf.py", content, output, cache=base / "cache")
    return output


@pytest.fixture(scope="session")
def golden_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Build the golden content twice, sharing one HTML cache: cold first, then warm."""
    from tests.golden_site import build_golden

    base = tmp_path_factory.mktemp("golden")
    cold_warnings = build_golden(base / "cold", base / "cache")
    warm_warnings = build_golden(base / "warm", base / "cache")
    return {
        "cold": base / "cold",
        "warm": base / "warm",
        "cache": base / "cache",
        "warnings": cold_warnings + warm_warnings,
    }


@pytest.fixture(scope="session")
def golden_site(golden_builds: dict[str, object]) -> Path:
    """The golden site as built with a cold cache."""
    return golden_builds["cold"]


from tests.corpus import corpus_site  # noqa: E402, F401 -- registers the session fixture
