"""RSS 2.0 and Atom feeds per record type and for everything (DESIGN §5), as a Pelican plugin.

Feeds are built from `publisher.core.content` (content/) alone, like every public output (DESIGN §6):
only live records appear, and only the fields a detail page shows. Output is deterministic and a
feed is rewritten only when its bytes change, so an unchanged feed keeps its mtime and ETag.
"""

from __future__ import annotations

import heapq
import html
import re
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator
from pelican import signals
from pelican.generators import Generator

from publisher.core.config import Config
from publisher.core.content import FieldValue, PublishedRecord
from publisher.core.files import write_if_changed
from publisher.core.schema import RECORD_TYPES
from publisher.site.agencies import agency_name
from publisher.site.context import build_context
from publisher.site.listing import ALL_FEED_ZH
from publisher.site.precompress import write_twin

# Not allowed in XML 1.0 (lxml refuses them, which would stop the build): dropped from a feed's text only.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FEEDS_DIR = "feeds"
ALL = "all"
ALL_ZH = ALL_FEED_ZH
KINDS = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
KIND_NAMES = {"rss": "RSS", "atom": "Atom"}
SUMMARY_FIELDS_MAX = 5
SUMMARY_VALUE_MAX = 80  # characters; a feed summary is a teaser, the page has the full text
# The fields a subscriber most needs, per type; other types use their first labelled fields.
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "penalties": ("party_name", "violation_type", "penalty_class", "fine", "decision_date"),
    "permits": ("party_name", "decision_doc_name", "permit_class", "content", "decision_date"),
    "inspections": ("target_name", "item", "result", "inspection_date", "authority"),
    "coercions": ("party_name", "coercion_kind", "coercion_class", "content", "decision_date"),
    "checks": ("party_name", "check_class", "item", "result", "decision_date"),
    "levies": ("party_name", "item", "amount", "payment_due", "decision_date"),
    "requisitions": ("party_name", "requisition_class", "content", "period_to", "decision_date"),
    "officers": ("name", "cert_no", "unit", "field", "cert_status"),
}
# Never in a summary even though masked on the page: a feed is copied around more than a page.
SUMMARY_EXCLUDED = frozenset({"id_number", "id_type"})
# An empty feed still needs an Atom <updated>; a constant keeps it byte-identical across builds.
EMPTY_FEED_DATE = date(2000, 1, 1)
# Pelican's own feeds are built from articles and would land on the same paths; this plugin owns feeds/.
PELICAN_FEED_SETTINGS = tuple(f"{name}_{kind}" for name in ("FEED", "FEED_ALL", "CATEGORY_FEED", "AUTHOR_FEED",
                                                              "TAG_FEED", "TRANSLATION_FEED")
                              for kind in ("ATOM", "RSS"))


def feed_path(key: str, kind: str) -> str:
    """Site-relative path of a feed: /feeds/<type|all>.<rss|atom>.xml."""
    return f"/{FEEDS_DIR}/{key}.{kind}.xml"


def feed_title(key: str, config: Config) -> str:
    """The feed's Chinese title, e.g. 示例县林业和草原局 · 行政处罚."""
    owner = config.site.agency or config.site.name
    return f"{owner} · {ALL_ZH if key == ALL else RECORD_TYPES[key].zh}"


def feed_links(type_key: str | None, config: Config) -> list[dict[str, str]]:
    """`<link rel="alternate">` data for a page's <head>: the type's feeds, or all feeds' for None."""
    key = type_key or ALL
    title = feed_title(key, config)
    return [{"rel": "alternate", "type": mime, "title": f"{title}（{KIND_NAMES[kind]}）",
             "href": config.site.url + feed_path(key, kind)} for kind, mime in KINDS.items()]


def write_feeds(published: dict[str, list[PublishedRecord]], config: Config, output_dir: Path,
                limit: int = 50) -> list[Path]:
    """Write every feed under `output_dir`/feeds; return the files whose bytes changed."""
    tz = ZoneInfo(config.site.timezone)
    written = []
    for key, live in feed_scopes(published, limit).items():
        for kind in KINDS:
            data = _render(key, kind, live, config, tz)
            path = output_dir / feed_path(key, kind).lstrip("/")
            changed = write_if_changed(path, data)
            write_twin(path, data, changed)
            if changed:
                written.append(path)
    return written


def feed_scopes(published: dict[str, list[PublishedRecord]], limit: int) -> dict[str, list[PublishedRecord]]:
    """Each feed's records: the newest `limit` live ones of its type, or of every type for `all`."""
    scopes: dict[str, list[PublishedRecord]] = {}
    for key in RECORD_TYPES:
        # nlargest equals sorted(reverse=True)[:limit], ties included, without sorting the whole list
        scopes[key] = heapq.nlargest(limit, (r for r in published.get(key, []) if r.live), key=_newest_first)
    scopes[ALL] = heapq.nlargest(limit, (r for key in RECORD_TYPES for r in scopes[key]), key=_newest_first)
    return scopes


def _newest_first(record: PublishedRecord) -> tuple[str, str, str, str]:
    return (record.date, record.published, record.type, record.slug)


def _render(key: str, kind: str, records: list[PublishedRecord], config: Config, tz: ZoneInfo) -> bytes:
    site = config.site.url
    title = feed_title(key, config)
    fg = FeedGenerator()
    fg.id(site + feed_path(key, kind))
    fg.title(title)
    fg.description(f"{title}：最新公示的{len(records)}条信息" if records else f"{title}：暂无公示信息")
    fg.author({"name": config.site.agency or config.site.name})
    fg.language("zh-CN")
    fg.generator("enforcement-portal")  # feedgen's default carries its version: an upgrade would change every feed
    fg.link(href=site + feed_path(key, kind), rel="self", type=KINDS[kind])
    fg.link(href=site + ("/" if key == ALL else f"/{key}/"), rel="alternate", type="text/html")  # RSS <link>: last
    dates = [_when(r, tz) for r in records]
    newest = max(dates, default=datetime.combine(EMPTY_FEED_DATE, time(), tz))
    fg.updated(newest)  # also sets RSS lastBuildDate; feedgen's default (now) would change every build
    for record, when in zip(records, dates, strict=True):
        url = site + record.url
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.link(href=url, rel="alternate", type="text/html")
        # Plain text (published.py); lxml escapes it once.
        entry.title(XML_ILLEGAL.sub("", f"【{record.rtype.zh}】{record.title}"))
        summary = _summary(record)
        # RSS <description> is HTML by convention, so record text is escaped once more there; Atom's is plain text.
        entry.summary(html.escape(summary, quote=False) if kind == "rss" else summary,
                      type=None if kind == "rss" else "text")
        entry.published(when)
        entry.updated(when)
    return fg.rss_str(pretty=True) if kind == "rss" else fg.atom_str(pretty=True)


def _when(record: PublishedRecord, tz: ZoneInfo) -> datetime:
    """The day the record was first shown (else its own date), at 00:00 local time."""
    for text in (record.published, record.date):
        try:
            return datetime.combine(date.fromisoformat(text), time(), tz)
        except ValueError:
            continue
    return datetime.combine(EMPTY_FEED_DATE, time(), tz)


def _summary(record: PublishedRecord) -> str:
    """Plain text of a few shown fields: 行政相对人名称：张**；处罚类别：罚款；…"""
    labelled = [f for f in record.labelled_fields() if f[0] not in SUMMARY_EXCLUDED]
    preferred = SUMMARY_FIELDS.get(record.type)
    if preferred:
        by_name = {name: (name, label, value) for name, label, value in labelled}
        labelled = [by_name[n] for n in preferred if n in by_name] or labelled
    parts = [f"{label}：{_short(value)}" for _, label, value in labelled[:SUMMARY_FIELDS_MAX]]
    if agency := agency_name(record):  # a unified platform (issue 19): who published it
        parts.insert(0, f"发布机关：{_short(agency)}")
    return "；".join(parts)


def _short(value: FieldValue) -> str:
    text = " ".join(XML_ILLEGAL.sub("", "、".join(value) if isinstance(value, tuple) else value).split())
    return text if len(text) <= SUMMARY_VALUE_MAX else text[: SUMMARY_VALUE_MAX - 1] + "…"


class FeedsGenerator(Generator):
    """Writes the feeds after the records generator has put content/'s records in the context."""

    def generate_output(self, writer: Any) -> None:
        build = build_context(self.settings)
        config, pages = build.config, build.pages
        tz = ZoneInfo(config.site.timezone)
        # Through the page writer, keyed by the records shown: an unchanged feed is not rendered again.
        for key, live in feed_scopes(build.published, build.feed_limit).items():
            for kind in KINDS:
                pages.write_text(feed_path(key, kind), partial(_render, key, kind, live, config, tz),
                                 key=tuple(r.digest for r in live))


def get_generators(pelican_object: Any) -> type[Generator]:
    return FeedsGenerator


def disable_pelican_feeds(pelican_object: Any) -> None:
    for key in PELICAN_FEED_SETTINGS:
        pelican_object.settings[key] = None


def register() -> None:
    signals.initialized.connect(disable_pelican_feeds)
    signals.get_generators.connect(get_generators)
