"""Plain data passed between the pipeline's stages: raw rows, parsed records, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from publisher.core.agencies import AgencyStatus
from publisher.core.content import Origin as AgencyOrigin

# A row a `portal` source read from an agency's published site carries where it comes from in these
# values (no source's column maps to them): the agency, its key, the record's page and slug there, and
# the day it first showed it. They scope the record's identity and slug to the agency (issue 19).
AGENCY_NAME, AGENCY_KEY, AGENCY_URL, AGENCY_SLUG, AGENCY_PUBLISHED = (
    "agency:name", "agency:key", "agency:url", "agency:slug", "agency:published")


@dataclass(frozen=True)
class Origin:
    """Where a row came from, as a clerk would look for it."""

    source: str  # the source as configured, e.g. "files:data/sample"
    file: str  # file name, table or query name, or URL
    row: int  # spreadsheet-style row number (the header is row 1), or 1-based item index

    def __str__(self) -> str:
        return f"{self.file} 第{self.row}行"


@dataclass
class RawRow:
    """One row as a source read it: field names already mapped from headers, values as text."""

    type: str
    values: dict[str, str]
    origin: Origin


@dataclass(frozen=True)
class SourceFailure:
    """A source, or one of its files, could not be read. The type (or all, if None) is stopped."""

    source: str
    type: str | None
    location: str
    message: str


@dataclass(frozen=True)
class SourceNote:
    """Something a clerk should know that does not stop anything (e.g. an unknown column)."""

    source: str
    location: str
    message: str


@dataclass
class SourceResult:
    rows: list[RawRow] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    notes: list[SourceNote] = field(default_factory=list)
    # Files read through a snapshot store (publisher.pull.sources.snapshots.Piece): their rows, failures
    # and notes are in each piece, parsed in this run or remembered, and not in the lists above.
    pieces: list[Any] = field(default_factory=list)
    # Federated agencies (`portal` sources): pages (type, slug prefix) kept as they are this run, because
    # their agency could not be read, was refused or returned nothing; why a page's record is gone, by
    # (type, slug), as the agency says; and how each agency went.
    held: set[tuple[str, str]] = field(default_factory=set)
    gone_reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    agencies: list[AgencyStatus] = field(default_factory=list)
    seen_heads: dict[str, dict[str, Any]] = field(default_factory=dict)  # state file -> heads verified, to keep

    def extend(self, other: SourceResult) -> None:
        self.rows.extend(other.rows)
        self.failures.extend(other.failures)
        self.notes.extend(other.notes)
        self.pieces.extend(other.pieces)
        self.held |= other.held
        self.gone_reasons |= other.gone_reasons
        self.agencies.extend(other.agencies)
        self.seen_heads |= other.seen_heads

    def is_held(self, type_key: str, slug: str) -> bool:
        """Whether a page belongs to an agency whose records stay as they are this run."""
        prefix = slug.split("-", 1)[0] + "-"
        return (type_key, prefix) in self.held


@dataclass(frozen=True)
class Problem:
    """Why a row was rejected: the field and the rule it broke."""

    field: str | None
    rule: str
    message: str


@dataclass
class Record:
    """A valid row: typed values (str, date, Decimal, list[str], bool or None) by field name."""

    type: str
    key: str  # normalised natural key
    slug: str
    values: dict[str, Any]
    origin: Origin
    agency: AgencyOrigin | None = None  # on a unified platform: the agency that published it

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value
