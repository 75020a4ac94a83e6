"""Check and publish find what they need before any work, or install the npm checkers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opeds.check.tools import NODE_FILES, advice, install_node_tools, missing_tools
from tests.support import ROOT, invoke


def test_each_missing_tool_is_named_with_the_line_that_installs_it(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    missing = missing_tools(
        ("rsync", "git", "rclone"),
        path=str(empty),
        chromium=tmp_path / "chromium",
        node_modules=tmp_path / "node_modules",
    )
    # rclone is not on this PATH, but the pinned wheel put it beside Python.
    names = [m.name for m in missing]
    assert names == ["java", "rsync", "git", "chromium", "npm", "node_modules/vnu-jar",
                     "node_modules/axe-core"]  # fmt: skip
    assert advice("invoke publish", missing, root=False) == (
        "invoke publish needs java, rsync, git, chromium, npm, node_modules/vnu-jar, "
        "node_modules/axe-core: install with  sudo apt-get install default-jre-headless "
        "rsync git chromium npm && npm ci --ignore-scripts"
    )
    assert advice("invoke check", missing[:1], root=True) == (
        "invoke check needs java: install with  apt-get install default-jre-headless"
    )


def test_nothing_is_missing_once_make_test_has_run() -> None:
    assert missing_tools(("rsync", "git", "rclone", "ssh")) == []


@pytest.mark.parametrize(
    "command",
    [["check"], ["publish", "--siteurl=https://example.org", "--target=www"]],
    ids=["check", "publish"],
)
def test_a_task_stops_before_any_work_naming_what_to_install(
    tmp_path: Path, command: list[str]
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    folders = [f"--output={tmp_path / 'output'}"]
    if command[0] == "publish":
        folders += [f"--source={ROOT / 'sources'}", f"--content={tmp_path / 'content'}",
                    f"--cache={tmp_path / 'cache'}"]  # fmt: skip
    result = invoke(*command, *folders, PATH=str(empty))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"invoke {command[0]} needs java")
    assert "apt-get install default-jre-headless" in lines[0]
    if command[0] == "publish":
        assert "rsync" in lines[0]  # the folder target's tool, named before the build
    assert result.stdout == ""  # nothing imported, built or checked
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_the_checkers_are_installed_into_the_project_with_npm_ci(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / name, project)
    assert [m.name for m in missing_tools(node_modules=project / "node_modules")] == [
        "node_modules/vnu-jar",
        "node_modules/axe-core",
    ]
    assert install_node_tools(project)
    assert missing_tools(node_modules=project / "node_modules") == []
    assert all((project / "node_modules" / file).stat().st_size > 0 for file in NODE_FILES.values())


def test_without_npm_the_checkers_are_not_installed(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    shutil.copy(ROOT / "package.json", tmp_path)
    assert not install_node_tools(tmp_path, path=str(empty))
    assert not (tmp_path / "node_modules").exists()
