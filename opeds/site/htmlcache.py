"""Cache finished article HTML on disk, so an unchanged article never pays for typography twice.

The key hashes the input HTML, the language and the code version: the source of every module
of the site plugin (this one included, so an edit to ``finish`` counts too) plus the versions of
the libraries that shape the result. Any change to one of them misses the cache instead of
serving stale HTML.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

from markupsafe import Markup

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
        self._inline: dict[str, str] | None = None  # loaded when first asked
        self._inline_used: dict[str, str] = {}
        self.used: set[str] = set()  # the keys this build asked for

    def start_build(self) -> None:
        """Count hits and misses, and the keys used, afresh for a new build."""
        self.hits = self.misses = 0
        self.used = set()

    def prune(self) -> int:
        """Remove each entry the build did not use, and other code versions' inline files.

        Called once a build succeeded, which asked for every article's key: the cache then
        holds what the next build needs and no more (it gained an entry for every article at
        each code change, and one for each edit: 577 MB at 10,000 articles after a few
        changes). Returns how many files it removed.
        """
        removed = 0
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                for item in os.scandir(entry.path):
                    name = item.name
                    if name.endswith(".html") and name[:-5] not in self.used:
                        os.unlink(item.path)
                        removed += 1
            elif entry.name.startswith("inline-") and entry.name != self.inline_path.name:
                os.unlink(entry.path)
                removed += 1
        return removed

    @property
    def inline_path(self) -> Path:
        """The file of the typeset titles and labels, one per code version."""
        return self.folder / f"inline-{CODE_VERSION}.json"

    def inline(self, text: str, lang: str, keep_last_words: bool = True) -> Markup:
        """Return :func:`typography.typeset_inline` of ``text``, from the cache when it is there."""
        if not text:
            return Markup("")
        if self._inline is None:
            try:
                self._inline = json.loads(self.inline_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._inline = {}
        key = f"{lang}|{int(keep_last_words)}|{text}"
        found = self._inline.get(key)
        if not isinstance(found, str):
            found = str(typography.typeset_inline(text, lang, keep_last_words=keep_last_words))
        self._inline_used[key] = found
        return Markup(found)

    def save_inline(self) -> None:
        """Write the titles and labels this build typeset, if they differ from the file's."""
        if self._inline is not None and self._inline_used != self._inline:
            text = json.dumps(self._inline_used, ensure_ascii=False, sort_keys=True)
            write_atomic(self.inline_path, text)
        self._inline, self._inline_used = None, {}

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
        self.used.add(key)
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
