"""行政强制, 行政检查, 行政征收 and 行政征用 (issue 16): each shown as the older decisions are.

What a citizen sees: a list per type with its year and department filters, a detail page with the
索引号 block, a feed, open data in three formats, a search hit and the statistics; what staff see: the
rules of DESIGN §3 and the deadline watch. A natural person's ID number is masked in every file.
"""

from __future__ import annotations

import csv
import html
import json
import re
from datetime import datetime

import openpyxl
import pytest

from publisher.core.content import load_published
from publisher.core.schema import DECISION_TYPES, RECORD_TYPES
from publisher.site.build import build_site
from publisher.site.decision import index_number
from publisher.site.search import parse_query
from publisher.site.search.store import IndexHandle
from tests.conftest import ROOT, SAMPLE_NOW
from tests.factories import FACTORIES, ID_NUMBER, PERSON

NEWER = ("coercions", "checks", "levies", "requisitions")
ZH = {"coercions": "行政强制", "checks": "行政检查", "levies": "行政征收", "requisitions": "行政征用"}


def live(site, type_key: str) -> list:
    return [r for r in load_published(site.config.paths.content)[type_key] if r.live]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_new_type_is_a_decision_type_with_its_own_url_and_a_20_day_deadline():
    assert DECISION_TYPES[-4:] == NEWER
    for type_key in NEWER:
        rtype = RECORD_TYPES[type_key]
        assert rtype.zh == ZH[type_key] and rtype.natural_key == "decision_no" and rtype.deadline_days == 20
        assert rtype.date_field == "decision_date" and rtype.field("decision_date").required
        assert {"party_name", "party_type", "credit_code", "id_number", "authority", "authority_code",
                "status", "remarks"} <= set(rtype.public_names)


# ---------------------------------------------------------------- what a citizen sees on the sample site


@pytest.mark.parametrize("type_key", NEWER)
def test_the_list_shows_every_live_decision_and_filters_by_year_and_department(sample_site, type_key):
    shown = live(sample_site, type_key)
    assert len(shown) >= 6
    page = sample_site.page(f"/{type_key}/")
    assert f"<h1>{ZH[type_key]}</h1>" in page and f"共 {len(shown)} 条" in page
    for record in shown[:20]:
        assert f'href="{record.url}"' in page
    years = sorted({r.year for r in shown})
    for year in years:
        in_year = [r for r in shown if r.year == year]
        assert f"共 {len(in_year)} 条" in sample_site.page(f"/{type_key}/year/{year}/")
    depts = re.findall(rf'href="(/{type_key}/dept/[0-9a-f]+/)"', page)
    assert depts and sum(int(re.search(r"共 (\d+) 条", sample_site.page(d))[1]) for d in set(depts)) == len(shown)
    assert f'href="/{type_key}/"' in sample_site.page("/after/") and f'href="/{type_key}/"' in sample_site.page("/")


@pytest.mark.parametrize("type_key", NEWER)
def test_a_detail_page_has_the_index_block_and_every_field_with_its_chinese_name(sample_site, type_key):
    record = live(sample_site, type_key)[0]
    page = sample_site.page(record.url)
    block = re.search(r'<dl class="info-block".*?</dl>', page, re.S)[0]
    assert index_number(record, sample_site.config.footer.site_code) in re.sub(r"<[^>]+>", "", block)
    assert f"<dd>{ZH[type_key]}</dd>" in block
    assert html.escape(str(record.value("decision_no"))) in block  # 文号
    shown = text_of(page)
    for name, value in record.fields:
        label = RECORD_TYPES[type_key].field(name).zh.replace("（万元）", "")  # amounts are shown in 元 beside 万元
        assert label in shown and (value if isinstance(value, str) else value[0]) in shown, name


@pytest.mark.parametrize("type_key", NEWER)
def test_the_feed_lists_the_live_decisions_and_not_the_others(sample_site, type_key):
    feed = (sample_site.output / "feeds" / f"{type_key}.atom.xml").read_text(encoding="utf-8")
    assert f"· {ZH[type_key]}" in feed
    base = sample_site.config.site.url
    linked = set(re.findall(rf'<link href="{re.escape(base)}(/{type_key}/[0-9a-f]+/)"', feed))
    assert linked == {r.url for r in live(sample_site, type_key)}
    for item in sample_site.plan.items:
        if item.type == type_key and item.action.value != "add":
            assert item.key not in feed


@pytest.mark.parametrize("type_key", NEWER)
def test_open_data_has_the_type_as_csv_and_json_with_the_same_rows(sample_site, type_key):
    folder = sample_site.output / "opendata"
    with open(folder / f"{type_key}.csv", encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    data = json.loads((folder / f"{type_key}.json").read_text(encoding="utf-8"))
    shown = live(sample_site, type_key)
    assert len(rows) == data["count"] == len(shown)
    assert header[0] == "行政相对人名称" and RECORD_TYPES[type_key].field("decision_no").zh in header
    catalogue = sample_site.page("/opendata/")  # XLSX only in the national templates (permits, penalties)
    assert f"/opendata/{type_key}.csv" in catalogue and ZH[type_key] in catalogue


@pytest.mark.parametrize("type_key", NEWER)
def test_a_decision_number_finds_its_decision_in_the_search_index(sample_site, type_key):
    record = live(sample_site, type_key)[-1]
    index = IndexHandle(sample_site.output)
    try:
        hits = index.get().search(parse_query(str(record.value("decision_no"))), page_size=10).hits
    finally:
        index.close()
    assert hits and hits[0].url == record.url
    shards = " ".join(p.read_text(encoding="utf-8") for p in (sample_site.output / "search").rglob("*.json"))
    assert record.url in shards  # the static fallback knows it too


def test_statistics_count_each_new_type_and_its_timeliness(sample_site):
    figures = json.loads((sample_site.output / "statistics" / "index.json").read_text(encoding="utf-8"))
    page = text_of(sample_site.page("/statistics/"))
    for type_key in NEWER:
        count = len(live(sample_site, type_key))
        assert figures["totals"][type_key] == count and re.search(rf"{ZH[type_key]}\s+{count} 件", page)
        timely = figures["timeliness"][type_key]
        assert timely["deadline_working_days"] == 20 and timely["published"] == count
    report = text_of(sample_site.page("/statistics/annual/2025/"))
    in_2025 = len([r for r in live(sample_site, "coercions") if r.year == "2025"])
    assert re.search(rf"行政强制\s+{in_2025}\s", report)


def test_the_sample_rules_hold_withdraw_block_and_exclude_new_types_and_flag_the_late_one(sample_site):
    outcome = {i.key: i.action.value for i in sample_site.plan.items if i.type in NEWER}
    assert outcome["示林强字〔2025〕第4号"] == "withdraw"
    assert outcome["示林强字〔2026〕第9号"] == "hold" and outcome["示林强字〔2026〕第10号"] == "block"
    assert outcome["示林征字〔2026〕第8号"] == "hold" and outcome["示林用字〔2026〕第3号"] == "exclude"
    withdrawn = next(i for i in sample_site.plan.items if i.key == "示林强字〔2025〕第4号")
    notice = sample_site.page(f"/coercions/{withdrawn.slug}/")
    assert "撤回" in notice and "扣押杉木原木" not in notice
    (late,) = [f for f in sample_site.plan.flags if f.type in NEWER]
    assert late.kind == "overdue" and late.key == "示林强字〔2026〕第9号" and "20个工作日" in late.reason
    assert all(text_of(sample_site.page(f"/{t}/")).count("示林强字〔2026〕第9号") == 0 for t in NEWER)


def test_no_natural_persons_id_number_of_the_new_types_is_in_any_output_file(sample_site):
    numbers = []
    for type_key in NEWER:
        with open(ROOT / "data" / "sample" / f"{type_key}.csv", encoding="utf-8-sig", newline="") as fh:
            people = [r for r in csv.DictReader(fh) if r["行政相对人类别"] == "自然人"]
        assert people, type_key
        numbers += [r["证件号码"] for r in people]
        shown = [r for r in live(sample_site, type_key) if r.value("party_type") == "自然人"]
        assert shown and all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", str(r.value("id_number"))) for r in shown)
        assert all(re.fullmatch(r"[张王李赵刘陈]\*+", str(r.value("party_name"))) for r in shown)
    files = [p for p in sample_site.output.rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".xlsx":  # zipped: its sheets are read as text
            data = b"".join(v.encode() for row in openpyxl.load_workbook(path, read_only=True).worksheets[0]
                            .iter_rows(values_only=True) for v in row if isinstance(v, str))
        for number in numbers:
            assert number[:14].encode() not in data, (number, path)


# ---------------------------------------------------------------- every rule, on rows a test hands over


def person(type_key: str, row: int, **values: str):
    return FACTORIES[type_key](row, **PERSON, **values)


@pytest.mark.parametrize("type_key", NEWER)
def test_each_rule_of_design_3_applies_to_the_new_type(runner, type_key):
    make = FACTORIES[type_key]
    rows = [make(2), make(3, review_status="待审核"), make(4, publish_at="2027-01-04"), make(5, withheld="是"),
            make(6, status="撤销"), make(7, major="是"), make(8, major="是", legal_review_result="通过"),
            make(9, display_until="2026-11-01"), make(10, decision_date="2026-12-01"), person(type_key, 11)]
    plan = runner.pull(rows)
    action = {i.origin.row: i.action.value for i in plan.items}
    assert action == {2: "add", 3: "hold", 4: "hold", 5: "exclude", 6: "exclude", 7: "block", 8: "add",
                      9: "exclude", 10: "reject", 11: "add"}  # 6, 9: revoked or expired before they were shown
    page = runner.page(type_key, next(i.slug for i in plan.items if i.origin.row == 11))
    assert ID_NUMBER not in page and "110105********002X" in page and "张**" in page
    assert "13912345678" not in page and "3组12号" not in page
    later = runner.pull([make(2, status="撤销"), make(8, display_until="2026-11-01"), person(type_key, 11)])
    assert {i.origin.row: i.action.value for i in later.items} == {2: "withdraw", 8: "withdraw", 11: "unchanged"}


def test_a_coercion_class_must_belong_to_its_kind(runner):
    plan = runner.plan([FACTORIES["coercions"](2, coercion_kind="强制执行", coercion_class="扣押"),
                        FACTORIES["coercions"](3, coercion_kind="强制执行", coercion_class="代履行"),
                        FACTORIES["coercions"](4, period_from="2026-11-10", period_to="2026-11-01")])
    reasons = {i.origin.row: (i.action.value, i.reason) for i in plan.items}
    assert reasons[2][0] == "reject" and "不属于强制执行" in reasons[2][1]
    assert reasons[3][0] == "add"
    assert reasons[4][0] == "reject" and "行政强制期限至" in reasons[4][1]


def test_a_seizure_in_the_catalogue_is_a_major_decision(portal_dir):
    from publisher.core.config import load_config
    from tests.conftest import Runner

    toml = portal_dir / "portal.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('classes = ["吊销许可证件", "责令停产停业", "责令关闭"]', 'classes = ["查封"]'),
                    encoding="utf-8")
    plan = Runner(load_config(toml)).plan([FACTORIES["coercions"](2, coercion_class="查封")])
    (item,) = plan.items
    assert item.action.value == "block" and "行政强制类别含查封" in item.reason


@pytest.mark.parametrize("type_key", NEWER)
def test_the_deadline_watch_counts_20_working_days_from_the_decision(runner, type_key):
    make = FACTORIES[type_key]
    runner.pull([make(5)])  # not the first import, whose late history is summed up in one note
    plan = runner.plan([make(5), make(2, decision_date="2026-10-16", review_status="待审核"),
                        make(3, decision_date="2026-11-02", review_status="待审核"),
                        make(4, decision_date="2026-10-16", first_published="2026-11-20")],
                       now=datetime(2026, 11, 24, 10))
    flags = {f.origin.row: f for f in plan.flags}
    assert flags[2].kind == "overdue" and "2026-11-13 前公示（20个工作日）" in flags[2].reason
    assert 3 not in flags  # due by 2026-11-30
    assert flags[4].kind == "late" and "2026-11-20 首次公开" in flags[4].reason


@pytest.mark.parametrize("type_key", NEWER)
def test_hostile_text_is_escaped_and_spellings_of_one_number_are_one_record(runner, type_key):
    make = FACTORIES[type_key]
    number = str(make(2).values["decision_no"])
    attack = '<script>alert("x")</script>\u202e'
    first = runner.pull([make(2, remarks=attack, basis=f"依据{attack}")])
    (added,) = [i for i in first.items if i.action.value == "add"]
    again = runner.pull([make(2, decision_no=number.replace("〔", "[").replace("〕", "]"), remarks=attack,
                              basis=f"依据{attack}")])
    assert [i.slug for i in again.items] == [added.slug] and again.items[0].action.value != "add"
    build_site(runner.config, SAMPLE_NOW)
    page = (runner.config.paths.output / type_key / added.slug / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "\u202e" not in page


def test_the_documented_field_tables_match_the_schema():
    """docs/record-types.md lists each type's own fields with their Chinese headers, in schema order."""
    doc = (ROOT / "docs" / "record-types.md").read_text(encoding="utf-8")
    common = {"party_name", "party_type", "credit_code", "reg_no", "org_code", "tax_no", "institution_no",
              "social_org_no", "legal_rep", "legal_rep_id_type", "legal_rep_id_number", "id_type", "id_number",
              "display_until",
              "source_unit", "source_unit_code", "remarks", "department"}
    for type_key in NEWER:
        section = doc.split(f"`{type_key}`\n", 1)[1].split("\n## ", 1)[0]
        documented = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section, re.M)
        own = [(f.name, f.zh) for f in RECORD_TYPES[type_key].public_fields if f.name not in common]
        assert documented == own, type_key
