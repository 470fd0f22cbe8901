"""The `files` source: a folder of CSV (UTF-8 or GBK), XLSX and JSON files, one type per file or a type column.

The cell and header helpers here are shared by the sql and http sources, so that every source
turns the same value into the same text and reports missing columns the same way.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from publisher.config import SourceConfig
from publisher.records import Origin, RawRow, SourceFailure, SourceNote, SourceResult
from publisher.schema import RECORD_TYPES, header_map

TYPE_COLUMNS = ("type", "类型")
QUIET_SUFFIXES = {".md", ".txt"}  # READMEs and notes staff keep beside the data
Cells = list[Any]


class ShapeError(ValueError):
    """A JSON document is not one of the accepted shapes (list, {"records"}, or by type)."""


def cell_text(value: Any) -> str:
    """One cell as text: "" for empty, ISO dates, plain decimals, 是/否, lists joined with `；`."""
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
    # Staff retype headers: half-width brackets and line breaks inside a header are common.
    squeezed = re.sub(r"\s+", "", header)
    for candidate in (header, header.lower(), squeezed, squeezed.replace("(", "（").replace(")", "）")):
        if candidate in mapping:
            return mapping[candidate]
    return None


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
    problems = [f"columns {' and '.join(repr(h) for h in hs)} both mean {describe(rtype, name)}"
                for name, hs in by_field.items() if len(hs) > 1]
    missing = [describe(rtype, f.name) for f in RECORD_TYPES[rtype].fields if f.required and f.name not in by_field]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if problems:
        result.failures.append(SourceFailure(label, rtype, location,
                                             f"{location}: {'; '.join(problems)} — no {rtype} rows read"))
        return
    if note_unknown:
        note_unknown_headers(result, label, location, headers, [rtype])
    for number, cells in rows:
        values = {name: cell_text(cells[i]) if i < len(cells) else "" for i, name in enumerate(fields) if name}
        result.rows.append(RawRow(rtype, values, Origin(label, location, number)))


def note_unknown_headers(result: SourceResult, label: str, location: str, headers: list[str],
                         types: Iterable[str]) -> None:
    maps = [header_map(RECORD_TYPES[t]) for t in types]
    for h in dict.fromkeys(headers):
        if h and h.lower() not in TYPE_COLUMNS and not any(field_for(h, m) for m in maps):
            result.notes.append(SourceNote(label, location, f"{location}: unknown column {h!r} ignored"))


def type_from_name(stem: str) -> str | None:
    """`penalties.csv`, `penalties-2024.xlsx`, `行政处罚.csv` -> "penalties"."""
    lowered = stem.lower()
    for key, rtype in RECORD_TYPES.items():
        for prefix in (key, rtype.zh):
            if lowered == prefix or (lowered.startswith(prefix) and lowered[len(prefix)] in "-_."):
                return key
    return None


def _untyped(result: SourceResult, label: str, location: str, where: list[str], column: str) -> None:
    shown = ", ".join(where[:10]) + (f" and {len(where) - 10} more" if len(where) > 10 else "")
    expected = ", ".join(f"{k}/{t.zh}" for k, t in RECORD_TYPES.items())
    result.failures.append(SourceFailure(label, None, location, (
        f"{location}: {shown}: no known record type in {column}; expected one of {expected}")))


def add_sheet(result: SourceResult, label: str, location: str, rows: list[tuple[int, Cells]],
              name_type: str | None) -> None:
    """A CSV file or worksheet: find the header row, then one type (from the name) or a type column."""
    rows = [(n, cells) for n, cells in rows if any(cell_text(c) for c in cells)]  # fully empty rows
    if not rows:
        result.failures.append(SourceFailure(label, name_type, location,
                                             f"{location}: the file is empty (no header row)"))
        return
    # Templates often carry a title row above the header: take the row with most known headers.
    maps = [header_map(RECORD_TYPES[t]) for t in ([name_type] if name_type else RECORD_TYPES)]

    def known(cells: Cells) -> int:
        hs = [header_text(c) for c in cells]
        return sum(1 for h in hs if h.lower() in TYPE_COLUMNS or any(field_for(h, m) for m in maps))

    scores = [known(cells) for _, cells in rows[:10]]
    at = scores.index(max(scores))
    if at:
        result.notes.append(SourceNote(label, location, (
            f"{location}: rows {rows[0][0]}–{rows[at - 1][0]} above the header row {rows[at][0]} ignored")))
    headers = [header_text(c) for c in rows[at][1]]
    data = rows[at + 1:]
    wide = [str(n) for n, cells in data if any(cell_text(c) for c in cells[len(headers):])]
    if wide:
        result.notes.append(SourceNote(label, location, (
            f"{location}: rows {', '.join(wide[:10])} have more cells than the header; extra cells ignored")))
    if name_type:
        add_table(result, label, location, name_type, headers, data)
        return
    column = next((i for i, h in enumerate(headers) if h.lower() in TYPE_COLUMNS), None)
    if column is None:
        result.failures.append(SourceFailure(label, None, location, (
            f"{location}: cannot tell the record type: name the file after a type (e.g. penalties.csv or "
            f"行政处罚.csv) or add a 类型 (type) column")))
        return
    groups: dict[str, list[tuple[int, Cells]]] = {}
    bad: list[str] = []
    for number, cells in data:
        rtype = type_key(cells[column]) if column < len(cells) else None
        if rtype:
            groups.setdefault(rtype, []).append((number, cells))
        else:
            bad.append(f"row {number}")
    if bad:
        _untyped(result, label, location, bad, f"column {headers[column]!r}")
    note_unknown_headers(result, label, location, headers, groups)
    for rtype, typed in groups.items():
        add_table(result, label, location, rtype, headers, typed, note_unknown=False)


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
            raise ShapeError(f"unknown record type {data['type']!r} in \"type\"")
        groups.append((explicit, data["records"]))
    elif isinstance(data, dict) and any(type_key(k) for k in data):
        for key, items in data.items():
            if type_key(key):
                groups.append((type_key(key), items))
            else:
                result.notes.append(SourceNote(label, location, f"{location}: key {key!r} is not a record type; ignored"))
    else:
        raise ShapeError('expected a list of records, {"records": [...]} or {"penalties": [...], ...}')
    typed: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    bad: list[str] = []
    for explicit, items in groups:
        if not isinstance(items, list):
            if explicit is None and default_type is None:
                raise ShapeError('"records" is not a list')
            rtype = explicit or default_type
            result.failures.append(SourceFailure(label, rtype, location, f"{location}: {rtype} is not a list"))
            continue
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                rtype = explicit or default_type
                result.failures.append(SourceFailure(label, rtype, location, (
                    f"{location}: item {index}{f' of {rtype}' if rtype else ''} is not an object "
                    f"(got {type(item).__name__})")))
                continue
            own = next((item[k] for k in TYPE_COLUMNS if cell_text(item.get(k))), None)
            rtype = explicit or (type_key(own) if own is not None else default_type)
            if rtype:
                typed.setdefault(rtype, []).append((index, item))
            else:
                bad.append(f"item {index}")
    if bad:
        _untyped(result, label, location, bad, '"type"')
    for rtype, items in typed.items():
        headers = list(dict.fromkeys(str(k) for _, item in items for k in item))
        rows = [(index, [item.get(h) for h in headers]) for index, item in items]
        add_table(result, label, location, rtype, headers, rows)


def read(config: SourceConfig) -> SourceResult:
    """Read every CSV, XLSX and JSON file of the folder, sorted by name; one bad file stops only its types."""
    result = SourceResult()
    folder = config.path
    if folder is None or not folder.is_dir():
        result.failures.append(SourceFailure(config.label, None, str(folder), f"folder not found: {folder}"))
        return result
    readers = {".csv": _read_csv, ".xlsx": _read_xlsx, ".json": _read_json}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        suffix = path.suffix.lower()
        # Dotfiles and `~$x.xlsx` are editor lock files that exist while a workbook is open.
        if path.name.startswith((".", "~$")) or not path.is_file() or suffix in QUIET_SUFFIXES:
            continue
        name_type = type_from_name(path.stem)
        if suffix in (".xls", ".et", ".ods", ".numbers"):
            result.failures.append(SourceFailure(config.label, name_type, path.name, (
                f"{path.name}: {suffix} workbooks are not read; save it as .xlsx (Excel 工作簿)")))
        elif suffix not in readers:
            result.notes.append(SourceNote(config.label, path.name, f"{path.name}: not a CSV, XLSX or JSON file; ignored"))
        else:
            try:
                readers[suffix](result, config.label, path, name_type)
            except Exception as exc:  # a file no reader foresaw must stop its types, not the source
                result.failures.append(SourceFailure(config.label, name_type, path.name, (
                    f"{path.name}: cannot be read ({type(exc).__name__}: {exc})")))
    return result


def _read_csv(result: SourceResult, label: str, path: Path, name_type: str | None) -> None:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of the GBK that Chinese Excel writes
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        hint = " (it looks like UTF-16 'Unicode text'; save as CSV UTF-8)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        result.failures.append(SourceFailure(label, name_type, path.name,
                                             f"{path.name}: cannot decode as UTF-8 or GBK{hint}"))
        return
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        rows = [(n, cells) for n, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)]
    except csv.Error as exc:
        result.failures.append(SourceFailure(label, name_type, path.name, f"{path.name}: not a valid CSV file ({exc})"))
        return
    add_sheet(result, label, path.name, rows, name_type)


def _read_xlsx(result: SourceResult, label: str, path: Path, name_type: str | None) -> None:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, XML errors: a truncated or corrupt workbook
        result.failures.append(SourceFailure(label, name_type, path.name, (
            f"{path.name}: not a readable XLSX workbook (truncated or corrupt? {type(exc).__name__}: {exc})")))
        return
    try:
        sheets = book.worksheets
        by_type = [(ws, type_key(ws.title)) for ws in sheets] if not name_type else []
        if by_type and any(t for _, t in by_type):  # one sheet per type, named like the types
            chosen = [(ws, t, f"{path.name}:{ws.title}") for ws, t in by_type if t]
        else:
            chosen = [(sheets[0], name_type, path.name)]
        for ws in sheets:
            if all(ws is not c[0] for c in chosen) and _has_data(ws):
                result.notes.append(SourceNote(label, path.name, f"{path.name}: sheet {ws.title!r} not read"))
        parsed = []
        for ws, rtype, location in chosen:
            ws.reset_dimensions()  # some exporters write a wrong size; read every row there is
            parsed.append((location, list(enumerate((list(r) for r in ws.iter_rows(min_row=1, values_only=True)), 1)),
                           rtype))
    except Exception as exc:  # zlib/XML errors surface while rows stream from a damaged file
        result.failures.append(SourceFailure(label, name_type, path.name, (
            f"{path.name}: not a readable XLSX workbook (truncated or corrupt? {type(exc).__name__}: {exc})")))
        return
    finally:
        book.close()
    for location, rows, rtype in parsed:
        add_sheet(result, label, location, rows, rtype)


def _has_data(ws: Any) -> bool:
    return any(v is not None for row in ws.iter_rows(min_row=1, max_row=20, values_only=True) for v in row)


def _read_json(result: SourceResult, label: str, path: Path, name_type: str | None) -> None:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError:
        result.failures.append(SourceFailure(label, name_type, path.name, f"{path.name}: JSON is not UTF-8"))
        return
    except json.JSONDecodeError as exc:
        result.failures.append(SourceFailure(label, name_type, path.name, f"{path.name}: invalid JSON ({exc})"))
        return
    try:
        add_json(result, label, path.name, data, name_type)
    except ShapeError as exc:
        result.failures.append(SourceFailure(label, name_type, path.name, f"{path.name}: {exc}"))
