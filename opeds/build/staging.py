"""The staging folder a build writes into, and the swap that puts it live."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from opeds.common.ownership import MARKER, TargetRefused, is_ours, write_marker


def staging_folder(output: Path) -> Path:
    """Return the folder beside ``output`` that a build fills before the swap."""
    return output.with_name(f".{output.name}.new")


def _old_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.old")


def _retired_folders(output: Path) -> list[Path]:
    """Return the earlier outputs a swap retired and a background removal has not finished."""
    return sorted(output.parent.glob(f".{glob.escape(output.name)}.retired-*"))


def remove_in_background(folder: Path) -> None:
    """Remove a retired output in a process of its own, so the command need not wait for it.

    The marker goes last: a removal that is stopped half way leaves a folder that is still
    ours, and the next build removes the rest.
    """
    subprocess.run(  # returns at once: the process forks and its parent exits
        [sys.executable, "-m", "opeds.build.staging", str(folder)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # not stopped with the command that started it
        check=False,
    )  # fmt: skip


def remove_marker_last(folder: Path) -> None:
    """Remove everything in ``folder`` but our marker, then the marker and the folder."""
    if not is_ours(folder):
        return
    for entry in folder.iterdir():
        if entry.name == MARKER:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    (folder / MARKER).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


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
    for retired in _retired_folders(output):
        if is_ours(retired) or _empty(retired):
            remove_marker_last(retired)  # also after a removal that was stopped
            with contextlib.suppress(OSError):
                retired.rmdir()
    staging = staging_folder(output)
    remove_ours(staging)
    staging.mkdir(parents=True)
    write_marker(staging)
    return staging


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with renames, so readers never see half a site.

    The replaced output is renamed out of the way and removed in the background: removing ten
    thousand folders takes seconds that the editor need not wait for.
    """
    old = _old_folder(output)
    remove_ours(old)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    if old.exists():
        retired = output.with_name(f".{output.name}.retired-{os.getpid()}-{time.time_ns()}")
        old.rename(retired)
        remove_in_background(retired)


if __name__ == "__main__":
    if os.fork() == 0:  # the grandchild removes; the command that waits for the child goes on
        remove_marker_last(Path(sys.argv[1]))
    os._exit(0)
