"""Rows from tables: how every source turns cells into text and headers into field names.

Shared by the files, sql and http sources, so that every source turns the same value into
the same text and reports missing columns the same way.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import math
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from publisher.core.schema import COLUMN_OPTIONAL, RECORD_TYPES, UNMAPPED_BY_FORM, header_map, normalise_header
from publisher.pull.rows import Origin, RawRow, SourceFailure, SourceNote, SourceResult

TYPE_COLUMNS = ("type", "类型")
QUIET_SUFFIXES = {".md", ".txt"}  # READMEs and notes staff keep beside the data
Cells = list[Any]
# Excel stores numbers as doubles with 15 significant digits; from 10^15 on, the last digits are gone.
EXCEL_EXACT_LIMIT = 1e15


class ShapeError(ValueError):
    """A JSON document is not one of the accepted shapes (list, {"records"}, or by type)."""


def fail(result: SourceResult, label: str, rtype: str | None, location: str, message: str) -> None:
    result.failures.append(SourceFailure(label, rtype, location, f"{location}: {message}"))


def note(result: SourceResult, label: str, location: str, message: str) -> None:
    result.notes.append(SourceNote(label, location, f"{location}: {message}"))


def cell_text(value: Any) -> str:
    """One cell as text: "" for empty, ISO dates, plain decimals, 是/否, lists joined with `；`."""
    if type(value) is str:  # every CSV cell and most others: skip the checks below (100k rows × 30 cells)
        return value.replace("\r\n", "\n").replace("\r", "\n").strip() if "\r" in value else value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if abs(value) >= EXCEL_EXACT_LIMIT:  # Excel keeps 15 digits: show it as Excel does, not as false digits
            return format(value, ".15G")
        if value.is_integer():
            return str(int(value))  # a long number from a numeric cell: no ".0", no exponent
        value = Decimal(repr(value))  # repr is the shortest text that round-trips: no 0.1000000001
    if isinstance(value, Decimal):
        if not value.is_finite():
            return ""
        text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "；".join(t for t in (cell_text(v) for v in value) if t)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes | bytearray | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def header_text(value: Any) -> str:
    return cell_text(value).replace("\ufeff", "").strip()


def type_key(value: Any) -> str | None:
    """The record type a cell, key or sheet name names: a type key (any case) or its Chinese name."""
    text = cell_text(value)
    if text.lower() in RECORD_TYPES:
        return text.lower()
    return next((k for k, t in RECORD_TYPES.items() if t.zh == text), None)


def field_for(header: str, mapping: dict[str, str]) -> str | None:
    """The field a header names; `mapping` is a schema.header_map (keys in normalise_header form)."""
    return mapping.get(normalise_header(header))


def describe(rtype: str, name: str) -> str:
    return f"{RECORD_TYPES[rtype].field(name).zh} ({name})"


def add_table(result: SourceResult, label: str, location: str, rtype: str,
              headers: list[str], rows: Iterable[tuple[int, Cells]], *, note_unknown: bool = True) -> None:
    """Append one record type's rows, or one failure if its columns are missing or ambiguous."""
    mapping = header_map(RECORD_TYPES[rtype])
    fields = [None if h.lower() in TYPE_COLUMNS else field_for(h, mapping) for h in headers]
    by_field: dict[str, list[str]] = {}
    for header, name in zip(headers, fields, strict=True):
        if name:
            by_field.setdefault(name, []).append(header)
    problems = [f"列 {'、'.join(f'“{h}”' for h in hs)} 都表示{describe(rtype, name)}"
                for name, hs in by_field.items() if len(hs) > 1]
    required = [f.name for f in RECORD_TYPES[rtype].fields if f.required and f.name not in COLUMN_OPTIONAL]
    missing = [describe(rtype, name) for name in required if name not in by_field]
    if missing:
        problems.append(f"缺少必需的列：{'、'.join(missing)}")
    if problems:
        fail(result, label, rtype, location, f"{'；'.join(problems)}：{RECORD_TYPES[rtype].zh}的行都未读取")
        return
    if note_unknown:
        note_unknown_headers(result, label, location, headers, [rtype])
    kept = tuple((i, name) for i, name in enumerate(fields) if name)
    width = kept[-1][0] + 1 if kept else 0
    shape = marshal.dumps((rtype, kept), 2)  # what a row's values are made with, besides its cells
    append = result.rows.append
    for number, cells in rows:
        if len(cells) >= width:  # a full row: its values made when first asked (a known row's never are)
            append(TableRow(rtype, Origin(label, location, number), cells, kept, width, shape))
        else:
            values = {name: cell_text(cells[i]) if i < len(cells) else "" for i, name in kept}
            append(RawRow(rtype, values, Origin(label, location, number)))


class TableRow(RawRow):
    """A full row of a table: its values are made from its cells on first use, and `cells_hash` knows
    the row without them, so a changed file's unchanged rows are matched with what was stored of them
    (publisher.pull.reading) without a dict, a cleaning or a row hash each."""

    def __init__(self, type_: str, origin: Origin, cells: Cells, kept: tuple[tuple[int, str], ...], width: int,
                 shape: bytes) -> None:
        self.type, self.origin = type_, origin
        self._cells: Cells | None = cells
        self._kept, self._width, self._shape = kept, width, shape
        self._values: dict[str, str] | None = None

    @property  # type: ignore[override]
    def values(self) -> dict[str, str]:
        if self._values is None:  # a plain text cell is cell_text inline
            cells = self._cells
            assert cells is not None
            self._values = {name: v.strip() if (v := cells[i]).__class__ is str and "\r" not in v else cell_text(v)
                            for i, name in self._kept}
            self._cells = None  # made: a first import's 100k rows do not keep their cells twice
        return self._values

    @values.setter
    def values(self, values: dict[str, str]) -> None:
        self._values = values

    def cells_hash(self) -> str | None:
        """A hash of the type, the columns kept and the cells they are made from: equal hashes, equal values.
        None for cells marshal cannot write exactly (a date from a workbook), or once its values were made:
        the row is then hashed by its values."""
        if self._cells is None:  # its values were made first: hashed by them instead
            return None
        try:
            data = marshal.dumps(self._cells[:self._width], 2)
        except ValueError:
            return None
        return hashlib.blake2b(self._shape + data, digest_size=16).hexdigest()


def note_unknown_headers(result: SourceResult, label: str, location: str, headers: list[str],
                         types: Iterable[str]) -> None:
    maps = [header_map(RECORD_TYPES[t]) for t in types]
    for h in dict.fromkeys(headers):
        if h and h.lower() not in TYPE_COLUMNS and not any(field_for(h, m) for m in maps):
            why = UNMAPPED_BY_FORM.get(normalise_header(h))
            if why:  # a national template column we know and deliberately do not keep
                note(result, label, location, f"列“{h}”未读取：{why}")
            else:
                note(result, label, location, f"未知的列“{h}”，已忽略")


def type_from_name(stem: str) -> str | None:
    """`penalties.csv`, `penalties-2024.xlsx`, `行政处罚.csv` -> "penalties"."""
    lowered = stem.lower()
    for key, rtype in RECORD_TYPES.items():
        for prefix in (key, rtype.zh):
            if lowered == prefix or (lowered.startswith(prefix) and lowered[len(prefix)] in "-_."):
                return key
    return None


def _untyped(result: SourceResult, label: str, location: str, where: list[str], column: str) -> None:
    shown = "、".join(where[:10]) + (f"等{len(where)}处" if len(where) > 10 else "")
    expected = ", ".join(f"{k}/{t.zh}" for k, t in RECORD_TYPES.items())
    fail(result, label, None, location,
         f"{shown}：{column}中没有可识别的记录类型；应为 {expected} 之一")


def add_sheet(result: SourceResult, label: str, location: str, rows: list[tuple[int, Cells]],
              name_type: str | None) -> None:
    """A CSV file or worksheet: find the header row, then one type (from the name) or a type column."""
    rows = [(n, cells) for n, cells in rows if _has_text(cells)]  # fully empty rows
    if not rows:
        fail(result, label, name_type, location, "文件是空的（没有表头行）")
        return
    # Templates often carry a title row above the header: take the row with most known headers.
    maps = [header_map(RECORD_TYPES[t]) for t in ([name_type] if name_type else RECORD_TYPES)]

    def known(cells: Cells) -> int:
        hs = [header_text(c) for c in cells]
        return sum(1 for h in hs if h.lower() in TYPE_COLUMNS or any(field_for(h, m) for m in maps))

    scores = [known(cells) for _, cells in rows[:10]]
    at = scores.index(max(scores))
    if at:
        note(result, label, location,
             f"表头行（第{rows[at][0]}行）之上的第{rows[0][0]}–{rows[at - 1][0]}行已忽略")
    headers = [header_text(c) for c in rows[at][1]]
    data = rows[at + 1:]
    wide = [str(n) for n, cells in data if len(cells) > len(headers) and _has_text(cells[len(headers):])]
    if wide:
        note(result, label, location,
             f"第{'、'.join(wide[:10])}行的单元格比表头多，多出的已忽略")
    if name_type:
        add_table(result, label, location, name_type, headers, data)
        return
    column = next((i for i, h in enumerate(headers) if h.lower() in TYPE_COLUMNS), None)
    if column is None:
        fail(result, label, None, location, "无法判断记录类型：请用类型命名文件（如 penalties.csv 或 行政处罚.csv），"
             "或加一列“类型”（type）")
        return
    groups: dict[str, list[tuple[int, Cells]]] = {}
    bad: list[str] = []
    for number, cells in data:
        rtype = type_key(cells[column]) if column < len(cells) else None
        if rtype:
            groups.setdefault(rtype, []).append((number, cells))
        else:
            bad.append(f"第{number}行")
    if bad:
        _untyped(result, label, location, bad, f"列“{headers[column]}”")
    note_unknown_headers(result, label, location, headers, groups)
    for rtype, typed in groups.items():
        add_table(result, label, location, rtype, headers, typed, note_unknown=False)


def _has_text(cells: Cells) -> bool:
    """Any cell not empty once read as text: one join for a row of text alone (a CSV's), else cell by cell."""
    try:
        return bool("".join(cells).strip())  # a cell with text makes the join have text; blanks stay blank
    except TypeError:
        return any(cell_text(c) for c in cells)


def add_json(result: SourceResult, label: str, location: str, data: Any, default_type: str | None) -> None:
    """A JSON document: a list of objects, {"type", "records"}, {"records"}, or {"<type>": [...]}.

    Raises ShapeError when the document is none of these; the caller decides which types stop.
    """
    groups: list[tuple[str | None, Any]] = []
    if isinstance(data, list):
        groups.append((None, data))
    elif isinstance(data, dict) and "records" in data:
        explicit = type_key(data["type"]) if cell_text(data.get("type")) else None
        if cell_text(data.get("type")) and explicit is None:
            raise ShapeError(f"“type”中的记录类型“{data['type']}”未知")
        groups.append((explicit, data["records"]))
    elif isinstance(data, dict) and any(type_key(k) for k in data):
        for key, items in data.items():
            if type_key(key):
                groups.append((type_key(key), items))
            else:
                note(result, label, location, f"键“{key}”不是记录类型，已忽略")
    else:
        raise ShapeError('应为记录的列表、{"records": [...]} 或 {"penalties": [...], ...}')
    typed: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    bad: list[str] = []
    for explicit, items in groups:
        if not isinstance(items, list):
            if explicit is None and default_type is None:
                raise ShapeError('“records”不是列表')
            rtype = explicit or default_type
            fail(result, label, rtype, location, f"{rtype} 的记录不是列表")
            continue
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                rtype = explicit or default_type
                of = f"{rtype} 的" if rtype else ""
                fail(result, label, rtype, location, f"{of}第{index}项不是对象")
                continue
            own = next((item[k] for k in TYPE_COLUMNS if cell_text(item.get(k))), None)
            rtype = explicit or (type_key(own) if own is not None else default_type)
            if rtype:
                typed.setdefault(rtype, []).append((index, item))
            else:
                bad.append(f"第{index}项")
    if bad:
        _untyped(result, label, location, bad, "“type”")
    for rtype, items in typed.items():
        headers = list(dict.fromkeys(str(k) for _, item in items for k in item))
        rows = [(index, [item.get(h) for h in headers]) for index, item in items]
        add_table(result, label, location, rtype, headers, rows)
