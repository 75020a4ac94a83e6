"""Pages the plugin adds to Pelican's: year pages, JSON Feed, sitemap, old URLs; archive links."""

from __future__ import annotations

import logging
from pathlib import Path

from opeds.site import archive, history, jsonfeed, related, related_ahead, sitemap
from opeds.site.settings import build_jobs

log = logging.getLogger(__name__)


def write_text(output: Path, name: str, text: str) -> None:
    """Write one generated file into the output folder."""
    path = output / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    log.info('Writing "%s"', path)


#: The attribute of an articles generator listing what it must do before it writes the article
#: pages (the build's writer calls them: see opeds.build.parallel).
BEFORE_ARTICLE_PAGES = "before_article_pages"


def link_archive(generator) -> None:
    """Link neighbours and related articles, and put the years and months into the context.

    While a worker still works out the related op-eds ahead (see opeds.site.related_ahead),
    they are linked only before the article pages, the only pages that show them, are written:
    the build writes the feeds and list pages meanwhile.
    """
    archive.link_neighbours(generator.articles)
    if related_ahead.running(generator):
        generator.__dict__.setdefault(BEFORE_ARTICLE_PAGES, []).append(
            lambda: link_related_articles(generator)
        )
    else:
        link_related_articles(generator)
    generator.context["archive_years"] = archive.build_years(generator.articles, generator.settings)
    # Whether the navigation links the topics: a flag, so a page does not depend on every topic.
    generator.context["has_topics"] = bool(generator.tags)


def link_related_articles(generator) -> None:
    """Give each article its related op-eds, worked out ahead or here."""
    settings = generator.settings

    def ahead(keys: list[str], count: int) -> tuple | None:
        return related_ahead.take(generator, keys, count)

    # The stems' numbering kept where a worker may work them out ahead next time: not above
    # its limit, where the numbers held beside the build's own would raise its peak.
    few = len(generator.articles) <= related_ahead.MOST_ARTICLES
    numbering = related_ahead.numbers_path(settings) if few else None
    keys = related.link_related(
        generator.articles, related.related_cache(settings), jobs=build_jobs(settings),
        ahead=ahead, numbering=numbering,
        keys=related_ahead.article_keys(generator, generator.articles),
    )  # fmt: skip
    related_ahead.record(generator, keys)


def write_year_pages(generator, writer) -> None:
    """Write one page per year: its months with counts, a chart and the latest headlines."""
    template = generator.get_template("year")
    for year in generator.context["archive_years"]:
        writer.write_file(
            year.save_as,
            template,
            generator.context,
            relative_urls=generator.settings["RELATIVE_URLS"],
            url=year.url,
            year=year,
        )


def write_json_feed(generator, writer) -> None:
    """Write the JSON Feed 1.1 of the newest articles."""
    name = generator.settings.get("JSON_FEED")
    if name:
        text = jsonfeed.json_feed_text(generator.articles, generator.settings)
        write_text(Path(writer.output_path), name, text)


def write_sitemap(generator, writer) -> None:
    """Write sitemap.xml with the last change of every page taken from its articles."""
    name = generator.settings.get("SITEMAP_SAVE_AS")
    if name:
        entries = sitemap.site_entries(generator.context)
        root = generator.settings["SITEURL_ABSOLUTE"]
        for file_name, text in sitemap.sitemap_files(name, entries, root).items():
            write_text(Path(writer.output_path), file_name, text)


def record_url_history(generator) -> None:
    """Add this build's article URLs to the content's URL history; find moved and gone URLs."""
    name = generator.settings.get("URL_HISTORY")
    articles = [*generator.articles, *generator.translations, *generator.hidden_articles]
    if name:
        found = history.update_history(Path(generator.settings["PATH"]), name, articles)
    else:
        found = history.Moves({}, [])
    generator.context["url_moves"] = found
    generator.context["url_targets"] = {a.url: a for a in articles}


def write_moved_pages(generator, writer) -> None:
    """Write a redirect page at every moved URL, a withdrawn page at every gone one, _redirects."""
    found: history.Moves = generator.context["url_moves"]
    output = Path(writer.output_path)
    pages = [(old, "moved", generator.context["url_targets"][new])
             for old, new in found.redirects.items()]  # fmt: skip
    pages += [(old, "withdrawn", None) for old in found.withdrawn]
    for old, template, target in pages:
        save_as = f"{old}index.html"
        if (output / save_as).exists():  # a page of today's site lives there: it wins
            log.warning("old URL /%s is taken by another page; no %s page there", old, template)
            continue
        writer.write_file(
            save_as,
            generator.get_template(template),
            generator.context,
            relative_urls=generator.settings["RELATIVE_URLS"],
            url=old,
            target=target,
        )
    name = generator.settings.get("REDIRECTS_SAVE_AS")
    if name and found.redirects:
        text = history.redirects_file(found.redirects, generator.settings["SITEURL_ABSOLUTE"])
        write_text(output, name, text)
