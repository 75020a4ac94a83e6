"""What ``invoke check`` and ``invoke publish`` need besides Python, found before any work.

The checks run Java (the Nu checker's vnu.jar), Debian's Chromium (axe-core) and the two
npm packages in ``node_modules/``; the publish targets run rsync, git or rclone. A task asks
``prepare`` first: it installs the npm packages into the project when npm is there (as
``make test`` does) and returns what is still missing, so the task can stop at once with one
line naming what to install and how, never half way through a build.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from opeds import PROJECT
from opeds.common.browser import CHROMIUM

log = logging.getLogger(__name__)

#: The files the checks load from the npm packages (package.json pins them).
NODE_FILES = {"vnu-jar": Path("vnu-jar/build/dist/vnu.jar"),
              "axe-core": Path("axe-core/axe.min.js")}  # fmt: skip
#: Commands found on PATH and the Debian package that brings each.
DEBIAN = {"java": "default-jre-headless", "npm": "npm", "rsync": "rsync", "git": "git",
          "ssh": "openssh-client"}  # fmt: skip
#: The checks' commands; Chromium is Debian's at a fixed path (never one Playwright downloads).
CHECK_COMMANDS = ("java",)
NPM_CI = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]


@dataclass(frozen=True)
class Missing:
    """One thing a task needs and cannot find: a Debian package, npm packages or a wheel."""

    name: str
    apt: str = ""  # the Debian package that brings it
    install: str = ""  # else the command that installs it into the project


def pinned_script(name: str, path: str | None = None) -> str | None:
    """Find a command installed by a pinned wheel beside this Python, else on ``path``."""
    script = Path(sysconfig.get_path("scripts")) / name
    return str(script) if script.is_file() else shutil.which(name, path=path)


def missing_tools(
    commands: Iterable[str] = (),
    *,
    path: str | None = None,
    chromium: Path = CHROMIUM,
    node_modules: Path = PROJECT / "node_modules",
) -> list[Missing]:
    """List what the checks and ``commands`` need and lack (``path`` defaults to $PATH)."""
    found: list[Missing] = []
    for command in dict.fromkeys([*CHECK_COMMANDS, *commands]):
        if command == "rclone":
            if not pinned_script("rclone", path):
                found.append(Missing("rclone", install="make site"))
        elif not shutil.which(command, path=path):
            found.append(Missing(command, apt=DEBIAN.get(command, command)))
    if not chromium.is_file():
        found.append(Missing("chromium", apt="chromium"))
    absent = [name for name, file in NODE_FILES.items() if not (node_modules / file).is_file()]
    if absent:
        if not shutil.which("npm", path=path):
            found.append(Missing("npm", apt="npm"))
        found += [Missing(f"node_modules/{name}", install=" ".join(NPM_CI[:3])) for name in absent]
    return found


def install_node_tools(project: Path = PROJECT, *, path: str | None = None) -> bool:
    """Run ``npm ci`` in ``project`` when its checkers are missing and npm is there."""
    node_modules = project / "node_modules"
    if all((node_modules / file).is_file() for file in NODE_FILES.values()):
        return True
    npm = shutil.which("npm", path=path)
    if npm is None:
        return False
    print(f"installing the checkers into {node_modules} ({' '.join(NPM_CI)})", flush=True)
    env = {**os.environ, "PATH": path} if path is not None else None
    result = subprocess.run([npm, *NPM_CI[1:]], cwd=project, env=env, capture_output=True,
                            text=True, check=False)  # fmt: skip
    if result.returncode:
        log.error("npm ci failed in %s:\n%s", project, result.stderr.strip())
        return False
    (node_modules / ".installed").touch()  # what the Makefile's target leaves
    return True


def prepare(commands: Iterable[str] = (), *, path: str | None = None) -> list[Missing]:
    """Install the npm checkers if npm can, then list what is still missing."""
    install_node_tools(path=path)
    return missing_tools(commands, path=path)


def advice(task: str, missing: list[Missing], *, root: bool | None = None) -> str:
    """Say in one line what ``task`` lacks and the commands that install it."""
    root = os.geteuid() == 0 if root is None else root
    packages = list(dict.fromkeys(m.apt for m in missing if m.apt))
    steps = []
    if packages:
        steps.append(("" if root else "sudo ") + "apt-get install " + " ".join(packages))
    steps += dict.fromkeys(m.install for m in missing if m.install)
    names = ", ".join(m.name for m in missing)
    return f"{task} needs {names}: install with  {' && '.join(steps)}"
