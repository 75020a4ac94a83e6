"""Front-matter fields an editor may write by hand: sanitise the HTML ones, validate the paths.

Text fields (title, kicker, author, tags …) are escaped wherever they are written: Jinja's
autoescape, the Atom writer and ``json.dumps``. The HTML fields are cleaned by the same
sanitiser as the body, and a path or URL from front matter must stay a relative path inside
the site: ``url: javascript:…`` or ``save_as: ../../x`` fail the build naming the file.
"""

from __future__ import annotations

import logging
import re

from markupsafe import Markup

from opeds.site.sanitise import clean_html

log = logging.getLogger(__name__)

#: Fields Pelican renders as HTML (FORMATTED_FIELDS): they reach pages and feeds as markup.
HTML_FIELDS = ("summary",)
#: Fields that become part of an output path or a link.
PATH_FIELDS = ("save_as", "url", "page_url", "page_save_as")
_SEGMENT = re.compile(r"^[\w.~%+@,=-]+$")  # no scheme, query, fragment, space or control
_SLUG = re.compile(r"^[\w.~%+-]+$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")  # BCP 47, as html lang= wants it
_TEMPLATE = re.compile(r"^[\w-]+$")


def path_problem(value: str) -> str | None:
    """Say why ``value`` is not a relative path inside the site, or return None."""
    if value == "":
        return None  # an empty save_as means "do not write this page": Pelican's own rule
    if value.startswith("/") or "\\" in value:
        return "must be a relative path, without a leading / or \\"
    parts = value.split("/")
    for part in parts[:-1] if value.endswith("/") else parts:
        if part in ("", ".", "..") or not _SEGMENT.match(part):
            return "must be a path of plain names inside the site (no scheme, .., space or ?#)"
    return None


def field_problems(metadata: dict) -> list[str]:
    """Name every path-like front-matter field whose value could leave the site or inject."""
    problems = []
    for key in PATH_FIELDS:
        if key in metadata and (why := path_problem(str(metadata[key]))):
            problems.append(f"{key}: {str(metadata[key])!r} {why}")
    slug = metadata.get("slug")
    if slug is not None and (not _SLUG.match(str(slug)) or str(slug) in (".", "..")):
        problems.append(f"slug: {str(slug)!r} must be one plain name (no /, space or ?#)")
    lang = metadata.get("lang")
    if lang is not None and not _LANG.match(str(lang)):
        problems.append(f"lang: {str(lang)!r} is not a language tag such as de or en-GB")
    template = metadata.get("template")
    if template is not None and not _TEMPLATE.match(str(template)):
        problems.append(f"template: {str(template)!r} must be a template name such as page")
    return problems


def check_fields(instance: object) -> None:
    """Sanitise the HTML fields of an article or page and log an error per unsafe path field."""
    metadata = instance.metadata
    for problem in field_problems(metadata):
        # An error fails the build (opeds.build.run collects them) and names the file.
        log.error("%s: front matter %s", instance.source_path, problem)
    for key in HTML_FIELDS:
        if metadata.get(key):
            metadata[key] = Markup(clean_html(str(metadata[key])))
            if key == "summary":
                instance._summary = metadata[key]  # Pelican copies this back into metadata
