"""Plain data passed between the pipeline's stages: raw rows, parsed records, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

    def extend(self, other: SourceResult) -> None:
        self.rows.extend(other.rows)
        self.failures.extend(other.failures)
        self.notes.extend(other.notes)
        self.pieces.extend(other.pieces)


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

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value
