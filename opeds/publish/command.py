"""Run the external tools a publish uses (rsync, git, rclone) and turn a failure into one error."""

from __future__ import annotations

import subprocess
from pathlib import Path


class PublishError(RuntimeError):
    """A publish that did not happen; the target is as it was."""


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command, returning its output; raise PublishError with what it said on failure."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise PublishError(f"{' '.join(command)} failed:\n{result.stderr.strip()}")
    return result.stdout
