"""Build the Pagefind search index over a built site (German stemming, no network)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site."""


def index_site(folder: Path, language: str = "de") -> None:
    """Index ``folder`` with the Pagefind binary that the pinned ``pagefind[bin]`` ships."""
    # One language for the whole archive: the search page queries a single index, so the
    # occasional English piece is still found, stemmed as German.
    command = [sys.executable, "-m", "pagefind", "--site", str(folder),
               "--force-language", language, "--silent"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode or not (folder / "pagefind" / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind failed ({result.returncode}): {result.stderr.strip()}")
