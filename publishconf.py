"""Production settings: the base settings plus the public URL, which may include a sub-path."""

import os
import sys

sys.path.append(os.path.dirname(__file__))
from pelicanconf import *  # noqa: F403 -- the publish file changes only what differs

# The URL comes from the environment (or `invoke build --siteurl`), never from the repository.
SITEURL = os.environ.get("OPEDS_SITEURL", "").rstrip("/")
if not SITEURL.startswith(("https://", "http://")):
    raise SystemExit(
        "publishconf.py: set OPEDS_SITEURL to the public URL, e.g. https://example.org/meinung"
    )
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
