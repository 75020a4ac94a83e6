"""The golden site: a small fixed content folder built with the real settings, theme and plugin."""

from __future__ import annotations

import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CONTENT = GOLDEN / "content"
EXPECTED = GOLDEN / "expected"
# An absolute site URL under a sub-path, as in production, so canonical links, feeds and the
# sitemap show real addresses and every link proves it works below a sub-path.
SITEURL = "https://zeitung.example/meinung"


class _WarningCollector(logging.Handler):
    """Remember every warning or error logged during a build."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def build_golden(
    output: Path, cache: Path, *, search_index: bool = False, **overrides: object
) -> list[str]:
    """Build the golden content into ``output``; return the warnings the build logged."""
    from opeds.build import build_site

    collector = _WarningCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        settings = {"CACHE_PATH": str(cache), "SITEURL": SITEURL, "FEED_DOMAIN": SITEURL}
        # The Pagefind index is binary and version-bound: the golden files compare Pelican's pages.
        build_site(
            ROOT / "pelicanconf.py",
            CONTENT,
            output,
            search_index=search_index,
            **{**settings, **overrides},
        )
    finally:
        root.removeHandler(collector)
    return collector.messages


def tree(folder: Path) -> dict[str, bytes]:
    """Map every file below ``folder`` (relative POSIX path) to its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
