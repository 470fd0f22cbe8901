"""Pelican plugin: sitemap.xml and robots.txt from every page the portal's plugins wrote.

Listed last in PLUGINS, so its generate_output runs after the others have recorded their URLs
in the build context's page writer. Withdrawal notices, posters and archive pages are not recorded.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from pelican import signals
from pelican.generators import Generator

from publisher.site.context import build_context

CHUNK = 50_000  # the sitemap protocol's limit of URLs per file
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


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


class SitemapGenerator(Generator):
    def generate_output(self, writer: Any) -> None:
        pages = build_context(self.settings).pages
        base = pages.portal.site.url
        for name, xml in sitemap_files(base, sorted(set(pages.urls))).items():
            pages.write_text(f"/{name}", xml)
        pages.write_text("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


def get_generators(pelican_object: Any) -> type[Generator]:
    return SitemapGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
