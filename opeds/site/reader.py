"""Pelican's Markdown reader, giving article HTML finished: cleaned and typeset for its language.

Finished in the reader, the HTML goes into Pelican's reader cache as it is: an unchanged
article is neither read nor typeset again, and the cache is the only one there is. It lives
in a folder per settings and code version (see opeds.build.run), so any change to this
package or to a library starts a new one instead of serving HTML typeset by other code.
"""

from __future__ import annotations

from markdown import Markdown
from pelican import readers
from pelican.utils import pelican_open

from opeds.site import metadata, sanitise, typography
from opeds.site.inline import quicken

#: The metadata keys for the number of words of the finished text and the language it was
#: finished for. Not keys front matter can have (Markdown's metadata keys are letters, digits,
#: "_" and "-"), so they mark what this reader finished.
WORDS = "opeds:words"
LANG = "opeds:lang"
#: The lead of the finished text (its first paragraph) and the description made of it, for a
#: text whose front matter gives no summary: worked out once with the text and kept with it in
#: Pelican's reader cache, not again for every article of every build (see typeset_content).
LEAD = "opeds:lead"
DESCRIPTION = "opeds:description"

#: The name and priority of the Meta extension's preprocessor in Markdown's registry.
META, META_PRIORITY = "meta", 27

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

    _markdown: Markdown | None = None
    _meta: object = None  # the Meta extension's preprocessor, which Pelican takes out after use

    def markdown(self) -> Markdown:
        """Return this reader's Markdown, ready for a document as a new one would be.

        Pelican makes a Markdown for every file it reads: loading the extensions took a tenth
        of a cold build's reading (4.6 of 40 CPU seconds at 10,000 articles). Markdown's
        ``reset`` prepares one for the next document (Pelican's own reader relies on it for
        formatted metadata); the Meta preprocessor, which Pelican's reader removes after
        reading the front matter, is put back where it was. Its inline step passes over text
        that none of its inline patterns can match (see opeds.site.inline).
        """
        if self._markdown is None:
            self._markdown = quicken(Markdown(**self.settings["MARKDOWN"]))
            self._meta = self._markdown.preprocessors[META]
        elif META not in self._markdown.preprocessors:
            self._markdown.preprocessors.register(self._meta, META, META_PRIORITY)
        return self._markdown.reset()

    def read(self, source_path: str) -> tuple[str, dict]:
        """Read ``source_path``; return its finished HTML and metadata with its word count."""
        # Pelican's MarkdownReader.read, with the Markdown made once.
        self._source_path = source_path
        self._md = self.markdown()
        with pelican_open(source_path) as text:
            content = self._md.convert(text)
        found = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        if content:
            lang = str(found.get("lang") or self.settings.get("DEFAULT_LANG") or "de")
            content, words = finished_text(content, lang)
            found[WORDS], found[LANG] = words, lang
            if "summary" not in found:
                found[LEAD] = lead = metadata.lead_html(content)
                found[DESCRIPTION] = metadata.shorten(metadata.plain(lead))
        return content, found


def use_finishing_reader(found: readers.Readers) -> None:
    """Read Markdown with our :class:`MarkdownReader` (Pelican's ``readers_init`` signal)."""
    for extension, reader in list(found.reader_classes.items()):
        if reader is readers.MarkdownReader:
            found.reader_classes[extension] = MarkdownReader
