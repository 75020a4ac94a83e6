"""`invoke publish` sends a checked production build to a folder, via rsync, or to a git branch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from opeds.publish.targets import PublishError, Target
from tests.support import ROOT, editor_folders, tree_digest

SITEURL = "https://example.org/meinung"


@pytest.fixture
def editor(tmp_path: Path) -> Path:
    """An editor's folders: the seed as source, the about page as content."""
    return editor_folders(tmp_path)


def publish(editor: Path, target: str, *extra: str) -> subprocess.CompletedProcess:
    folders = [f"--source={editor / 'sources'}", f"--content={editor / 'content'}",
               f"--output={editor / 'build'}", f"--cache={editor / 'cache'}"]  # fmt: skip
    command = [sys.executable, "-m", "invoke", "publish", f"--target={target}",
               f"--siteurl={SITEURL}", *folders, *extra]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPEDS_")}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def break_a_link(editor: Path) -> None:
    """An about page with a link to nowhere: the build succeeds, the check does not."""
    page = editor / "content" / "pages" / "ueber.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[Impressum](/impressum/)\n", "utf-8")


@pytest.mark.parametrize(
    ("text", "kind", "location", "branch"),
    [
        ("/srv/www", "folder", "/srv/www", "gh-pages"),
        ("deploy@example.org:/var/www", "rsync", "deploy@example.org:/var/www", "gh-pages"),
        ("git:/srv/site.git", "git", "/srv/site.git", "gh-pages"),
        ("git:https://example.org/site.git#pages", "git", "https://example.org/site.git", "pages"),
        ("rclone:r2:meinung/www", "rclone", "r2:meinung/www", "gh-pages"),
        ("rclone:store:bucket", "rclone", "store:bucket", "gh-pages"),
        ("s3://meinung/www/", "rclone", ":s3,env_auth=true:meinung/www", "gh-pages"),
    ],
)  # fmt: skip
def test_targets_are_read_from_their_spelling(text, kind, location, branch) -> None:
    assert Target.parse(text) == Target(kind, location, branch)


def test_no_target_is_an_error() -> None:
    with pytest.raises(PublishError, match="OPEDS_PUBLISH_TARGET"):
        Target.parse("")


@pytest.mark.parametrize("text", ["rclone:store", "rclone:store:", "rclone:store:/", "s3://"])
def test_an_object_store_target_needs_a_bucket(text: str) -> None:
    # Syncing to the root of a remote would delete every bucket's content there.
    with pytest.raises(PublishError, match="BUCKET/PATH"):
        Target.parse(text)


def test_folder_target_gets_the_checked_production_site(editor: Path) -> None:
    target = editor / "www"
    result = publish(editor, str(target))
    assert result.returncode == 0, result.stderr
    assert tree_digest(target) == tree_digest(editor / "build")
    home = (target / "index.html").read_text(encoding="utf-8")
    assert f'href="{SITEURL}/archiv/"' in home
    assert (target / "index.html.br").is_file() and (target / "pagefind" / "shards.json").is_file()
    assert list(target.glob("pagefind/[0-9][0-9][0-9][0-9]/pagefind.js"))  # the search, per year
    assert "check: " in result.stdout and "0 findings" in result.stdout


def test_rsync_mirrors_and_deletes_what_is_gone(editor: Path) -> None:
    target = editor / "www"
    assert publish(editor, str(target)).returncode == 0
    (target / "alt.html").write_text("old", "utf-8")  # left from an earlier site
    second = publish(editor, str(target))
    assert second.returncode == 0, second.stderr
    assert not (target / "alt.html").exists()
    assert "*deleting   alt.html" in second.stdout
    assert tree_digest(target) == tree_digest(editor / "build")


def test_dry_run_shows_changes_and_changes_nothing(editor: Path) -> None:
    target = editor / "www"
    assert publish(editor, str(target)).returncode == 0
    before = tree_digest(target)
    page = editor / "content" / "pages" / "ueber.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEin neuer Satz.\n", "utf-8")
    result = publish(editor, str(target), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "ueber/index.html" in result.stdout and "would publish" in result.stdout
    # Only what changed is listed, not every folder of the new build.
    assert not [line for line in result.stdout.splitlines() if line.startswith(".d")]
    assert tree_digest(target) == before


def test_a_failing_check_publishes_nothing(editor: Path) -> None:
    target = editor / "www"
    assert publish(editor, str(target)).returncode == 0
    before, last_build = tree_digest(target), tree_digest(editor / "build")
    break_a_link(editor)
    result = publish(editor, str(target))
    assert result.returncode == 1
    # Root-relative, so outside the /meinung sub-path the site is published under.
    assert "the checks failed:\n  ueber/index.html: broken link '/impressum/'" in result.stderr
    assert tree_digest(target) == before
    assert tree_digest(editor / "build") == last_build  # checked before the swap


def test_a_failing_build_publishes_nothing(editor: Path) -> None:
    target = editor / "www"
    assert publish(editor, str(target)).returncode == 0
    before = tree_digest(target)
    bad = editor / "content" / "2022" / "01" / "kaputt.md"
    bad.write_text("---\ntitle: Kaputt\ndate: 2022-02-30\n---\nText.\n", encoding="utf-8")
    result = publish(editor, str(target))
    assert result.returncode == 1
    assert str(bad) in result.stderr
    assert tree_digest(target) == before


def test_git_target_commits_the_site_to_a_branch(editor: Path, tmp_path: Path) -> None:
    remote = tmp_path / "site.git"
    git("init", "--quiet", "--bare", str(remote))
    result = publish(editor, f"git:{remote}#gh-pages")
    assert result.returncode == 0, result.stderr
    checkout = tmp_path / "checkout"
    git("clone", "--quiet", "--branch", "gh-pages", str(remote), str(checkout))
    files = {k: v for k, v in tree_digest(checkout).items() if not k.startswith(".git/")}
    assert files.pop(".nojekyll")
    assert files == tree_digest(editor / "build")
    again = publish(editor, f"git:{remote}#gh-pages")
    assert again.returncode == 0, again.stderr
    assert "nothing to publish" in again.stdout
    assert git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "1"


def test_git_target_with_a_failing_check_keeps_the_branch(editor: Path, tmp_path: Path) -> None:
    remote = tmp_path / "site.git"
    git("init", "--quiet", "--bare", str(remote))
    assert publish(editor, f"git:{remote}").returncode == 0
    head = git("rev-parse", "gh-pages", cwd=remote)
    break_a_link(editor)
    assert publish(editor, f"git:{remote}").returncode == 1
    assert git("rev-parse", "gh-pages", cwd=remote) == head
