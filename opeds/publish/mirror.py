"""Mirror a site into a folder or over SSH with rsync, so readers never see a half site."""

from __future__ import annotations

from pathlib import Path

from opeds.publish.command import run

# --delay-updates and --delete-after: readers see the old site until every new file is there.
# --omit-dir-times: every folder of a new build is new, and a host serves no folder's time;
# without it the list of changes names every folder of the site after a one-page edit.
RSYNC_FLAGS = ["--recursive", "--links", "--times", "--omit-dir-times", "--checksum",
               "--delete-after", "--delay-updates", "--itemize-changes",
               "--human-readable"]  # fmt: skip


def rsync(site: Path, destination: str, *, dry_run: bool) -> str:
    """Mirror ``site`` to ``destination`` (a folder or ``user@host:path``) and list the changes."""
    flags = [*RSYNC_FLAGS, "--dry-run"] if dry_run else RSYNC_FLAGS
    return run(["rsync", *flags, f"{site}/", destination.rstrip("/") + "/"])
