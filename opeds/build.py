"""Run Pelican in-process into a fresh folder and swap it in only when the build succeeded."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

log = logging.getLogger(__name__)


class BuildError(RuntimeError):
    """A build that must not replace the live output."""


class _ErrorCounter(logging.Handler):
    """Remember every error Pelican logs: it skips broken articles and still exits 0."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(settings_file: Path, content: Path, output: Path, **overrides: object) -> None:
    """Build ``content`` into ``output``, replacing it only when Pelican logged no error."""
    staging = output.with_name(f".{output.name}.new")
    if staging.exists():
        shutil.rmtree(staging)
    settings = read_settings(
        str(settings_file),
        override={"PATH": str(content), "OUTPUT_PATH": str(staging), **overrides},
    )
    counter = _ErrorCounter()
    root = logging.getLogger()
    root.addHandler(counter)
    try:
        pelican = Pelican(settings)
        pelican.run()
    except Exception as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"Pelican failed: {error}") from error
    finally:
        root.removeHandler(counter)
    if counter.messages:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError("Pelican reported errors:\n  " + "\n  ".join(counter.messages))
    swap_in(staging, output)


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with renames, so readers never see half a site."""
    old = output.with_name(f".{output.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)
