"""Pelican plugin: render disclosure records from content/ with templates, not as articles.

Runs on `get_generators`. generate_context loads content/ once into context["PUBLISHED"] for
every other plugin; generate_output renders detail pages, lists, sections, posters and the
sitemap, writing a file only when its bytes change (Pelican itself rewrites every file).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import Generator

from publisher.config import Config
from publisher.content import write_if_changed
from publisher.published import PublishedRecord, load_published
from publisher.qrcodes import qr_svg, require_public_url
from publisher.schema import RECORD_TYPES

from .pages import LIST_COLUMNS, SECTION_OF_TYPE, SECTIONS, ListPage, list_pages, officer_validity

log = logging.getLogger(__name__)
SITEMAP_CHUNK = 50_000  # the sitemap protocol's limit of URLs per file


class RecordsGenerator(Generator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.portal: Config = self.settings["PORTAL"]
        self.published: dict[str, list[PublishedRecord]] = {}
        self.written = 0
        self.urls: list[tuple[str, str]] = []  # (site-relative URL, lastmod) for the sitemap

    def generate_context(self) -> None:
        if self.settings.get("PORTAL_REQUIRE_PUBLIC_URL", True):
            require_public_url(self.portal.site.url)
        self.published = load_published(Path(self.settings["PATH"]))
        self.context["PUBLISHED"] = self.published
        self.today = self._today()

    def _today(self) -> date:
        now = self.settings.get("PORTAL_NOW")
        if isinstance(now, datetime):
            return now.date()
        return datetime.now(ZoneInfo(self.portal.site.timezone)).date()

    # -- rendering -----------------------------------------------------------------------------
    def _globals(self) -> dict[str, Any]:
        portal = self.portal
        return {
            "site": portal.site, "footer": portal.footer, "policy": portal.policy,
            "sections": SECTIONS, "section_of_type": SECTION_OF_TYPE, "rtypes": RECORD_TYPES,
            "list_columns": LIST_COLUMNS, "today": self.today, "qr": self._qr,
            "abs_url": lambda url: portal.site.url + url, "counts": {t: sum(r.live for r in rs)
                                                                     for t, rs in self.published.items()},
        }

    def _qr(self, url: str) -> str:
        from markupsafe import Markup

        return Markup(qr_svg(self.portal.site.url + url, self._qr_cache))

    @property
    def _qr_cache(self) -> Path:
        return self.portal.paths.state / "cache" / "qr"

    def _write(self, url: str, template: str, lastmod: str = "", sitemap: bool = True, **context: Any) -> None:
        html = self.get_template(template.removesuffix(".html")).render(**self._env_globals, page_url=url, **context)
        path = Path(self.output_path) / url.lstrip("/") / "index.html" if url.endswith("/") else \
            Path(self.output_path) / url.lstrip("/")
        if write_if_changed(path, html):
            self.written += 1
        if sitemap:
            self.urls.append((url, lastmod))

    def generate_output(self, writer: Any) -> None:
        self._env_globals = self._globals()
        published = self.published
        latest = {t: [r for r in published[t] if r.live][:5] for t in ("permits", "penalties", "inspections")}
        self._write("/", "home.html", latest=latest)
        for key, title, intro, types in SECTIONS:
            self._write(f"/{key}/", "section.html", section=(key, title, intro, types))
        for type_key, records in published.items():
            for page in list_pages(type_key, records):
                self._write(page.url, "list.html", sitemap=page.number == 0, page=page,
                            lastmod=page.records[0].published if page.records else "")
            for record in records:
                self._write_record(record)
        officers = sorted((r for r in published["officers"] if r.live), key=lambda r: str(r.value("cert_no")))
        self._write("/officers/verify/", "verify.html", officers=officers)
        random_items = [r for r in published["matters"] if r.live and r.value("random_inspection") == "是"]
        self._write("/matters/random-inspection/", "random_inspection.html", matters=random_items)
        self._write("/about/", "about.html")
        self._write("/about/withdrawal/", "withdrawal_policy.html")
        self._write("/about/catalogue/", "catalogue.html")
        self._write("/404.html", "404.html", sitemap=False)
        self._write_sitemap()
        log.info("records: %d files written", self.written)

    def _write_record(self, record: PublishedRecord) -> None:
        if not record.live:
            self._write(record.url, "notice.html", sitemap=False, record=record)
            return
        extra: dict[str, Any] = {}
        if record.type == "officers":
            extra["validity"] = officer_validity(record, self.today)
        if record.type == "windows":
            codes = record.value("guides") or ()
            by_code = {g.value("code"): g for g in self.published["guides"] if g.live}
            extra["window_guides"] = [by_code[c] for c in codes if c in by_code]
        self._write(record.url, "record.html", lastmod=record.published, record=record, **extra)
        if record.type in ("windows", "guides"):
            self._write(f"{record.url}poster/", "poster.html", sitemap=False, record=record, **extra)

    def _write_sitemap(self) -> None:
        base = self.portal.site.url
        chunks = [self.urls[i: i + SITEMAP_CHUNK] for i in range(0, len(self.urls), SITEMAP_CHUNK)] or [[]]
        names = []
        for n, chunk in enumerate(chunks, 1):
            name = "sitemap.xml" if len(chunks) == 1 else f"sitemap-{n}.xml"
            names.append(name)
            body = "".join(f"<url><loc>{escape(base + url)}</loc>" + (f"<lastmod>{lm}</lastmod>" if lm else "")
                           + "</url>\n" for url, lm in chunk)
            self._write_text(name, '<?xml version="1.0" encoding="UTF-8"?>\n'
                             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n")
        if len(chunks) > 1:
            index = "".join(f"<sitemap><loc>{escape(base)}/{n}</loc></sitemap>\n" for n in names)
            self._write_text("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
                             '"http://www.sitemaps.org/schemas/sitemap/0.9">\n' + index + "</sitemapindex>\n")
        self._write_text("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")

    def _write_text(self, name: str, text: str) -> None:
        if write_if_changed(Path(self.output_path) / name, text):
            self.written += 1


def get_generators(pelican_object: Any) -> type[Generator]:
    return RecordsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


__all__ = ["ListPage", "RecordsGenerator", "register"]
