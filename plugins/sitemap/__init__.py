"""Pelican plugin: sitemap.xml and robots.txt from every page the portal's plugins wrote, and /sitemap/.

Listed last in PLUGINS, so its generate_output runs after the others have recorded their URLs
in the build context's page writer. Withdrawal notices, posters and archive pages are not recorded.
/sitemap/ is the site map a person reads (网站地图): every list and site page (on a unified platform every
agency's page), not every record.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from pelican import signals
from pelican.generators import Generator

from publisher.core.schema import RECORD_TYPES
from publisher.core.urls import OFFICER_CHECK, RANDOM_INSPECTION_LIST, type_page_url
from publisher.site.context import BuildContext, build_context
from publisher.site.listing import SECTIONS, list_filters

CHUNK = 50_000  # the sitemap protocol's limit of URLs per file
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
SITEMAP_PAGE = "/sitemap/"
ANNUAL_REPORT = re.compile(r"^/statistics/annual/(\d{4})/$")
# The site's own pages that belong to a stage of disclosure, listed under it after its record types.
SECTION_PAGES = {
    "before": (("随机抽查事项清单", type_page_url("matters", RANDOM_INSPECTION_LIST)),
               ("重大执法决定法制审核目录", "/about/catalogue/"), ("行政处罚裁量基准", "/about/discretion/")),
    "during": (("执法证核验", type_page_url("officers", OFFICER_CHECK)),),
    "after": (("当事人批量比对", "/parties/check/"),),
}


def sitemap_files(base: str, urls: list[tuple[str, str]]) -> dict[str, str]:
    """File name -> XML: one sitemap, or an index and chunks when there are more than CHUNK URLs."""
    chunks = [urls[i: i + CHUNK] for i in range(0, len(urls), CHUNK)] or [[]]
    files = {}
    for n, chunk in enumerate(chunks, 1):
        body = "".join(f"<url><loc>{escape(base + url)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
                       + "</url>\n" for url, lastmod in chunk)
        files["sitemap.xml" if len(chunks) == 1 else f"sitemap-{n}.xml"] = f"{_HEAD}<urlset {_NS}>\n{body}</urlset>\n"
    if len(chunks) > 1:
        index = "".join(f"<sitemap><loc>{escape(base)}/{name}</loc></sitemap>\n" for name in files)
        files["sitemap.xml"] = f"{_HEAD}<sitemapindex {_NS}>\n{index}</sitemapindex>\n"
    return files


def type_entry(type_key: str, build: BuildContext) -> dict[str, Any]:
    """A record type's list with its count and the year and department lists beside it."""
    live = [r for r in build.published.get(type_key, []) if r.live]
    years, departments, agencies = list_filters(type_key, live)  # what the list's front page links, without paging
    filters = [("按年份", [(f"{year}年", url) for year, url in years]), ("按承办机构", departments),
               ("按发布机关", agencies)]
    return {"title": RECORD_TYPES[type_key].zh, "url": f"/{type_key}/", "total": len(live),
            "filters": [(label, links) for label, links in filters if links]}


def sitemap_context(build: BuildContext, written: set[str]) -> dict[str, Any]:
    """What /sitemap/ lists: each stage's lists and pages, statistics and annual reports, the site's own pages."""
    sections = [{"title": title, "url": f"/{key}/", "intro": intro,
                 "types": [type_entry(t, build) for t in types], "pages": SECTION_PAGES.get(key, ())}
                for key, title, intro, types in SECTIONS]
    years = sorted((m[1] for m in map(ANNUAL_REPORT.match, written) if m), reverse=True)
    return {"map_sections": sections, "annual_reports": [(f"{y}年度行政执法数据报告", f"/statistics/annual/{y}/")
                                                     for y in years],
            "map_agencies": [(a.name, a.url) for a in build.agencies if a.url]}


class SitemapGenerator(Generator):
    def generate_output(self, writer: Any) -> None:
        build = build_context(self.settings)
        pages = build.pages
        base = pages.portal.site.url
        pages.settle()  # every page, those written beside the build too
        pages.write(SITEMAP_PAGE, "sitemap.html", **sitemap_context(build, {url for url, _ in pages.urls}))
        for name, xml in sitemap_files(base, sorted(set(pages.urls))).items():
            pages.write_text(f"/{name}", xml)
        pages.write_text("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


def get_generators(pelican_object: Any) -> type[Generator]:
    return SitemapGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
