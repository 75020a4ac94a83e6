"""Cache typeset titles and labels on disk: one file per code version, what the last build used.

An article's text is typeset once by our reader and kept in Pelican's reader cache (see
opeds.site.reader); its headline, kicker and other labels are typeset after reading, when
the article object is made, so they are kept here. The file's name holds the code version:
the source of every module of the site plugin (this one included) plus the versions of the
libraries that shape the result. Any change to one of them starts a new file instead of
serving stale markup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib.metadata import version
from pathlib import Path

from markupsafe import Markup

from opeds.common.atomic import write_atomic
from opeds.site import typography

#: Libraries whose output ends up in the typeset markup.
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


class TitleCache:
    """Typeset titles and labels in ``folder``, in a file per code version."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._inline: dict[str, str] | None = None  # loaded when first asked
        self._inline_used: dict[str, str] = {}
        self._keep_unused = False

    def start_build(self) -> None:
        """Forget what an earlier build in this process asked for."""
        self._inline, self._inline_used, self._keep_unused = None, {}, False

    def keep_unused(self) -> None:
        """Keep what this build did not ask for: it took articles typeset by an earlier one."""
        self._keep_unused = True

    def prune(self) -> int:
        """Remove other code versions' files, and what older versions of the cache left.

        Those kept each article's typeset text in a file of its own, in folders by the
        first two letters of its key: that lives in Pelican's reader cache now. Returns how
        many files it removed.
        """
        removed = 0
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                removed += sum(len(files) for _where, _dirs, files in os.walk(entry.path))
                shutil.rmtree(entry.path)
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
        """Write the titles and labels this build typeset, if they differ from the file's.

        The file keeps only what the build asked for, unless it took articles made before
        (see :meth:`keep_unused`): then it keeps what it held as well.
        """
        if self._inline is not None:
            wanted = self._inline_used
            if self._keep_unused:
                wanted = {**self._inline, **self._inline_used}
            if wanted != self._inline:
                text = json.dumps(wanted, ensure_ascii=False, sort_keys=True)
                write_atomic(self.inline_path, text)
        self._inline, self._inline_used, self._keep_unused = None, {}, False
