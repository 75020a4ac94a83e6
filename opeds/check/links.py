"""Every internal link and #anchor resolves; no javascript: links.

Parsing is what costs: with a cache file, each page's internal links and ids are kept under a
hash of its path and bytes (and the site URL), so a check after one edit parses only the pages
that changed. Whether a link resolves is then a lookup in the set of the site's files, made
afresh every time, since any page may have appeared or gone.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from opeds.check.finding import Finding
from opeds.common.atomic import write_atomic
from opeds.common.walk import below

#: What a page gave is kept by this module's own code: a change to the parsing reads it again.
CACHE_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
OUTSIDE = "\0outside"  # a link to the host that leaves the site's own path


class _PageParser(HTMLParser):
    """Collect a page's link targets and the ids it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for key in ("href", "src", "action"):
            if values.get(key) is not None:
                self.links.append(values[key])


def parse_page(text: str) -> _PageParser:
    """Parse one HTML page."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser


def target(page: str, link: str, siteurl: str) -> tuple[str, str, bool] | None:
    """Return the site path a link on ``page`` points to, its fragment and whether it names a
    folder; None for a link that leaves the site (another host, ``mailto:`` and the like).
    """
    base = urlsplit(siteurl)
    url = urlsplit(link)
    if url.scheme in ("http", "https") and url.netloc != base.netloc:
        return None
    if url.scheme and url.scheme not in ("http", "https"):
        return None  # mailto: and the like; javascript: is caught before
    path = unquote(url.path)
    if url.scheme or path.startswith("/"):
        prefix = base.path.rstrip("/")
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            return OUTSIDE, url.fragment, False
        where = path[len(prefix) :].lstrip("/")
    elif path:
        where = posixpath.join(posixpath.dirname(page), path)
    else:
        where = page
    return posixpath.normpath(where or "."), url.fragment, path.endswith("/")


def _page_entry(page: str, text: str, siteurl: str) -> dict:
    """Parse a page into what the check needs: its internal links resolved, and its ids."""
    parsed = parse_page(text)
    links = []
    for link in parsed.links:
        if link.strip().lower().startswith("javascript:"):
            links.append([link, None, "", False])
            continue
        found = target(page, link, siteurl)
        if found is not None:
            links.append([link, *found])
    return {"links": links, "ids": sorted(parsed.ids)}


def _site_files(output: Path) -> tuple[set[str], set[str]]:
    """Return every file and every folder of the site, as paths relative to ``output``."""
    files, folders = set(), {"."}
    for where, dirs, names in os.walk(output):
        here = below(where, os.fspath(output)).replace(os.sep, "/")
        prefix = "" if here == "." else here + "/"
        folders.update(prefix + name for name in dirs)
        files.update(prefix + name for name in names)
    return files, folders


def check(
    output: Path,
    siteurl: str = "",
    cache: Path | None = None,
    digests: dict[str, str] | None = None,
) -> list[Finding]:
    """Find broken internal links, missing anchors and javascript: links on every page.

    ``digests`` gives the SHA-256 of pages by their path (see ``page_digests``): those pages
    are read only when the cache does not know them.
    """
    files, folders = _site_files(output)
    known: dict[str, dict] = {}
    if cache is not None:
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                known = data["pages"]
        except (OSError, ValueError, KeyError, AttributeError):
            known = {}
    pages: dict[str, dict] = {}
    used: dict[str, dict] = {}
    digests = digests or {}
    for name in sorted(f for f in files if f.endswith(".html")):
        data = None
        digest = digests.get(name)
        if digest is None:
            data = (output / name).read_bytes()
            digest = hashlib.sha256(data).hexdigest()
        key = hashlib.sha256(f"{siteurl}\0{name}\0{digest}".encode()).hexdigest()
        entry = known.get(key)
        if entry is None:
            data = (output / name).read_bytes() if data is None else data
            entry = _page_entry(name, data.decode("utf-8"), siteurl)
        pages[name] = used[key] = entry
    if cache is not None and used.keys() != known.keys():
        write_atomic(cache, json.dumps({"version": CACHE_VERSION, "pages": used}))
    ids = {name: set(entry["ids"]) for name, entry in pages.items()}
    findings = []
    for name, entry in pages.items():
        for link, where, fragment, folder in entry["links"]:
            if where is None:
                findings.append(Finding(name, f"javascript: link {link!r}"))
                continue
            if folder or where in folders:
                where = posixpath.normpath(posixpath.join(where, "index.html"))
            if where == OUTSIDE or where == ".." or where.startswith("../") or where not in files:
                findings.append(Finding(name, f"broken link {link!r}"))
            elif fragment and where.endswith(".html") and unquote(fragment) not in ids[where]:
                findings.append(Finding(name, f"missing anchor #{fragment} in {link!r}"))
    return findings
