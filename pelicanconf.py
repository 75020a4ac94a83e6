"""Pelican settings for the op-ed archive (development; publishconf.py overrides for production)."""

from pathlib import Path

from opeds.ordering import newest_first

ROOT = Path(__file__).parent

# --- Site -----------------------------------------------------------------------------------
SITENAME = "Meinungsarchiv"
SITESUBTITLE = "Kommentare und Meinungsbeiträge"
SITEURL = ""
PUBLISHER = "Redaktion Meinungsarchiv"
DEFAULT_LANG = "de"
TIMEZONE = "Europe/Berlin"

# --- Content --------------------------------------------------------------------------------
PATH = "content"
ARTICLE_PATHS = [""]
PAGE_PATHS = ["pages"]
ARTICLE_EXCLUDES = ["pages"]
READERS = {"html": None, "htm": None}  # only Markdown: imported text must not be read as HTML
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
# Articles of one month share its first day: the delivery number orders them (1000_ after 999_).
ARTICLE_ORDER_BY = newest_first
DEFAULT_PAGINATION = 20
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/seite/{number}/", "{base_name}/seite/{number}/index.html"),
)
# Typography runs in our plugin, per article language; Pelican's typogrify would set English quotes.
TYPOGRIFY = False
MARKDOWN = {
    "extension_configs": {"markdown.extensions.extra": {}},
    "output_format": "html5",
}

# --- URLs (every page a folder with index.html) --------------------------------------------
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
DRAFT_URL = "entwurf/{slug}/"
DRAFT_SAVE_AS = DRAFT_URL + "index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
PAGE_LANG_SAVE_AS = PAGE_SAVE_AS
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = YEAR_ARCHIVE_URL + "index.html"
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"
DAY_ARCHIVE_SAVE_AS = ""
ARCHIVES_URL = "archiv/"
ARCHIVES_SAVE_AS = ARCHIVES_URL + "index.html"
CATEGORY_URL = "rubrik/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
CATEGORIES_URL = "rubrik/"
CATEGORIES_SAVE_AS = CATEGORIES_URL + "index.html"
TAG_URL = "thema/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_URL = "thema/"
TAGS_SAVE_AS = TAGS_URL + "index.html"
AUTHOR_URL = "autor/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
AUTHORS_URL = "autor/"
AUTHORS_SAVE_AS = AUTHORS_URL + "index.html"
INDEX_SAVE_AS = "index.html"
SLUG_REGEX_SUBSTITUTIONS = [
    (r"[äÄ]", "ae"), (r"[öÖ]", "oe"), (r"[üÜ]", "ue"), (r"ß", "ss"),
    (r"[^\w\s-]", ""), (r"(?u)\A\s*", ""), (r"(?u)\s*\Z", ""), (r"[-\s]+", "-"),
]  # fmt: skip

# --- Feeds ----------------------------------------------------------------------------------
FEED_DOMAIN = "http://127.0.0.1:8000"  # feeds need absolute links; publishconf sets the real host
FEED_ALL_ATOM = "feeds/atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
FEED_ATOM = None
FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = True

# --- Theme and plugins ----------------------------------------------------------------------
THEME = str(ROOT / "theme")
THEME_STATIC_PATHS = ["static"]
STATIC_PATHS = ["extra"]
EXTRA_PATH_METADATA = {"extra/robots.txt": {"path": "robots.txt"}}
PLUGINS = ["opeds.plugin"]
DIRECT_TEMPLATES = ["index", "archives", "categories", "authors", "tags"]
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}

# --- Determinism and speed ------------------------------------------------------------------
DELETE_OUTPUT_DIRECTORY = True
OUTPUT_SOURCES = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
RELATIVE_URLS = False
