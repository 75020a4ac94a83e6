"""The Nu HTML checker (vnu.jar from npm, run on the system Java) finds no error on any page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from opeds import PROJECT
from opeds.check.finding import Finding

VNU = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def check(output: Path) -> list[Finding]:
    """Validate every HTML page in one Java run and report each error with its page and line."""
    java = shutil.which("java")
    if not java or not VNU.is_file():
        missing = "java (apt-get install default-jre-headless)" if not java else f"{VNU}"
        return [Finding(str(output), f"cannot check markup: {missing} is missing; `make test` "
                        "installs vnu.jar with npm ci --ignore-scripts")]  # fmt: skip
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", "--skip-non-html",
         str(output)],
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    try:
        messages = json.loads(result.stderr or "{}").get("messages", [])
    except ValueError:
        return [Finding(str(output), f"the Nu HTML checker failed: {result.stderr[:500]}")]
    return [
        Finding(page_name(output, m.get("url", "")),
                f"line {m.get('lastLine', '?')}: {m.get('message', '')}")
        for m in messages
        if m.get("type") == "error"
    ]  # fmt: skip


def page_name(output: Path, url: str) -> str:
    """Turn the checker's ``file:`` URL (it writes ``file:/x``, not ``file:///x``) into a page."""
    path = Path(unquote(urlsplit(url).path))
    try:
        return path.relative_to(output.resolve()).as_posix()
    except ValueError:
        return url or str(output)
