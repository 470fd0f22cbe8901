"""What Pelican itself needs. The portal's own settings come from portal.toml, handed to the
plugins as one BuildContext by `portal build` (publisher/site/build.py), which also sets PATH,
OUTPUT_PATH, SITEURL, SITENAME and TIMEZONE from portal.toml.

Records are rendered by our own generator (plugins/pages), not as Pelican articles: DESIGN §7
measured Pelican's article machinery at O(N²).
"""

from pathlib import Path

from jinja2 import StrictUndefined

_HERE = Path(__file__).resolve().parent

THEME = str(_HERE / "theme")
THEME_STATIC_DIR = "theme"
THEME_STATIC_PATHS: list[str] = []  # copied by plugins/pages only when changed; Pelican re-copies every time
DEFAULT_LANG = "zh-CN"
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False  # unchanged files keep their bytes and mtimes

PLUGIN_PATHS = [str(_HERE / "plugins")]
# sitemap last: it lists what the others wrote; open data right after the records: it runs beside the rest
PLUGINS = ["pages", "opendata", "feeds", "stats", "search", "parties", "sitemap"]

# Pelican's own articles, pages, archives and feeds are off: records have their own generator.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
DIRECT_TEMPLATES: list[str] = []
PAGINATED_TEMPLATES: dict = {}
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TAG_FEED_ATOM = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# A typo in a template fails the build instead of printing nothing; values are escaped.
JINJA_ENVIRONMENT = {
    "undefined": StrictUndefined,
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
}

# Filters the theme's macros use (imported macros see filters, not the page's context).
from publisher.site.inline import date_parts, phone_parts  # noqa: E402

JINJA_FILTERS = {"phone_parts": phone_parts, "date_parts": date_parts}
