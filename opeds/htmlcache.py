"""Cache finished article HTML on disk, so an unchanged article never pays for typography twice.

The key hashes the input HTML, the language and the code version (the source of the modules
that shape the result plus the versions of typogrify and nh3), so any change to one of them
misses the cache instead of serving stale HTML.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

from opeds import sanitise, typography

log = logging.getLogger(__name__)


def _code_version() -> str:
    digest = hashlib.sha256()
    for module in (sanitise, typography):
        digest.update(Path(module.__file__).read_bytes())
    for package in ("typogrify", "nh3", "markupsafe"):
        digest.update(f"{package}=={version(package)}\n".encode())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def finish(html: str, lang: str) -> str:
    """Clean, set the typography for ``lang``, and clean again what typogrify added."""
    return sanitise.clean_html(typography.typeset_html(sanitise.clean_html(html), lang))


class HtmlCache:
    """Finished article HTML in ``folder``, one file per key; counts hits and misses."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def key(self, html: str, lang: str) -> str:
        """Hash the input HTML, the language and the code version into a cache key."""
        data = f"{CODE_VERSION}\0{lang}\0{html}".encode()
        return hashlib.sha256(data).hexdigest()

    def finished(self, html: str, lang: str) -> str:
        """Return the finished HTML for ``html`` in ``lang``, from the cache when it is there."""
        key = self.key(html, lang)
        path = self.folder / key[:2] / f"{key}.html"
        try:
            result = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
        else:
            self.hits += 1
            return result
        self.misses += 1
        result = finish(html, lang)
        _write_atomic(path, result)
        return result


def _write_atomic(path: Path, text: str) -> None:
    # A rename is atomic, so a build that dies half way never leaves half an entry behind.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
