"""Pelican settings, derived from portal.toml: settings flow from one place.

`portal build` sets PORTAL_CONFIG to the portal.toml in use; run by hand, Pelican reads the
portal.toml beside this file. Records are rendered by our own generator (plugins/records),
not as Pelican articles: DESIGN §7 measured Pelican's article machinery at O(N²).
"""

import os
from pathlib import Path

from jinja2 import StrictUndefined

from publisher.core.config import load_config

_HERE = Path(__file__).resolve().parent
PORTAL = load_config(os.environ.get("PORTAL_CONFIG") or _HERE / "portal.toml")

SITEURL = PORTAL.site.url
SITENAME = PORTAL.site.name
PATH = str(PORTAL.paths.content)
OUTPUT_PATH = str(PORTAL.paths.output)
THEME = str(_HERE / "theme")
THEME_STATIC_DIR = "theme"
THEME_STATIC_PATHS: list[str] = []  # copied by plugins/records only when changed; Pelican re-copies every time
TIMEZONE = PORTAL.site.timezone
DEFAULT_LANG = "zh-CN"
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False  # unchanged files keep their bytes and mtimes

PLUGIN_PATHS = [str(_HERE / "plugins")]
PLUGINS = ["records", "feeds", "opendata", "stats", "search", "sitemap"]  # sitemap last: it lists what the others wrote

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
