"""Open data as tables: the columns, rows and file bytes of each dataset, pure functions of content/.

A dataset holds exactly what the detail pages show: live records only, each field as written to
content/ (already masked by `portal pull`); CSV and XLSX cells a spreadsheet could run as a formula
get a leading ' (`spreadsheet_text`), and XLSX cells are always strings, never formulas. Every writer
here is deterministic, so unchanged data gives byte-identical files and the page writer leaves them untouched.
Each format has a part that needs no header or position (CSV rows, JSON records one a line through orjson,
sheet rows without numbers), so a file is a header, any parts joined bytewise and a tail (yearly.py).
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from publisher.core.content import FieldValue, PublishedRecord
from publisher.core.schema import RECORD_TYPES, Field, Kind
from publisher.site.agencies import origin_object
from publisher.site.precompress import Piece

LIST_SEPARATOR = "；"  # the sources' own separator for list-valued cells (DESIGN §2)
URL_HEADER = "详情页网址"
ORIGIN_HEADERS = ("发布机关", "原始公示页面网址")
# A fixed zip timestamp: openpyxl stamps every entry with the clock, which would rewrite unchanged files.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
SHEET_LEVEL = 6  # zlib's default, as zipfile deflated the sheet before
# OWASP CSV injection: a cell a spreadsheet could take for a formula or DDE gets a leading ' and stays text.
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
# What may come before a trigger and still let a spreadsheet see it: blanks, controls, invisible format characters.
_LEADING_BLANKS = r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*"
_FORMULA_START = re.compile(r"[\t\r]|" + _LEADING_BLANKS + "[" + re.escape("".join(sorted(FORMULA_TRIGGERS))) + "]")
# A plain negative number ("-3", "-0.5") is a number to any spreadsheet, never a formula: it keeps its text.
_PLAIN_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?")
# Not allowed in XML 1.0 (openpyxl raises IllegalCharacterError on the C0 ones): dropped from XLSX cells only.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    meaning: str


# What a field means, where its Chinese name alone does not say (shown in the data catalogue).
MEANINGS: dict[str, str] = {
    "party_name": "行政相对人名称；自然人只显示姓氏，其余以 * 代替",
    "party_type": "法人及非法人组织、自然人或个体工商户",
    "credit_code": "18位统一社会信用代码（GB 32100）",
    "legal_rep": "法人及非法人组织、个体工商户的法定代表人（负责人）",
    "reg_no": "三证合一前的15位工商注册号（行政相对人代码_2）",
    "org_code": "三证合一前的9位组织机构代码（行政相对人代码_3）",
    "tax_no": "三证合一前的税务登记号（行政相对人代码_4）",
    "institution_no": "事业单位法人证书号（行政相对人代码_5）",
    "social_org_no": "社会组织登记证号（行政相对人代码_6）",
    "legal_rep_id_type": "法定代表人（负责人）的证件类型",
    "legal_rep_id_number": "法定代表人（负责人）的证件号码，只显示前6位和后4位",
    "id_type": "自然人的证件类型",
    "id_number": "自然人的证件号码，只显示前6位和后4位",
    "penalty_class": "行政处罚法第九条规定的处罚种类，可有多项",
    "fine": "罚款金额，单位万元",
    "confiscation": "没收违法所得、没收非法财物的金额，单位万元",
    "display_until": "本条信息在网站上公示的截止日期",
    "status": "决定的当前状态；被撤销或无效的决定不在本数据集中",
    "department": "本机关内承办的科室或机构（不属于国家双公示标准字段）",
    "officer_certs": "参加检查的执法人员的执法证号",
    "cert_status": "执法证件的状态：有效、暂扣或注销",
    "random_inspection": "是否列入随机抽查事项清单",
    "steps": "办理流程的各个步骤，按先后顺序",
}
_KIND_MEANINGS = {
    Kind.DATE: "日期，格式为 YYYY-MM-DD",
    Kind.MONEY: "金额，单位万元",
    Kind.LIST: f"可有多项，以“{LIST_SEPARATOR}”分隔",
    Kind.ENUM_LIST: f"可有多项，以“{LIST_SEPARATOR}”分隔",
    Kind.BOOL: "是或否",
    Kind.CREDIT_CODE: "18位统一社会信用代码（GB 32100）",
}


def _meaning(f: Field) -> str:
    text = MEANINGS.get(f.name) or _KIND_MEANINGS.get(f.kind) or f.zh
    if f.choices and f.name not in MEANINGS:
        text = "取值：" + "、".join(f.choices) + ("；可有多项" if f.kind is Kind.ENUM_LIST else "")
    return text


def columns(type_key: str, records: Iterable[PublishedRecord] = ()) -> list[Column]:
    """The dataset's columns: the type's public fields in template order, then any other shown field."""
    return columns_named(type_key, other_fields(type_key, records))


def other_fields(type_key: str, records: Iterable[PublishedRecord]) -> list[str]:
    """The fields the records show beyond the type's public ones, in the order they first come."""
    known = {f.name for f in RECORD_TYPES[type_key].public_fields}
    found: dict[str, None] = {}
    for record in records:  # a field content/ shows is in the data even if the schema calls it private
        for name, _ in record.fields:
            if name not in known and name not in found:
                found[name] = None
    return list(found)


def columns_named(type_key: str, others: Iterable[str]) -> list[Column]:
    rtype = RECORD_TYPES[type_key]
    cols = [Column(f.name, f.zh, _meaning(f)) for f in rtype.public_fields]
    return cols + [Column(name, rtype.field(name).zh if name in rtype._by_name else name, "") for name in others]


def live(records: Iterable[PublishedRecord]) -> list[PublishedRecord]:
    return [r for r in records if r.live]


def cell(value: FieldValue | None) -> str:
    """A value as one spreadsheet cell: list items joined as the sources write them."""
    if value is None:
        return ""
    return value if isinstance(value, str) else LIST_SEPARATOR.join(value)


def spreadsheet_text(text: str) -> str:
    """A cell's text as CSV or XLSX holds it: prefixed with ' if a spreadsheet could read it as a formula."""
    return "'" + text if _FORMULA_START.match(text) and not _PLAIN_NUMBER.fullmatch(text) else text


def last_updated(records: Iterable[PublishedRecord]) -> str:
    """The newest day the dataset changed: a record first shown, or one withdrawn from it."""
    return max((r.published if r.live else r.withdrawn for r in records), default="") or ""


def record_object(record: PublishedRecord, base_url: str) -> dict[str, Any]:
    """One record as JSON: its page, dates and shown fields (lists stay lists)."""
    return {
        "url": base_url + record.url,
        "title": record.title,
        "date": record.date,
        "published": record.published,
        "fields": {name: (list(v) if isinstance(v, tuple) else v) for name, v in record.fields},
        **origin_object(record),
    }


def dumps(data: Any) -> str:
    """Stable JSON text: key order as built, Chinese as characters, a final newline (orjson: 3x json's speed)."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()


def csv_header(cols: list[Column], unified: bool = False) -> bytes:
    """UTF-8 with a BOM, so Excel opens it with the right characters; Chinese headers; CRLF.

    `unified`: on a unified platform (issue 19) two more columns say which agency published each row
    and where its authoritative page is."""
    out = io.StringIO()
    extra = list(ORIGIN_HEADERS) if unified else []
    csv.writer(out, lineterminator="\r\n").writerow([spreadsheet_text(c.zh) for c in cols] + [URL_HEADER] + extra)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def csv_rows(cols: list[Column], records: Iterable[PublishedRecord], base_url: str, unified: bool = False) -> bytes:
    """The live records' rows, no header: rows of any set of records can follow one header bytewise."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for r in live(records):
        values = [cell(r.values.get(c.name)) for c in cols] + [base_url + r.url]
        if unified:
            origin = origin_object(r).get("origin", {})
            values += [origin.get("agency", ""), origin.get("canonical", "")]
        writer.writerow([spreadsheet_text(v) for v in values])
    return out.getvalue().encode("utf-8")


def is_unified(records: Iterable[PublishedRecord]) -> bool:
    """Whether the records come from a unified platform's agencies: then their files name each one's agency."""
    return any(r.origin is not None for r in records)


def csv_bytes(type_key: str, records: list[PublishedRecord], base_url: str) -> bytes:
    """A whole CSV file of the records, in one go."""
    cols, unified = columns(type_key, live(records)), is_unified(records)
    return csv_header(cols, unified) + csv_rows(cols, records, base_url, unified)


def json_fields(cols: list[Column]) -> list[dict[str, str]]:
    return [{"name": c.name, "title": c.zh, "description": c.meaning} for c in cols]


def json_records(records: Iterable[PublishedRecord], base_url: str) -> bytes:
    """The live records as JSON objects, one a line, joined by commas: a part of a dataset's record array."""
    return b",\n".join(orjson.dumps(record_object(r, base_url)) for r in live(records))


def json_file(meta: dict[str, Any], count: int, parts: Iterable[bytes]) -> bytes:
    """A dataset: its facts, then "records" with the parts' objects one a line (orjson; valid JSON, UTF-8)."""
    return b"".join(part.data if isinstance(part, Piece) else part for part in json_file_parts(meta, count, parts))


def json_file_parts(meta: dict[str, Any], count: int, parts: Iterable[bytes | Piece]) -> Iterator[bytes | Piece]:
    """`json_file` as the pieces it is joined from, each part as it comes: a whole type's file is never held.
    A part may be a month's `Piece` (its deflated blocks kept for the gzip twin), passed on as it is."""
    yield orjson.dumps({**meta, "count": count})[:-1] + b',"records":['
    first = True
    for part in parts:
        if part.data if isinstance(part, Piece) else part:
            yield b"\n" if first else b",\n"
            yield part
            first = False
    yield b"]}\n" if first else b"\n]}\n"


def json_dataset(type_key: str, records: list[PublishedRecord], meta: dict[str, Any], base_url: str) -> bytes:
    """A whole JSON dataset of the records, in one go."""
    rows = live(records)
    return json_file({**meta, "fields": json_fields(columns(type_key, rows))}, len(rows),
                     [json_records(rows, base_url)])


def workbook_bytes(sheet: str, headers: list[str], rows: Iterable[list[str]], author: str, modified: str,
                   title: str) -> bytes:
    """One sheet, bold headers in order, one row of text cells per record; deterministic bytes."""
    return workbook_of_parts(sheet, headers, [sheet_rows(rows)], author, modified, title)


def sheet_rows(rows: Iterable[list[str]]) -> bytes:
    """Rows of text cells as the sheet's XML, neither rows nor cells numbered, so rows of any set of records can
    follow one another: `workbook_of_parts` numbers the rows (a cell without `r` is the next in its row)."""
    return "".join("<row>" + "".join(map(_inline_cell, row)) + "</row>" for row in rows).encode("utf-8")


def _inline_cell(value: str) -> str:
    """A string cell as openpyxl writes one (t="inlineStr"), never a formula: text neutralised, cut to Excel's
    32,767 characters, XML-escaped; a CR kept as a character reference."""
    text = _xlsx_text(value)[:32767]
    if not text:
        return '<c t="inlineStr"></c>'
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def row_count(rows: bytes) -> int:
    """The rows of a part (sheet_rows): "<row>" in a value is escaped, so each one starts a row."""
    return rows.count(b"<row>")


def packed_rows(rows: bytes, first: int) -> bytes:
    """A part's rows (sheet_rows) numbered from sheet row `first` and deflated on their own (_pack): a part
    packed once serves every workbook it starts at the same row in."""
    pieces = rows.split(b"<row>")[1:]
    return _pack(b"".join(b'<row r="%d">' % n + piece for n, piece in enumerate(pieces, first)))


def workbook_of_parts(sheet: str, headers: list[str], parts: Iterable[bytes], author: str, modified: str,
                      title: str) -> bytes:
    """A workbook whose sheet is the header row, then the parts' rows (sheet_rows) one after another."""
    packed, first = [], 2
    for part in parts:
        packed.append(packed_rows(part, first))
        first += row_count(part)
    return workbook_of_packed(sheet, headers, packed, author, modified, title)


def workbook_of_packed(sheet: str, headers: list[str], packed: Iterable[bytes], author: str, modified: str,
                       title: str) -> bytes:
    """A workbook whose sheet is the header row, then the packed parts' rows (packed_rows) in order.

    openpyxl makes the frame (styles, header row, properties); the sheet's deflate stream is the frame's head,
    the parts' streams as they are and the frame's tail, so a republish deflates only the parts that changed."""
    frame = _frame(sheet, headers, author, modified, title)
    entries = []
    with zipfile.ZipFile(io.BytesIO(frame)) as src:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.rsplit(b"</sheetData>", 1)
                entries.append((info.filename, [_pack(head), *packed, _pack(b"</sheetData>" + tail, final=True)]))
            else:
                entries.append((info.filename, [_pack(data, final=True)]))
    return _zip(entries)


_PACK_HEAD = struct.Struct("<IQ")  # crc32 and length of the packed bytes, before their deflate stream


def _pack(data: bytes, final: bool = False) -> bytes:
    """crc32, length, and `data` as a raw deflate stream of its own; unless final it ends on a byte boundary
    without a last block (a sync flush), so another stream can follow it: how pigz joins its pieces."""
    z = zlib.compressobj(SHEET_LEVEL, zlib.DEFLATED, -15)
    body = z.compress(data) + z.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return _PACK_HEAD.pack(zlib.crc32(data), len(data)) + body


def _zip(entries: list[tuple[str, list[bytes]]]) -> bytes:
    """A zip of deflated entries, each its packed pieces joined, dated ZIP_EPOCH (zipfile cannot take bytes
    already deflated)."""
    out, central = bytearray(), bytearray()
    for name, pieces in entries:
        crc, size = 0, 0
        for piece in pieces:
            piece_crc, piece_size = _PACK_HEAD.unpack_from(piece)
            crc, size = crc32_combine(crc, piece_crc, piece_size), size + piece_size
        body = b"".join(memoryview(piece)[_PACK_HEAD.size:] for piece in pieces)
        raw, offset = name.encode(), len(out)
        fixed = struct.pack("<HHHHHIIIH", 20, 0, zipfile.ZIP_DEFLATED, 0, _DOS_DATE, crc, len(body), size, len(raw))
        out += b"PK\x03\x04" + fixed + b"\x00\x00" + raw + body
        central += (b"PK\x01\x02" + struct.pack("<H", 3 << 8 | 20) + fixed
                    + struct.pack("<HHHHII", 0, 0, 0, 0, 0o644 << 16, offset) + raw)
    end = struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + b"PK\x05\x06" + end)


_DOS_DATE = (ZIP_EPOCH[0] - 1980) << 9 | ZIP_EPOCH[1] << 5 | ZIP_EPOCH[2]


_CRC_POLY = 0xEDB88320  # crc32's polynomial, bit-reversed


def _multmodp(a: int, b: int) -> int:
    """a * b modulo the crc32 polynomial (zlib's multmodp)."""
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if not a & (m - 1):
                return product
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


_X2N = [1 << 30]  # x^(2^k) modulo the polynomial, k = 0..31
for _ in range(31):
    _X2N.append(_multmodp(_X2N[-1], _X2N[-1]))


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The crc32 of a + b from crc32(a), crc32(b) and len(b): zlib's crc32_combine, which Python does not offer."""
    power, k, n = 1 << 31, 3, len2  # x^(8 * len2): crc1 moved past len2 bytes
    while n:
        if n & 1:
            power = _multmodp(_X2N[k & 31], power)
        n >>= 1
        k += 1
    return _multmodp(power, crc1) ^ crc2


def _frame(sheet: str, headers: list[str], author: str, modified: str, title: str) -> bytes:
    """The workbook with its header row only, as openpyxl writes it."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for i, header in enumerate(headers, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(header) * 2 + 2))
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        heading = _text_cell(ws, _xlsx_text(header))
        heading.font = bold
        header_cells.append(heading)
    ws.append(header_cells)
    stamp = datetime.fromisoformat(modified) if modified else datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = author
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.title = title
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not save_workbook: that stamps the clock into docProps/core.xml
    return raw.getvalue()


def _xlsx_text(text: str) -> str:
    return spreadsheet_text(_XML_ILLEGAL.sub("", text))


def _text_cell(ws: Any, text: str) -> Cell:
    """A string cell whatever its text: openpyxl would make "=..." a formula and "#N/A" an error."""
    c = WriteOnlyCell(ws, value=text)
    c.data_type = "s"
    return c
