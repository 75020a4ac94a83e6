"""Build the Pagefind search index over a built site (German stemming, no network)."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

KEEP = 4  # cached indexes kept: enough for a development and a production build side by side


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site."""


def pages_digest(folder: Path, language: str) -> str:
    """Hash every HTML page with its path, plus what else decides the index."""
    digest = hashlib.sha256(f"{version('pagefind-bin')}/{language}".encode())
    for page in sorted(folder.rglob("*.html")):
        digest.update(page.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(page.read_bytes()).digest())
    return digest.hexdigest()


def run_pagefind(folder: Path, language: str) -> None:
    """Index ``folder`` with the Pagefind binary that the pinned ``pagefind[bin]`` ships."""
    # One language for the whole archive: the search page queries a single index, so the
    # occasional English piece is still found, stemmed as German.
    command = [sys.executable, "-m", "pagefind", "--site", str(folder),
               "--force-language", language, "--silent"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode or not (folder / "pagefind" / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind failed ({result.returncode}): {result.stderr.strip()}")


def index_site(folder: Path, language: str = "de", cache: Path | None = None) -> None:
    """Add ``folder/pagefind/``, reusing the cached index when no page changed.

    Pagefind writes its filter and metadata files in an order that varies from run to run
    (upstream issue #638), so only reuse gives the same bytes for the same pages.
    """
    if cache is None:
        run_pagefind(folder, language)
        return
    cached = cache / "pagefind" / pages_digest(folder, language)
    if cached.is_dir():
        # Hard links: nothing writes into an index once made, and unchanged files keep one inode.
        shutil.copytree(cached, folder / "pagefind", copy_function=os.link)
        cached.touch()  # most recently used
        return
    run_pagefind(folder, language)
    staging = cached.with_name(cached.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(folder / "pagefind", staging)
    staging.rename(cached)
    entries = sorted(cached.parent.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


# Pagefind names its filter and metadata files by a hash of bytes whose order varies per run.
_VARYING = re.compile(r"^pagefind/(?:filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta)$")
_VARYING_HASH = re.compile(r"[a-z]+_[0-9a-f]{7,10}")


def canonical_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """Return ``files`` (path → bytes) with Pagefind's run-to-run ordering taken out.

    Two indexes of the same pages differ only in the order of entries inside the filter and
    metadata files and in the hashes that name them; this keeps every byte but sorts them and
    blanks those hashes, so equal results mean the same content, whatever the run.
    """
    varying = [name for name in files if _VARYING.match(name)]
    hashes = {h for name in varying for h in _VARYING_HASH.findall(name.rsplit("/", 1)[1])}
    result = {name: data for name, data in files.items() if name not in varying}
    for name in varying:
        data = gzip.decompress(files[name])
        for value in hashes:
            data = data.replace(value.encode(), b"#")
        kind = name.rsplit("/", 1)[0] + "/*" + name.rsplit(".", 1)[1]
        result.setdefault(kind, b"")
        result[kind] += bytes(sorted(data))
    for name in list(result):
        if name.endswith("pagefind-entry.json"):
            result[name] = _VARYING_HASH.sub("#", result[name].decode()).encode()
    result.update({kind: bytes(sorted(result[kind])) for kind in result if "/*" in kind})
    return result
