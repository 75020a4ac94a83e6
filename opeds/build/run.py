"""Run Pelican in-process into a fresh folder and swap it in only when the build succeeded."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.settings import read_settings

from opeds.build.compress import precompress
from opeds.build.outputs import Claims, OutputClash, claiming_writer
from opeds.build.staging import prepare, swap_in
from opeds.common.ownership import MARKER, FolderBusy, TargetRefused, check_target, hold
from opeds.search.pagefind import index_site


class BuildError(RuntimeError):
    """A build that must not replace the live output."""


class _ErrorCollector(logging.Handler):
    """Remember every error Pelican logs: it skips broken articles and still exits 0."""

    def __init__(self, content: Path) -> None:
        super().__init__(level=logging.ERROR)
        self.content = content
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Could not process "):
            # Pelican names the file relative to PATH and drops the reason unless DEBUG is on.
            name = message.removeprefix("Could not process ")
            message = f"{self.content / name}: could not be read"
        # Handlers run inside Pelican's except block, so the reason is still at hand.
        reason = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        self.messages.append(f"{message}: {reason}" if reason else message)


def duplicate_urls(generators: list[object]) -> list[str]:
    """Name every output file that two sources would both write."""
    writers: dict[str, list[str]] = defaultdict(list)
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            items = generator.articles + generator.translations + generator.drafts
        elif isinstance(generator, PagesGenerator):
            items = generator.pages + generator.translations + generator.hidden_pages
        else:
            continue
        for item in items:
            writers[item.save_as].append(item.source_path)
    return [
        f"{' and '.join(sorted(sources))} both want the URL /{save_as.removesuffix('index.html')}"
        for save_as, sources in sorted(writers.items())
        if len(sources) > 1
    ]


def build_site(
    settings_file: Path,
    content: Path,
    output: Path,
    *,
    cache: Path,
    compress: bool = False,
    search_index: bool = True,
    verify: Callable[[Path], list[object]] | None = None,
    force_target: bool = False,
    **overrides: object,
) -> None:
    """Build ``content`` into ``output``; swap it in only if Pelican, the index and ``verify`` pass.

    ``verify`` gets the finished staging folder and returns findings; any finding fails the build.
    ``output`` must be missing, empty or an earlier build's (``force_target`` lifts the last).
    """
    output = Path(os.path.abspath(output))  # "." has no name to put a staging folder beside
    try:
        check_target(output, "to build into", protected=[content], force=force_target)
        with hold(output, "build"):
            _build(settings_file, content, output, cache, compress, search_index, verify, overrides)
    except (TargetRefused, FolderBusy) as error:
        raise BuildError(str(error)) from None


def _build(settings_file, content, output, cache, compress, search_index, verify, overrides):
    """Build into a fresh staging folder and swap it in; called with the output's lock held."""
    staging = prepare(output)
    settings = read_settings(
        str(settings_file),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(staging),
            "CACHE_PATH": str(cache),
            "OUTPUT_RETENTION": [MARKER],  # Pelican empties its output first: keep our marker
            **overrides,
        },
    )
    collector = _ErrorCollector(content)
    duplicates: list[str] = []
    claims = Claims()

    def find_duplicates(generators: list[object]) -> None:
        duplicates.extend(duplicate_urls(generators))
        if duplicates:
            # Stop before Pelican writes anything: its own error names only the output file.
            raise BuildError("duplicate URLs:\n  " + "\n  ".join(duplicates))
        claims.claim_copies(generators, settings)

    def writer(pelican: object) -> type:
        return claiming_writer(claims)

    signals.all_generators_finalized.connect(find_duplicates)
    signals.get_writer.connect(writer)
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        Pelican(settings).run()
        if collector.messages:
            raise BuildError("Pelican reported errors:\n  " + "\n  ".join(collector.messages))
        if search_index:
            index_site(staging, settings["DEFAULT_LANG"], Path(settings["CACHE_PATH"]))
        if verify and (findings := verify(staging)):
            raise BuildError("the checks failed:\n  " + "\n  ".join(map(str, findings)))
        if compress:
            precompress(staging)
    except BuildError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except OutputClash as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"two outputs at one path: {error}") from None
    except Exception as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"{type(error).__name__}: {error}") from error
    finally:
        root.removeHandler(collector)
        signals.all_generators_finalized.disconnect(find_duplicates)
        signals.get_writer.disconnect(writer)
    swap_in(staging, output)
