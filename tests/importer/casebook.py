"""Run the importer's case pairs: ``cases/<name>.txt`` → ``<name>.md`` or ``<name>.error``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from opeds.importer import ImportError_
from opeds.importer.gazetteer import load_vocabulary
from opeds.importer.normalise import decode, normalise
from opeds.importer.parse import parse
from opeds.importer.render import make_slug, render
from opeds.importer.vocabulary import DEFAULT_SECTIONS

CASES = Path(__file__).resolve().parent / "cases"


def case_names() -> list[str]:
    """List every case by the name of its raw input file."""
    return sorted(p.stem for p in CASES.glob("*.txt"))


def expected_path(name: str) -> Path | None:
    """Return the expected output of a case: Markdown, or the error it must report."""
    for suffix in (".md", ".error"):
        if (CASES / f"{name}{suffix}").exists():
            return CASES / f"{name}{suffix}"
    return None


def run_case(name: str) -> tuple[str, str]:
    """Import one case with the default vocabulary; return (suffix, text) of its outcome."""
    source_id = hashlib.sha256(name.encode()).hexdigest()[:16]
    try:
        article = parse(
            normalise(decode((CASES / f"{name}.txt").read_bytes())),
            load_vocabulary(DEFAULT_SECTIONS, ()),
        )
    except ImportError_ as error:
        return ".error", f"{error.line}: {error.reason}\n"
    return ".md", render(article, make_slug(article), source_id, f"001_{source_id}.txt")


def regenerate() -> list[str]:
    """Rewrite every expected file from the current importer; return the names changed."""
    changed = []
    for name in case_names():
        suffix, text = run_case(name)
        old = expected_path(name)
        if old is not None and (old.suffix != suffix or old.read_text(encoding="utf-8") != text):
            old.unlink()
        target = CASES / f"{name}{suffix}"
        if not target.exists():
            target.write_text(text, encoding="utf-8", newline="\n")
            changed.append(name)
    return changed


if __name__ == "__main__":
    for changed in regenerate():
        print(f"rewrote tests/importer/cases/{changed}")
