"""Pelican settings for the op-ed archive (development; publishconf.py overrides for production)."""

from pathlib import Path

from opeds.site.archive import archive_order

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
# The folder is YYYY/MM, never a section; an article without a section word has none
# (set a word here, e.g. "Meinung", to give such articles that section instead).
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = ""
DEFAULT_PAGINATION = 20
# Month pages list their articles in pages of 50; year pages only list months (opeds.site.archive).
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None,
                       "period_archives": 50}  # fmt: skip
# Newest first; articles of the same day (or month, when the day is unknown) in delivery order
# (the source file's number: 1000_ after 999_), then by slug, so the order never depends on the
# order the file system lists files in.
ARTICLE_ORDER_BY = archive_order
YEAR_PAGE_HEADLINES = 5  # latest headlines per month on a year page
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
# Pelican would paginate year pages like month pages; opeds.site writes them unpaginated.
YEAR_ARCHIVE_SAVE_AS = ""
YEAR_PAGE_SAVE_AS = YEAR_ARCHIVE_URL + "index.html"
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
INDEX_URL = ""
INDEX_SAVE_AS = "index.html"
# Pieces without a date (date_precision: unknown) live apart from the years and months.
UNDATED_URL = "ohne-datum/{slug}/"
UNDATED_SAVE_AS = UNDATED_URL + "index.html"
# Slugs of sections, topics and authors follow the importer's German rule (opeds.site.content).

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
JSON_FEED = "feed.json"
SITEMAP_SAVE_AS = "sitemap.xml"
RSS_FEED_SUMMARY_ONLY = True

# --- Theme and plugins ----------------------------------------------------------------------
THEME = str(ROOT / "theme")
THEME_STATIC_PATHS = ["static"]
STATIC_PATHS = ["extra"]
PLUGINS = ["opeds.site"]
DIRECT_TEMPLATES = [
    "index", "archives", "categories", "authors", "tags", "404", "robots", "search",
]  # fmt: skip
SEARCH_URL = "suche/"
SEARCH_SAVE_AS = SEARCH_URL + "index.html"
ROBOTS_SAVE_AS = "robots.txt"
TEMPLATE_EXTENSIONS = [".html", ".txt"]
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}

# --- Determinism and speed ------------------------------------------------------------------
DELETE_OUTPUT_DIRECTORY = True
OUTPUT_SOURCES = False
RELATIVE_URLS = False
# No translations by slug: articles of different months may share a slug, and an English piece
# is an article of its own, not a hidden translation; Pelican's pairing is also quadratic.
ARTICLE_TRANSLATION_ID = None
# Pelican's reader cache (parsed Markdown per file, checked by content hash, not by date).
# opeds.build.run gives it a folder per settings and code version, so no change serves stale HTML.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "md5"
GZIP_CACHE = False  # a plain pickle loads several times faster; the disk is not the limit
# The search index per year (pagefind/YYYY/, and pagefind/ohne-datum/ for the undated pieces,
# listed newest first in pagefind/shards.json): Pagefind's memory is bounded by the largest year
# and an edit re-indexes one year. False (or `invoke build --no-search-shards`): one index.
SEARCH_SHARDS = True
