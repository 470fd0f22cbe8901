"""What goes into a search index: the live records of content/, as the site shows them (DESIGN §6).

Built from `publisher.core.content` only: a record that is held, withdrawn or expired never reached
content/ or is a withdrawal notice there (`live` is False), and every value is already masked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from publisher.core.content import FieldValue, PublishedRecord
from publisher.core.schema import RECORD_TYPES

from .analysis import ANALYZER_VERSION, compact

# Values matched whole as well as by their bigrams: a citizen pastes them from a letter or a certificate.
EXACT_FIELDS = ("decision_no", "credit_code", "cert_no", "permit_no", "party_name", "target_name", "name", "code",
                "id")
# Shown on the page masked, but not searchable: a masked ID number is no one's search term (as in feeds).
NOT_INDEXED = frozenset({"id_number", "id_type"})
EXCERPT_MAX = 160  # characters of the static index's per-record excerpt
# Fields an excerpt is made of, most telling first; other types use their first fields.
EXCERPT_FIELDS = {
    "penalties": ("party_name", "decision_no", "violation_type", "basis", "content"),
    "permits": ("party_name", "decision_no", "content", "permit_no"),
    "inspections": ("target_name", "item", "result", "handling"),
    "coercions": ("party_name", "decision_no", "coercion_class", "reason", "content"),
    "checks": ("party_name", "decision_no", "item", "result", "handling"),
    "levies": ("party_name", "decision_no", "item", "content"),
    "requisitions": ("party_name", "decision_no", "reason", "content", "compensation"),
    "officers": ("name", "cert_no", "unit", "cert_status"),
}


def _text(value: FieldValue) -> str:
    return "；".join(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class SearchDoc:
    """One searchable record; `body` is plain text (label：value lines), escaped only when shown."""

    key: str  # type/slug
    type: str
    url: str
    title: str
    date: str
    year: str
    department: str
    body: str
    exact: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.title + "\n" + self.body

    def excerpt(self) -> str:
        preferred = EXCERPT_FIELDS.get(self.type, ())
        lines = dict(line.split("：", 1) for line in self.body.split("\n") if "：" in line)
        rtype = RECORD_TYPES[self.type]
        labels = [rtype.field(n).zh for n in preferred if rtype.field(n).zh in lines] or list(lines)[:4]
        text = "；".join(f"{label}：{lines[label]}" for label in labels)
        return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


def search_doc(record: PublishedRecord) -> SearchDoc:
    fields = [(name, label, _text(value)) for name, label, value in record.labelled_fields()
              if name not in NOT_INDEXED and _text(value)]
    body = "\n".join(f"{label}：{value}" for _, label, value in fields)
    exact = tuple(dict.fromkeys(c for name, _, value in fields if name in EXACT_FIELDS and (c := compact(value))))
    return SearchDoc(key=f"{record.type}/{record.slug}", type=record.type, url=record.url, title=record.title,
                     date=record.date, year=record.year, department=record.department,
                     body=f"{record.rtype.zh}\n{body}", exact=exact)


def search_records(published: dict[str, list[PublishedRecord]]) -> list[PublishedRecord]:
    """What search finds: live records only, by type in schema order, newest first within a type."""
    return [r for type_key in RECORD_TYPES for r in published.get(type_key, []) if r.live]


def search_docs(published: dict[str, list[PublishedRecord]]) -> list[SearchDoc]:
    return [search_doc(r) for r in search_records(published)]


def docs_hash(docs: Iterable[SearchDoc], salt: str = "") -> str:
    """A short hash of the docs and the analyzer: same records, same hash, no rebuild."""
    digest = hashlib.sha256(f"{ANALYZER_VERSION}:{salt}".encode())
    for doc in docs:
        digest.update(json.dumps(asdict(doc), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]
