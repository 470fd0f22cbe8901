"""Pelican plugin: render disclosure records from content/ with templates, not as articles.

Runs on `get_generators`. generate_context loads content/ once into context["PUBLISHED"] and
puts the site's page writer in context["PORTAL_PAGES"], for every other plugin; generate_output
renders detail pages, lists, sections and posters, writing a file only when its bytes change
(Pelican itself rewrites every file).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import Generator

from publisher.core.config import Config
from publisher.core.schema import RECORD_TYPES
from publisher.site.listing import LIST_COLUMNS, SECTION_OF_TYPE, SECTIONS, ListPage, list_pages, officer_validity
from publisher.site.published import PublishedRecord, load_published
from publisher.site.qrcodes import require_public_url

from .writer import PARALLEL_MIN, PageWriter, build_salt, read_page_index

PROJECT = Path(__file__).resolve().parents[2]

log = logging.getLogger(__name__)


class RecordsGenerator(Generator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.portal: Config = self.settings["PORTAL"]
        self.published: dict[str, list[PublishedRecord]] = {}

    def generate_context(self) -> None:
        if self.settings.get("PORTAL_REQUIRE_PUBLIC_URL", True):
            require_public_url(self.portal.site.url)
        self.published = load_published(Path(self.settings["PATH"]))
        self.context["PUBLISHED"] = self.published
        self.today = self._today()
        self._guides = {g.value("code"): g for g in self.published["guides"] if g.live}
        self.pages = PageWriter(lambda name: self.get_template(name), Path(self.output_path), self.portal,
                                self._globals(), workers=self.settings.get("PORTAL_WORKERS") or os.cpu_count() or 1,
                                parallel_min=self.settings.get("PORTAL_PARALLEL_MIN", PARALLEL_MIN),
                                salt=self._salt(), previous=read_page_index(self.settings.get("PORTAL_PAGES_BEFORE")))
        self.context["PORTAL_PAGES"] = self.pages

    def _salt(self) -> str:
        """Everything every page depends on besides its key: theme, code, settings."""
        code = [p for folder in ("plugins", "publisher") for p in (PROJECT / folder).rglob("*.py")]
        theme = [p for p in Path(self.theme).rglob("*") if p.is_file()]
        settings = [self.portal.path, PROJECT / "pelicanconf.py"]
        return build_salt(code, theme, settings, repr(self.settings.get("PLUGINS")).encode())

    def finish(self) -> list[str]:
        """After every plugin wrote: remove pages this build no longer makes, record the page index."""
        return self.pages.finish(self.settings.get("PORTAL_PAGES_AFTER"))

    def _today(self) -> date:
        now = self.settings.get("PORTAL_NOW")
        if isinstance(now, datetime):
            return now.date()
        return datetime.now(ZoneInfo(self.portal.site.timezone)).date()

    def _globals(self) -> dict[str, Any]:
        portal = self.portal
        return {
            "site": portal.site, "footer": portal.footer, "policy": portal.policy,
            "sections": SECTIONS, "section_of_type": SECTION_OF_TYPE, "rtypes": RECORD_TYPES,
            "list_columns": LIST_COLUMNS, "today": self.today,
            "counts": {t: sum(r.live for r in rs) for t, rs in self.published.items()},
            "ledger": None,  # only home and /ledger/ carry the run's hash: see base.html
        }

    def generate_output(self, writer: Any) -> None:
        pages = self.pages
        published = self.published
        latest = {t: [r for r in published[t] if r.live][:5] for t in ("permits", "penalties", "inspections")}
        ledger = self.settings.get("PORTAL_LEDGER")
        pages.write("/", "home.html", latest=latest, ledger=ledger)
        pages.write("/ledger/", "ledger.html", ledger=ledger)
        for key, title, intro, types in SECTIONS:
            pages.write(f"/{key}/", "section.html", section=(key, title, intro, types))
        for type_key, records in published.items():
            for page in list_pages(type_key, records):
                pages.write(page.url, "list.html", sitemap=page.number == 0, page=page, key=page.key,
                            lastmod=page.records[0].published if page.records else "")
        pages.each([r for records in published.values() for r in records], self._write_record)
        officers = sorted((r for r in published["officers"] if r.live), key=lambda r: str(r.value("cert_no")))
        pages.write("/officers/verify/", "verify.html", officers=officers)
        random_items = [r for r in published["matters"] if r.live and r.value("random_inspection") == "是"]
        pages.write("/matters/random-inspection/", "random_inspection.html", matters=random_items)
        pages.write("/about/", "about.html")
        pages.write("/about/withdrawal/", "withdrawal_policy.html")
        pages.write("/about/catalogue/", "catalogue.html")
        pages.write("/404.html", "404.html", sitemap=False)
        static = Path(self.theme) / "static"
        for path in sorted(p for p in static.rglob("*") if p.is_file()):
            pages.write_text(f"/theme/{path.relative_to(static).as_posix()}", path.read_bytes())
        if ledger:  # anyone can compare the site's run with the agency's ledger
            pages.write_text("/ledger.json", json.dumps({"run": ledger["run"], "ledger_entry_sha256": ledger["hash"],
                                                         "published_at": ledger["time"]}, ensure_ascii=False) + "\n")

    @property
    def written(self) -> int:
        return self.pages.written

    @property
    def kept(self) -> int:
        return self.pages.kept

    def _write_record(self, record: PublishedRecord) -> None:
        pages = self.pages
        if not record.live:
            pages.write(record.url, "notice.html", sitemap=False, record=record, key=record.digest)
            return
        extra: dict[str, Any] = {}
        key: tuple[str, ...] = (record.digest,)
        if record.type == "officers":
            extra["validity"] = officer_validity(record, self.today)
            key += tuple(map(str, extra["validity"].values()))  # validity changes with the date, not the record
        if record.type == "windows":
            codes = record.value("guides") or ()
            extra["window_guides"] = [self._guides[c] for c in codes if c in self._guides]
            key += tuple(g.digest for g in extra["window_guides"])
        pages.write(record.url, "record.html", lastmod=record.published, record=record, key=key, **extra)
        if record.type in ("windows", "guides"):
            pages.write(f"{record.url}poster/", "poster.html", sitemap=False, record=record, key=key, **extra)


def get_generators(pelican_object: Any) -> type[Generator]:
    return RecordsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


__all__ = ["ListPage", "PageWriter", "RecordsGenerator", "register"]
