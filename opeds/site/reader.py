"""Pelican's Markdown reader, giving article HTML finished: cleaned and typeset for its language.

Finished in the reader, the HTML goes into Pelican's reader cache as it is: an unchanged
article is neither read nor typeset again, and the cache is the only one there is. It lives
in a folder per settings and code version (see opeds.build.run), so any change to this
package or to a library starts a new one instead of serving HTML typeset by other code.
"""

from __future__ import annotations

from pelican import readers

from opeds.site import metadata, sanitise, typography

#: The metadata keys for the number of words of the finished text and the language it was
#: finished for. Not keys front matter can have (Markdown's metadata keys are letters, digits,
#: "_" and "-"), so they mark what this reader finished.
WORDS = "opeds:words"
LANG = "opeds:lang"

#: Articles and pages this process finished (for the build's log).
finished_here = 0


def finish(html: str, lang: str) -> str:
    """Clean, set the typography for ``lang``, and clean again what typogrify added."""
    return sanitise.clean_html(typography.typeset_html(sanitise.clean_html(html), lang))


def finished_text(html: str, lang: str) -> tuple[str, int]:
    """Return ``html`` finished for ``lang`` and the number of words of its text."""
    global finished_here
    finished_here += 1
    result = finish(html, lang)
    return result, metadata.word_count(result)


class MarkdownReader(readers.MarkdownReader):
    """Markdown as Pelican reads it, finished for the language its front matter names.

    Named as Pelican's: Pelican gives each article its reader's name ("markdown") from it.
    """

    def read(self, source_path: str) -> tuple[str, dict]:
        """Read ``source_path``; return its finished HTML and metadata with its word count."""
        content, found = super().read(source_path)
        if content:
            lang = str(found.get("lang") or self.settings.get("DEFAULT_LANG") or "de")
            content, words = finished_text(content, lang)
            found[WORDS], found[LANG] = words, lang
        return content, found


def use_finishing_reader(found: readers.Readers) -> None:
    """Read Markdown with our :class:`MarkdownReader` (Pelican's ``readers_init`` signal)."""
    for extension, reader in list(found.reader_classes.items()):
        if reader is readers.MarkdownReader:
            found.reader_classes[extension] = MarkdownReader
