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
from publisher.site import build as site
from tests.conftest import SAMPLE_NOW, SampleSite
from tests.leaks import MARKERS, SECRET_ID, SECRET_VALUES

# The national 双公示 templates' columns, written out here rather than read from publisher.core.schema.
PENALTY_TEMPLATE = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "证件类型", "证件号码", "行政处罚决定书文号",
    "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "当前状态", "备注",
]
PERMIT_TEMPLATE = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "证件类型", "证件号码",
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容",
    "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态",
    "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
TYPES = ("permits", "penalties", "inspections", "subjects", "officers", "matters", "guides", "windows")


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
    for label, cell in re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', table, re.S):
        cell = re.sub(r"</?a\b[^>]*>", "", cell)  # a party's name and code link to its profile
        items = re.findall(r"<li>(.*?)</li>", cell, re.S)
        fields[html.unescape(label)] = "；".join(html.unescape(i) for i in items) if items else html.unescape(cell)
    return fields


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
        shown = page_fields(portal_site.page(row[-1].removeprefix(portal_site.config.site.url)))
        assert {h: v for h, v in zip(header[:-1], row[:-1], strict=True) if v} == shown


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


@pytest.mark.parametrize("type_key,template", [("penalties", PENALTY_TEMPLATE), ("permits", PERMIT_TEMPLATE)])
def test_xlsx_has_the_template_columns_and_the_shown_rows(portal_site, type_key, template):
    wb = openpyxl.load_workbook(portal_site.output / "opendata" / f"{type_key}.xlsx", read_only=True)
    [ws] = wb.worksheets
    rows = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0] == template
    csv_rows = read_csv(portal_site.output / "opendata" / f"{type_key}.csv")
    assert [r[: len(template)] for r in csv_rows[1:]] == rows[1:]


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
            assert values == page_fields(text)
        elif '<table class="list">' in text or "暂无公开信息" in text:  # a list page
            links = [u for u in re.findall(r'<td data-label="[^"]*"><a href="([^"]+)">', text)
                     if not u.startswith("/parties/")]  # a party's name links to its profile, not a record
            assert [r["url"].removeprefix(portal_site.config.site.url) for r in twin["records"]] == links
    assert advertised > 200


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
    assert '<link rel="stylesheet" href="/theme/css/charts.css">' in page


def test_unchanged_data_rewrites_no_open_data_file(portal_site):
    files = [p for d in ("opendata", "statistics") for p in (portal_site.output / d).rglob("*") if p.is_file()]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    result = site.build_site(portal_site.config, SAMPLE_NOW)
    assert result.files_written == 0
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == before
