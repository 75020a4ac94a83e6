"""Every internal link and #anchor resolves; no javascript: links."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from opeds.check.finding import Finding


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


def parse_page(path: Path) -> _PageParser:
    """Parse one HTML file."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def resolve(output: Path, page: Path, link: str, siteurl: str) -> tuple[Path, str] | None:
    """Return the file and fragment an internal link points to; None for external links."""
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
            return (output / "__outside_the_site__", url.fragment)
        target = output / path[len(prefix) :].lstrip("/")
    elif path:
        target = page.parent / path
    else:
        target = page
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, url.fragment


def check(output: Path, siteurl: str = "") -> list[Finding]:
    """Find broken internal links, missing anchors and javascript: links on every page."""
    pages = {p: parse_page(p) for p in sorted(output.rglob("*.html"))}
    findings = []
    for page, parsed in pages.items():
        name = page.relative_to(output).as_posix()
        for link in parsed.links:
            if link.strip().lower().startswith("javascript:"):
                findings.append(Finding(name, f"javascript: link {link!r}"))
                continue
            resolved = resolve(output, page, link, siteurl)
            if resolved is None:
                continue
            target, fragment = resolved
            if not target.resolve().is_relative_to(output.resolve()) or not target.is_file():
                findings.append(Finding(name, f"broken link {link!r}"))
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse_page(target).ids
                if unquote(fragment) not in ids:
                    findings.append(Finding(name, f"missing anchor #{fragment} in {link!r}"))
    return findings
