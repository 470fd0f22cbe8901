"""Messy and hostile input: zip bombs, sheets past the limits, Excel's own values, every header spelling."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sources_helpers import PENALTY, PERMIT, write_csv

from publisher.core.config import SourceConfig
from publisher.core.schema import UNMAPPED_HEADERS
from publisher.pull.plan import make_plan
from publisher.pull.rows import SourceResult
from publisher.pull.sources import read_sources, workbook
from publisher.pull.validation import parse_row
from tests.conftest import SAMPLE_NOW
from tests.factories import COMPANY_CODE, penalty, person_penalty

TODAY = date(2026, 11, 30)


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
    started = time.perf_counter()
    result = read_folder(tmp_path)
    elapsed = time.perf_counter() - started  # both files: the good one is read, the bomb is not
    tracemalloc.start()
    read_folder(tmp_path)
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


# --- 2. Excel's own values --------------------------------------------------------------------

PERSON = person_penalty().values


def excel_values_folder(tmp_path: Path) -> SourceResult:
    """A workbook as a clerk's Excel leaves it: serial dates, datetimes, numbers in scientific notation."""
    headers = [*PERSON, "publish_at", "remarks"]
    rows = [
        dict(PERSON, decision_no="第2号", decision_date=46342, publish_at=datetime(2026, 11, 20, 9, 30),
             remarks=123456789012345678),
        dict(PERSON, decision_no="第3号", id_number=9.90101e17, decision_date=datetime(2026, 11, 16)),
        dict(PERSON, decision_no="第4号", id_number="9.90101E+17", decision_date=46342.0),
        dict(penalty().values, decision_no="第5号", credit_code=9.13301e17, legal_rep=None,
             id_type=None, id_number=None),
        dict(PERSON, decision_no=990101000000012.0, id_number="11010519491231002X", remarks=20240305.0),
    ]
    write_xlsx(tmp_path / "penalties.xlsx", headers, [[r.get(h) for h in headers] for r in rows])
    return read_folder(tmp_path)


def test_excel_serial_and_datetime_cells_become_dates(tmp_path):
    result = excel_values_folder(tmp_path)
    assert result.failures == []
    first, second, third = result.rows[:3]
    assert first.values["decision_date"] == "46342"  # a numeric cell: validation reads the serial
    assert first.values["publish_at"] == "2026-11-20 09:30:00"
    assert second.values["decision_date"] == "2026-11-16"
    record = parse_row(first, TODAY)
    assert not isinstance(record, list), record
    assert record.values["decision_date"] == date(2026, 11, 16)
    assert record.values["publish_at"] == datetime(2026, 11, 20, 9, 30)
    assert parse_row(third, TODAY)[0].field == "id_number"  # the serial date itself was fine


@pytest.mark.parametrize(("serial", "expected"), [
    ("46342", date(2026, 11, 16)), ("46342.75", date(2026, 11, 16)), ("36526", date(2000, 1, 1)),
    ("20000", date(1954, 10, 3)), ("80000", date(2119, 1, 11)),
])
def test_serial_numbers_in_a_date_field(serial, expected):
    record = parse_row(penalty(decision_date=serial, valid_until=serial), date(2200, 1, 1))
    assert not isinstance(record, list), record
    assert record.values["valid_until"] == expected


@pytest.mark.parametrize("text", ["19999", "80001", "4634", "46342.5.1", "60"])
def test_numbers_that_are_not_plausible_serials_stay_invalid_dates(text):
    [problem] = parse_row(penalty(decision_date=text), TODAY)
    assert problem.field == "decision_date" and "不是有效日期" in problem.message


def test_publish_at_serial_keeps_its_time_of_day():
    record = parse_row(penalty(publish_at="46342.375"), TODAY)
    assert record.values["publish_at"] == datetime(2026, 11, 16, 9, 0)


def test_numbers_excel_put_in_scientific_notation_are_explained(tmp_path):
    rows = excel_values_folder(tmp_path).rows
    explained = "该数字已被 Excel 以科学计数法保存，丢失了末几位，请将该列设为文本后重新录入"
    for raw, field, shown in ((rows[1], "id_number", "9.90101E+17"), (rows[2], "id_number", "9.90101E+17"),
                              (rows[3], "credit_code", "9.13301E+17")):
        problems = {p.field: p.message for p in parse_row(raw, TODAY)}
        assert set(problems) == {field}, problems
        label = "证件号码" if field == "id_number" else "统一社会信用代码"
        assert problems[field] == f"“{label}”为“{shown}”：{explained}"
        assert "18位" not in problems[field]


@pytest.mark.parametrize(("field", "text"), [("decision_no", "9.90101E+17"), ("authority_code", "1.12305E+17"),
                                             ("decision_no", "1.5e+15")])
def test_scientific_notation_in_any_identifier_field(field, text):
    [problem] = parse_row(penalty(**{field: text}), TODAY)
    assert problem.field == field and "科学计数法" in problem.message


def test_long_numbers_from_numeric_cells_have_no_dot_zero_and_no_exponent(tmp_path):
    rows = excel_values_folder(tmp_path).rows
    assert rows[0].values["remarks"] == "1.23456789012346E+17"  # openpyxl and Excel store a double
    assert rows[4].values["decision_no"] == "990101000000012"
    assert rows[4].values["remarks"] == "20240305"
    assert rows[3].values["credit_code"] == "9.13301E+17"


def test_a_clerk_sees_file_row_field_and_reason_in_the_plan(tmp_path, runner):
    plan = runner.plan(excel_values_folder(tmp_path).rows, now=SAMPLE_NOW)
    rejected = {(i.origin.file, i.origin.row, i.field): i.reason for i in plan.items if i.action.value == "reject"}
    assert set(rejected) == {("penalties.xlsx", 3, "id_number"), ("penalties.xlsx", 4, "id_number"),
                             ("penalties.xlsx", 5, "credit_code")}, rejected
    assert "“证件号码”为“9.90101E+17”" in rejected[("penalties.xlsx", 3, "id_number")]


# --- 3. Headers: every spelling of the national templates --------------------------------------

PENALTY_SPELLINGS = [
    ("行政相对人名称", "party_name"), ("行政相对人类别", "party_type"),
    ("行政相对人代码_1（统一社会信用代码）", "credit_code"), ("行政相对人代码_1(统一社会信用代码)", "credit_code"),
    ("行政相对人代码-1（统一社会信用代码）", "credit_code"), ("行政相对人代码＿1（统一社会信用代码）", "credit_code"),
    ("行政相对人代码1(统一社会信用代码)", "credit_code"), ("统一社会信用代码", "credit_code"),
    ("法定代表人", "legal_rep"), ("法定代表人姓名", "legal_rep"), ("证件类型", "id_type"), ("证件号码", "id_number"),
    ("行政处罚决定书文号", "decision_no"), ("违法行为类型", "violation_type"), ("违法事实", "facts"),
    ("处罚事由", "facts"), ("处罚依据", "basis"), ("处罚类别", "penalty_class"), ("处罚内容", "content"),
    ("处罚结果", "content"), ("罚款金额(万元)", "fine"), ("罚款金额（万元）", "fine"), ("罚款金额【万元】", "fine"),
    ("没收违法所得、没收非法财物的金额(万元)", "confiscation"),
    ("没收违法所得、没收非法财物的金额（万元）", "confiscation"),
    ("暂扣或吊销证照名称及编号", "license_action"), ("处罚决定日期", "decision_date"),
    ("处罚有效期", "valid_until"), ("公示截止期", "display_until"), ("处罚机关", "authority"),
    ("处罚机关统一社会信用代码", "authority_code"), ("数据来源单位", "source_unit"),
    ("数据来源单位统一社会信用代码", "source_unit_code"), ("备注", "remarks"), ("当前状态", "status"),
    # The 2021 template's other codes and the legal representative's document.
    ("行政相对人代码_2(工商注册号)", "reg_no"), ("行政相对人代码_3（组织机构代码）", "org_code"),
    ("行政相对人代码_4(税务登记号)", "tax_no"), ("行政相对人代码_5(事业单位证书号)", "institution_no"),
    ("行政相对人代码_6(社会组织登记证号)", "social_org_no"), ("工商注册号", "reg_no"), ("组织机构代码", "org_code"),
    ("法定代表人证件类型", "legal_rep_id_type"), ("法定代表人证件号码", "legal_rep_id_number"),
    # The 2016 template: the same codes under other numbers, and its names for the dates.
    ("行政相对人代码_2(组织机构代码)", "org_code"), ("行政相对人代码_3(工商登记码)", "reg_no"),
    ("行政相对人代码_5(居民身份证号)", "id_number"), ("处罚截止期", "valid_until"),
    # How staff retype them: markers, spaces, line breaks, zero-width characters, full-width letters.
    ("*行政相对人名称", "party_name"), ("行政相对人名称*", "party_name"), ("行政相对人名称（必填）", "party_name"),
    ("＊ 行政相对人名称 (必填)", "party_name"), ("行政处罚\n决定书文号", "decision_no"),
    ("处罚决定\u200b日期", "decision_date"), (" 处罚 机关 ", "authority"), ("ＰＡＲＴＹ＿ＮＡＭＥ", "party_name"),
]
PERMIT_SPELLINGS = [
    ("行政相对人代码_1（统一社会信用代码）", "credit_code"), ("行政许可决定文书名称", "decision_doc_name"),
    ("行政许可决定文书号", "decision_no"), ("行政许可决定书文号", "decision_no"), ("许可类别", "permit_class"),
    ("审批类别", "permit_class"), ("许可证书名称", "certificate_name"), ("许可编号", "permit_no"),
    ("许可内容", "content"), ("许可决定日期", "decision_date"), ("有效期自", "valid_from"),
    ("许可生效期", "valid_from"), ("有效期至", "valid_to"), ("许可截止期", "valid_to"), ("许可机关", "authority"),
    ("许可机关统一社会信用代码", "authority_code"), ("当前状态", "status"), ("数据来源单位", "source_unit"),
    ("行政相对人代码_2(工商注册号)", "reg_no"), ("行政相对人代码_3(工商登记码)", "reg_no"),
    ("法定代表人证件号码", "legal_rep_id_number"), ("数据来源单位统一社会信用代码", "source_unit_code"),
]
SPELLINGS = [("penalties", s, f) for s, f in PENALTY_SPELLINGS] + [("permits", s, f) for s, f in PERMIT_SPELLINGS]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_every_template_spelling_maps_to_its_field(tmp_path, kind):
    bases = {"penalties": dict(PENALTY, credit_code=COMPANY_CODE), "permits": PERMIT}
    for n, (rtype, spelling, field) in enumerate(SPELLINGS):
        row = {k: v for k, v in bases[rtype].items() if k != field}
        row[spelling] = f"值{n}"
        path = tmp_path / f"{rtype}-{n:03}.{kind}"
        if kind == "csv":
            write_csv(path, [row])
        else:
            write_xlsx(path, list(row), [list(row.values())])
    result = read_folder(tmp_path)
    assert result.failures == [] and result.notes == []
    got = {int(r.origin.file.split("-")[1].split(".")[0]): r for r in result.rows}
    for n, (rtype, spelling, field) in enumerate(SPELLINGS):
        assert got[n].type == rtype and got[n].values[field] == f"值{n}", (spelling, field)


def test_template_columns_we_do_not_keep_are_named_with_the_reason(tmp_path):
    unmapped = [h.replace("(", "（").replace(")", "）") for h in UNMAPPED_HEADERS]
    write_csv(tmp_path / "penalties.csv", [dict(PENALTY, **dict.fromkeys(unmapped, "x"), 经办人="王五")])
    result = read_folder(tmp_path)
    assert result.failures == [] and len(result.rows) == 1
    messages = [n.message for n in result.notes]
    assert "penalties.csv: 列“处罚名称”未读取：与“违法行为类型”含义不同" in messages
    assert any("“行政相对人代码”未读取：未说明是哪一种代码" in m for m in messages)
    assert "penalties.csv: 未知的列“经办人”，已忽略" in messages  # still said for an unknown header
    assert len(messages) == len(unmapped) + 1


def test_an_oddly_spelt_duplicate_is_still_refused_not_dropped(tmp_path):
    write_csv(tmp_path / "penalties.csv", [dict(PENALTY, **{"行政相对人代码-1（统一社会信用代码）": "x"})])
    [failure] = read_folder(tmp_path).failures
    assert "统一社会信用代码 (credit_code)" in failure.message and "都表示" in failure.message


def test_pull_over_a_folder_with_a_bomb_stops_only_its_type_and_says_which_file(portal_dir, config):
    data = portal_dir / "data"
    template = penalty_xlsx(data / "template.xlsx")
    row = b"<row><c><v>1</v></c></row>" * 2_000_000
    rewrite_sheet(template, data / "行政处罚.xlsx", lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>"))
    template.unlink()
    write_csv(data / "permits.csv", [dict(PERMIT, decision_date="2026-11-20", authority_code="11230500001755309F")])
    started = time.perf_counter()
    plan = make_plan(config, SAMPLE_NOW)
    assert time.perf_counter() - started < 5
    assert "penalties" in plan.stopped and "行政处罚.xlsx" in plan.stopped["penalties"]
    assert [f.location for f in plan.failures] == ["行政处罚.xlsx"]
    assert [(i.type, i.origin.file, i.origin.row) for i in plan.items] == [("permits", "permits.csv", 2)]
