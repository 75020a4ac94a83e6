"""Each article and page as it is read: clean, typeset for its language, described."""

from __future__ import annotations

import logging
from pathlib import Path

from markupsafe import Markup
from pelican.contents import Article, Content, Page
from pelican.settings import DEFAULT_CONFIG

from opeds.common.names import german_slug
from opeds.site import fields, metadata, reader, undated
from opeds.site.titlecache import TitleCache

log = logging.getLogger(__name__)

# One cache per cache folder, so builds with different settings in one process stay apart.
_CACHES: dict[str, TitleCache] = {}
_INLINE_FIELDS = ("kicker", "dateline", "image_caption", "image_credit")


def title_cache(settings: dict) -> TitleCache:
    """Return the cache of typeset titles of this build's cache folder."""
    # The build gives the cache root; Pelican's own CACHE_PATH is a folder per settings.
    root = str(settings.get("OPEDS_CACHE_PATH") or settings["CACHE_PATH"])
    if root not in _CACHES:  # asked once per article: a path built each time costs
        _CACHES[root] = TitleCache(Path(root) / "opeds-html")
    return _CACHES[root]


def reset_cache_counts(settings: dict) -> None:
    """Start counting what this process typesets afresh for a new build."""
    title_cache(settings).start_build()
    reader.finished_here = 0


def german_slugs(instance: Article | Page) -> None:
    """Give sections, topics, authors and untitled slugs the importer's German slug rule."""
    if "slug" not in instance.metadata and getattr(instance, "title", ""):
        instance.slug = german_slug(instance.title)
    names = [getattr(instance, "category", None), *getattr(instance, "authors", ()),
             *getattr(instance, "tags", ())]  # fmt: skip
    for name in names:
        if name is not None:
            name.slug = german_slug(name.name)


def drop_empty_section(instance: Article | Page) -> None:
    """Leave an article without a section word without a section (``DEFAULT_CATEGORY = ""``)."""
    category = getattr(instance, "category", None)
    if category is not None and not category.name:
        del instance.category
        instance.metadata.pop("category", None)


def typeset_content(instance: object) -> None:
    """Clean and typeset article and page HTML and titles for their language; derive metadata."""
    if not isinstance(instance, Article | Page):
        return
    fields.check_fields(instance)  # hand-edited front matter: clean HTML, refuse unsafe paths
    drop_empty_section(instance)
    german_slugs(instance)
    if isinstance(instance, Article):
        undated.undated_url(instance)
    lang = getattr(instance, "lang", None) or instance.settings.get("DEFAULT_LANG", "de")
    words = 0
    if instance.metadata.get(reader.WORDS) is not None:  # finished by our reader
        words = instance.metadata[reader.WORDS]
        if instance.metadata.get(reader.LANG) != lang:  # a language from outside the file
            raise ValueError(f"typeset as {instance.metadata.get(reader.LANG)!r} but its "
                             f"language is {lang!r}: give lang in its front matter")  # fmt: skip
    elif instance._content:  # not read by our reader (a test's article, another reader)
        instance._content, words = reader.finished_text(instance._content, lang)
    cache = title_cache(instance.settings)
    instance.title = cache.inline(getattr(instance, "title", ""), lang)
    for key in _INLINE_FIELDS:
        value = getattr(instance, key, "")
        if value:
            setattr(instance, key, cache.inline(value, lang, keep_last_words=False))
    given = "summary" in instance.metadata
    if not given and reader.LEAD in instance.metadata and not instance.settings.get("TYPOGRIFY"):
        # The lead and description of the text as our reader finished it, which this is:
        # Pelican changes a text after its readers only to typogrify it.
        lead, description = instance.metadata[reader.LEAD], instance.metadata[reader.DESCRIPTION]
    else:
        lead, description = metadata.lead_html(instance._content or ""), None
    if not given and lead:
        instance.metadata["summary"] = Markup(lead)
    # The reader's lead is the summary now: kept as well, it was a second copy of it in every
    # article (65 MB at 50,000 articles, and as much again in a worker forked from the build).
    instance.metadata.pop(reader.LEAD, None)
    instance.__dict__.pop(reader.LEAD, None)
    if description is None:
        description = metadata.shorten(metadata.plain(instance.metadata.get("summary", "")))
    instance.description = description
    instance.word_count = words
    instance.reading_minutes = metadata.reading_minutes(instance.word_count)


def freeze_urls(generator) -> None:
    """Fix every article's URL and file name once its slug, date and section are final.

    Pelican formats the URL from the settings on every access, and list pages, feeds, the
    sitemap and related links ask hundreds of thousands of times in a big archive. Pelican
    answers from ``override_url`` first, so setting it keeps the value and drops the
    formatting. ``override_save_as`` would also tell Pelican's writer that the page may
    overwrite another, so the file name is kept apart, for ``saved_as``. An article kept
    from an earlier build may have its URLs fixed already (see :func:`keep_frozen_urls`).
    """
    for article in (*generator.articles, *generator.translations, *generator.hidden_articles,
                    *generator.hidden_translations, *generator.drafts,
                    *generator.drafts_translations):  # fmt: skip
        if "_frozen_save_as" not in article.__dict__:
            article.override_url = article.url
            article._frozen_save_as = article.save_as


def frozen_urls(article: Content) -> tuple[str, str] | None:
    """The URL and file name :func:`freeze_urls` fixed for ``article``; None before."""
    save_as = article.__dict__.get("_frozen_save_as")
    return None if save_as is None else (article.override_url, save_as)


def keep_frozen_urls(article: Content, urls: tuple[str, str]) -> None:
    """Fix ``article``'s URL and file name as :func:`frozen_urls` gave them in an earlier build.

    For an article object kept from that build (see opeds.build.articlecache): the same
    object in the same settings and code gets the same ones (0.15 s at 10,000 articles).
    """
    article.override_url, article._frozen_save_as = urls


_pelican_save_as = Content.save_as


def saved_as(content: Content) -> str:
    """Pelican's ``save_as``, as ``freeze_urls`` fixed it (formatted on each access before)."""
    frozen = content.__dict__.get("_frozen_save_as")
    return frozen if frozen is not None else _pelican_save_as.fget(content)


Content.save_as = property(saved_as)


class PackedText:
    """The HTML of an article or page, kept as UTF-8 bytes and given back as text.

    Python keeps a text with one letter beyond Latin-1 (a German quotation mark) at two bytes
    a letter; UTF-8 takes one for nearly every letter of a German op-ed. At 50,000 articles
    the texts take 420 MiB as Python text and 215 MiB as bytes, in the build and in every
    worker forked from it. Every reader of ``_content`` (Pelican's and ours) gets the text.
    """

    def __get__(self, instance: Content | None, owner: type) -> object:
        if instance is None:
            return self
        try:
            value = instance.__dict__["_content"]
        except KeyError:
            raise AttributeError("_content") from None
        return value.decode() if type(value) is bytes else value

    def __set__(self, instance: Content, value: object) -> None:
        # Only plain text: a Markup or another kind is kept as it was given.
        instance.__dict__["_content"] = value.encode() if type(value) is str else value


Content._content = PackedText()

#: Pelican's own pattern of links by file name: none can be in a text without ``{`` or ``|``.
DEFAULT_LINK = DEFAULT_CONFIG["INTRASITE_LINK_REGEX"]


def may_link_by_name(instance: Content) -> bool:
    """Tell whether the text of ``instance`` may hold a link by file name (``{static}``…).

    False only when Pelican's own pattern would find none: looked for in the text as kept,
    without decoding it (an ASCII letter is never part of another letter in UTF-8). Asked of
    every article in every build, twice (Pelican's static links and the page keys).
    """
    raw = instance.__dict__.get("_content")
    if not raw:
        return False
    if (getattr(instance, "settings", None) or {}).get("INTRASITE_LINK_REGEX") != DEFAULT_LINK:
        return True
    if type(raw) is bytes:
        return b"{" in raw or b"|" in raw
    return not isinstance(raw, str) or "{" in raw or "|" in raw  # another kind: the pattern decides


_pelican_static_links = Content.get_static_links


def static_links(instance: Content) -> set[str]:
    """Pelican's static files the text links, with no pass over a text that can link none."""
    return _pelican_static_links(instance) if may_link_by_name(instance) else set()


Content.get_static_links = static_links


def report_cache(pelican) -> None:
    """Keep the typeset titles; log how many articles and pages this process typeset."""
    title_cache(pelican.settings).save_inline()
    log.info("typography: %d articles and pages typeset in this process", reader.finished_here)
