"""Publish a site as the whole tree of a git branch (GitHub Pages and the like)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from opeds.publish.command import run

PUBLISH_AUTHOR = ["-c", "user.name=Meinungsarchiv", "-c", "user.email=publish@localhost"]


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
