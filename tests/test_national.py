"""The national 双公示 template in and out (issue 16, parts 1 and 2).

In: the 2021 template's columns and the 2016 template's names are read; the fields the standard requires are
filled where the portal knows them (数据来源单位) or the row is rejected with its file, row and field; the
legal representative's document number is masked. Out: `portal export --template national` writes the exact
template from content/ alone, and reading that file back as a source gives the same records.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from publisher.cli import cli
from publisher.core.config import load_config
from publisher.core.content import load_published
from publisher.pull.plan import make_plan, write_plan
from publisher.pull.sources import read_sources
from tests.conftest import SAMPLE_NOW, Runner
from tests.factories import BUREAU_CODE, COMPANY_CODE, ID_NUMBER, penalty, permit, person_penalty
from tests.leaks import SECRET_REP_ID

# The templates as issue 16 lists them, written out here rather than read from the code.
NATIONAL = {
    "penalties": [
        "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(工商注册号)",
        "行政相对人代码_3(组织机构代码)", "行政相对人代码_4(税务登记号)", "行政相对人代码_5(事业单位证书号)",
        "行政相对人代码_6(社会组织登记证号)", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型",
        "证件号码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容",
        "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期",
        "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位",
        "数据来源单位统一社会信用代码", "备注",
    ],
    "permits": [
        "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(工商注册号)",
        "行政相对人代码_3(组织机构代码)", "行政相对人代码_4(税务登记号)", "行政相对人代码_5(事业单位证书号)",
        "行政相对人代码_6(社会组织登记证号)", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型",
        "证件号码", "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容",
        "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位",
        "数据来源单位统一社会信用代码", "备注",
    ],
}
REP_ID = "34052419800101001X"  # a valid 身份证 (DOMAIN.md example)
COMPANY = dict(reg_no="330106000012345", org_code="12345678-8", tax_no="330106123456789", legal_rep_id_type="01",
               legal_rep_id_number=REP_ID)


def export(config_path: Path, *args: str) -> Path:
    out = config_path.parent / "export.xlsx"
    result = CliRunner().invoke(cli, ["--config", str(config_path), "export", "--template", "national",
                                      *args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "已按国家双公示模板导出" in result.output
    return out


def sheet_rows(path: Path) -> list[list[str]]:
    wb = openpyxl.load_workbook(path)
    assert len(wb.worksheets) == 1  # one sheet, as the platform's upload takes it
    return [["" if v is None else v for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)]


def rows_of(path: Path) -> list[dict[str, str]]:
    rows = sheet_rows(path)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def decided(**values: str) -> dict[str, str]:
    return {"decision_date": "2026-11-10", **values}


ROWS = [
    penalty(2, **COMPANY),
    person_penalty(3),
    penalty(4, party_type="个体工商户", party_name="示例县李某木材加工厂", legal_rep="李某", reg_no="330106000054321",
            legal_rep_id_type="身份证", legal_rep_id_number=REP_ID, decision_date="2025-06-10"),
    penalty(5, decision_date="2025-03-03", penalty_class="罚款；没收违法所得", confiscation="0.3"),
    permit(2, **COMPANY, permit_class="03"),
    permit(3, party_type="自然人", party_name="张某甲", credit_code="", legal_rep="", id_type="护照",
           id_number="E12345678", permit_class="其他", remarks="其他类别：林草种苗进出口审批",
           decision_date="2025-08-08", valid_from="2025-08-08"),
]


@pytest.fixture
def exported(portal_dir: Path) -> Runner:
    runner = Runner(load_config(portal_dir / "portal.toml"))
    runner.pull(ROWS)
    # A decision withdrawn after it was shown: its page stays as a notice, the template never lists it.
    runner.pull([*ROWS, penalty(6, status="撤销")])
    runner.pull([*ROWS[:3], penalty(5, decision_date="2025-03-03", penalty_class="罚款；没收违法所得",
                                    confiscation="0.3", status="撤销"), *ROWS[4:]])
    return runner


def test_the_export_has_the_templates_headers_in_order_on_one_sheet(exported, portal_dir):
    for type_key, headers in NATIONAL.items():
        rows = sheet_rows(export(portal_dir / "portal.toml", "--type", type_key))
        assert rows[0] == headers


def test_the_export_uses_the_standards_codes_and_dates_and_lists_only_live_records(exported, portal_dir):
    penalties = {r["行政处罚决定书文号"]: r for r in rows_of(export(portal_dir / "portal.toml", "--type", "penalties"))}
    assert set(penalties) == {"示林罚决字〔2026〕第2号", "示林罚决字〔2026〕第3号", "示林罚决字〔2026〕第4号"}
    company = penalties["示林罚决字〔2026〕第2号"]
    assert company["行政相对人代码_2(工商注册号)"] == "330106000012345"
    assert company["行政相对人代码_3(组织机构代码)"] == "123456788"
    assert company["法定代表人证件类型"] == "01" and company["法定代表人证件号码"] == "340524********001X"
    assert company["处罚决定日期"] == "2026/11/10" and company["处罚有效期"] == "2026/11/25"
    assert company["行政相对人类别"] == "法人及非法人组织"
    assert company["数据来源单位"] == "示例县林业和草原局" and company["数据来源单位统一社会信用代码"] == BUREAU_CODE
    person = penalties["示林罚决字〔2026〕第3号"]
    assert person["证件类型"] == "01" and person["证件号码"] == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    assert person["行政相对人名称"] == "张**"
    assert person["法定代表人"] == person["法定代表人证件号码"] == ""
    permits = {r["行政许可决定文书号"]: r for r in rows_of(export(portal_dir / "portal.toml", "--type", "permits"))}
    assert permits["示林许字〔2026〕第2号"]["许可类别"] == "03"
    assert permits["示林许字〔2026〕第3号"]["许可类别"] == "06"
    assert permits["示林许字〔2026〕第3号"]["证件类型"] == "02"
    only_2025 = rows_of(export(portal_dir / "portal.toml", "--type", "permits", "--year", "2025"))
    assert [r["行政许可决定文书号"] for r in only_2025] == ["示林许字〔2026〕第3号"]


def test_no_export_cell_is_a_formula(runner, portal_dir):
    runner.pull([penalty(2, remarks="=HYPERLINK(\"http://x\")"), person_penalty(3, facts="+1 当事人滥伐杉木12株。"),
                 penalty(4, facts="@SUM(A1) 滥伐", content="-1+1 罚款", fine="0.5")])
    path = export(portal_dir / "portal.toml", "--type", "penalties")
    shown = {r["行政处罚决定书文号"]: r for r in rows_of(path)}
    assert shown["示林罚决字〔2026〕第2号"]["备注"] == "'=HYPERLINK(\"http://x\")"
    assert shown["示林罚决字〔2026〕第3号"]["违法事实"].startswith("'+1")
    assert shown["示林罚决字〔2026〕第4号"]["违法事实"].startswith("'@SUM")
    assert shown["示林罚决字〔2026〕第4号"]["处罚内容"].startswith("'-1+1")
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml
    wb = openpyxl.load_workbook(path)
    assert all(c.data_type in ("s", "n") for row in wb.active.iter_rows() for c in row if c.value is not None)


def test_the_export_read_back_as_a_source_gives_the_same_records(exported, portal_dir, tmp_path):
    """A round trip through the real pull: the exported files are a second portal's only source."""
    second = tmp_path / "second"
    (second / "data").mkdir(parents=True)
    (second / "portal.toml").write_text((portal_dir / "portal.toml").read_text("utf-8"), "utf-8")
    for type_key in NATIONAL:
        path = export(portal_dir / "portal.toml", "--type", type_key)
        wb = openpyxl.load_workbook(path)
        ws = wb.active  # the template has no workflow column: the receiving system marks its rows reviewed
        ws.cell(1, ws.max_column + 1, "审核状态")
        for row in range(2, ws.max_row + 1):
            ws.cell(row, ws.max_column, "已审核")
        wb.save(second / "data" / f"{type_key}.xlsx")
    config = load_config(second / "portal.toml")
    plan = make_plan(config, SAMPLE_NOW)
    assert [i for i in plan.items if i.action.value == "reject"] == []
    write_plan(plan)
    first, again = load_published(portal_dir / "content"), load_published(second / "content")
    for type_key in NATIONAL:
        fields = _template_fields(type_key)
        before = {r.slug: {f: r.values.get(f) for f in fields} for r in first[type_key] if r.live}
        after = {r.slug: {f: r.values.get(f) for f in fields} for r in again[type_key] if r.live}
        assert before and after == before


def _template_fields(type_key: str) -> list[str]:
    from publisher.site.opendata.national import TEMPLATES

    return [name for _, name in TEMPLATES[type_key]]


def test_the_2016_templates_names_are_read(runner, tmp_path):
    """A file made to the 2016 template: other numbers for the codes, 处罚事由, 处罚结果, 处罚截止期, 法定代表人姓名."""
    folder = tmp_path / "old"
    folder.mkdir()
    headers = ["行政处罚决定书文号", "处罚名称", "处罚类别1", "处罚事由", "处罚依据", "行政相对人名称",
               "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(组织机构代码)", "行政相对人代码_3(工商登记码)",
               "行政相对人代码_4(税务登记号)", "法定代表人姓名", "处罚结果", "处罚决定日期", "处罚截止期", "处罚机关",
               "行政相对人类别", "违法行为类型", "处罚类别", "罚款金额", "处罚机关统一社会信用代码", "审核状态"]
    values = ["示林罚决字〔2016〕第1号", "滥伐林木案", "罚款", "滥伐杉木12株", "《中华人民共和国森林法》第三十九条",
              "示例县青山样板木业有限公司", COMPANY_CODE, "12345678-8", "330106000012345", "330106123456789", "王样例",
              "罚款人民币0.5万元", "2026-11-10", "2026-11-25", "示例县林业和草原局", "法人及非法人组织", "滥伐林木",
              "罚款", "0.5", BUREAU_CODE, "已审核"]
    (folder / "penalties.csv").write_text(",".join(headers) + "\n" + ",".join(values) + "\n", "utf-8")
    result = read_sources([_files_source(folder)])
    assert result.failures == []
    plan = runner.pull(result.rows)
    [item] = [i for i in plan.items if i.type == "penalties"]
    assert item.action.value == "add", item.reason
    [record] = load_published(runner.config.paths.content)["penalties"]
    assert {k: record.values.get(k) for k in ("reg_no", "org_code", "tax_no", "facts", "content", "valid_until",
                                               "legal_rep")} == {
        "reg_no": "330106000012345", "org_code": "123456788", "tax_no": "330106123456789", "facts": "滥伐杉木12株",
        "content": "罚款人民币0.5万元", "valid_until": "2026-11-25", "legal_rep": "王样例"}


def _files_source(folder: Path):
    from publisher.core.config import SourceConfig

    return SourceConfig(kind="files", label=f"files:{folder.name}", path=folder)


def rejected(plan) -> dict[tuple[str, int, str], str]:
    return {(i.origin.file, i.origin.row, i.field): i.reason for i in plan.items if i.action.value == "reject"}


def test_a_required_field_of_the_standard_is_rejected_with_file_row_and_field(runner):
    plan = runner.plan([penalty(2, valid_until=""),
                        penalty(3, source_unit="示例县某某中心", source_unit_code=""),
                        penalty(4, source_unit="", source_unit_code=""),
                        permit(5, decision_no="", permit_no="示林采证〔2026〕第9号")])
    errors = rejected(plan)
    assert set(errors) == {("penalties.csv", 2, "valid_until"), ("penalties.csv", 3, "source_unit_code")}, errors
    assert "“处罚有效期”为空" in errors[("penalties.csv", 2, "valid_until")]
    assert "2099-12-31" in errors[("penalties.csv", 2, "valid_until")]
    assert "site.agency_code" in errors[("penalties.csv", 3, "source_unit_code")]
    report = [i for i in plan.items if i.action.value == "reject"][0]
    assert str(report.origin) in ("penalties.csv 第2行", "penalties.csv 第3行")
    added = {i.key: i for i in plan.items if i.action.value == "add"}
    assert "示林采证〔2026〕第9号" in added  # a permit without a 文书号 uses its 许可编号
    filled = runner.pull([penalty(4, source_unit="", source_unit_code="")])
    [item] = [i for i in filled.items if i.action.value == "add"]
    page = runner.page("penalties", item.slug)  # no agency code configured: the deciding authority reports itself
    assert f"| 数据来源单位统一社会信用代码 | {BUREAU_CODE} |" in page


def test_other_in_a_code_list_must_name_the_category(runner):
    errors = rejected(runner.plan([permit(2, permit_class="06"), penalty(3, penalty_class="罚款；其他"),
                                   permit(4, permit_class="其他", remarks="林草种苗进出口审批")]))
    assert set(errors) == {("permits.xlsx", 2, "remarks"), ("penalties.csv", 3, "remarks")}
    assert "许可类别为“其他”时，请在“备注”中写明具体类别" in errors[("permits.xlsx", 2, "remarks")]
    assert "处罚类别为“其他”时" in errors[("penalties.csv", 3, "remarks")]


def test_the_agency_in_portal_toml_fills_the_source_unit(portal_dir):
    toml = portal_dir / "portal.toml"
    agency_code = "11990101002002977U"
    toml.write_text(toml.read_text("utf-8").replace("[site]\n", f'[site]\nagency = "示例县林业和草原局本级"\n'
                                                    f'agency_code = "{agency_code}"\n', 1), "utf-8")
    runner = Runner(load_config(toml))
    plan = runner.pull([penalty(2, source_unit="", source_unit_code=""),
                        penalty(3, source_unit="示例县林业和草原局本级", source_unit_code="")])
    for item in (i for i in plan.items if i.action.value == "add"):
        page = runner.page("penalties", item.slug)
        assert "| 数据来源单位 | 示例县林业和草原局本级 |" in page
        assert f"| 数据来源单位统一社会信用代码 | {agency_code} |" in page


def test_a_bad_agency_code_in_portal_toml_names_the_key(portal_dir):
    from publisher.core.config import ConfigError

    toml = portal_dir / "portal.toml"
    toml.write_text(toml.read_text("utf-8").replace("[site]\n", '[site]\nagency_code = "123"\n', 1), "utf-8")
    with pytest.raises(ConfigError, match="agency_code"):
        load_config(toml)


@pytest.mark.parametrize("field,value,reason", [
    ("reg_no", "33010600001234", "应为15位数字"),
    ("org_code", "123456789", "校验码错误：末位应为 8"),
    ("org_code", "1234567", "应为9位"),
    ("tax_no", "3301061234567890", "应为15位、18位或20位"),
    ("legal_rep_id_number", "340524198001010011", "法定代表人身份证号码校验码错误"),
])
def test_the_older_codes_are_checked_lightly_with_a_clear_reason(runner, field, value, reason):
    errors = rejected(runner.plan([penalty(2, **{field: value})]))
    assert list(errors) == [("penalties.csv", 2, field)] and reason in errors[("penalties.csv", 2, field)]


def test_a_legal_representatives_passport_is_masked_too(runner):
    plan = runner.pull([penalty(2, legal_rep_id_type="护照", legal_rep_id_number="E12345678")])
    [item] = [i for i in plan.items if i.action.value == "add"]
    page = runner.page("penalties", item.slug)
    assert "E12345678" not in page and "*******78" in page


def test_the_legal_representatives_number_is_masked_in_the_export(sample_site, tmp_path):
    """The planted company (tests/leaks.py) has a legal representative's 身份证: masked in every output."""
    out = tmp_path / "penalties.xlsx"
    result = CliRunner().invoke(cli, ["--config", str(sample_site.config.path), "export", "--type", "penalties",
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        data = b"".join(z.read(n) for n in z.namelist()).decode("utf-8")
    assert SECRET_REP_ID[:14] not in data and SECRET_REP_ID[:6] + "*" * 8 + SECRET_REP_ID[-4:] in data
    site_files = [p for p in sample_site.output.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".csv")]
    [company] = [r for r in load_published(sample_site.config.paths.content)["penalties"]
                 if r.title == "示林罚决字〔2026〕第998号"]
    assert SECRET_REP_ID[:6] + "*" * 8 + SECRET_REP_ID[-4:] in sample_site.page(company.url)
    assert not [p for p in site_files if SECRET_REP_ID[:14] in p.read_text("utf-8", errors="ignore")]
