"""Statistics and yearly reports equal counts computed here, independently, from the sample data files.

The expected figures come from data/sample/* read with csv and openpyxl, minus the records the
sample's README says are not shown, plus the planted masked person and company (tests/leaks.py), who are shown.
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
from tests.leaks import MARKERS, MASKED_PERSON, SHOWN_COMPANY
from tests.test_opendata import portal_site  # noqa: F401  (the fixture)

SAMPLE = ROOT / "data" / "sample"
NO_DEPARTMENT = "未注明承办机构"
# The newer decision types: one UTF-8 CSV each, keyed by 决定书文号, dated by the 决定日期 column named here.
NEWER = {"coercions": ("行政强制决定书文号", "行政强制决定日期"), "checks": ("行政检查文书号", "检查日期"),
         "levies": ("行政征收决定书文号", "征收决定日期"), "requisitions": ("行政征用决定书文号", "征用决定日期")}
TYPES = ("permits", "penalties", "inspections", *NEWER)
DEADLINES = {"permits": 7, "penalties": 7}  # working days; every other type 20 (DESIGN §3)


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
    planted = [{"行政处罚决定书文号": p["decision_no"], "处罚决定日期": p["decision_date"],
                "违法行为类型": p["violation_type"], "处罚类别": p["penalty_class"], "罚款金额（万元）": p["fine"],
                "承办科室": ""} for p in (MASKED_PERSON, SHOWN_COMPANY)]
    newer = {}
    for type_key, (key, day) in NEWER.items():
        with open(SAMPLE / f"{type_key}.csv", encoding="utf-8-sig", newline="") as fh:
            newer[type_key] = [dict(r, date=_day(r[day])) for r in csv.DictReader(fh) if r[key] not in hidden]
    return newer | {
        "permits": [dict(r, date=_day(r["许可决定日期"])) for r in permits if r["行政许可决定文书号"] not in hidden],
        "penalties": [dict(r, date=_day(r["处罚决定日期"])) for r in [*penalties, *planted]
                      if r["行政处罚决定书文号"] not in hidden],
        "inspections": [dict(r, date=_day(r["检查日期"])) for r in inspections if r["编号"] not in hidden],
    }


@pytest.fixture(scope="module")
def expected() -> dict:
    rows = _rows()
    types = TYPES
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
    days = {t: [workdays(r) for r in rows[t]] for t in TYPES}
    return {
        "rows": rows,
        "totals": {t: len(rows[t]) for t in types},
        "by_month": count_by(lambda r: r["date"][:7]),
        "by_year": count_by(lambda r: r["date"][:4]),
        "by_department": count_by(lambda r: r["承办科室"] or NO_DEPARTMENT),
        "by_violation_type": Counter(r["违法行为类型"] for r in rows["penalties"]),
        "by_penalty_class": Counter(c for r in rows["penalties"] for c in re.split("[；\n]", r["处罚类别"]) if c),
        "fines": sum(fines, Decimal(0)),
        "on_time": {t: sum(d <= DEADLINES.get(t, 20) for d in v) for t, v in days.items()},
        "days": days,
    }


def _figures(portal_site, url: str = "/statistics/") -> dict:  # noqa: F811
    return json.loads((portal_site.output / url.lstrip("/") / "index.json").read_text("utf-8"))


def test_sample_files_give_the_records_content_shows(portal_site, expected):  # noqa: F811
    assert expected["totals"] == {"permits": 50, "penalties": 46, "inspections": 24, "coercions": 10, "checks": 12,
                                  "levies": 10, "requisitions": 6}
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
    for type_key in TYPES:
        days = sorted(expected["days"][type_key])
        assert t[type_key]["published"] == len(days)
        assert t[type_key]["on_time"] == expected["on_time"][type_key]
        mid = len(days) // 2
        median = days[mid] if len(days) % 2 else (days[mid - 1] + days[mid]) / 2
        assert t[type_key]["median_working_days"] == median
    total = sum(expected["on_time"].values())
    shown = sum(expected["totals"].values())
    assert t["all"]["on_time"] == total and t["all"]["rate"] == round(total / shown, 6)
    assert t["coercions"]["deadline_working_days"] == 20 and t["penalties"]["deadline_working_days"] == 7


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
        assert months[month] == [str(counts[t]) for t in TYPES]
    departments = _table_rows(page, "按承办机构统计（件）")
    for dept, counts in expected["by_department"].items():
        assert departments[dept][:len(TYPES)] == [str(counts[t]) for t in TYPES]
    classes = _table_rows(page, "按处罚类别统计（一个决定可有多个类别）")
    assert {k: int(v[0]) for k, v in classes.items()} == expected["by_penalty_class"]


def test_every_chart_is_an_svg_with_title_description_and_a_table_beside_it(portal_site):  # noqa: F811
    for url in ("/statistics/",):
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
        assert re.search(r'<link rel="stylesheet" href="/theme/css/charts\.[0-9a-f]{10}\.css">', page)


ARTICLE_9 = ["行政拘留", "责令关闭", "责令停产停业", "限制从业", "限制开展生产经营活动", "吊销许可证件", "降低资质等级",
             "暂扣许可证件", "没收非法财物", "没收违法所得", "罚款", "通报批评", "警告", "其他"]


def test_a_yearly_report_for_each_past_year_only(portal_site, expected):  # noqa: F811
    reports = sorted(p.name for p in (portal_site.output / "statistics" / "annual").iterdir())
    assert reports == ["2024", "2025"]  # 2026 is the current year of SAMPLE_NOW: sealed from 1 January 2027
    for year in reports:
        page = portal_site.page(f"/statistics/annual/{year}/")
        counts = expected["by_year"][year]
        overall = _table_rows(page, f"{year}年度各类行政执法决定数量")
        assert overall["行政许可"] == [str(counts["permits"])]
        assert overall["行政处罚"] == [str(counts["penalties"])]
        assert overall["行政检查"] == [str(counts["inspections"] + counts["checks"])]
        assert overall["行政强制"] == [str(counts["coercions"])] and overall["行政征收"] == [str(counts["levies"])]
        assert overall["行政征用"] == [str(counts["requisitions"])]
        heaviest: dict[str, list] = {}
        for r in expected["rows"]["penalties"]:
            if r["date"][:4] == year:
                classes = [c for c in re.split("[；\n]", r["处罚类别"]) if c]
                row = heaviest.setdefault(min(classes, key=ARTICLE_9.index), [0, Decimal(0)])
                row[0] += 1
                confiscated = r.get("没收违法所得、没收非法财物的金额（万元）") or 0
                row[1] += Decimal(r["罚款金额（万元）"] or 0) + Decimal(confiscated)
        penalties = _table_rows(page, f"{year}年度行政处罚（按最重处罚类别）")
        total = penalties.pop("合计")
        assert (int(total[0]), Decimal(total[1])) == (counts["penalties"], sum((v[1] for v in heaviest.values()),
                                                                               Decimal(0)))
        assert {c: (int(v[0]), Decimal(v[1])) for c, v in penalties.items() if v[0] != "0"} == {
            c: tuple(v) for c, v in heaviest.items()}
        assert list(penalties) == ARTICLE_9  # every category, heaviest first
        data = _figures(portal_site, f"/statistics/annual/{year}/")
        assert data["tables"]["penalties"]["total"] == counts["penalties"]
        assert f"{year}年度行政执法数据报告" in page
        assert re.search(r'href="/theme/css/print\.[0-9a-f]{10}\.css" media="print"', page)
    statistics = portal_site.page("/statistics/")
    assert 'href="/statistics/annual/2025/"' in statistics and "次年1月1日起发布" in statistics


def test_no_planted_record_appears_in_the_statistics(portal_site):  # noqa: F811
    files = [p for p in (portal_site.output / "statistics").rglob("*") if p.is_file() and p.suffix != ".gz"]
    assert len(files) == 6  # the gzip twins hold the same bytes (tests/test_serve.py)
    for path in files:
        data = path.read_bytes()
        for marker in MARKERS:
            assert marker.encode() not in data, f"{marker} in {path}"


def test_a_corrected_penalty_counts_its_months_penalties_again_not_its_years(portal_site, tmp_path, monkeypatch):  # noqa: F811
    from plugins.stats import tallies as tallies_module
    from publisher.core.content import PublishedRecord, load_published
    from publisher.core.schema import RECORD_TYPES

    published = load_published(portal_site.config.paths.content)
    deadlines = {t: 7 if t in ("permits", "penalties") else 20 for t, rt in RECORD_TYPES.items() if rt.date_field}
    before, _ = tallies_module.year_tallies(published, deadlines, tmp_path / "tallies", "salt")
    live = [r for r in published["penalties"] if r.live and r.date]
    target = next(r for r in live if len({x.date[:7] for x in live if x.year == r.year}) > 1)  # a year of months
    corrected = PublishedRecord(target.type, target.slug, target.title, target.date, target.published, target.state,
                                target.fields, target.withdrawn, target.withdrawal_reason, target.digest + "0",
                                target.origin, target.record_date)
    again = {**published, "penalties": [corrected if r is target else r for r in published["penalties"]]}
    counted: list[list[str]] = []
    count_year = tallies_module.count_year

    def counting(shown, *args):
        counted.append(sorted(r.slug for rs in shown.values() for r in rs))
        return count_year(shown, *args)

    monkeypatch.setattr(tallies_module, "count_year", counting)
    after, cache = tallies_module.year_tallies(again, deadlines, tmp_path / "tallies", "salt")
    month = sorted(r.slug for r in live if r.date[:7] == target.date[:7])
    assert counted == [month] and len(cache.encoded) == 1  # one month of one type, not the year
    assert after == before  # the same figures: only the digest changed
