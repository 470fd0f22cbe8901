"""Open data by year: each type's records split by decision year, and each year's by month, each month's rows
encoded once and kept.

A month's encoded rows (CSV lines, JSON records, template rows) are kept in the state folder, named by what they
are made of (the build's salt, the format, the type's columns, the site's URL and the digests of the month's
records): a republish that changes one record encodes one month of one type. A year's rows are its months' joined
bytewise, and the year's own file and the whole-type file are a header, the years' rows and a tail, so each equals
a file encoded in one go.
A cached part carries a digest of its bytes and is encoded again if it does not match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby

from publisher.core.content import PublishedRecord, digest_of
from publisher.core.schema import RECORD_TYPES


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

    def encoded(self, name: Callable[[str], str], get: Callable[[str, Callable[[], bytes]], bytes],
                encode: Callable[[list[PublishedRecord]], bytes], sep: bytes = b"") -> bytes:
        """The year's rows in one format: its months' rows (each `get` by `name` of its digest, else `encode`d),
        joined by `sep` where both sides have rows."""
        parts = (get(name(m.digest), lambda m=m: encode(m.records)) for m in self.months)
        return sep.join(part for part in parts if part) if sep else b"".join(parts)


@dataclass(frozen=True)
class Month:
    records: list[PublishedRecord]

    @cached_property
    def digest(self) -> str:
        return digest_of(self.records)


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
