"""Open data by year: each type's records split by decision year, and each year's by month, each month's rows
encoded once and kept.

A month's encoded rows (CSV lines, JSON records, template rows) are kept in the state folder, named by what they
are made of (the build's salt, the format, the type's columns, the site's URL and the digests of the month's
records): a republish that changes one record encodes one month of one type. A year's rows are its months' joined
bytewise, and the year's own file and the whole-type file are a header, the years' rows and a tail, so each equals
a file encoded in one go. So are a month's facts (its other fields, live count, newest day) and its rows' deflated
blocks (the gzip twins'), so a republish reads the facts of the months that changed only.
A cached part carries a digest of its bytes and is encoded again if it does not match.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby

import orjson

from publisher.core.content import PublishedRecord, digest_of
from publisher.core.schema import RECORD_TYPES
from publisher.site.opendata.tables import is_unified, last_updated, live, other_fields
from publisher.site.part_cache import PartCache
from publisher.site.precompress import Piece


@dataclass(frozen=True)
class YearPart:
    """The records of one decision year, in the dataset's order; year "" for records without one."""

    year: str
    records: list[PublishedRecord]

    @cached_property  # asked for by every file of the year: its records are many
    def digest(self) -> str:
        return digest_of(self.records)

    @cached_property
    def months(self) -> list[Month]:
        """The records in runs of one month of their date (content/ orders them by date): what a change re-encodes;
        30k penalties a year at 100k took seconds to encode again for one record."""
        return [Month(list(rs)) for _, rs in groupby(self.records, key=lambda r: r.date[:7])]

    def pieces(self, name: Callable[[str], str], cache: PartCache,
               encode: Callable[[list[PublishedRecord]], bytes]) -> list[Piece]:
        """The year's rows in one format as its months' rows (each kept by `name` of its digest, else `encode`d),
        each with the name its deflated blocks are kept under: a twin deflates the months that changed only."""
        return [Piece(cache.get(n, functools.partial(encode, m.records)),
                      functools.partial(cache.get, deflated_name(cache, n)))
                for m in self.months for n in (name(m.digest),)]


def deflated_name(cache: PartCache, name: str) -> str:
    """Where the deflated blocks of the part kept as `name` are kept."""
    return cache.name("deflated", name)


@dataclass(frozen=True)
class Month:
    records: list[PublishedRecord]

    @cached_property
    def digest(self) -> str:
        return digest_of(self.records)


@dataclass(frozen=True)
class MonthFacts:
    """What the catalogue and the files' headers need of a month: its fields beyond the type's, in the order they
    first come; its live records; its newest day; whether agencies are named."""

    others: list[str]
    live: int
    updated: str
    unified: bool


def month_facts(type_key: str, month: Month, cache: PartCache) -> MonthFacts:
    """A month's facts, kept by its digest; made again from its records if the kept ones are not well formed."""
    def made() -> MonthFacts:
        rows = live(month.records)
        return MonthFacts(other_fields(type_key, rows), len(rows), last_updated(month.records),
                          is_unified(month.records))

    kept = cache.get(cache.name("facts", type_key, month.digest),
                     lambda: orjson.dumps(_fields(made())))
    try:
        others, count, updated, unified = orjson.loads(kept)
        if (isinstance(others, list) and all(isinstance(o, str) for o in others) and type(count) is int
                and isinstance(updated, str) and isinstance(unified, bool)):
            return MonthFacts(others, count, updated, unified)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        pass
    return made()


def _fields(facts: MonthFacts) -> list[object]:
    return [facts.others, facts.live, facts.updated, facts.unified]


class TypeData:
    """A type's records by decision year and month, with the months' facts: what the catalogue and each of the
    type's files is made of, made once a build, reading the facts of the months that changed only."""

    def __init__(self, type_key: str, records: list[PublishedRecord], cache: PartCache) -> None:
        self.type_key, self.records, self.cache = type_key, records, cache
        self.parts = year_parts(type_key, records)

    @cached_property  # the key of each whole-type file: its records in the file's order
    def digest(self) -> str:
        return digest_of(in_year_order(self.parts))

    @cached_property
    def facts(self) -> dict[str, list[MonthFacts]]:
        """Each year's months' facts, by year."""
        return {p.year: [month_facts(self.type_key, m, self.cache) for m in p.months] for p in self.parts}

    def live(self, year: str | None = None) -> int:
        """The live records (of one year)."""
        return sum(f.live for y, months in self.facts.items() if year in (None, y) for f in months)

    def updated(self, year: str | None = None) -> str:
        """`last_updated` of the records (of one year)."""
        return max((f.updated for y, months in self.facts.items() if year in (None, y) for f in months),
                   default="") or ""

    @cached_property
    def unified(self) -> bool:
        return any(f.unified for months in self.facts.values() for f in months)

    @cached_property
    def years(self) -> list[str]:
        """`years_of` the records: the decision years with live records, newest first."""
        return sorted((y for y, months in self.facts.items() if y and any(f.live for f in months)), reverse=True)

    @cached_property
    def others(self) -> list[str]:
        """`other_fields` of the live records, in the dataset's order: the months' in order."""
        if len(in_year_order(self.parts)) != len(self.records) or any(
                a is not b for a, b in zip(in_year_order(self.parts), self.records, strict=True)):
            return other_fields(self.type_key, live(self.records))  # years not one after another: read them all
        return list(dict.fromkeys(o for months in self.facts.values() for f in months for o in f.others))


def year_parts(type_key: str, records: list[PublishedRecord]) -> list[YearPart]:
    """A type's records by decision year, years in the order they first come (content/ is newest first);
    a type without a decision date (subjects, officers, …) is one part."""
    if RECORD_TYPES[type_key].date_field is None:
        return [YearPart("", list(records))]
    groups: dict[str, list[PublishedRecord]] = {}
    for r in records:
        groups.setdefault(r.year, []).append(r)
    return [YearPart(year, rs) for year, rs in groups.items()]


def in_year_order(parts: list[YearPart]) -> list[PublishedRecord]:
    """The records as the whole-type file lists them: the parts one after another."""
    return [r for p in parts for r in p.records]
