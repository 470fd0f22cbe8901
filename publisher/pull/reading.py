"""Every source row past the intake, known by hashes, its cells loaded only when the row is judged afresh.

Rows of a file whose bytes did not change come from the snapshot store (publisher.pull.sources.snapshots)
without parsing; rows of a changed file are parsed once, and only those whose cells are new go through
the intake again (a row's intake depends on its cells, the configuration and the code, all in the
store's version). A changed file's row read from a table is first known by a hash of its cells and
columns (tables.TableRow.cells_hash): one the file had before makes no values, row hash or intake.
Everything a plan needs of an unchanged row (type, place, hash, key) is remembered;
its cells are read again (the file parsed once more) only when the plan must judge it afresh.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from publisher.core.config import IntakeConfig
from publisher.core.schema import RECORD_TYPES
from publisher.pull.intake import NoteParts, cell_notes, take_in_row
from publisher.pull.memo import row_hash
from publisher.pull.rows import Origin, Problem, RawRow, SourceFailure, SourceNote, SourceResult
from publisher.pull.sources.snapshots import Piece, Snapshots
from publisher.pull.sources.tables import TableRow
from publisher.pull.validation import legacy_key, normalise_key

Complete = Callable[[RawRow], RawRow]  # the national template's fill-in rules (validation.complete_row)
# What a file's row was, as stored: type, location, row number, hash as read, hash past the intake (None:
# refused), natural key cell as read, what was cleaned per cell, (refused only) the problems, and the hash of
# its cells (tables.TableRow.cells_hash; None for a row not read from a table's full row).
StoredRow = tuple[str, str, int, str, str | None, str, NoteParts, tuple[Problem, ...], str | None]


class SourceChanged(Exception):
    """A file changed between the check that it had not and the reading of its cells: plan again."""


class ReadRow:
    """One accepted row: what the memo knows it by, and its cleaned cells on demand."""

    __slots__ = ("type", "origin", "digest", "key_cell", "_raw", "_load")

    def __init__(self, type_: str, origin: Origin, digest: str, key_cell: str, raw: RawRow | None,
                 load: Callable[[ReadRow], RawRow] | None = None) -> None:
        self.type, self.origin, self.digest, self.key_cell = type_, origin, digest, key_cell
        self._raw, self._load = raw, load

    def raw(self) -> RawRow:
        if self._raw is None:
            assert self._load is not None
            self._raw = self._load(self)
        return self._raw


@dataclass
class Reading:
    rows: list[ReadRow] = field(default_factory=list)
    refused: list[tuple[RawRow, list[Problem]]] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    notes: list[SourceNote] = field(default_factory=list)  # the sources' notes, then the intake's
    types: set[str] = field(default_factory=set)  # every type a row was read of (refused rows too)
    key_cells: list[tuple[str, str]] = field(default_factory=list)  # (type, key as read) whose older form differs
    fingerprints: dict[str, str] = field(default_factory=dict)  # source -> hash of its rows' hashes
    parsed: int = 0  # files parsed in this run
    remembered: int = 0  # files known unchanged, not parsed


def read_rows(result: SourceResult, limits: IntakeConfig, complete: Complete,
              snapshots: Snapshots | None = None) -> Reading:
    """The rows of every source through the intake; pieces (files) through the snapshot store."""
    reading = Reading()
    intake_notes: list[SourceNote] = []
    digests: dict[str, Any] = defaultdict(hashlib.sha256)
    fresh = _Fresh(result.rows, None, limits, complete, stored=False)
    fresh.into(reading, intake_notes, digests)
    result.rows.clear()  # taken in: the source's own copies of the cells need not stay (a 100k import's)
    reading.failures.extend(result.failures)
    reading.notes.extend(result.notes)
    for piece in result.pieces:
        if piece.unchanged:
            assert piece.known is not None
            _remembered(piece, reading, intake_notes, digests, limits, complete)
            reading.remembered += 1
            if snapshots is not None and piece.known.stamp != piece.stamp:
                snapshots.remember(piece, piece.known.remembered)  # touched, same bytes: keep the new stamp
            continue
        assert piece.result is not None
        old = piece.known.remembered if piece.known is not None else None
        fresh = _Fresh(piece.result.rows, old, limits, complete)
        stored = fresh.into(reading, intake_notes, digests)
        piece.result.rows.clear()
        reading.failures.extend(piece.result.failures)
        reading.notes.extend(piece.result.notes)
        reading.parsed += piece.keep
        if snapshots is not None and piece.keep:
            snapshots.remember(piece, (stored, piece.result.failures, piece.result.notes))
    for failure in reading.failures:
        digests[failure.source].update(f"failed:{failure.location}:{failure.message}".encode())
    reading.fingerprints = {source: d.hexdigest() for source, d in sorted(digests.items())}
    reading.notes.extend(intake_notes)
    return reading


def _key_cell(raw: RawRow) -> str:
    """The natural key as read when its identity form changed since pages were first published, else ""."""
    cell = (raw.values.get(RECORD_TYPES[raw.type].natural_key) or "").strip()
    return cell if cell and normalise_key(cell) != legacy_key(cell) else ""


class _Fresh:
    """Rows parsed in this run; those whose cells a file had before keep what the intake made of them."""

    def __init__(self, rows: list[RawRow], old: Any, limits: IntakeConfig, complete: Complete,
                 stored: bool = True) -> None:
        self.rows, self.limits, self.complete = rows, limits, complete
        self.stored = stored  # its rows are stored (a file's): their cells are hashed, for the next run
        self.before: dict[str, StoredRow] = {r[3]: r for r in old[0]} if old else {}
        self.by_cells: dict[str, StoredRow] = {r[8]: r for r in old[0] if r[8] is not None} if old else {}

    def into(self, reading: Reading, notes: list[SourceNote], digests: dict[str, Any]) -> list[StoredRow]:
        stored: list[StoredRow] = []
        for raw in self.rows:
            cells = raw.cells_hash() if self.stored and isinstance(raw, TableRow) else None
            known = self.by_cells.get(cells) if cells is not None else None  # its cells as stored: no values made
            source_hash = known[3] if known is not None else row_hash(raw)
            digests[raw.origin.source].update(source_hash.encode())
            reading.types.add(raw.type)
            if known is None:
                known = self.before.get(source_hash)
            key = known[5] if known is not None else _key_cell(raw)  # the same cells: the same key as read
            if key:
                reading.key_cells.append((raw.type, key))
            if known is not None and known[4] is not None:  # same cells as before: same intake, no cleaning
                digest, changed = known[4], known[6]
                reading.rows.append(ReadRow(raw.type, raw.origin, digest, key, None, self._take_in(raw)))
                refused = None
            else:
                cleaned, problems, changed = take_in_row(raw, self.limits)
                refused = (cleaned.values, problems) if problems else None
                if problems:
                    reading.refused.append((cleaned, problems))
                    digest = None
                else:
                    completed = self.complete(cleaned)
                    digest = row_hash(completed)
                    reading.rows.append(ReadRow(raw.type, raw.origin, digest, key, completed))
            if changed:
                notes.extend(cell_notes(raw, changed))
            stored.append((raw.type, raw.origin.file, raw.origin.row, source_hash, digest, key, changed, refused,
                           cells))
        return stored

    def _take_in(self, raw: RawRow) -> Callable[[ReadRow], RawRow]:
        def load(_: ReadRow) -> RawRow:
            return self.complete(take_in_row(raw, self.limits)[0])
        return load


def _remembered(piece: Piece, reading: Reading, notes: list[SourceNote], digests: dict[str, Any],
                limits: IntakeConfig, complete: Complete) -> None:
    """An unchanged file's rows from the store; its cells are parsed again only if a row needs them."""
    assert piece.known is not None
    stored, failures, source_notes = piece.known.remembered
    reading.failures.extend(failures)
    reading.notes.extend(source_notes)
    again = _Again(piece, limits, complete, stored)
    digests[piece.source].update("".join([r[3] for r in stored]).encode())  # as row by row: one stream
    reading.types.update({r[0] for r in stored})
    for type_, location, number, _, digest, key, changed, refused, _ in stored:
        origin = Origin(piece.source, location, number)
        if key:
            reading.key_cells.append((type_, key))
        if changed:
            notes.extend(SourceNote(piece.source, f"{origin} “{label}”", what) for label, what in changed)
        if refused is not None:
            reading.refused.append((RawRow(type_, refused[0], origin), refused[1]))
        else:
            reading.rows.append(ReadRow(type_, origin, digest, key, None, again.load))


class _Again:
    """An unchanged file parsed once more, when a row of it must be judged afresh."""

    def __init__(self, piece: Piece, limits: IntakeConfig, complete: Complete, stored: list[StoredRow]) -> None:
        self.piece, self.limits, self.complete, self.stored = piece, limits, complete, stored
        self.hashes: dict[tuple[str, int], str] = {}  # place -> hash of the cells stored for it
        self.rows: dict[tuple[str, int], RawRow] | None = None

    def load(self, row: ReadRow) -> RawRow:
        return self.complete(self.row(row.origin))

    def row(self, origin: Origin) -> RawRow:
        """The row at `origin`, cleaned, as it was when stored; SourceChanged if the file is no longer so."""
        if self.rows is None:
            assert self.piece.parse is not None
            self.hashes = {(r[1], r[2]): r[3] for r in self.stored}  # made only when the file is parsed again
            result = self.piece.parse()
            self.rows = {(r.origin.file, r.origin.row): r for r in result.rows}
        raw = self.rows.get((origin.file, origin.row))
        if raw is None or row_hash(raw) != self.hashes.get((origin.file, origin.row)):
            raise SourceChanged(f"{origin.source} {origin.file}")  # changed since found unchanged
        return take_in_row(raw, self.limits)[0]
