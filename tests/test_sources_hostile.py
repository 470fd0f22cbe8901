"""Messy and hostile input: zip bombs, sheets past the limits, Excel's own values, every header spelling."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sources_helpers import PENALTY, PERMIT, write_csv

from publisher.core.config import SourceConfig
from publisher.pull.rows import SourceResult
from publisher.pull.sources import read_sources, workbook


def read_folder(folder: Path) -> SourceResult:
    return read_sources([SourceConfig("files", f"files:{folder.name}", path=folder)])


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def penalty_xlsx(path: Path, n: int = 1) -> Path:
    rows = [dict(PENALTY, decision_no=f"青林罚〔2024〕{i}号") for i in range(1, n + 1)]
    return write_xlsx(path, list(PENALTY), [list(r.values()) for r in rows])


def rewrite_sheet(source: Path, target: Path, change) -> Path:
    """Copy an XLSX, passing the first sheet's XML through `change`."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            zout.writestr(item.filename, data)
    return target


# --- 1. XLSX within limits --------------------------------------------------------------------


def test_zip_bomb_xlsx_is_refused_unread_and_by_name_while_the_good_workbook_beside_it_is_read(tmp_path):
    template = penalty_xlsx(tmp_path / "template.xlsx")
    row = b'<row><c t="inlineStr"><is><t>' + "青山林业有限公司".encode() * 8 + b"</t></is></c></row>"
    bomb = rewrite_sheet(template, tmp_path / "penalties-bomb.xlsx",
                         lambda xml: xml.replace(b"</sheetData>", row * 200_000 + b"</sheetData>"))
    template.unlink()
    penalty_xlsx(tmp_path / "penalties-2024.xlsx", n=2)
    assert bomb.stat().st_size < 500_000
    assert sum(m.file_size for m in zipfile.ZipFile(bomb).infolist()) > 40_000_000
    tracemalloc.start()
    started = time.perf_counter()
    result = read_folder(tmp_path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    [failure] = result.failures
    assert (failure.type, failure.location) == ("penalties", "penalties-bomb.xlsx")
    assert failure.message.startswith("penalties-bomb.xlsx: ") and "压缩比" in failure.message
    assert "文件未读取" in failure.message
    assert elapsed < 2 and peak < 30_000_000, (elapsed, peak)
    assert [(r.origin.file, r.origin.row) for r in result.rows] == [("penalties-2024.xlsx", 2),
                                                                    ("penalties-2024.xlsx", 3)]


def test_workbook_over_the_total_size_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UNCOMPRESSED", 2000)
    penalty_xlsx(tmp_path / "行政处罚.xlsx")
    failure = read_folder(tmp_path).failures[0]
    assert failure.type == "penalties" and "行政处罚.xlsx" in failure.message
    assert "解压后共" in failure.message and "超过上限" in failure.message


def test_workbook_with_too_many_parts_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_MEMBERS", 3)
    penalty_xlsx(tmp_path / "penalties.xlsx")
    [failure] = read_folder(tmp_path).failures
    assert "个部件" in failure.message and "penalties.xlsx" in failure.message


def test_sheet_over_the_row_limit_stops_as_it_streams_and_names_the_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 3)
    penalty_xlsx(tmp_path / "penalties.xlsx", n=10)
    write_csv(tmp_path / "permits.csv", [PERMIT])
    result = read_folder(tmp_path)
    [failure] = result.failures
    assert failure.type == "penalties" and failure.location == "penalties.xlsx"
    assert "工作表“Sheet”超过 3 行，读到第4行时停止" in failure.message
    assert [r.type for r in result.rows] == ["permits"]  # the other file goes on


def test_row_over_the_column_limit_is_refused(tmp_path):
    path = penalty_xlsx(tmp_path / "penalties.xlsx", n=2)
    from openpyxl import load_workbook

    book = load_workbook(path)
    book.active.cell(row=3, column=workbook.MAX_COLUMNS + 50, value="多余")
    book.active.cell(row=2, column=16384).style = "Normal"  # styled empty cells far right are fine
    book.save(path)
    [failure] = read_folder(tmp_path).failures
    assert f"第3行有 {workbook.MAX_COLUMNS + 50} 列，超过上限 {workbook.MAX_COLUMNS} 列" in failure.message


def test_not_a_zip_at_all_is_a_chinese_per_file_error(tmp_path):
    (tmp_path / "penalties.xlsx").write_bytes(b"party_name,decision_no\n")  # a CSV renamed to .xlsx
    write_csv(tmp_path / "permits.csv", [PERMIT])
    result = read_folder(tmp_path)
    [failure] = result.failures
    assert failure.type == "penalties" and "不是可读取的 XLSX 工作簿" in failure.message
    assert [r.type for r in result.rows] == ["permits"]


def test_formula_cell_gives_its_cached_value_never_its_text(tmp_path):
    template = write_xlsx(tmp_path / "t.xlsx", list(PENALTY), [list(dict(PENALTY, fine="=0.25*2").values())])
    rewrite_sheet(template, tmp_path / "penalties.xlsx",
                  lambda xml: xml.replace(b"<f>0.25*2</f><v></v>", b"<f>0.25*2</f><v>0.5</v>"))
    template.unlink()
    [row] = read_folder(tmp_path).rows
    assert row.values["fine"] == "0.5"
