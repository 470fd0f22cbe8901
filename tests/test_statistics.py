"""Statistics and yearly reports equal counts computed here, independently, from the sample data files.

The expected figures come from data/sample/* read with csv and openpyxl, minus the records the
sample's README says are not shown, plus the planted masked person (tests/leaks.py), who is shown.
Nothing here uses the publisher's rules, its content/ reader or the plugin's code.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import chinese_calendar
import openpyxl
import pytest

from tests.conftest import ROOT, SAMPLE_NOW
from tests.leaks import MARKERS, MASKED_PERSON
from tests.test_opendata import portal_site  # noqa: F401  (the fixture)

SAMPLE = ROOT / "data" / "sample"
NO_DEPARTMENT = "未注明承办机构"


def _day(value) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", text):
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    raise ValueError(text)


def _not_shown() -> set[str]:
    """Keys whose rule in data/sample/README.md is anything but 'shown'."""
    text = (SAMPLE / "README.md").read_text("utf-8")
    return {key for key, rule in re.findall(r"^\| (\S+) \| (.+?) \|$", text, re.M) if not rule.startswith("shown")}


def _rows() -> dict[str, list[dict]]:
    with open(SAMPLE / "penalties.csv", encoding="gbk", newline="") as fh:
        penalties = list(csv.DictReader(fh))
    with open(SAMPLE / "inspections.csv", encoding="utf-8-sig", newline="") as fh:
        inspections = list(csv.DictReader(fh))
    ws = openpyxl.load_workbook(SAMPLE / "permits.xlsx", read_only=True).active
    head, *body = [list(r) for r in ws.iter_rows(values_only=True)]
    permits = [{h: ("" if v is None else v) for h, v in zip(head, row, strict=True)} for row in body]
    hidden = _not_shown()
    planted = {"行政处罚决定书文号": MASKED_PERSON["decision_no"], "处罚决定日期": MASKED_PERSON["decision_date"],
               "违法行为类型": MASKED_PERSON["violation_type"], "处罚类别": MASKED_PERSON["penalty_class"],
               "罚款金额（万元）": MASKED_PERSON["fine"], "承办科室": ""}
    return {
        "permits": [dict(r, date=_day(r["许可决定日期"])) for r in permits if r["行政许可决定文书号"] not in hidden],
        "penalties": [dict(r, date=_day(r["处罚决定日期"])) for r in [*penalties, planted]
                      if r["行政处罚决定书文号"] not in hidden],
        "inspections": [dict(r, date=_day(r["检查日期"])) for r in inspections if r["编号"] not in hidden],
    }


@pytest.fixture(scope="module")
def expected() -> dict:
    rows = _rows()
    types = ("permits", "penalties", "inspections")
    def workdays(row: dict) -> int:
        # Shown on its 首次公开日期 (history from the earlier site), else by the one pull of the test run.
        first = row.get("首次公开日期")
        published = date.fromisoformat(_day(first)) if first else SAMPLE_NOW.date()
        start = date.fromisoformat(row["date"]) + timedelta(days=1)
        return len(chinese_calendar.get_workdays(start, published)) if start <= published else 0

    def count_by(key) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for t in types:
            for r in rows[t]:
                out.setdefault(key(r), dict.fromkeys(types, 0))[t] += 1
        return out

    fines = [Decimal(r["罚款金额（万元）"] or 0) for r in rows["penalties"]]
    days = {t: [workdays(r) for r in rows[t]] for t in ("permits", "penalties")}
    return {
        "rows": rows,
        "totals": {t: len(rows[t]) for t in types},
        "by_month": count_by(lambda r: r["date"][:7]),
        "by_year": count_by(lambda r: r["date"][:4]),
        "by_department": count_by(lambda r: r["承办科室"] or NO_DEPARTMENT),
        "by_violation_type": Counter(r["违法行为类型"] for r in rows["penalties"]),
        "by_penalty_class": Counter(c for r in rows["penalties"] for c in re.split("[；\n]", r["处罚类别"]) if c),
        "fines": sum(fines, Decimal(0)),
        "on_time": {t: sum(d <= 7 for d in v) for t, v in days.items()},
        "days": days,
    }


def _figures(portal_site, url: str = "/statistics/") -> dict:  # noqa: F811
    return json.loads((portal_site.output / url.lstrip("/") / "index.json").read_text("utf-8"))


def test_sample_files_give_the_records_content_shows(portal_site, expected):  # noqa: F811
    assert expected["totals"] == {"permits": 50, "penalties": 46, "inspections": 24}
    assert _figures(portal_site)["totals"] == expected["totals"]


def test_counts_by_month_department_violation_and_class_match(portal_site, expected):  # noqa: F811
    figures = _figures(portal_site)
    nonzero = {m: c for m, c in figures["by_month"].items() if any(c.values())}
    assert nonzero == expected["by_month"]
    assert figures["by_year"] == expected["by_year"]
    assert figures["by_department"] == expected["by_department"]
    assert {k: v["penalties"] for k, v in figures["by_violation_type"].items()} == expected["by_violation_type"]
    assert figures["by_penalty_class"] == expected["by_penalty_class"]
    assert Decimal(figures["fines_wan_yuan"]) == expected["fines"]


def test_timeliness_rate_and_median_match(portal_site, expected):  # noqa: F811
    t = _figures(portal_site)["timeliness"]
    for type_key in ("permits", "penalties"):
        days = sorted(expected["days"][type_key])
        assert t[type_key]["published"] == len(days)
        assert t[type_key]["on_time"] == expected["on_time"][type_key]
        mid = len(days) // 2
        median = days[mid] if len(days) % 2 else (days[mid - 1] + days[mid]) / 2
        assert t[type_key]["median_working_days"] == median
    total = sum(expected["on_time"].values())
    assert t["all"]["on_time"] == total and t["all"]["rate"] == round(total / (50 + 46), 6)


def _table_rows(page: str, caption: str) -> dict[str, list[str]]:
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)[1]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        out[cells[0]] = cells[1:]
    return out


def test_the_page_shows_the_same_numbers_in_its_tables(portal_site, expected):  # noqa: F811
    page = portal_site.page("/statistics/")
    months = _table_rows(page, "按月数量（件）")
    for month, counts in expected["by_month"].items():
        assert months[month] == [str(counts[t]) for t in ("permits", "penalties", "inspections")]
    departments = _table_rows(page, "按承办机构统计（件）")
    for dept, counts in expected["by_department"].items():
        assert departments[dept][:3] == [str(counts[t]) for t in ("permits", "penalties", "inspections")]
    classes = _table_rows(page, "按处罚类别统计（一个决定可有多个类别）")
    assert {k: int(v[0]) for k, v in classes.items()} == expected["by_penalty_class"]


def test_every_chart_is_an_svg_with_title_description_and_a_table_beside_it(portal_site):  # noqa: F811
    for url in ("/statistics/", "/statistics/annual/2025/"):
        page = portal_site.page(url)
        svgs = re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S)
        assert len(svgs) >= 6
        for svg in svgs:
            ids = re.search(r'role="img" aria-labelledby="([^"]+) ([^"]+)"', svg)
            assert f'<title id="{ids[1]}">' in svg and f'<desc id="{ids[2]}">' in svg
        pairs = re.findall(r'<div class="chart-pair">\s*<figure class="chart-box">.*?</figure>\s*'
                           r'<div class="chart-table">\s*<table', page, re.S)
        assert len(pairs) == len(svgs)
        assert "<script" not in page.split("</main>")[0]
        assert '<link rel="stylesheet" href="/theme/css/charts.css">' in page


def test_a_yearly_report_for_each_past_year_only(portal_site, expected):  # noqa: F811
    reports = sorted(p.name for p in (portal_site.output / "statistics" / "annual").iterdir())
    assert reports == ["2024", "2025"]  # 2026 is the current year of SAMPLE_NOW: due by 31 January 2027
    for year in reports:
        page = portal_site.page(f"/statistics/annual/{year}/")
        counts = expected["by_year"][year]
        overall = _table_rows(page, f"{year}年度各类行政执法决定数量")
        assert overall["行政许可"] == [str(counts["permits"])]
        assert overall["行政处罚"] == [str(counts["penalties"])]
        assert overall["行政检查（双随机抽查）"] == [str(counts["inspections"])]
        assert overall["行政强制"] == ["本平台未归集该类数据"]
        in_year = [r for r in expected["rows"]["penalties"] if r["date"][:4] == year]
        fines = sum((Decimal(r["罚款金额（万元）"] or 0) for r in in_year), Decimal(0))
        assert Decimal(_figures(portal_site, f"/statistics/annual/{year}/")["fines_wan_yuan"]) == fines
        assert f"{year}年度行政执法数据报告" in page and 'href="/theme/css/print.css" media="print"' in page
    statistics = portal_site.page("/statistics/")
    assert 'href="/statistics/annual/2025/"' in statistics and "次年1月31日前发布" in statistics


def test_no_planted_record_appears_in_the_statistics(portal_site):  # noqa: F811
    files = [p for p in (portal_site.output / "statistics").rglob("*") if p.is_file()]
    assert len(files) == 6
    for path in files:
        data = path.read_bytes()
        for marker in MARKERS:
            assert marker.encode() not in data, f"{marker} in {path}"
