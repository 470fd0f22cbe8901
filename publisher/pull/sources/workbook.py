"""XLSX workbooks read within limits: the zip is inspected before openpyxl opens it, rows are streamed.

A 400 KB workbook can expand to gigabytes of XML. The sizes a zip declares bound what zipfile will
ever decompress (it stops at the declared size and the CRC check fails), so checking them first
is enough to refuse such a file without reading it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from publisher.pull.sources.tables import Cells

MB = 1024 * 1024
MAX_UNCOMPRESSED = 200 * MB  # all members together, once decompressed
MAX_RATIO = 100  # uncompressed / compressed, for members over RATIO_FROM; real sheets stay under ~30
RATIO_FROM = 1 * MB  # small members (styles, empty sheets) compress far better and harm nothing
MAX_MEMBERS = 2000  # a workbook has a dozen parts, a few hundred with many sheets or pictures
MAX_ROWS = 200_000  # non-empty rows per sheet
MAX_COLUMNS = 200  # up to the last non-empty cell of a row; the national templates have ~40


class WorkbookRefused(ValueError):
    """A workbook over a limit; the message is Chinese and names what is over."""


def check_zip(path: Path | BinaryIO, max_uncompressed: int | None = None) -> None:
    """Refuse a workbook whose zip declares too much data, too many parts or a bomb-like ratio.

    Raises zipfile.BadZipFile for a file that is not a zip, WorkbookRefused for one over a limit.
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(f"工作簿内含 {len(members)} 个部件，超过上限 {MAX_MEMBERS} 个；文件未读取")
    total = sum(m.file_size for m in members)
    limit = min(max_uncompressed or MAX_UNCOMPRESSED, MAX_UNCOMPRESSED)
    if total > limit:
        raise WorkbookRefused(f"工作簿解压后共 {total / MB:.0f} MB，超过上限 {limit / MB:.0f} MB；"
                              "文件未读取，请拆分为几个较小的文件")
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise WorkbookRefused(f"工作簿部件“{m.filename}”压缩比为 {ratio:.0f} 倍（上限 {MAX_RATIO} 倍），"
                                  "不像正常的表格，可能是恶意构造的文件；文件未读取，请用 Excel 打开后另存为再试")


def stream_rows(ws: Any, sheet: str) -> Iterator[tuple[int, Cells]]:
    """(row number, cells) of a read-only worksheet, one at a time, stopping at the first row over a limit."""
    ws.reset_dimensions()  # some exporters write a wrong size; read every row there is
    count = 0
    for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), 1):
        cells = list(row)
        while cells and cells[-1] is None:  # styled but empty trailing cells
            cells.pop()
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            raise WorkbookRefused(f"工作表“{sheet}”第{number}行有 {len(cells)} 列，超过上限 {MAX_COLUMNS} 列；"
                                  "文件未读取，请删除多余的列")
        count += 1
        if count > MAX_ROWS:
            raise WorkbookRefused(f"工作表“{sheet}”超过 {MAX_ROWS} 行，读到第{number}行时停止；"
                                  "文件未读取，请拆分为几个较小的文件")
        yield number, cells
