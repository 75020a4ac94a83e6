"""Production settings: the base settings; `invoke publish --siteurl` passes the public URL."""

import os
import sys

sys.path.append(os.path.dirname(__file__))
from pelicanconf import *  # noqa: F403 -- the publish file changes only what differs

# SITEURL and FEED_DOMAIN come from --siteurl or $OPEDS_SITEURL as settings, never from the
# repository; the URL may include a sub-path (https://example.org/meinung).
RELATIVE_URLS = False
