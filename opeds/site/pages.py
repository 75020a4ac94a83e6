"""Pages the plugin adds to Pelican's: year pages, the JSON Feed and the sitemap; archive links."""

from __future__ import annotations

import logging
from pathlib import Path

from opeds.site import archive, jsonfeed, related, sitemap

log = logging.getLogger(__name__)


def write_text(output: Path, name: str, text: str) -> None:
    """Write one generated file into the output folder."""
    path = output / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    log.info('Writing "%s"', path)


def link_archive(generator) -> None:
    """Link neighbours and related articles, and put the years and months into the context."""
    archive.link_neighbours(generator.articles)
    related.link_related(generator.articles, related.related_cache(generator.settings))
    generator.context["archive_years"] = archive.build_years(generator.articles, generator.settings)


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
        entries = sitemap.sitemap_entries(generator.context, generator.context["archive_years"])
        root = generator.settings["SITEURL_ABSOLUTE"]
        write_text(Path(writer.output_path), name, sitemap.sitemap_xml(entries, root))
