"""Helpers the tests share: the project's paths, parsed pages, front matter, trees, a server."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bs4 import BeautifulSoup

from opeds.common.browser import served

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sources" / "000_93860125103f0c6b.txt"
#: Real articles for robustness and scale tests (CC BY-NC-SA 4.0: see its NOTICE.md).
CORPUS_ARCHIVE = ROOT / "tests" / "data" / "corpus" / "opeds-scale-corpus.tar.xz"


def soup(path: Path) -> BeautifulSoup:
    """Parse one built HTML page."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tree(folder: Path) -> dict[str, bytes]:
    """Map every file below ``folder`` (relative POSIX path) to its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def tree_digest(folder: Path) -> dict[str, str]:
    """Map every file below ``folder`` to the SHA-256 of its bytes."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in tree(folder).items()}


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 and yield its base URL without the final slash."""
    with served(folder) as base:
        yield base.rstrip("/")


def invoke(
    *args: str, cwd: Path = ROOT, seed: str = "0", **env: str
) -> subprocess.CompletedProcess:
    """Run ``invoke ARGS`` as an editor would, in a separate process, and capture what it says."""
    environment = {**os.environ, "PYTHONHASHSEED": seed, **env}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def editor_folders(base: Path) -> Path:
    """Lay out an editor's folders below ``base``: the seed as source, the about page as content."""
    (base / "sources").mkdir()
    shutil.copy(SEED, base / "sources")
    shutil.copytree(ROOT / "content" / "pages", base / "content" / "pages")
    return base


def site_folders(site: Path) -> list[str]:
    """Return the folder options of ``invoke build`` for the usual folders below ``site``."""
    return [f"--source={site / 'sources'}", f"--content={site / 'content'}",
            f"--output={site / 'output'}", f"--cache={site / 'cache'}"]  # fmt: skip


def linked_staging(live: Path, staging: Path) -> None:
    """A build's staging folder: every page of the live output as a hard link, no index."""
    for page in live.rglob("*.html"):
        relative = page.relative_to(live)
        if relative.parts[0] != "pagefind":
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            os.link(page, staging / relative)
