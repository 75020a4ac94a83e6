"""Check a built site the way readers' tools meet it: links, markup, feeds, accessibility."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from opeds.check import a11y, feeds, links, markup
from opeds.check.finding import Finding
from opeds.common.stamps import SHA256, FileFacts


def page_digests(output: Path, store: Path | None) -> dict[str, str]:
    """Return the SHA-256 of every HTML page by its path; kept in ``store`` by each file's stamp.

    The stamp leaves out the change time, as the build's own reuse of pages does: an unchanged
    page is hard-linked into each new build, which changes only that. A page written anew has
    another inode and is read again.
    """
    if store is None:
        return {}
    facts = FileFacts(store, ctime=False)
    found = {}
    root = os.fspath(output)
    for where, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(where, name)

                def digest(path: str = path) -> str:
                    return hashlib.sha256(Path(path).read_bytes()).hexdigest()

                found[os.path.relpath(path, root).replace(os.sep, "/")] = str(
                    facts.fact(Path(path), "sha256", digest, SHA256)
                )
    facts.save()
    return found


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
    digests = page_digests(output, cache / "check-pages.pickle" if cache else None)
    findings = links.check(output, siteurl, cache / "check-links.json" if cache else None,
                           digests)  # fmt: skip
    findings += feeds.check(output)
    # One checker after another: the Nu checker's Java run beside the other checks raised the
    # peak of a first check of 10,000 articles by 700 MB, to save half a second after an edit.
    if html:
        findings += markup.check(output, cache / "check-markup.json" if cache else None, digests)
    if browser:
        findings += a11y.check(output, settings=settings, siteurl=siteurl,
                               cache=cache / "check-a11y.json" if cache else None)  # fmt: skip
    return sorted(findings)
