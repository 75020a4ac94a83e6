"""Where a built site goes: a folder, rsync over SSH, a git branch, or an object store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from opeds.publish.command import PublishError
from opeds.publish.gitbranch import git_branch
from opeds.publish.mirror import rsync
from opeds.publish.objectstore import check_remote, sync

__all__ = ["PublishError", "Target", "check_reachable", "publish"]

#: The external commands each kind of target runs.
COMMANDS = {"folder": ("rsync",), "rsync": ("rsync", "ssh"), "git": ("git", "rsync"),
            "rclone": ("rclone",)}  # fmt: skip


@dataclass(frozen=True)
class Target:
    """Where a site goes: ``kind`` is folder, rsync, git or rclone."""

    kind: str
    location: str
    branch: str = "gh-pages"

    @classmethod
    def parse(cls, text: str) -> Target:
        """Read DIR, user@host:path, git:REPO[#branch], rclone:REMOTE:PATH or s3://BUCKET/PATH."""
        if not text:
            raise PublishError("no target: give --target or set OPEDS_PUBLISH_TARGET")
        if text.startswith("git:"):
            repo, _, branch = text.removeprefix("git:").partition("#")
            return cls("git", repo, branch or "gh-pages")
        if text.startswith("rclone:"):
            remote = text.removeprefix("rclone:")
            if not re.fullmatch(r":?[^:]+:[^:]*[^:/][^:]*", remote):
                raise PublishError(
                    f"{text}: write rclone:REMOTE:BUCKET/PATH (a remote, a colon, a path)"
                )
            return cls("rclone", remote)
        if text.startswith("s3://"):
            path = text.removeprefix("s3://").strip("/")
            if not path:
                raise PublishError(f"{text}: write s3://BUCKET/PATH")
            # rclone's S3 remote built on the fly, with the AWS environment's credentials.
            return cls("rclone", f":s3,env_auth=true:{path}")
        if re.match(r"^[\w.-]+@[\w.-]+:", text) or re.match(r"^[\w.-]+:(?!//)", text):
            return cls("rsync", text)
        return cls("folder", text)

    @property
    def commands(self) -> tuple[str, ...]:
        """Name the commands publishing to this target runs."""
        return COMMANDS[self.kind]


def check_reachable(target: Target, *, force: bool = False) -> None:
    """Raise PublishError now, before any build, if an object store cannot take the site."""
    if target.kind == "rclone":
        check_remote(target.location, force=force)


def publish(site: Path, target: Target, *, dry_run: bool = False) -> str:
    """Send the built ``site`` to ``target``; return the list of changes."""
    if not (site / "index.html").is_file():
        raise PublishError(f"{site} holds no built site (no index.html)")
    if target.kind == "git":
        return git_branch(site, target.location, target.branch, dry_run=dry_run)
    if target.kind == "rclone":
        return sync(site, target.location, dry_run=dry_run)
    if target.kind == "folder" and not dry_run:
        Path(target.location).mkdir(parents=True, exist_ok=True)
    return rsync(site, target.location, dry_run=dry_run)
