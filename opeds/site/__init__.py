"""The Pelican plugin of the archive: ``PLUGINS = ["opeds.site"]`` connects these handlers."""

from __future__ import annotations

from pelican import signals

from opeds.site import content, pages, settings


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(settings.configure)
    signals.generator_init.connect(settings.install_translations)
    signals.content_object_init.connect(content.typeset_content)
    signals.article_generator_finalized.connect(pages.link_archive)
    signals.article_writer_finalized.connect(pages.write_year_pages)
    signals.article_writer_finalized.connect(pages.write_json_feed)
    signals.article_writer_finalized.connect(pages.write_sitemap)
    signals.finalized.connect(content.report_cache)
