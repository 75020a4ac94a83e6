"""The golden site: a small fixed content folder built with the real settings, theme and plugin."""

from __future__ import annotations

import logging
from pathlib import Path

from tests.support import ROOT

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
    from opeds.build.run import build_site

    collector = _WarningCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        settings = {"SITEURL": SITEURL, "FEED_DOMAIN": SITEURL}
        # The Pagefind index is binary and version-bound: the golden files compare Pelican's pages.
        build_site(
            ROOT / "pelicanconf.py",
            CONTENT,
            output,
            cache=cache,
            search_index=search_index,
            **{**settings, **overrides},
        )
    finally:
        root.removeHandler(collector)
    return collector.messages


def regenerate() -> None:
    """Rewrite tests/golden/expected from a fresh build; refuse if the build logged warnings."""
    import shutil
    import sys
    import tempfile

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        warnings = build_golden(Path(tmp) / "output", Path(tmp) / "cache")
        if warnings:
            print("the golden build logged warnings:\n  " + "\n  ".join(warnings), file=sys.stderr)
            sys.exit(1)
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(Path(tmp) / "output", EXPECTED)
    print(f"golden: {EXPECTED.relative_to(ROOT)} rewritten; now run: git diff --stat -- {EXPECTED}")


if __name__ == "__main__":
    regenerate()
