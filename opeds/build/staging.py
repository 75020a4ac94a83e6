"""The staging folder a build writes into, and the swap that puts it live.

A build's pages live in a folder each (``2021/03/titel/index.html``): a fresh staging folder
needs some 11,000 folders made at 10,000 articles, a second and a half of the file system's
time in a one-edit build. So the output a swap replaces is not removed but emptied, in the
background: its files go, its folders stay, and it waits beside the output as the spare
(:func:`spare_folder`) that the next build fills instead of a fresh folder. What a build
leaves empty there is removed once its pages are written (see
:func:`opeds.build.incremental.link_unchanged`).
"""

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
from opeds.common.walk import below as walked_below

INDEX = "pagefind"  # the search index's folder, kept in the spare (see make_spare)


def staging_folder(output: Path) -> Path:
    """Return the folder beside ``output`` that a build fills before the swap."""
    return output.with_name(f".{output.name}.new")


def _old_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.old")


def spare_folder(output: Path) -> Path:
    """Return the emptied earlier output beside ``output``: folders and our marker, no files
    but the search index's (see :func:`make_spare`)."""
    return output.with_name(f".{output.name}.spare")


def _emptying_folders(output: Path) -> list[Path]:
    """Return the retired outputs being emptied, each named by the process emptying it."""
    return sorted(output.parent.glob(f".{glob.escape(output.name)}.emptying-*"))


def spare_settled(output: Path) -> bool:
    """Tell whether the work in the background beside ``output`` is done: a spare, no emptying.

    After every build that swapped its output in, a spare comes back (see :func:`swap_in`).
    """
    return spare_folder(output).is_dir() and not _emptying_folders(output)


def _running(pid: str) -> bool:
    """Tell whether a process ``pid`` runs (one of another user's counts as running)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _retired_folders(output: Path) -> list[Path]:
    """Return the earlier outputs a swap retired and a background removal has not finished."""
    return sorted(output.parent.glob(f".{glob.escape(output.name)}.retired-*"))


def empty_in_background(folder: Path, spare: Path, *, copy_folders: bool = False) -> None:
    """Empty a retired output into ``spare`` in a process of its own (see :func:`make_spare`).

    With ``copy_folders``, ``folder`` is the live output, left as it is: the spare gets its
    folders (see :func:`make_spare_from`). The command need not wait for either.
    """
    how = ["--folders-of"] if copy_folders else []
    # Started in the folder that holds this package, so that ``-m`` finds this very code: from
    # the command's own folder, another checkout's package there (``invoke -r``) came first.
    package_root = Path(__file__).resolve().parents[2]
    subprocess.run(  # returns at once: the process forks and its parent exits
        [sys.executable, "-m", "opeds.build.staging", *how,
         os.path.abspath(folder), os.path.abspath(spare)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=package_root,
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


def make_spare(folder: Path, spare: Path) -> None:
    """Remove the files of the retired output ``folder`` but our marker; keep it as ``spare``.

    It is renamed first to name this process (``.emptying-PID``), so a build that starts
    meanwhile leaves it alone; one whose process is gone is removed by the next build. Only
    once every file is gone does it take the name ``spare``, which then means "empty". The
    folders of the search index stay as they are, files and all: each holds hard links to a
    cached index, which the next build keeps where it uses that index again and removes
    where not (see opeds.search.pagefind); its other files go. When a spare is there
    already, this one is removed.
    """
    if not is_ours(folder):
        return
    emptying = _emptying_name(spare)
    folder.rename(emptying)
    top = str(emptying)
    for where, dirs, files in os.walk(emptying):
        if where == top:
            dirs[:] = [name for name in dirs if name != INDEX]
        for name in files:
            if name != MARKER or where != top:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(where, name))
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(emptying / INDEX):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
    _become_spare(emptying, spare)


def _emptying_name(spare: Path) -> Path:
    return spare.with_name(f"{spare.name.removesuffix('.spare')}.emptying-{os.getpid()}")


def _become_spare(emptying: Path, spare: Path) -> None:
    """Rename the finished ``emptying`` to ``spare``; remove it if there is a spare already."""
    if spare.exists():
        remove_marker_last(emptying)
        return
    try:
        emptying.rename(spare)
    except OSError:  # another one took the name first
        remove_marker_last(emptying)


def make_spare_from(output: Path, spare: Path) -> None:
    """Make ``spare`` from the folders of ``output`` (no files), after a build that replaced none.

    The first build's output has no earlier one to empty: without this, the first edit after
    it would make every folder anew. Made as ``.emptying-PID`` and renamed when complete, as
    in :func:`make_spare`. The search index's folders are hard links of the live ones, as an
    emptied output's are its own: the first edit after a cold build keeps the shards it does
    not index again, instead of linking every file of each (0.3 s at 10,000 articles).
    """
    emptying = _emptying_name(spare)
    emptying.mkdir()
    write_marker(emptying)
    top = os.fspath(output)
    for where, dirs, _files in os.walk(top):
        below = walked_below(where, top)
        if below == ".":
            dirs[:] = [name for name in dirs if name != INDEX]
        for name in dirs:
            with contextlib.suppress(FileExistsError):
                os.mkdir(os.path.join(emptying, below, name))
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(os.path.join(top, INDEX)):
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, emptying / INDEX / entry.name, symlinks=True,
                                copy_function=os.link)  # fmt: skip
    _become_spare(emptying, spare)


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
    """Return an empty staging folder carrying our marker; clean up after a killed build first.

    It is the spare (an earlier output's folders, no files but those of its search index, see
    :func:`make_spare`) when there is one, else new. Call
    with the output's lock held: what is found beside it then belongs to no running build,
    but for the retired outputs a process of ours is still emptying.
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
    for emptying in _emptying_folders(output):
        if not _running(emptying.name.rsplit("-", 1)[1]) and is_ours(emptying):
            remove_marker_last(emptying)  # its process was stopped half way
    staging = staging_folder(output)
    remove_ours(staging)
    spare = spare_folder(output)
    if spare.is_dir() and not spare.is_symlink() and is_ours(spare):
        spare.rename(staging)
        return staging
    staging.mkdir(parents=True)
    write_marker(staging)
    return staging


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with renames, so readers never see half a site.

    The replaced output is renamed out of the way and emptied in the background into the
    spare that the next build fills (see :func:`make_spare`).
    """
    old = _old_folder(output)
    remove_ours(old)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    spare = spare_folder(output)
    if old.exists():
        retired = output.with_name(f".{output.name}.retired-{os.getpid()}-{time.time_ns()}")
        old.rename(retired)
        empty_in_background(retired, spare)
    elif not spare.exists() and not _emptying_folders(output):
        empty_in_background(output, spare, copy_folders=True)


if __name__ == "__main__":
    if os.fork() == 0:  # the grandchild empties; the command that waits for the child goes on
        try:
            if sys.argv[1] == "--folders-of":
                make_spare_from(Path(sys.argv[2]), Path(sys.argv[3]))
            else:
                make_spare(Path(sys.argv[1]), Path(sys.argv[2]))
        finally:
            os._exit(0)
    os._exit(0)
