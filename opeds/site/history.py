"""URLs that never break: every URL an article ever had, kept with the content, and what
answers at a URL that is no longer an article's (a redirect, or a "withdrawn" page).

The build, not the importer, keeps the history: only the build knows the URL each article
really gets, after hand edits to its date or slug and with the configured URL scheme. The
file ``content/.url-history.json`` maps each article's key (its ``source_id``, or ``file:``
and the Markdown path for hand-written articles) to its URLs, oldest first; commit it with the
content so a fresh clone builds the same redirects. It is written only when it changes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from opeds.common.atomic import write_atomic

log = logging.getLogger(__name__)

HISTORY_VERSION = 1


@dataclass(frozen=True)
class Moves:
    """What the site must answer at old URLs: redirects (old → new) and withdrawn URLs."""

    redirects: dict[str, str]
    withdrawn: list[str]


def article_key(article) -> str:
    """Identify an article across builds: its source id, else its Markdown path."""
    source_id = article.metadata.get("source_id")
    return source_id or f"file:{Path(article.relative_source_path).as_posix()}"


def load_history(path: Path) -> dict[str, list[str]]:
    """Read the URL history; a missing file is an empty history, an unreadable one an error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if data.get("version") != HISTORY_VERSION:
        raise ValueError(f"{path}: unknown URL history version {data.get('version')!r}")
    return {key: list(urls) for key, urls in data["articles"].items()}


def dumps_history(history: dict[str, list[str]]) -> str:
    """Serialise the history as stable JSON: the same history gives the same bytes."""
    data = {"version": HISTORY_VERSION, "articles": dict(sorted(history.items()))}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def record_urls(history: dict[str, list[str]], current: dict[str, str]) -> dict[str, list[str]]:
    """Add each article's current URL to its history, last; a URL it had before moves last."""
    updated = {key: list(urls) for key, urls in history.items()}
    for key, url in current.items():
        urls = [u for u in updated.get(key, []) if u != url]
        updated[key] = [*urls, url]
    return updated


def moves(history: dict[str, list[str]], current: dict[str, str]) -> Moves:
    """Find every old URL that is no article's now: redirect it, or mark it withdrawn."""
    live = set(current.values())
    redirects: dict[str, str] = {}
    withdrawn: set[str] = set()
    for key, urls in sorted(history.items()):
        for url in urls:
            if url in live or url in redirects:
                continue
            if key in current:
                redirects[url] = current[key]
            else:
                withdrawn.add(url)
    withdrawn -= set(redirects)
    return Moves(dict(sorted(redirects.items())), sorted(withdrawn))


def redirects_file(redirects: dict[str, str], site_url: str) -> str:
    """Write the ``_redirects`` file that Netlify and Cloudflare Pages read (301 per line)."""
    base = urlsplit(site_url).path.rstrip("/")
    return "".join(f"{base}/{old} {base}/{new} 301\n" for old, new in redirects.items())


def current_urls(articles: list) -> dict[str, str]:
    """Map each article's key to its URL; the first article with a key wins."""
    found: dict[str, str] = {}
    for article in articles:
        found.setdefault(article_key(article), article.url)
    return found


def update_history(content: Path, name: str, articles: list) -> Moves:
    """Record the URLs of this build in the history file and say what the old ones become."""
    path = content / name
    history = load_history(path)
    current = current_urls(articles)
    updated = record_urls(history, current)
    if updated != history or not path.exists():
        write_atomic(path, dumps_history(updated).encode("utf-8"))
        log.info("URL history: %s updated", path)
    return moves(updated, current)
