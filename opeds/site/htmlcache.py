"""Cache finished article HTML on disk, so an unchanged article never pays for typography twice.

The key hashes the input HTML, the language and the code version: the source of every module
of the site plugin (this one included, so an edit to ``finish`` counts too) plus the versions of
the libraries that shape the result. Any change to one of them misses the cache instead of
serving stale HTML.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

from opeds.common.atomic import write_atomic
from opeds.site import metadata, sanitise, typography

#: Libraries whose output ends up in the finished HTML.
LIBRARIES = ("typogrify", "nh3", "markupsafe", "markdown")


def _code_version() -> str:
    # The whole plugin package, not a hand-kept list of modules: a list forgets the next one.
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in LIBRARIES:
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
        return self.finished_with_words(html, lang)[0]

    def finished_with_words(self, html: str, lang: str) -> tuple[str, int]:
        """Return the finished HTML and its number of words, from the cache when it is there."""
        key = self.key(html, lang)
        path = self.folder / key[:2] / f"{key}.html"
        try:
            words, _, result = path.read_text(encoding="utf-8").partition("\n")
        except FileNotFoundError:
            pass
        else:
            self.hits += 1
            return result, int(words)
        self.misses += 1
        result = finish(html, lang)
        words = metadata.word_count(result)
        write_atomic(path, f"{words}\n{result}")  # a build that dies half way leaves no half entry
        return result, words
