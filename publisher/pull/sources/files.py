"""The `files` source: a folder of CSV (UTF-8 or GBK), XLSX and JSON files, typed by name or column."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from publisher.core.config import SourceConfig
from publisher.pull.rows import SourceFailure, SourceResult
from publisher.pull.sources.snapshots import Piece, Snapshots, file_digest, now_ns, stamp_of
from publisher.pull.sources.tables import (
    QUIET_SUFFIXES,
    ShapeError,
    add_json,
    add_sheet,
    fail,
    note,
    type_from_name,
    type_key,
)
from publisher.pull.sources.workbook import WorkbookRefused, check_zip, stream_rows


def read(config: SourceConfig, max_file_bytes: int = 200 * 1024 * 1024,
         snapshots: Snapshots | None = None) -> SourceResult:
    """Read every CSV, XLSX and JSON file of the folder, sorted by name; one bad file stops only its types.

    A file over `max_file_bytes` (intake.max_file_mb; an XLSX once decompressed) is not read at all.
    With `snapshots`, each file becomes a Piece of the result: parsed only when its bytes changed.
    """
    result = SourceResult()
    folder = config.path
    if folder is None or not folder.is_dir():
        result.failures.append(SourceFailure(config.label, None, str(folder), f"找不到数据文件夹：{folder}"))
        return result
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        suffix = path.suffix.lower()
        # Dotfiles and `~$x.xlsx` are editor lock files that exist while a workbook is open.
        if path.name.startswith((".", "~$")) or not path.is_file() or suffix in QUIET_SUFFIXES:
            continue
        name_type = type_from_name(path.stem)
        refused = SourceResult()  # what is said of a file that is not read
        if suffix in (".xls", ".et", ".ods", ".numbers"):
            fail(refused, config.label, name_type, path.name,
                 f"不读取 {suffix} 格式的工作簿：请另存为 .xlsx（Excel 工作簿）")
        elif suffix not in _READERS:
            note(refused, config.label, path.name, "不是 CSV、XLSX 或 JSON 文件，已忽略")
        elif (size := path.stat().st_size) > max_file_bytes:
            fail(refused, config.label, name_type, path.name, f"文件有 {size / 1048576:.0f} MB，超过每个数据文件 "
                 f"{max_file_bytes / 1048576:.0f} MB 的上限（intake.max_file_mb）；文件未读取")
        elif snapshots is None:
            result.extend(_parse(config.label, path, None, name_type, max_file_bytes))
            continue
        else:
            result.pieces.append(_piece(config.label, path, name_type, max_file_bytes, snapshots))
            continue
        if snapshots is None:
            result.extend(refused)
        else:  # in its place among the files, never remembered
            result.pieces.append(Piece(config.label, path.name, None, "", 0, result=refused, keep=False))
    return result


def _piece(label: str, path: Path, name_type: str | None, limit: int, snapshots: Snapshots) -> Piece:
    """The file as a Piece: remembered when unchanged (stamp, then bytes), else parsed from the bytes read."""
    snapshots.saw(label, path.name)
    known = snapshots.known(label, path.name)
    before = stamp_of(path.stat())

    def parse() -> SourceResult:
        return _parse(label, path, None, name_type, limit)

    if snapshots.unchanged(known, before):
        assert known is not None
        return Piece(label, path.name, known.stamp, known.digest, known.read_at_ns, known=known, parse=parse)
    read_at = now_ns()
    try:
        data = path.read_bytes()
    except OSError as exc:
        result = SourceResult()
        fail(result, label, name_type, path.name, f"无法读取（{type(exc).__name__}: {exc}）")
        return Piece(label, path.name, None, "", read_at, result=result, keep=False)
    after = stamp_of(path.stat())
    stamp = before if before == after else None  # changed while read: its stamp vouches for nothing
    digest = file_digest(data)
    if known is not None and known.digest == digest:  # touched, same bytes
        return Piece(label, path.name, stamp, digest, read_at, known=known, parse=parse)
    return Piece(label, path.name, stamp, digest, read_at, result=_parse(label, path, data, name_type, limit),
                 known=known, parse=parse)


def _parse(label: str, path: Path, data: bytes | None, name_type: str | None, limit: int) -> SourceResult:
    """One file's rows from its bytes (read once, so what is parsed is what was hashed), or from the file."""
    result = SourceResult()
    try:
        if data is None:
            data = path.read_bytes()
        _READERS[path.suffix.lower()](result, label, path, data, name_type, limit)
    except Exception as exc:  # a file no reader foresaw must stop its types, not the source
        fail(result, label, name_type, path.name, f"无法读取（{type(exc).__name__}: {exc}）")
    return result


def _read_csv(result: SourceResult, label: str, path: Path, raw: bytes, name_type: str | None,
              limit: int = 0) -> None:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of the GBK that Chinese Excel writes
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        hint = "（看起来是 UTF-16“Unicode 文本”：请另存为“CSV UTF-8”）" if utf16 else ""
        fail(result, label, name_type, path.name, f"既不是 UTF-8 也不是 GBK 编码，无法读取{hint}")
        return
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    del text  # decoded again as read: the text, and StringIO's copy of it at 4 bytes a character, not held
    try:
        lines = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
        rows = list(enumerate(csv.reader(lines, delimiter=delimiter), 1))
    except csv.Error as exc:
        fail(result, label, name_type, path.name, f"不是有效的 CSV 文件（{exc}）")
        return
    add_sheet(result, label, path.name, rows, name_type)


def _read_xlsx(result: SourceResult, label: str, path: Path, data: bytes, name_type: str | None,
               limit: int = 0) -> None:
    from openpyxl import load_workbook

    book, parsed = None, []
    try:
        check_zip(io.BytesIO(data), limit or None)  # before openpyxl holds anything: sizes, ratio and part count
        # read_only streams the sheets; data_only gives a formula's cached value, never its text.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = book.worksheets
        named = [(ws, type_key(ws.title)) for ws in sheets] if not name_type else []
        if any(t for _, t in named):  # one sheet per type, each named like its type
            chosen = [(ws, t, f"{path.name}:{ws.title}") for ws, t in named if t]
        else:
            chosen = [(sheets[0], name_type, path.name)]
        for ws in sheets:
            if all(ws is not c[0] for c in chosen) and _has_data(ws):
                note(result, label, path.name, f"工作表“{ws.title}”未读取")
        for ws, rtype, location in chosen:
            parsed.append((location, list(stream_rows(ws, ws.title)), rtype))
    except WorkbookRefused as exc:
        fail(result, label, name_type, path.name, str(exc))
        return
    except Exception as exc:  # BadZipFile, KeyError, zlib or XML errors: a truncated or corrupt workbook
        fail(result, label, name_type, path.name,
             f"不是可读取的 XLSX 工作簿，文件不完整或已损坏，请用 Excel 打开后另存为再试"
             f"（{type(exc).__name__}: {exc}）")
        return
    finally:
        if book is not None:
            book.close()
    for location, rows, rtype in parsed:
        add_sheet(result, label, location, rows, rtype)


def _has_data(ws: Any) -> bool:
    return any(v is not None for row in ws.iter_rows(min_row=1, max_row=20, values_only=True) for v in row)


def _read_json(result: SourceResult, label: str, path: Path, raw: bytes, name_type: str | None,
               limit: int = 0) -> None:
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError:
        fail(result, label, name_type, path.name, "JSON is not UTF-8")
        return
    except json.JSONDecodeError as exc:
        fail(result, label, name_type, path.name, f"不是有效的 JSON（{exc}）")
        return
    try:
        add_json(result, label, path.name, data, name_type)
    except ShapeError as exc:
        fail(result, label, name_type, path.name, str(exc))


_READERS: dict[str, Callable[[SourceResult, str, Path, bytes, str | None, int], None]] = {
    ".csv": _read_csv, ".xlsx": _read_xlsx, ".json": _read_json}
