"""The Pelican plugin of the archive: ``PLUGINS = ["opeds.site"]`` connects these handlers."""

from __future__ import annotations

from pelican import signals

from opeds.site import content, pages, reader, settings, undated


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(settings.configure)
    signals.readers_init.connect(reader.use_finishing_reader)
    signals.generator_init.connect(settings.install_translations)
    signals.article_generator_context.connect(undated.date_undated)
    signals.content_object_init.connect(content.typeset_content)
    signals.article_generator_pretaxonomy.connect(undated.set_aside_undated)
    signals.article_generator_pretaxonomy.connect(content.freeze_urls)
    signals.article_generator_finalized.connect(undated.list_undated)
    signals.article_generator_finalized.connect(pages.link_archive)
    signals.article_generator_finalized.connect(pages.record_url_history)
    signals.article_writer_finalized.connect(pages.write_year_pages)
    signals.article_writer_finalized.connect(pages.write_json_feed)
    signals.article_writer_finalized.connect(pages.write_sitemap)
    signals.article_writer_finalized.connect(pages.write_moved_pages)
    signals.finalized.connect(content.report_cache)
