"""The Atom feeds and the JSON Feed parse and carry ids, titles, dates and links."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser

from opeds.check.finding import Finding


def check_atom(path: Path, name: str) -> list[Finding]:
    """Parse one Atom feed strictly and check every entry's required fields."""
    feed = feedparser.parse(path.read_bytes())
    if feed.bozo:
        return [Finding(name, f"feed does not parse: {feed.bozo_exception}")]
    findings = [Finding(name, "feed has no title")] if not feed.feed.get("title") else []
    for number, entry in enumerate(feed.entries, start=1):
        missing = [k for k in ("id", "title", "link", "updated") if not entry.get(k)]
        if missing:
            findings.append(Finding(name, f"entry {number} lacks {', '.join(missing)}"))
    return findings


def check_json_feed(path: Path, name: str) -> list[Finding]:
    """Check a JSON Feed 1.1 file: version, title, and each item's id, url, title and date."""
    try:
        feed = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        return [Finding(name, f"JSON Feed does not parse: {error}")]
    findings = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1" or not feed.get("title"):
        findings.append(Finding(name, "JSON Feed lacks version 1.1 or a title"))
    for number, item in enumerate(feed.get("items", []), start=1):
        missing = [k for k in ("id", "url", "title", "date_published") if not item.get(k)]
        if missing:
            findings.append(Finding(name, f"item {number} lacks {', '.join(missing)}"))
    return findings


def check(output: Path) -> list[Finding]:
    """Check every feed of the built site."""
    findings = []
    for path in sorted(output.rglob("*.xml")):
        if path.name != "sitemap.xml":
            findings += check_atom(path, path.relative_to(output).as_posix())
    for path in sorted(output.rglob("feed.json")):
        findings += check_json_feed(path, path.relative_to(output).as_posix())
    return findings
