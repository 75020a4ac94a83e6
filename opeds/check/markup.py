"""The Nu HTML checker (vnu.jar from npm, run on the system Java) finds no error on any page."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from opeds import PROJECT
from opeds.check.finding import Finding
from opeds.common.atomic import write_atomic

VNU = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Pages per checker run: each run starts a JVM that warms up on the first pages (1,000 pages
# took 7.1 s, 3,000 took 15.3 s), but a command line has a length limit (ARG_MAX, 2 MB here).
CHUNK_BYTES = 400_000


def checker_version() -> str:
    """Hash the checker's jar and this module: findings of another checker are not reused."""
    if not VNU.is_file():
        return ""
    digest = hashlib.sha256(VNU.read_bytes())
    digest.update(Path(__file__).read_bytes())  # how its messages are read and kept
    return digest.hexdigest()[:16]


def _run(java: str, files: list[Path]) -> list[dict] | str:
    """Run the checker over ``files``; return its error messages, or its output if it broke."""
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", "--skip-non-html",
         *map(str, files)],
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    try:
        messages = json.loads(result.stderr or "{}").get("messages", [])
    except ValueError:
        return result.stderr[:500]
    return [m for m in messages if m.get("type") == "error"]


def check(
    output: Path, cache: Path | None = None, digests: dict[str, str] | None = None
) -> list[Finding]:
    """Validate every HTML page and report each error with its page and line.

    With ``cache`` (a JSON file), the errors of each page are kept by the hash of its bytes
    and the checker's version, and only pages not seen before go to the checker. ``digests``
    gives those hashes by the page's path, for pages not to be read again.
    """
    java = shutil.which("java")
    if not java or not VNU.is_file():
        missing = "java (apt-get install default-jre-headless)" if not java else f"{VNU}"
        return [Finding(str(output), f"cannot check markup: {missing} is missing; `make test` "
                        "installs vnu.jar with npm ci --ignore-scripts")]  # fmt: skip
    root = output.resolve()  # the checker names pages by absolute file: URLs
    given = digests or {}
    pages = {}
    for page in sorted(root.rglob("*.html")):
        digest = given.get(page.relative_to(root).as_posix())
        pages[page] = digest or hashlib.sha256(page.read_bytes()).hexdigest()
    version = checker_version()
    known: dict[str, list] = {}
    if cache is not None:
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            known = data["pages"] if data.get("checker") == version else {}
        except (FileNotFoundError, ValueError, KeyError):
            known = {}
    todo = sorted({digest for digest in pages.values() if digest not in known})
    first = {digest: page for page, digest in reversed(list(pages.items()))}
    for files in _chunks([first[digest] for digest in todo], CHUNK_BYTES):
        messages = _run(java, files)
        if isinstance(messages, str):
            return [Finding(str(output), f"the Nu HTML checker failed: {messages}")]
        by_page: dict[str, list] = {}
        for m in messages:
            name = page_name(root, m.get("url", ""))
            by_page.setdefault(name, []).append([m.get("lastLine", "?"), m.get("message", "")])
        for page in files:
            known[pages[page]] = by_page.get(page.relative_to(root).as_posix(), [])
    if cache is not None:
        # Only the pages of this site: the errors of pages long replaced are not kept forever.
        kept = {digest: known[digest] for digest in sorted(set(pages.values()))}
        if todo or kept.keys() != known.keys():
            write_atomic(cache, json.dumps({"checker": version, "pages": kept}))
    return [
        Finding(page.relative_to(root).as_posix(), f"line {line}: {message}")
        for page, digest in pages.items()
        for line, message in known[digest]
    ]


def _chunks(files: list[Path], limit: int) -> list[list[Path]]:
    """Share ``files`` out to runs whose paths take at most ``limit`` bytes (one path at least)."""
    chunks: list[list[Path]] = []
    size = limit
    for path in files:
        length = len(os.fsencode(path)) + 1
        if size + length > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(path)
        size += length
    return chunks


def page_name(output: Path, url: str) -> str:
    """Turn the checker's ``file:`` URL (it writes ``file:/x``, not ``file:///x``) into a page."""
    path = Path(unquote(urlsplit(url).path))
    try:
        return path.relative_to(output.resolve()).as_posix()
    except ValueError:
        return url or str(output)
