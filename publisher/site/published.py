"""The read side of content/: what the site, feeds, sitemap and search are built from.

DESIGN §6: everything public is built from content/ and the configuration alone. This module
is the one place that reads content/ for them, so no plugin reads a source or re-applies a rule.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from publisher.core.content import parse_metadata, read_fields
from publisher.core.schema import RECORD_TYPES, RecordType

FieldValue = str | tuple[str, ...]


@dataclass(frozen=True)
class PublishedRecord:
    """One page of content/: a shown record, or the notice that replaced a withdrawn one."""

    type: str
    slug: str
    title: str  # plain text: templates escape it
    date: str  # the record's own date (decision, inspection) or its first publication
    published: str
    state: str  # live | withdrawn
    fields: tuple[tuple[str, FieldValue], ...]
    withdrawn: str = ""
    withdrawal_reason: str = ""
    digest: str = ""  # of the content file's bytes: what a page built from this record depends on

    @property
    def live(self) -> bool:
        return self.state == "live"

    @property
    def rtype(self) -> RecordType:
        return RECORD_TYPES[self.type]

    @property
    def url(self) -> str:
        """Site-relative URL (DESIGN §2): /<type>/<slug>/."""
        return record_url(self.type, self.slug)

    @cached_property
    def values(self) -> dict[str, FieldValue]:
        return dict(self.fields)

    def value(self, name: str, default: str = "") -> FieldValue:
        return self.values.get(name, default)

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def department(self) -> str:
        value = self.values.get("department") or self.values.get("unit") or ""
        return value if isinstance(value, str) else "；".join(value)

    def labelled_fields(self) -> list[tuple[str, str, FieldValue]]:
        """(field name, Chinese template label, value) in template order."""
        return [(name, self.rtype.field(name).zh, value) for name, value in self.fields]


def digest_of(records: list[PublishedRecord]) -> str:
    """One digest for a list of records, in order: the key of a page or file made from all of them."""
    return hashlib.blake2b("".join(r.digest for r in records).encode(), digest_size=16).hexdigest()


def record_url(type_key: str, slug: str) -> str:
    return f"/{type_key}/{slug}/"


def load_record(path: Path, type_key: str) -> PublishedRecord | None:
    data = path.read_bytes()
    meta = parse_metadata(data.decode("utf-8").splitlines())
    if meta.get("record-type") != type_key or "slug" not in meta:
        return None  # not a page the publisher wrote
    return PublishedRecord(
        type=type_key,
        slug=meta["slug"],
        title=html.unescape(meta.get("title", "")),
        date=meta.get("date", ""),
        published=meta.get("published", ""),
        state=meta.get("state", "live"),
        fields=tuple((n, tuple(v) if isinstance(v, list) else v) for n, v in read_fields(meta)),
        withdrawn=meta.get("withdrawn", ""),
        withdrawal_reason=meta.get("withdrawal-reason", ""),
        digest=hashlib.blake2b(data, digest_size=16).hexdigest(),
    )


def load_published(content_dir: Path) -> dict[str, list[PublishedRecord]]:
    """Every page of content/ by type, newest first (by date, then slug for a stable order)."""
    out: dict[str, list[PublishedRecord]] = {}
    for type_key in RECORD_TYPES:
        folder = content_dir / type_key
        records = [r for p in sorted(folder.glob("*.md")) if (r := load_record(p, type_key))] if folder.is_dir() else []
        records.sort(key=lambda r: (r.date, r.slug), reverse=True)
        out[type_key] = records
    return out


def published_for(context: dict, content_dir: Path) -> dict[str, list[PublishedRecord]]:
    """What the records plugin loaded into a Pelican context; read content/ the same way without it."""
    published = context.get("PUBLISHED")
    return published if published is not None else load_published(content_dir)
