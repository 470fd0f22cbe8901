"""What goes into a search index: the live records of content/, as the site shows them (DESIGN §6).

Built from `publisher.core.content` only: a record that is held, withdrawn or expired never reached
content/ or is a withdrawal notice there (`live` is False), and every value is already masked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cached_property
from operator import attrgetter

from publisher.core.content import FieldValue, PublishedRecord
from publisher.core.schema import RECORD_TYPES, Kind
from publisher.site.agencies import agency_filter_key, agency_name
from publisher.site.decision import decision_subtitle
from publisher.site.parties import Party, collect_parties

from .analysis import ANALYZER_VERSION, match_key

# Values matched whole as well as by their bigrams: a citizen pastes them from a letter or a certificate.
EXACT_FIELDS = ("decision_no", "credit_code", "cert_no", "permit_no", "party_name", "target_name", "name", "code",
                "id")
# Shown on the page masked, but not searchable: a masked ID number is no one's search term (as in feeds).
NOT_INDEXED = frozenset({"id_number", "id_type"})
# Party profiles are searched beside the records (issue 15): the one search type that is not a record type.
PROFILE_TYPE = "parties"
PROFILE_ZH = "当事人信息"
# Search's type order (ranking and the type menu): profiles and decisions on parties first, then the rest.
_PARTY_FIRST = ("penalties", "permits", "inspections", "coercions", "checks", "levies", "requisitions")
SEARCH_TYPES = {PROFILE_TYPE: PROFILE_ZH} | {k: RECORD_TYPES[k].zh for k in _PARTY_FIRST if k in RECORD_TYPES} | {
    k: t.zh for k, t in RECORD_TYPES.items()}
# Fields whose value names the record's party, for the result's heading (as shown: masked for persons).
PARTY_FIELDS = ("party_name", "target_name")
# Kinds a snippet never shows: a date, an amount or a code-list word says nothing about why a record matched.
NOT_SNIPPET = frozenset({Kind.DATE, Kind.MONEY, Kind.BOOL, Kind.ENUM, Kind.ENUM_LIST})
# The agency's own name and codes, the same on every record: never why a record matched, and bytes in every row.
NOT_SNIPPET_FIELDS = frozenset({"authority", "authority_code", "source_unit", "source_unit_code"})
# On a unified platform, the key a record of one agency has (issue 19): no query produces it ("@" is dropped).
AGENCY_KEY = "@agency:"
SNIPPET_VALUE_MAX = 48  # characters of each field a snippet can show, in the static index and the service alike


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
    heading: str = ""  # what a result is titled: party name · type · 文号
    codes: tuple[str, ...] = ()  # the party's credit codes, matched by 8+ characters of them
    shown: tuple[tuple[str, str], ...] = ()  # (label, value cut to SNIPPET_VALUE_MAX) a snippet picks from
    published: str = ""  # first publication: the static index numbers records in this order (static.py)
    agency: str = ""  # on a unified platform: the publishing agency's key, an `agency=` filter

    @property
    def text(self) -> str:
        return self.title + "\n" + self.body


def cut(value: str) -> str:
    return value if len(value) <= SNIPPET_VALUE_MAX else value[:SNIPPET_VALUE_MAX - 1] + "…"


def heading_of(record: PublishedRecord) -> str:
    """Party name · record type · 文号 (or task, or the record's title when it names no party)."""
    values = dict(record.fields)
    party = next((_text(values[f]) for f in PARTY_FIELDS if values.get(f)), "")
    number = decision_subtitle(record)  # the line beneath a decision page's heading: 文号, or the task
    # On a unified platform every result says which agency published it: two agencies may share a 文号.
    agency = f"发布机关：{name}" if (name := agency_name(record)) else ""
    return " · ".join(p for p in (party, record.rtype.zh, number or (record.title if not party else ""), agency) if p)


def search_doc(record: PublishedRecord) -> SearchDoc:
    fields = [(name, label, _text(value)) for name, label, value in record.labelled_fields()
              if name not in NOT_INDEXED and _text(value)]
    body = "\n".join(f"{label}：{value}" for _, label, value in fields)
    if agency := agency_name(record):  # found by its agency's name too
        body += f"\n发布机关：{agency}"
    exact = tuple(dict.fromkeys(c for name, _, value in fields if name in EXACT_FIELDS and (c := match_key(value))))
    shown = tuple((label, cut(value)) for name, label, value in fields
                  if record.rtype.field(name).kind not in NOT_SNIPPET and name not in NOT_SNIPPET_FIELDS)
    codes = tuple(value for name, _, value in fields if name == "credit_code")
    return SearchDoc(key=f"{record.type}/{record.slug}", type=record.type, url=record.url, title=record.title,
                     date=record.date, year=record.year, department=record.department,
                     body=f"{record.rtype.zh}\n{body}", exact=exact, heading=heading_of(record), codes=codes,
                     shown=shown, published=record.published, agency=agency_filter_key(record))


def agency_term(key: str) -> str:
    """The key every record of the agency `key` has: an agency filter requires it."""
    return AGENCY_KEY + key


def profile_doc(party: Party) -> SearchDoc:
    """A party's profile as a search document: found by its names and its credit code (never a natural person:
    collect_parties has none)."""
    lines = [("名称", party.name), ("曾用名", "；".join(party.names[1:])), ("统一社会信用代码", party.credit_code)]
    lines = [(label, value) for label, value in lines if value]
    newest = party.records[0]
    return SearchDoc(key=f"{PROFILE_TYPE}/{party.credit_code}", type=PROFILE_TYPE, url=party.url, title=party.name,
                     date=newest.date, year=newest.year, department="",
                     body="\n".join(f"{label}：{value}" for label, value in lines),
                     exact=tuple(dict.fromkeys(k for n in (*party.names, party.credit_code) if (k := match_key(n)))),
                     heading=f"{party.name} · {PROFILE_ZH}", codes=(party.credit_code,),
                     shown=tuple((label, cut(value)) for label, value in lines),
                     published=min(r.published for r in party.records))


def profile_docs(parties: Mapping[str, Party]) -> list[SearchDoc]:
    """The search documents of party profiles (`collect_parties`), in its order."""
    return [profile_doc(p) for p in parties.values()]


def search_records(published: dict[str, list[PublishedRecord]]) -> list[PublishedRecord]:
    """What search finds: live records only, by type in schema order, newest first within a type."""
    live = attrgetter("live")  # filter() in C: a province's 100k records are listed by every build
    return [r for type_key in RECORD_TYPES for r in filter(live, published.get(type_key, ()))]


def profile_digest(doc: SearchDoc) -> str:
    """A party profile's version: profiles are made from several records, so hashed as made."""
    return hashlib.blake2b(repr(doc).encode(), digest_size=16).hexdigest()


class SiteDocuments:
    """Every search document of a site, in search_docs order: its key, version (digest) and URL, and how to make
    it. Listed once a build in C-level passes (no object per record) and shared by both indexes, which compare it
    with what they hold and make only the documents that changed (issue 18)."""

    def __init__(self, keys: list[str], digests: list[str], urls: list[str], make: Callable[[int], SearchDoc],
                 records_from: int = 0) -> None:
        self.keys, self.digests, self.urls, self.make = keys, digests, urls, make  # make(i): the document at i
        self.records_from = records_from  # the profiles come first

    @classmethod
    def of(cls, profiles: list[SearchDoc], records: list[PublishedRecord]) -> SiteDocuments:
        """The party `profiles` (`profile_docs`), then the live `records` (`search_records`)."""
        n = len(profiles)

        def make(i: int) -> SearchDoc:
            return profiles[i] if i < n else search_doc(records[i - n])

        keys = list(map("/".join, map(attrgetter("type", "slug"), records)))
        return cls([d.key for d in profiles] + keys,
                   [profile_digest(d) for d in profiles] + list(map(attrgetter("digest"), records)),
                   # record_url's "/<type>/<slug>/", in C: a record's `url` property is Python, 16 µs the first time
                   [d.url for d in profiles] + list(map("/{}/".format, keys)), make, n)

    def __len__(self) -> int:
        return len(self.keys)

    @cached_property
    def position(self) -> dict[str, int]:
        """Each key's position (the last, for a key listed twice)."""
        return dict(zip(self.keys, range(len(self.keys)), strict=True))

    @cached_property
    def url_position(self) -> dict[str, int]:
        """Each URL's position (the last, for a URL listed twice)."""
        return dict(zip(self.urls, range(len(self.urls)), strict=True))

    @cached_property
    def records_lines(self) -> bytes:
        """Each record's URL and digest, a tab apart, a line each: what names an index (not the profiles: they are
        made from the records)."""
        n = self.records_from
        return "".join(map("{}\t{}\n".format, self.urls[n:], self.digests[n:])).encode()


def site_documents(published: dict[str, list[PublishedRecord]], profiles: list[SearchDoc]) -> SiteDocuments:
    """The documents of content/'s live records and of the party `profiles` (`profile_docs`) made from them."""
    return SiteDocuments.of(profiles, search_records(published))


def search_docs(published: dict[str, list[PublishedRecord]]) -> list[SearchDoc]:
    """Every search document: party profiles, then the live records."""
    return profile_docs(collect_parties(published)) + [search_doc(r) for r in search_records(published)]


def docs_hash(docs: Iterable[SearchDoc], salt: str = "") -> str:
    """A short hash of the docs and the analyzer: same records, same hash, no rebuild."""
    digest = hashlib.sha256(f"{ANALYZER_VERSION}:{salt}".encode())
    for doc in docs:
        digest.update(json.dumps(asdict(doc), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]
