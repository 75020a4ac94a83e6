"""Build imported articles with the real settings and read their pages back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from tests.support import ROOT, soup

# Only word characters count: the build may set „quotes“, dashes and ellipses for German.
_WORD = re.compile(r"\w+")
# Invisible characters a typography step may add inside words (soft hyphen, zero-width space).
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060]")


def words(text: str) -> list[str]:
    """Return the sequence of alphanumeric tokens of ``text``."""
    return _WORD.findall(_INVISIBLE.sub("", text))


def build(content: Path, output: Path) -> Path:
    """Build ``content`` (plus the project's pages) with pelicanconf.py into ``output``.

    The build cache goes beside ``output``, never into the repository.
    """
    from opeds.build.run import build_site

    shutil.copytree(ROOT / "content" / "pages", content / "pages", dirs_exist_ok=True)
    cache = output.with_name(f"{output.name}-cache")
    build_site(ROOT / "pelicanconf.py", content, output, cache=cache)
    return output


def article_page(output: Path, markdown_path: str) -> BeautifulSoup:
    """Parse the built page of the article imported to ``content/<markdown_path>``."""
    folder = Path(markdown_path).parent  # YYYY/MM: the URL has the same date parts
    return soup(output / folder / Path(markdown_path).stem / "index.html")


def body_of(page: BeautifulSoup):
    """Return the element holding the article text."""
    body = page.select_one("article .body")
    assert body is not None, "the article page has no '.body' element"
    return body


ACTIVE_TAGS = ("script", "iframe", "object", "embed", "style", "link", "meta", "form", "img")


def active_content(element) -> list[str]:
    """List what could run or load in ``element``: active tags, on* handlers, script URLs."""
    found = [f"<{tag.name}>" for tag in element.find_all(ACTIVE_TAGS)]
    for tag in element.find_all(True):
        for name, value in tag.attrs.items():
            if name.lower().startswith("on"):
                found.append(f"{tag.name}[{name}]")
            text = " ".join(value) if isinstance(value, list) else str(value)
            if re.sub(r"\s", "", text).lower().startswith(("javascript:", "data:")):
                found.append(f"{tag.name}[{name}={text}]")
    return found
