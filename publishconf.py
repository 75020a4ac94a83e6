"""Production settings: the base settings plus the public URL (from OPEDS_SITEURL)."""

import os
import sys

sys.path.append(os.path.dirname(__file__))
from pelicanconf import *  # noqa: F403 -- the publish file changes only what differs

SITEURL = os.environ.get("OPEDS_SITEURL", "").rstrip("/")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
