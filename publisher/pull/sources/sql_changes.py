"""A SQL table or query with an `updated_at` column, read by its changes (issue 18).

Each run reads the full list of natural keys (so a deleted row is seen at once) and only the rows whose
change time is at or after a lower bound; the other rows come from the snapshot store. The bound is
conservative, because no clock can be trusted:

- it is the earliest of the newest change time seen and the database's own clock (UTC and local, the
  earlier), minus an overlap (`overlap_minutes`): a row stamped in the future never moves it forward,
  and a writer whose clock is behind, or a transaction committed late, is within the overlap;
- a row with no change time is always read; change times that are not dates make every read whole;
- the whole table is read every `full_read_hours`, when the database clock went back, when our clock
  went back, when the columns changed, and when the key list holds a key neither known nor among the
  changed rows (a row inserted with an old change time), an empty or a repeated key;
- a whole read compares every row with the stored one: a change whose time lies before the bound
  that was used (one an incremental read would have missed) is reported, and the overlap is widened
  by that much from then on.

Row numbers are places in the key order, the same for a whole read and an incremental one.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from publisher.core.config import SourceConfig
from publisher.core.schema import RECORD_TYPES, header_map
from publisher.pull.rows import Origin, RawRow, SourceNote, SourceResult
from publisher.pull.sources.snapshots import Piece, Snapshots
from publisher.pull.sources.tables import add_table, cell_text, field_for


class _Whole(Exception):
    """Read the whole table this time; the message says why (for the log of tests, not for staff)."""


@dataclass
class TableState:
    headers: list[str]
    keys: list[str]  # sorted, unique
    newest: datetime | None  # newest change time seen (naive; aware times as UTC)
    aware: bool  # the column holds times with a zone
    textual: bool  # the column holds text (SQLite): the bound is passed as text
    db_now: datetime  # the database clock at the last read (the earlier of UTC and local)
    whole_at: float  # our clock at the last whole read
    widen: float  # seconds added to the overlap after a change was found stamped before the bound
    since: datetime | None  # the bound of the next incremental read
    generation: int = 0  # counts the writes of rows: what the intake remembered must be of the same one


def read_by_changes(connection: Any, config: SourceConfig, rtype: str, location: str, base: str,
                    snapshots: Snapshots) -> Piece:
    """The table or query `base` as a Piece: unchanged, or every row with only the changed ones fetched."""
    quote = connection.dialect.identifier_preparer.quote
    state = snapshots.table_state(config.label, location)
    db_now = _db_now(connection)
    try:
        if state is None:
            raise _Whole("first read")
        piece = _incremental(connection, config, rtype, location, base, snapshots, state, db_now, quote)
    except _Whole:
        _rollback(connection)
        piece = _whole(connection, config, rtype, location, base, snapshots, state, db_now)
    snapshots.saw(config.label, location)
    return piece


def _incremental(connection: Any, config: SourceConfig, rtype: str, location: str, base: str,
                 snapshots: Snapshots, state: TableState, db_now: datetime, quote: Any) -> Piece:
    now = time.time()
    if now - state.whole_at > config.full_read_hours * 3600 or now < state.whole_at:
        raise _Whole("periodic, or our clock went back")
    if db_now < state.db_now or state.since is None:
        raise _Whole("the database clock went back, or the change times are not dates")
    column, key_header = config.updated_at or "", _key_header(rtype, state.headers)
    if key_header is None or column not in state.headers:
        raise _Whole("no key or change column")
    try:
        since: Any = state.since.replace(tzinfo=UTC) if state.aware else state.since
        if state.textual:
            since = state.since.isoformat(sep=" ")
        cursor = connection.execute(text(f"SELECT * FROM ({base}) src WHERE src.{quote(column)} >= :since "
                                         f"OR src.{quote(column)} IS NULL"), {"since": since})
        headers = [str(c) for c in cursor.keys()]
        changed_cells = [list(r) for r in cursor.fetchall()]
        keys = [cell_text(r[0]) for r in connection.execute(text(f"SELECT src.{quote(key_header)} FROM ({base}) src"))]
    except Exception as exc:  # a column type the bound cannot be compared with: read whole
        raise _Whole(str(exc)) from exc
    if headers != state.headers:
        raise _Whole("columns changed")
    changed = _rows(config, rtype, location, headers, changed_cells)
    key_field = RECORD_TYPES[rtype].natural_key
    by_key = {r.values.get(key_field, ""): r for r in changed.rows}
    known = set(state.keys)
    if changed.failures or "" in by_key or len(by_key) != len(changed.rows) or len(set(keys)) != len(keys) \
            or "" in known or any(k not in by_key and k not in known for k in keys) or not set(by_key) <= set(keys):
        raise _Whole("keys do not add up")
    moments = [_moment(v) for v in (c[headers.index(column)] for c in changed_cells)]
    if any(m is _BAD for m in moments):
        raise _Whole("a change time is not a date")
    stored = snapshots.table_rows(config.label, location, by_key)  # only the rows read again
    fresh = {k: pickle.dumps(r.values, protocol=pickle.HIGHEST_PROTOCOL) for k, r in by_key.items()}
    fresh = {k: v for k, v in fresh.items() if stored.get(k) != v}  # re-read in the overlap, not changed
    ordered = sorted(keys)
    newest = max([m for m in moments if m is not None] + ([state.newest] if state.newest else []), default=None)
    gone = known - set(keys)
    same = not fresh and not gone and ordered == state.keys
    generation = state.generation if same else state.generation + 1
    next_state = TableState(headers, ordered, newest, state.aware, state.textual, db_now, state.whole_at,
                            state.widen, _bound(newest, db_now, config, state.widen), generation)
    snapshots.save_table(config.label, location, next_state, fresh, gone, whole=False)
    remembered = snapshots.known(config.label, location)
    if same and remembered is not None and remembered.digest == str(generation):
        return Piece(config.label, location, None, str(generation), 0, known=remembered,
                     parse=lambda: _from_store(config, rtype, location, snapshots, changed.notes))
    result = _from_store(config, rtype, location, snapshots, changed.notes)
    return Piece(config.label, location, None, str(generation), 0, result=result, known=remembered)


def _whole(connection: Any, config: SourceConfig, rtype: str, location: str, base: str, snapshots: Snapshots,
           state: TableState | None, db_now: datetime) -> Piece:
    cursor = connection.execute(text(base))
    headers = [str(c) for c in cursor.keys()]
    cells = [list(r) for r in cursor.fetchall()]
    key_header = _key_header(rtype, headers)
    if key_header is not None:  # rows in key order: the same places as an incremental read gives them
        at = headers.index(key_header)
        cells.sort(key=lambda c: cell_text(c[at]))
    result = _rows(config, rtype, location, headers, cells)
    column = config.updated_at or ""
    key_field = RECORD_TYPES[rtype].natural_key
    keys = [r.values.get(key_field, "") for r in result.rows]
    values = {r.values.get(key_field, ""): pickle.dumps(r.values, protocol=pickle.HIGHEST_PROTOCOL)
              for r in result.rows}
    if column not in headers:
        result.notes.append(SourceNote(config.label, location, f"{location}：找不到 updated_at 设置的列“{column}”，"
                                                                "每次读取全部的行"))
        moments: list[Any] = [_BAD]
    else:
        moments = [_moment(c[headers.index(column)]) for c in cells]
    bad = any(m is _BAD for m in moments)
    if bad and column in headers:
        result.notes.append(SourceNote(config.label, location, f"{location}：列“{column}”中有不是日期时间的值，"
                                                                "无法只读改过的行，每次读取全部的行"))
    widen = state.widen if state is not None else 0.0
    if state is not None and state.since is not None and not bad and len(result.rows) == len(cells):
        by_key = {r.values.get(key_field, ""): m for r, m in zip(result.rows, moments, strict=True)}
        previous = snapshots.table_rows(config.label, location)
        widen = _hidden(config, location, result, state, values, by_key, previous, widen)
    dates = [m for m in moments if isinstance(m, datetime)]
    newest = max(dates, default=None)
    first = next((c[headers.index(column)] for c in cells if column in headers and c[headers.index(column)]), None)
    usable = not bad and key_header is not None and "" not in keys and len(set(keys)) == len(keys)
    generation = (state.generation if state is not None else 0) + 1
    next_state = TableState(headers, sorted(keys) if usable else [], newest,
                            isinstance(first, datetime) and first.tzinfo is not None, isinstance(first, str),
                            db_now, time.time(), widen,
                            _bound(newest, db_now, config, widen) if usable else None, generation)
    snapshots.save_table(config.label, location, next_state, values if usable else {}, set(), whole=True)
    return Piece(config.label, location, None, str(generation), 0, result=result,
                 known=snapshots.known(config.label, location))


def _hidden(config: SourceConfig, location: str, result: SourceResult, state: TableState,
            values: dict[str, bytes], moments: dict[str, Any], previous: dict[str, bytes], widen: float) -> float:
    """Rows changed since the last read whose change time lies before the bound used: report, and widen.

    (In the memory's own terms: a pull with no memory has no bound to compare with, so says nothing.)
    """
    assert state.since is not None
    # New keys are not counted: the key list shows them at once, whatever their change time.
    lags = [(state.since - moment).total_seconds() for key, data in values.items()
            if key in previous and previous[key] != data
            and isinstance(moment := moments.get(key), datetime) and moment < state.since]
    if not lags:
        return widen
    widen = max(widen, max(lags))
    result.notes.append(SourceNote(config.label, location, (
        f"{location}：有{len(lags)}行在上次读取后被修改或新增，但修改时间早于上次读取的时间点（写入方时钟偏慢、"
        f"长事务或补录），只读改过的行会漏掉它们；本次已全部读取，今后向前多读 "
        f"{(config.overlap_minutes * 60 + widen) / 60:.0f} 分钟")))
    return widen


def _rows(config: SourceConfig, rtype: str, location: str, headers: list[str], cells: list[list[Any]]) -> SourceResult:
    result = SourceResult()
    add_table(result, config.label, location, rtype, headers, list(enumerate(cells, 1)))
    own = f"未知的列“{config.updated_at}”"  # the change column is known: configured, not a stray column
    result.notes = [n for n in result.notes if own not in n.message]
    return result


def _from_store(config: SourceConfig, rtype: str, location: str, snapshots: Snapshots,
                notes: list[SourceNote]) -> SourceResult:
    """Every row of the table from the store (just written), in key order, numbered by place."""
    stored = snapshots.table_rows(config.label, location)
    result = SourceResult(notes=list(notes))
    for number, key in enumerate(sorted(stored), 1):
        result.rows.append(RawRow(rtype, pickle.loads(stored[key]), Origin(config.label, location, number)))
    return result


def _key_header(rtype: str, headers: list[str]) -> str | None:
    mapping = header_map(RECORD_TYPES[rtype])
    found = [h for h in headers if field_for(h, mapping) == RECORD_TYPES[rtype].natural_key]
    return found[0] if len(found) == 1 else None


_BAD = object()


def _moment(value: Any) -> Any:
    """A change time as a naive datetime (zoned ones in UTC); None for NULL; _BAD for anything not a time."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return _BAD
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return _BAD


def _bound(newest: datetime | None, db_now: datetime, config: SourceConfig, widen: float) -> datetime:
    top = min(newest, db_now) if newest is not None else db_now
    return top - timedelta(seconds=config.overlap_minutes * 60 + widen)


def _db_now(connection: Any) -> datetime:
    """The database's clock, the earlier of its UTC and local time (our clock's when it has none)."""
    queries = {"sqlite": "SELECT datetime('now'), datetime('now', 'localtime')",
               "postgresql": "SELECT CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TEXT), CAST(LOCALTIMESTAMP AS TEXT)",
               "mysql": "SELECT CAST(UTC_TIMESTAMP() AS CHAR), CAST(NOW() AS CHAR)",
               "mariadb": "SELECT CAST(UTC_TIMESTAMP() AS CHAR), CAST(NOW() AS CHAR)"}
    ours = [datetime.now(UTC).replace(tzinfo=None), datetime.now()]
    query = queries.get(connection.dialect.name)
    if query is None:
        return min(ours)
    row = connection.execute(text(query)).fetchone()
    return min(datetime.fromisoformat(str(v)) for v in row)


def _rollback(connection: Any) -> None:
    try:
        connection.rollback()
    except Exception:  # noqa: BLE001 — the next query reports a connection that is gone
        pass
