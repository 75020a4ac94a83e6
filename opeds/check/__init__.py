"""Check a built site the way readers' tools meet it: links, markup, feeds, accessibility."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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

    ``cache`` is a folder that keeps what each page gave the link, markup and accessibility
    checks by its bytes (see links.check, markup.check and a11y.check), so unchanged pages
    are not checked again.
    """
    if not (output / "index.html").is_file():
        return [Finding(str(output), "no built site here (index.html is missing)")]
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The Nu checker runs in Java, a process of its own: it checks while this one does the
        # rest (its start alone takes two seconds).
        html_findings = pool.submit(
            markup.check, output, cache / "check-markup.json" if cache else None
        ) if html else None  # fmt: skip
        findings = links.check(output, siteurl, cache / "check-links.json" if cache else None)
        findings += feeds.check(output)
        if browser:
            findings += a11y.check(output, settings=settings, siteurl=siteurl,
                                   cache=cache / "check-a11y.json" if cache else None)  # fmt: skip
        if html_findings is not None:
            findings += html_findings.result()
    return sorted(findings)
