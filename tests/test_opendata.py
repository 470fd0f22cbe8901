"""Open data: exactly what the pages show, row for row and masked; nothing held or withdrawn; files that open.

The site is the session's sample portal (with the planted rows of tests/leaks.py).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from publisher.core.content import load_published
from publisher.core.schema import RECORD_TYPES, Kind
from publisher.runs.annual import annual_reports
from publisher.site import build as site
from publisher.site.decision import yuan
from tests.conftest import SAMPLE_NOW, SampleSite
from tests.leaks import MARKERS, SECRET_ID, SECRET_VALUES

# The national 双公示 templates' columns, written out here rather than read from publisher.core.schema.
PARTY = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "工商注册号", "组织机构代码", "税务登记号",
         "事业单位证书号", "社会组织登记证号", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型",
         "证件号码"]
PENALTY_TEMPLATE = [
    *PARTY, "行政处罚决定书文号",
    "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "当前状态", "备注",
]
PERMIT_TEMPLATE = [
    *PARTY, "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容",
    "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态",
    "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
TYPES = ("permits", "penalties", "inspections", "coercions", "checks", "levies", "requisitions", "subjects", "officers",
         "matters", "guides", "windows")


@pytest.fixture(scope="session")
def portal_site(sample_site: SampleSite) -> SampleSite:
    """The session's sample portal, which pelicanconf builds with the opendata and stats plugins."""
    return sample_site


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def page_fields(page_html: str) -> dict[str, str]:
    """The field table of a detail page, as the reader sees it: label -> text (list items joined by ；)."""
    table = re.search(r'<table class="fields">(.*?)</table>', page_html, re.S)[1]
    fields = {}
    for label, cell in re.findall(r'<th scope="row">(.*?)</th><td[^>]*>(.*?)</td>', table, re.S):
        items = re.findall(r"<li>(.*?)</li>", cell, re.S) or [cell]
        fields[html.unescape(label)] = "；".join(map(shown_value, items))
    return fields


def linked_fields(page_html: str) -> set[str]:
    """Labels of the fields shown as a linked name with its code beside it."""
    table = re.search(r'<table class="fields">(.*?)</table>', page_html, re.S)[1]
    return {html.unescape(label) for label, cell in re.findall(r'<th scope="row">(.*?)</th><td[^>]*>(.*?)</td>',
                                                                 table, re.S) if '<span class="code">' in cell}


def shown_value(fragment: str) -> str:
    """A value as read: a code shown as a linked name counts by the code beside it; tel: links by their text."""
    code = re.search(r'<span class="code">（(.*?)）</span>', fragment)
    return html.unescape(code[1] if code else re.sub(r"<[^>]+>", "", fragment))


def as_shown(type_key: str, data: dict[str, str]) -> dict[str, str]:
    """The data's fields as a page shows them: an amount in 元 beside its 万元, under the label without the unit."""
    money = {f.zh for f in RECORD_TYPES[type_key].fields if f.kind is Kind.MONEY}
    return {label.replace("（万元）", "") if label in money else label: yuan(v) if label in money else v
            for label, v in data.items()}


def output_path(portal_site: SampleSite, url: str) -> Path:
    return portal_site.output / url.removeprefix(portal_site.config.site.url).lstrip("/")


@pytest.mark.parametrize("type_key", TYPES)
def test_csv_rows_are_the_detail_pages_row_for_row(portal_site, type_key):
    rows = read_csv(portal_site.output / "opendata" / f"{type_key}.csv")
    header, body = rows[0], rows[1:]
    assert header[-1] == "详情页网址"
    live = [r for r in load_published(portal_site.config.paths.content)[type_key] if r.live]
    assert len(body) == len(live) > 0
    listed = int(re.search(r"共 (\d+) 条", portal_site.page(f"/{type_key}/"))[1])
    assert len(body) == listed
    for row in body:
        page = portal_site.page(row[-1].removeprefix(portal_site.config.site.url))
        assert_page_shows(page, as_shown(type_key, {h: v for h, v in zip(header[:-1], row[:-1], strict=True) if v}))


def assert_page_shows(page: str, written: dict[str, str]) -> None:
    """The page's field table shows exactly these values; a code shown as a linked name, by its code."""
    shown = page_fields(page)
    linked = {h for h in linked_fields(page) if h in written and shown[h] in written[h]}  # "CK-02 某窗口"
    assert {h: v for h, v in written.items() if h not in linked} == {h: shown[h] for h in shown if h not in linked}
    assert linked <= written.keys()


def test_penalty_and_permit_csv_follow_the_national_template_order(portal_site):
    for type_key, template in (("penalties", PENALTY_TEMPLATE), ("permits", PERMIT_TEMPLATE)):
        header = read_csv(portal_site.output / "opendata" / f"{type_key}.csv")[0]
        assert header[: len(template)] == template
        assert header[len(template):] == ["承办科室", "详情页网址"]


def test_csv_reads_back_with_the_right_characters_in_a_gbk_world(portal_site):
    data = (portal_site.output / "opendata" / "penalties.csv").read_bytes()
    text = data.decode("utf-8-sig")
    assert "\ufffd" not in text and "示例县林业和草原局" in text
    text.encode("gb18030")  # everything a Chinese Excel without UTF-8 support could also show
    with pytest.raises(UnicodeDecodeError):
        data.decode("ascii")
    rows = read_csv(portal_site.output / "opendata" / "penalties.csv")
    masked = [r for r in rows if "示林罚决字〔2026〕第999号" in r]
    assert len(masked) == 1
    row = masked[0]
    assert SECRET_ID[:6] + "*" * 8 + SECRET_ID[-4:] in row
    assert "钱" + "*" * len(SECRET_VALUES["given_name"]) in row


@pytest.mark.parametrize("type_key", TYPES)
def test_json_dataset_equals_the_csv(portal_site, type_key):
    rows = read_csv(portal_site.output / "opendata" / f"{type_key}.csv")
    data = json.loads((portal_site.output / "opendata" / f"{type_key}.json").read_text("utf-8"))
    assert data["count"] == len(data["records"]) == len(rows) - 1
    assert [f["title"] for f in data["fields"]] == rows[0][:-1]
    names = [f["name"] for f in data["fields"]]
    for record, row in zip(data["records"], rows[1:], strict=True):
        assert record["url"] == row[-1]
        cells = [(lambda v: "；".join(v) if isinstance(v, list) else v)(record["fields"].get(n, "")) for n in names]
        assert cells == row[:-1]
    shown = [r for r in load_published(portal_site.config.paths.content)[type_key]]
    newest = max(r.published if r.live else r.withdrawn for r in shown)
    assert data["licence"]["name"] and data["modified"] == newest


@pytest.mark.parametrize("type_key", ["penalties", "permits"])
def test_xlsx_is_the_national_template_with_the_shown_rows_and_one_file_per_year(portal_site, type_key):
    from tests.test_national import NATIONAL

    def sheet(name: str) -> list[list[str]]:
        wb = openpyxl.load_workbook(portal_site.output / "opendata" / name, read_only=True)
        [ws] = wb.worksheets
        return [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]

    rows = sheet(f"{type_key}.xlsx")
    assert rows[0] == NATIONAL[type_key]
    number = NATIONAL[type_key].index("行政处罚决定书文号" if type_key == "penalties" else "行政许可决定文书号")
    csv_rows = read_csv(portal_site.output / "opendata" / f"{type_key}.csv")
    csv_number = csv_rows[0].index(NATIONAL[type_key][number])
    assert [r[number] for r in rows[1:]] == [r[csv_number] for r in csv_rows[1:]]
    catalogue = portal_site.page("/opendata/")
    decided = csv_rows[0].index("处罚决定日期" if type_key == "penalties" else "许可决定日期")
    years = sorted({r[decided][:4] for r in csv_rows[1:]})
    assert len(years) >= 2
    by_year = []
    for year in years:
        assert f'href="/opendata/{type_key}-{year}.xlsx"' in catalogue
        yearly = sheet(f"{type_key}-{year}.xlsx")
        assert yearly[0] == NATIONAL[type_key]
        by_year += yearly[1:]
    assert sorted(map(tuple, by_year)) == sorted(map(tuple, rows[1:]))
    listed = json.loads((portal_site.output / "opendata" / "index.json").read_text("utf-8"))
    [meta] = [d for d in listed["datasets"] if d["type"] == type_key]
    assert sorted(meta["xlsx_by_year"]) == years


def test_held_withdrawn_and_secret_values_are_absent_from_open_data_and_twins(portal_site):
    withdrawn = [i for i in portal_site.plan.items if i.action.value == "withdraw"]
    assert withdrawn
    files = list((portal_site.output / "opendata").iterdir()) + list(portal_site.output.rglob("index.json"))
    assert len(files) > 150
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".xlsx":  # zipped: look inside
            import zipfile

            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        for marker in MARKERS:
            assert marker.encode() not in data, f"{marker} in {path}"
        for item in withdrawn:
            if path.parent.name != item.slug:
                assert f"/{item.type}/{item.slug}/".encode() not in data, f"{item.key} listed in {path}"
            assert item.key.encode() not in data, f"{item.key} in {path}"


def test_every_advertised_json_twin_exists_and_says_what_the_page_shows(portal_site):
    advertised = 0
    for page in portal_site.output.rglob("index.html"):
        text = page.read_text("utf-8")
        link = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', text)
        if not link:
            continue
        advertised += 1
        twin = json.loads((portal_site.output / link[1].lstrip("/")).read_text("utf-8"))
        folder = page.parent.relative_to(portal_site.output).as_posix()
        assert link[1] == f"/{folder}/index.json"
        if '<table class="fields">' in text:  # a record page
            labels = {f["name"]: f["title"] for f in json.loads(
                (portal_site.output / "opendata" / f"{twin['type']}.json").read_text("utf-8"))["fields"]}
            values = {labels[n]: "；".join(v) if isinstance(v, list) else v for n, v in twin["fields"].items()}
            assert_page_shows(text, as_shown(twin["type"], values))
        elif '<table class="list">' in text or "暂无公开信息" in text:  # a list page
            links = [u for u in re.findall(r'<td data-label="[^"]*"><a href="([^"]+)">', text)
                     if not u.startswith("/parties/")]  # a party's name links to its profile
            assert [r["url"].removeprefix(portal_site.config.site.url) for r in twin["records"]] == links
    assert advertised > 190  # every record page and list page (a front page holds up to 39 records)


def test_a_withdrawn_records_twin_is_its_notice_without_data(portal_site):
    item = next(i for i in portal_site.plan.items if i.action.value == "withdraw")
    twin = json.loads((portal_site.output / item.type / item.slug / "index.json").read_text("utf-8"))
    assert twin["state"] == "withdrawn" and twin["withdrawn"] and twin["withdrawal_reason"]
    assert "fields" not in twin and item.key not in json.dumps(twin, ensure_ascii=False)
    assert 'type="application/json"' not in portal_site.page(f"/{item.type}/{item.slug}/")


def test_the_catalogue_describes_every_dataset(portal_site):
    page = portal_site.page("/opendata/")
    catalogue = json.loads(portal_site.page("/opendata/index.json"))
    assert [d["type"] for d in catalogue["datasets"]] == list(TYPES)
    for d in catalogue["datasets"]:
        opening = f'<section class="dataset" aria-labelledby="ds-{d["type"]}">'
        section = page.split(opening, 1)[1].split("</section>", 1)[0]
        assert f"<dd>{d['count']} 条</dd>" in section and f"<dd>{d['modified']}</dd>" in section
        assert 'rel="license"' in section
        for url in d["distributions"].values():
            path = url.removeprefix(portal_site.config.site.url)
            assert f'href="{path}"' in section and (portal_site.output / path.lstrip("/")).exists()
    assert "<th scope=\"row\">罚款金额（万元）</th><td><code>fine</code></td><td>罚款金额，单位万元</td>" in page
    assert re.search(r'<link rel="stylesheet" href="/theme/css/charts\.[0-9a-f]{10}\.css">', page)


def test_unchanged_data_rewrites_no_open_data_file(portal_site):
    files = [p for d in ("opendata", "statistics") for p in (portal_site.output / d).rglob("*") if p.is_file()]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    result = site.build_site(portal_site.config, SAMPLE_NOW, annual=annual_reports(portal_site.config, SAMPLE_NOW))
    assert result.files_written == 0
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == before
