"""The memo across days (issues 18, 19): a judgement is reused on a later day until its horizon, the first
moment time alone could change it, so a next-day pull judges only the rows that changed or whose rules moved
with the date; what it writes is exactly what a pull with no memory writes."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from publisher.core.config import Config, load_config
from publisher.pull import plan as plan_module
from publisher.pull.items import Action, Plan
from publisher.pull.plan import make_plan, write_plan
from publisher.pull.rows import Record
from publisher.pull.rules import RuleContext, decide
from publisher.pull.sources import read_sources
from publisher.pull.validation import parse_row
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_memo import outcome, penalties_csv, with_and_without_memory

DAY1 = SAMPLE_NOW  # Tuesday 2026-11-24 10:00
DAY2 = SAMPLE_NOW + timedelta(days=1)
NO = "行政处罚决定书文号"
# Sample penalties (by decision number) set up on day 1 so that time alone changes them on day 2.
EMBARGOED = "示林罚决字〔2026〕第36号"  # 公示日期 day 2 09:00: held, then shown
DISPLAY_ENDS = "示林罚决字〔2026〕第1号"  # 公示截止期 day 1: shown, then withdrawn (公示期满)
REPAIRED = "示林罚决字〔2026〕第2号"  # 信用修复日期 day 2: shown, then withdrawn (信用修复)
FALLS_DUE = "示林罚决字〔2026〕第34号"  # held, decided 2026-11-13: its deadline (7 working days) is day 1
OVERDUE = "示林罚决字〔2026〕第30号"  # held and overdue: one more working day overdue on day 2
DECIDED_DAY2 = "示林罚决字〔2026〕第4号"  # decided on day 2: "in the future" on day 1, then valid and shown
CORRECTED = "示林罚决字〔2024〕第3号"  # the clerk's one edit on day 2
TIMED = {EMBARGOED, DISPLAY_ENDS, REPAIRED, FALLS_DUE, OVERDUE, DECIDED_DAY2}


def edit(config: Config, no: str, **cells: str) -> None:
    path = penalties_csv(config)
    with path.open(encoding="gb18030", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    row = next(r for r in rows if r[header.index(NO)] == no)
    for column, value in cells.items():
        row[header.index(column)] = value
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])


def judged_afresh(monkeypatch) -> list[str]:
    """The decision numbers (or types) of the rows the next plans parse and judge: not taken from the memo."""
    judged: list[str] = []
    real = plan_module.parse_row

    def parse(raw, today):
        judged.append(raw.values.get("decision_no") or raw.type)
        return real(raw, today)

    monkeypatch.setattr(plan_module, "parse_row", parse)
    return judged


def pages(config: Config) -> dict[str, bytes]:
    root = config.paths.content
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def page_of(plan: Plan, no: str) -> str | None:
    """content/'s page of a penalty as the plan left it (None: no page)."""
    item = next(i for i in plan.items if i.key == no)
    path = plan.content_dir / "penalties" / f"{item.slug}.md"
    return path.read_text(encoding="utf-8") if item.slug and path.exists() else None


def overdue(plan: Plan, no: str) -> str | None:
    return next((f.reason for f in plan.flags if f.key == no and f.kind == "overdue"), None)


@pytest.fixture
def portal(tmp_path: Path) -> Config:
    config = make_sample_portal(tmp_path / "portal", planted=True)
    edit(config, EMBARGOED, 公示日期="2026-11-25 09:00")
    edit(config, DISPLAY_ENDS, 公示截止期="2026-11-24")
    edit(config, REPAIRED, 信用修复日期="2026-11-25")
    edit(config, FALLS_DUE, 处罚决定日期="2026-11-13")
    edit(config, DECIDED_DAY2, 处罚决定日期="2026-11-25", 首次公开日期="")
    return config


def test_the_next_day_judges_only_what_changed_or_what_time_changed_and_writes_what_a_fresh_pull_writes(
        portal, monkeypatch, tmp_path):
    day1 = with_and_without_memory(portal, DAY1)
    write_plan(day1)
    assert {i.key: i.action for i in day1.items if i.key in TIMED} == {
        EMBARGOED: Action.HOLD, DISPLAY_ENDS: Action.ADD, REPAIRED: Action.ADD, FALLS_DUE: Action.HOLD,
        OVERDUE: Action.HOLD, DECIDED_DAY2: Action.REJECT}
    assert overdue(day1, FALLS_DUE) is None and "已逾期" in overdue(day1, OVERDUE)

    edit(portal, CORRECTED, 违法事实="经复核更正的违法事实。")
    twin = tmp_path / "fresh"  # the same portal, day 1's content/ and state, but no memory at all
    shutil.copytree(portal.path.parent, twin, symlinks=True)
    shutil.rmtree(twin / ".portal" / "cache")
    fresh_config = load_config(twin / "portal.toml")
    judged = judged_afresh(monkeypatch)
    day2 = make_plan(portal, DAY2)
    write_plan(day2)
    remembered = judged.copy()
    judged.clear()
    fresh = make_plan(fresh_config, DAY2)
    write_plan(fresh)

    assert outcome(day2) == outcome(fresh)
    assert pages(portal) == pages(fresh_config)  # content/ byte for byte
    # (a) the rows neither edited nor moved by the date are reused: only the few held, rejected or timed are not
    assert fresh.reused == 0 and len(judged) == len(remembered) + day2.reused
    assert day2.reused > 0.85 * len(judged)
    assert TIMED | {CORRECTED} <= set(remembered)
    # (b) each time-dependent rule gives its day-2 answer in content/ and the report
    actions = {i.key: i.action for i in day2.items if i.key in TIMED | {CORRECTED}}
    assert actions == {EMBARGOED: Action.ADD, DISPLAY_ENDS: Action.WITHDRAW, REPAIRED: Action.WITHDRAW,
                       FALLS_DUE: Action.HOLD, OVERDUE: Action.HOLD, DECIDED_DAY2: Action.ADD,
                       CORRECTED: Action.CHANGE}
    assert "State: live" in page_of(day2, EMBARGOED) and "State: live" in page_of(day2, DECIDED_DAY2)
    assert "公示期满" in page_of(day2, DISPLAY_ENDS) and "信用修复" in page_of(day2, REPAIRED)
    assert "已逾期1个工作日" in overdue(day2, FALLS_DUE)
    assert overdue(day2, OVERDUE) != overdue(day1, OVERDUE)


def test_a_judgement_stands_until_its_horizon_on_any_day(portal, monkeypatch):
    write_plan(with_and_without_memory(portal, DAY1))
    write_plan(with_and_without_memory(portal, DAY2))
    week = DAY2 + timedelta(days=6)  # a week on, nothing edited
    judged = judged_afresh(monkeypatch)
    assert make_plan(portal, week).reused > 0.85 * len(judged)
    assert CORRECTED not in judged and EMBARGOED not in judged  # shown since day 1 or 2, still shown: not judged
    write_plan(with_and_without_memory(portal, week))


def test_a_clock_set_back_reuses_nothing(portal):
    write_plan(with_and_without_memory(portal, DAY1))
    write_plan(with_and_without_memory(portal, DAY2))
    assert make_plan(portal, DAY2.replace(hour=11)).reused > 0
    assert with_and_without_memory(portal, DAY1.replace(hour=12)).reused == 0


def test_a_new_year_judges_everything_again(portal):
    """The working-day calendar's coverage of the year is in the report: a new year starts without memory."""
    write_plan(with_and_without_memory(portal, datetime(2026, 12, 31, 17, 0)))
    assert with_and_without_memory(portal, datetime(2026, 12, 31, 18, 0)).reused > 0
    new_year = with_and_without_memory(portal, datetime(2027, 1, 4, 9, 0))
    assert new_year.reused == 0 and 2027 in new_year.calendar_gaps
    write_plan(new_year)
    assert with_and_without_memory(portal, datetime(2027, 1, 4, 10, 0)).reused > 0


def test_no_decision_changes_before_its_horizon(portal):
    """Every sample record, judged again at moments up to just before its horizon, is judged the same."""
    records = [r for raw in read_sources(portal.sources).rows
               if isinstance(r := parse_row(raw, DAY1.date()), Record)]
    assert len(records) > 100
    ctx = RuleContext(now=DAY1, policy=portal.policy)
    seen_until = 0
    for record in records:
        first = decide(record, ctx)
        until = first.until or DAY1 + timedelta(days=800)
        seen_until += first.until is not None
        for later in {DAY1 + timedelta(hours=h) for h in (1, 14, 24, 24 * 7, 24 * 40)} | {until - timedelta(seconds=1)}:
            if later >= until:
                continue
            again = decide(record, RuleContext(now=later, policy=portal.policy))
            assert again.outcome is first.outcome, (record.key, later)
            kept = [f for f in again.findings if f.category != "late"]  # a shown record's lateness: see watches
            assert kept == [f for f in first.findings if f.category != "late"], (record.key, later)
    assert seen_until > 10
