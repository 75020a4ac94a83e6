"""Check a built site the way readers' tools meet it: links, markup, feeds, accessibility."""

from __future__ import annotations

from pathlib import Path

from opeds.check import a11y, feeds, links, markup
from opeds.check.finding import Finding


def check_site(
    output: Path,
    siteurl: str = "",
    *,
    settings: dict | None = None,
    html: bool = True,
    browser: bool = True,
    cache: Path | None = None,
) -> list[Finding]:
    """Run every check over ``output`` (built for ``siteurl``) and return the findings, sorted.

    ``cache`` is a folder that keeps each page's markup errors by its bytes (see markup.check).
    """
    if not (output / "index.html").is_file():
        return [Finding(str(output), "no built site here (index.html is missing)")]
    findings = links.check(output, siteurl) + feeds.check(output)
    if html:
        findings += markup.check(output, cache / "check-markup.json" if cache else None)
    if browser:
        findings += a11y.check(output, settings=settings)
    return sorted(findings)
