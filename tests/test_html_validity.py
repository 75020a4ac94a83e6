"""The Nu HTML checker finds no error on any page of the golden site."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.support import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def run_vnu(*args: str) -> list[dict]:
    """Run the Nu HTML checker and return its messages (errors and warnings)."""
    java = shutil.which("java")
    assert java, "java is missing: .ci/run installs default-jre-headless"
    assert VNU.is_file(), "vnu.jar is missing: `make test` runs npm ci"
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return json.loads(result.stderr or "{}").get("messages", [])


def describe(messages: list[dict]) -> str:
    return "\n".join(
        f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}"
        for m in messages
    )


def test_the_checker_reports_errors_it_sees(tmp_path: Path) -> None:
    # Without this, a checker that silently checks nothing would pass every page.
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=de><title>x</title><h1><p>x</h1>", "utf-8")
    assert [m["type"] for m in run_vnu(str(bad))] == ["error"]


def test_every_golden_page_is_valid_html(golden_site: Path) -> None:
    pages = sorted(golden_site.rglob("*.html"))
    assert len(pages) > 20
    errors = [m for m in run_vnu("--skip-non-html", str(golden_site)) if m["type"] == "error"]
    assert not errors, describe(errors)


def test_stylesheet_and_favicon_are_valid(golden_site: Path) -> None:
    css = run_vnu("--css", str(golden_site / "theme" / "css" / "site.css"))
    svg = run_vnu("--svg", str(golden_site / "theme" / "favicon.svg"))
    assert not [m for m in css + svg if m["type"] == "error"], describe(css + svg)
