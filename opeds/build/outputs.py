"""One output file, one source: name both when two would write the same path.

Pelican lets a ``save_as`` from front matter silently replace a page (``save_as: index.html``)
and copies theme and static files over whatever was written there. Every file the build will
copy is claimed before anything is written, and every file Pelican's writer opens is claimed
as it is written; a second claim of one path fails the build with both sources.
"""

from __future__ import annotations

import os
from pathlib import Path

from pelican.writers import Writer

from opeds.common.ownership import MARKER
from opeds.site import sitemap

#: Paths the build writes itself after Pelican, with what writes them.
RESERVED_PREFIXES = {"pagefind/": "the search index (Pagefind)"}


class OutputClash(RuntimeError):
    """Two sources would write one output file."""


class Claims:
    """Which source writes each output path of one build."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {MARKER: "the build's ownership marker"}

    def claim(self, name: str, source: str) -> None:
        """Record that ``source`` writes ``name``; raise :class:`OutputClash` if another does."""
        key = os.path.normpath(name).replace(os.sep, "/")
        for prefix, owner in RESERVED_PREFIXES.items():
            if key.startswith(prefix):
                raise OutputClash(f"{source} and {owner} both write /{key}")
        other = self.owners.setdefault(key, source)
        if other != source:
            # In name order: which claim came first can depend on which process was faster.
            first, second = sorted((other, source))
            raise OutputClash(f"{first} and {second} both write /{key}")

    def claim_copies(self, generators: list[object], settings: dict) -> None:
        """Claim the theme's static files, the static files and the plugin's own files."""
        theme = Path(settings["THEME"])
        for entry in settings["THEME_STATIC_PATHS"]:
            folder = theme / entry
            files = [folder] if folder.is_file() else sorted(folder.rglob("*"))
            for path in files:
                if path.is_file():
                    inside = path.name if path == folder else path.relative_to(folder).as_posix()
                    name = f"{settings['THEME_STATIC_DIR']}/{inside}"
                    self.claim(name, f"the theme file {path}")
        for generator in generators:
            for static in getattr(generator, "staticfiles", ()):
                self.claim(static.save_as, f"the static file {static.source_path}")
        for key, what in (("JSON_FEED", "the JSON Feed"), ("SITEMAP_SAVE_AS", "the sitemap")):
            if settings.get(key):
                self.claim(settings[key], what)
        name = settings.get("SITEMAP_SAVE_AS")
        context = generators[0].context if generators else {}
        if name and "archive_years" in context:
            entries = sitemap.site_entries(context)
            for part in sitemap.part_names(name, len(sitemap.unique_entries(entries))):
                self.claim(part, "the sitemap")


def _describe(template: object, kwargs: dict) -> str:
    for key in ("article", "page"):
        if kwargs.get(key) is not None:
            return str(kwargs[key].source_path)
    name = getattr(template, "name", template)
    for key in ("category", "tag", "author"):
        if kwargs.get(key) is not None:
            return f"the template {name} for the {key} {kwargs[key]}"
    return f"the template {name}"


def claiming_writer(claims: Claims, base: type[Writer] = Writer) -> type[Writer]:
    """Return a subclass of ``base`` that claims every file it writes or links in ``claims``."""

    class ClaimingWriter(base):
        source = "Pelican"
        all_claims = claims  # for the workers that write a share of the articles

        def write_file(self, name, template, context, *args, **kwargs):
            self.source = _describe(template, kwargs)
            # Claimed here too: an incremental writer may link the page instead of opening it.
            claims.claim(name, self.source)
            return super().write_file(name, template, context, *args, **kwargs)

        def _link(self, name, template, context, values):
            # A list's later pages are linked without being opened: claim them here.
            linked = super()._link(name, template, context, values)
            if linked:
                claims.claim(name, self.source)
            return linked

        def write_feed(self, elements, context, path=None, *args, **kwargs):
            self.source = f"the feed {path}"
            if path:  # an incremental writer may link the feed instead of opening it
                claims.claim(path, self.source)
            return super().write_feed(elements, context, path, *args, **kwargs)

        def _open_w(self, filename, encoding, override=False):
            claims.claim(os.path.relpath(filename, self.output_path), self.source)
            return super()._open_w(filename, encoding, override)

    return ClaimingWriter
