"""Which folders our commands may replace or mirror into, and one command per folder at a time.

A build or publish leaves :data:`MARKER` in every folder it fills. A folder may be replaced
only when it is missing, empty or carries that marker; the root, home folders, the project
and its parents, the content and sources folders and git work trees are never replaced, and
``force`` (``--force-target``) only lifts the rule about files we did not write.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
from collections.abc import Iterable, Iterator
from pathlib import Path

#: The file that says "a build or publish of ours wrote this folder".
MARKER = ".opeds-site"
MARKER_TEXT = (
    "This folder was written by the Meinungsarchiv build (invoke build / invoke publish).\n"
    "Its next build or publish replaces everything in it.\n"
)
#: The project's own folder (the parent of the opeds package).
PROJECT = Path(__file__).resolve().parent.parent.parent


class TargetRefused(RuntimeError):
    """A folder our command must not replace, mirror into or delete."""


class FolderBusy(RuntimeError):
    """Another command is working on the same folder."""


def write_marker(folder: Path) -> None:
    """Mark ``folder`` as written by us, so the next build or publish may replace it."""
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def is_ours(folder: Path) -> bool:
    """Tell whether ``folder`` carries our marker."""
    return (folder / MARKER).is_file()


def _homes() -> set[Path]:
    homes = {Path.home().resolve()}
    with contextlib.suppress(OSError):
        homes.update(Path(entry.pw_dir).resolve() for entry in pwd.getpwall() if entry.pw_dir)
    return homes


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def refusal(
    folder: Path,
    *,
    protected: Iterable[Path] = (),
    force: bool = False,
    project: Path = PROJECT,
) -> str | None:
    """Say why ``folder`` must not be replaced or mirrored into, or return None if it may be.

    ``protected`` are folders of this run that hold what is not ours (sources, content): the
    target may be neither one of them, inside one, nor a parent of one.
    """
    path = folder.expanduser().resolve()
    if path == Path(path.anchor):
        return "it is the root folder"
    if path in _homes():
        return "it is a home folder"
    project = project.resolve()
    if path == project:
        return "it is the project folder"
    if path in project.parents:
        return "it is a parent of the project folder"
    for name in ("content", "sources", ".git"):
        if _within(path, project / name):
            return f"it is the project's {name}/ folder or inside it"
    for other in protected:
        other = other.expanduser().resolve()
        if _within(path, other):
            return f"it is the folder {other} of this run or inside it"
        if path in other.parents:
            return f"it holds the folder {other} of this run"
    if not path.exists():
        return None
    if not path.is_dir():
        return "it is not a folder"
    entries = sorted(entry.name for entry in path.iterdir())
    if not entries or force:
        return None
    if ".git" in entries:
        return "it is a git work tree (it has .git); pass --force-target if it really is ours"
    if MARKER not in entries:
        shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
        return (
            f"it holds files we did not write ({shown}) and no {MARKER} marker of an earlier "
            "build or publish; empty it, choose another folder, or pass --force-target"
        )
    return None


def check_target(
    folder: Path,
    what: str,
    *,
    protected: Iterable[Path] = (),
    force: bool = False,
    project: Path = PROJECT,
) -> None:
    """Raise :class:`TargetRefused` naming ``folder`` and why, unless it may be replaced."""
    reason = refusal(folder, protected=protected, force=force, project=project)
    if reason:
        raise TargetRefused(f"refusing {what} {folder}: {reason}")


def lock_path(folder: Path) -> Path:
    """Return the lock file of ``folder``: beside it, so replacing the folder keeps the lock."""
    path = Path(os.path.abspath(folder.expanduser()))  # one lock however the path is written
    return path.with_name(f".{path.name}.lock")


_HELD: dict[str, int] = {}  # the locks this process holds, by lock file: how often


@contextlib.contextmanager
def hold(folder: Path, what: str) -> Iterator[None]:
    """Hold the lock of ``folder`` for one command; raise :class:`FolderBusy` if another has it.

    Stopping rather than waiting: a second build or import at the same time is almost always a
    mistake, and a clear message beats a command that seems to hang. A process that holds the
    lock already holds it again at once: a command takes the locks it needs before it starts
    work that takes others (see ``tasks._build``), so two commands never each hold one the
    other waits for.
    """
    lock = lock_path(folder)
    if str(lock) in _HELD:
        _HELD[str(lock)] += 1
        try:
            yield
        finally:
            _HELD[str(lock)] -= 1
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            raise FolderBusy(
                f"{folder} is busy: another command ({holder}) is working on it; "
                f"wait for it to finish, then run the {what} again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{what}, process {os.getpid()}\n".encode(), 0)
        _HELD[str(lock)] = 1
        try:
            yield
        finally:
            del _HELD[str(lock)]
    finally:
        os.close(fd)  # closing releases the lock; the file stays (deleting it would race)
