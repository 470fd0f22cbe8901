"""Pelican plugin: every page of the portal, rendered from content/ with templates, not as articles.

Runs on `get_generators`, first. generate_context loads content/ (through its catalog) once into the BuildContext
(`published`) and puts the site's page writer there (`pages`), for every other plugin;
generate_output renders detail pages, lists, sections and posters, writing a file only when its
bytes change (Pelican itself rewrites every file).
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
import orjson
from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.generators import Generator

from publisher.core.agencies import read_agencies
from publisher.core.catalog import published_records
from publisher.core.content import PublishedRecord, digest_of
from publisher.core.rights import penalty_dates
from publisher.core.schema import RECORD_TYPES
from publisher.core.urls import OFFICER_CHECK, RANDOM_INSPECTION_LIST, type_page_url
from publisher.site import decision
from publisher.site.agencies import AGENCIES_URL, agency_key_ok, origin_href, site_agencies
from publisher.site.assets import theme_assets
from publisher.site.context import BuildContext, build_context
from publisher.site.field_rows import PARTY_FIELDS, column_labels, field_rows, list_cells
from publisher.site.guides import Windows, guide_flow, guide_links, officers_by_name, window_links
from publisher.site.listing import (
    ALL_FEED_ZH,
    HOME_LATEST,
    LIST_COLUMNS,
    SECTION_OF_TYPE,
    SECTIONS,
    ListPage,
    PageKey,
    list_pages,
    officer_validity,
)
from publisher.site.part_cache import PartCache
from publisher.site.parties import party_url
from publisher.site.qrcodes import require_public_url

from .writer import PageWriter, build_salt, read_page_index

PROJECT = Path(__file__).resolve().parents[2]
# The code that shapes output: the site stage, the content/ format and record types, the plugins.
OUTPUT_CODE = ("publisher/site", "publisher/core", "plugins")
POSTER_TYPES = ("windows", "guides")  # types whose records also have a printable poster page

log = logging.getLogger(__name__)


class RecordsGenerator(Generator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.build: BuildContext = build_context(self.settings)
        self.portal = self.build.config
        self.published: dict[str, list[PublishedRecord]] = {}

    def generate_context(self) -> None:
        build = self.build
        if build.require_public_url:
            require_public_url(self.portal.site.url)
        # From content/'s catalog: only files whose size or mtime changed since it last saw them are read.
        self.published = build.published = published_records(Path(self.settings["PATH"]), self.portal.paths.state)
        # A unified platform's agencies (issue 19); [] for a single agency's portal.
        self.agencies = build.agencies = site_agencies(read_agencies(Path(self.settings["PATH"])), self.published)
        self.today = build.today
        # An environment global, so the imported component macros see it: names and codes link to profiles.
        self.env.globals["party_url"] = party_url
        self._guides = {g.value("code"): g for g in self.published["guides"] if g.live}
        self.assets = theme_assets(Path(self.theme) / "static")
        self._windows = Windows([w for w in self.published["windows"] if w.live])
        self._matters = {m.value("code"): m for m in self.published["matters"] if m.live}
        self._officers = officers_by_name([o for o in self.published["officers"] if o.live])
        globals_ = self._globals()
        self.env.globals.update(globals_)  # macros imported without context (components.html) see them too
        salt = self._salt()
        self.env.bytecode_cache = template_cache(self.portal.paths.state / "cache" / "templates", salt)
        self.pages = build.pages = PageWriter(
            lambda name: self.get_template(name), Path(self.output_path), self.portal, globals_,
            workers=build.workers, parallel_min=build.parallel_min, salt=salt,
            previous=read_page_index(build.pages_before))

    def _salt(self) -> str:
        """Everything every page depends on besides its key: the code that shapes output, theme, settings."""
        code = [p for folder in OUTPUT_CODE for p in (PROJECT / folder).rglob("*.py")]
        theme = [p for p in Path(self.theme).rglob("*") if p.is_file()]
        settings = [self.portal.path, PROJECT / "pelicanconf.py"]
        return build_salt(code, theme, settings, repr(self.settings.get("PLUGINS")).encode())

    def finish(self) -> list[str]:
        """After every plugin wrote: remove pages this build no longer makes, record the page index."""
        return self.pages.finish(self.build.pages_after)

    def _globals(self) -> dict[str, Any]:
        portal = self.portal
        return {
            "site": portal.site, "footer": portal.footer, "policy": portal.policy,
            "sections": SECTIONS, "section_of_type": SECTION_OF_TYPE, "rtypes": RECORD_TYPES,
            "list_columns": LIST_COLUMNS, "today": self.today, "all_feed_zh": ALL_FEED_ZH,
            "counts": {t: sum(r.live for r in rs) for t, rs in self.published.items()},
            "ledger": None,  # only home and /ledger/ carry the run's hash: see base.html
            "rights": portal.rights, "penalty_dates": partial(penalty_dates, policy=portal.policy),
            "decision_heading": decision.decision_heading, "decision_subtitle": decision.decision_subtitle,
            "yuan": decision.yuan, "index_number": decision.index_number,
            "field_rows": field_rows, "list_cells": list_cells, "column_labels": column_labels,
            "party_fields": PARTY_FIELDS,
            "asset": self.asset_url,
            "agencies": self.agencies, "origin_href": origin_href, "agency_key_ok": agency_key_ok,
        }

    def asset_url(self, relative: str) -> str:
        """The URL of a theme file (css/portal.css), named by its hash; a name not in the theme fails the build."""
        try:
            return self.assets[relative]
        except KeyError:
            raise ValueError(f"主题中没有文件 static/{relative}") from None

    def generate_output(self, writer: Any) -> None:
        pages = self.pages
        published = self.published
        latest = {t: [r for r in published[t] if r.live][:5] for t in HOME_LATEST}
        ledger = self.build.ledger
        pages.write("/", "home.html", latest=latest, ledger=ledger)
        pages.write("/ledger/", "ledger.html", ledger=ledger)
        self._write_agencies(latest)
        for key, title, intro, types in SECTIONS:
            pages.write(f"/{key}/", "section.html", section=(key, title, intro, types))
        lists = PartCache(self.portal.paths.state / "cache" / "lists", pages.salt)
        for type_key, records in published.items():
            self._write_lists(type_key, records, lists)
        lists.prune()
        self._write_records([r for records in published.values() for r in records])
        officers = sorted((r for r in published["officers"] if r.live), key=lambda r: str(r.value("cert_no")))
        pages.write(type_page_url("officers", OFFICER_CHECK), "verify.html", officers=officers)
        random_items = [r for r in published["matters"] if r.live and r.value("random_inspection") == "是"]
        pages.write(type_page_url("matters", RANDOM_INSPECTION_LIST), "random_inspection.html", matters=random_items)
        pages.write("/about/", "about.html")
        pages.write("/about/withdrawal/", "withdrawal_policy.html")
        pages.write("/about/catalogue/", "catalogue.html")
        pages.write("/about/discretion/", "discretion.html")
        pages.write("/404.html", "404.html", sitemap=False)
        static = Path(self.theme) / "static"
        for relative, url in self.assets.items():
            pages.write_text(url, (static / relative).read_bytes())
        if ledger:  # anyone can compare the site's run with the agency's ledger
            pages.write_text("/ledger.json", json.dumps({"run": ledger.run, "ledger_entry_sha256": ledger.hash,
                                                         "published_at": ledger.time}, ensure_ascii=False) + "\n")

    def _write_agencies(self, latest: dict[str, list[PublishedRecord]]) -> None:
        """A unified platform's /agencies/ and one page per agency: its sections, lists and newest decisions."""
        if not self.agencies:
            return
        self.pages.write(AGENCIES_URL, "agencies.html")
        newest: dict[str, dict[str, list[PublishedRecord]]] = {a.key: {t: [] for t in latest} for a in self.agencies}
        for t in latest:  # one pass over each type, newest first: a province has hundreds of agencies
            for r in self.published[t]:
                shown = newest.get(r.origin.key, {}).get(t) if r.live and r.origin is not None else None
                if shown is not None and len(shown) < 5:
                    shown.append(r)
        for agency in self.agencies:
            if agency.url:  # a key unfit for a URL: listed on /agencies/, no page of its own
                self.pages.write(agency.url, "agency.html", agency=agency, latest=newest[agency.key])

    def _write_lists(self, type_key: str, records: list[PublishedRecord], cache: PartCache) -> None:
        """A type's list pages. A type whose records are the same as last build's reads its pages' URLs and keys
        back from the cache, and paginates only if a page must be rendered: paginating 100k records took a second."""
        pages = self.pages
        made = functools.cache(lambda: {p.url: p for p in list_pages(type_key, records)})

        def encode() -> bytes:
            return orjson.dumps([[p.url, repr(p.key), p.records[0].published if p.records else "", p.number == 0]
                                 for p in made().values()])

        for url, key, lastmod, front in orjson.loads(cache.get(cache.name("list-pages", type_key,
                                                                          digest_of(records)), encode)):
            kept_key = PageKey(key)
            fingerprint = pages.fingerprint("list", kept_key)
            if pages.same(url, fingerprint):  # judged once: kept here, not checked again by `write`
                pages.keep(url, fingerprint, lastmod if front else None)
            else:
                pages.write(url, "list.html", sitemap=front, page=made()[url], key=kept_key, lastmod=lastmod)

    @property
    def written(self) -> int:
        return self.pages.written

    @property
    def kept(self) -> int:
        return self.pages.kept

    def _record_key(self, record: PublishedRecord) -> tuple[tuple[str, ...], dict[str, Any]]:
        """A live record page's key and the context it adds to the record."""
        extra: dict[str, Any] = {}
        key: tuple[str, ...] = (record.digest,)
        if record.type == "officers":
            extra["validity"] = officer_validity(record, self.today)
            key += tuple(map(str, extra["validity"].values()))  # validity changes with the date, not the record
        if record.type == "windows":
            codes = record.value("guides") or ()
            extra["window_guides"] = [self._guides[c] for c in codes if c in self._guides]
            extra["links"] = window_links(record, self._guides, self._officers)
            key += tuple(g.digest for g in extra["window_guides"]) + tuple(map(repr, extra["links"].items()))
        if record.type == "guides":
            extra["links"] = guide_links(record, self._windows, self._matters)
            extra["flow"] = guide_flow(record)
            key += tuple(map(repr, extra["links"].items()))
        return key, extra

    def _record_pages(self, record: PublishedRecord) -> list[tuple[str, str, str | None]]:
        """(URL, fingerprint, lastmod or None: not in the sitemap) of each page a record makes."""
        fingerprint = self.pages.fingerprint
        if not record.live:
            return [(record.url, fingerprint("notice", record.digest), None)]
        key, _ = self._record_key(record)
        made = [(record.url, fingerprint("record", key), record.published)]
        if record.type in POSTER_TYPES:
            made.append((f"{record.url}poster/", fingerprint("poster", key), None))
        return made

    def _write_records(self, records: list[PublishedRecord]) -> None:
        """Every record's pages. Each record is judged once here: pages made from the same inputs as last build's
        are kept without a second look, and only the others are rendered, on the workers when there are many."""
        pages, stale = self.pages, []
        for record in records:
            made = self._record_pages(record)
            if all(pages.same(url, fp) for url, fp, _ in made):
                for url, fp, lastmod in made:
                    pages.keep(url, fp, lastmod)
            else:
                stale.append(record)
        pages.each(stale, self._write_record)

    def _write_record(self, record: PublishedRecord) -> None:
        pages = self.pages
        if not record.live:
            pages.write(record.url, "notice.html", sitemap=False, record=record, key=record.digest)
            return
        key, extra = self._record_key(record)
        pages.write(record.url, "record.html", lastmod=record.published, record=record, key=key, **extra)
        if record.type in POSTER_TYPES:
            pages.write(f"{record.url}poster/", "poster.html", sitemap=False, record=record, key=key, **extra)


def template_cache(root: Path, salt: str) -> FileSystemBytecodeCache:
    """Compiled templates kept between builds: compiling the theme cost a republish seconds.

    Jinja keys its cache by a template's source only, not by the environment's options, so the folder is
    named by the build's salt (code, theme, pelicanconf.py) and Jinja's version; other folders are removed."""
    folder = root / f"{salt[:16]}-{jinja2.__version__}"
    if root.is_dir():
        for old in root.iterdir():
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def get_generators(pelican_object: Any) -> type[Generator]:
    return RecordsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


__all__ = ["ListPage", "PageWriter", "RecordsGenerator", "register"]
