"""The staging folder a build writes into, and the swap that puts it live."""

from __future__ import annotations

import shutil
from pathlib import Path

from opeds.common.ownership import MARKER, TargetRefused, is_ours, write_marker


def staging_folder(output: Path) -> Path:
    """Return the folder beside ``output`` that a build fills before the swap."""
    return output.with_name(f".{output.name}.new")


def _old_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.old")


def remove_ours(folder: Path) -> None:
    """Remove a folder a killed build left behind; refuse one we did not write."""
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir() or not (is_ours(folder) or _empty(folder)):
        raise TargetRefused(
            f"refusing to remove {folder}: the build needs that name, and it holds files we did "
            f"not write (no {MARKER} marker); move it away"
        )
    shutil.rmtree(folder)


def _empty(folder: Path) -> bool:
    return next(folder.iterdir(), None) is None


def prepare(output: Path) -> Path:
    """Return a fresh staging folder carrying our marker; clean up after a killed build first.

    Call with the output's lock held: anything found beside it then belongs to no running build.
    """
    old = _old_folder(output)
    if not output.exists() and is_ours(old):
        old.rename(output)  # killed between the two renames of a swap: put the last site back
    remove_ours(old)
    staging = staging_folder(output)
    remove_ours(staging)
    staging.mkdir(parents=True)
    write_marker(staging)
    return staging


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with renames, so readers never see half a site."""
    old = _old_folder(output)
    remove_ours(old)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)
