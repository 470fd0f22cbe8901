"""Open data by year: each type's records split by decision year, each year's rows encoded once and kept.

A year's encoded rows (CSV lines, JSON records) are kept in the state folder, named by what they are made of
(the build's salt, the format, the type's columns, the site's URL and the digests of the year's records): a
republish that changes one record encodes one year of one type. The year's own file and the whole-type file
are a header, the years' rows and a tail joined bytewise, so both equal a file encoded in one go.
A cached part carries a digest of its bytes and is encoded again if it does not match.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher.core.content import PublishedRecord, digest_of
from publisher.core.files import write_atomic
from publisher.core.schema import RECORD_TYPES

_CHECK = 16  # bytes of the blake2b digest a cached part ends with


@dataclass(frozen=True)
class YearPart:
    """The records of one decision year, in the dataset's order; year "" for records without one."""

    year: str
    records: list[PublishedRecord]

    @property
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


class PartCache:
    """Encoded parts by key, in a folder of the build's state; `prune` drops what this build did not ask for."""

    def __init__(self, folder: Path | None, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.live: set[str] = set()
        self.encoded: list[str] = []  # names of the parts this build had to encode (for the tests and the note)

    def name(self, *key: object) -> str:
        return hashlib.blake2b(repr((self.salt, *key)).encode(), digest_size=16).hexdigest()

    def get(self, name: str, encode: Callable[[], bytes]) -> bytes:
        self.live.add(name)
        path = self.folder / name if self.folder is not None else None
        if path is not None:
            try:
                data = path.read_bytes()
            except OSError:
                data = b""
            body, check = data[:-_CHECK], data[-_CHECK:]
            if len(data) >= _CHECK and hashlib.blake2b(body, digest_size=_CHECK).digest() == check:
                return body
        body = encode()
        self.encoded.append(name)
        if path is not None:
            write_atomic(path, body + hashlib.blake2b(body, digest_size=_CHECK).digest(), mode=0o600)
        return body

    def keep(self, name: str) -> None:
        """A part this build's files are made of, though it was not read (its files were unchanged)."""
        self.live.add(name)

    def prune(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for entry in os.scandir(self.folder):
            if entry.name not in self.live and not entry.name.startswith(".tmp-"):
                Path(entry.path).unlink(missing_ok=True)
