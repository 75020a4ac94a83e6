"""Copy a built site to where a static host serves it: a folder, rsync over SSH, or a git branch."""

from __future__ import annotations

import logging
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# --delay-updates and --delete-after: readers see the old site until every new file is there.
RSYNC_FLAGS = ["--recursive", "--links", "--times", "--checksum", "--delete-after",
               "--delay-updates", "--itemize-changes", "--human-readable"]  # fmt: skip
PUBLISH_AUTHOR = ["-c", "user.name=Meinungsarchiv", "-c", "user.email=publish@localhost"]


class PublishError(RuntimeError):
    """A publish that did not happen; the target is as it was."""


@dataclass(frozen=True)
class Target:
    """Where a site goes: ``kind`` is folder, rsync or git."""

    kind: str
    location: str
    branch: str = "gh-pages"

    @classmethod
    def parse(cls, text: str) -> Target:
        """Read ``DIR``, ``user@host:path`` or ``git:<repo>[#branch]``."""
        if not text:
            raise PublishError("no target: give --target or set OPEDS_PUBLISH_TARGET")
        if text.startswith("git:"):
            repo, _, branch = text.removeprefix("git:").partition("#")
            return cls("git", repo, branch or "gh-pages")
        if re.match(r"^[\w.-]+@[\w.-]+:", text) or re.match(r"^[\w.-]+:(?!//)", text):
            return cls("rsync", text)
        return cls("folder", text)


def run(command: list[str], cwd: Path | None = None) -> str:
    """Run a command, returning its output; raise PublishError with what it said on failure."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode:
        raise PublishError(f"{' '.join(command)} failed:\n{result.stderr.strip()}")
    return result.stdout


def rsync(site: Path, destination: str, *, dry_run: bool) -> str:
    """Mirror ``site`` to ``destination`` (a folder or ``user@host:path``) and list the changes."""
    flags = [*RSYNC_FLAGS, "--dry-run"] if dry_run else RSYNC_FLAGS
    return run(["rsync", *flags, f"{site}/", destination.rstrip("/") + "/"])


def git_branch(site: Path, repo: str, branch: str, *, dry_run: bool) -> str:
    """Commit ``site`` as the whole tree of ``branch`` in ``repo`` and push it there."""
    with tempfile.TemporaryDirectory(prefix="opeds-publish-") as tmp:
        work = Path(tmp)
        run(["git", "init", "--quiet", str(work)])
        exists = run(["git", "ls-remote", "--heads", repo, branch], cwd=work).strip()
        if exists:
            run(["git", "fetch", "--quiet", "--depth=1", repo, branch], cwd=work)
            run(["git", "checkout", "--quiet", "-B", branch, "FETCH_HEAD"], cwd=work)
        else:
            run(["git", "checkout", "--quiet", "--orphan", branch], cwd=work)
        run(["rsync", "--recursive", "--delete", "--exclude=.git", f"{site}/", f"{work}/"])
        (work / ".nojekyll").touch()  # serve folders beginning with _ or . as they are
        run(["git", "add", "--all"], cwd=work)
        changes = run(["git", "status", "--porcelain"], cwd=work)
        if dry_run or not changes:
            return changes or "nothing to publish: the branch already holds this site\n"
        run(["git", *PUBLISH_AUTHOR, "commit", "--quiet", "-m", "Publish the site"], cwd=work)
        run(["git", "push", "--quiet", repo, f"HEAD:refs/heads/{branch}"], cwd=work)
        return changes


def publish(site: Path, target: Target, *, dry_run: bool = False) -> str:
    """Send the built ``site`` to ``target``; return the list of changes."""
    if not (site / "index.html").is_file():
        raise PublishError(f"{site} holds no built site (no index.html)")
    if target.kind == "git":
        return git_branch(site, target.location, target.branch, dry_run=dry_run)
    if target.kind == "folder" and not dry_run:
        Path(target.location).mkdir(parents=True, exist_ok=True)
    return rsync(site, target.location, dry_run=dry_run)
