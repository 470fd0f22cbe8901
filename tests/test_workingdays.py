"""The statutory deadline, computed once: the run report's deadline watch and the public timeliness
figures give the same answer for every record, on the Chinese calendar with its 调休 days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest

from plugins.stats.figures import DAY_BUCKETS, compute, timeliness
from publisher.core.content import PublishedRecord
from publisher.core.schema import RECORD_TYPES
from publisher.core.workingdays import WorkingDayCalendar
from publisher.pull.rows import Record
from publisher.pull.rules import Outcome, RuleContext, decide
from publisher.pull.validation import parse_row
from tests.conftest import SAMPLE_NOW
from tests.factories import penalty

DECIDED = date(2025, 11, 5)  # a Wednesday; 7 working days later is Friday 2025-11-14
CALENDAR = WorkingDayCalendar()


def report(config, decided: date, shown: date | None, today: date | None = None) -> dict[str, str]:
    """The run report's flags for a penalty decided on `decided`, shown first on `shown` (None: still held)."""
    values = {"decision_date": decided.isoformat()}
    values |= {"first_published": shown.isoformat()} if shown else {"review_status": "待审核"}
    now = datetime.combine(today, time(10)) if today else SAMPLE_NOW
    record = parse_row(penalty(**values), now.date())
    assert isinstance(record, Record), record
    d = decide(record, RuleContext(now=now, policy=config.policy, calendar=CALENDAR))
    assert d.outcome is (Outcome.SHOW if shown else Outcome.HOLD)
    return {f.category: f.reason for f in d.findings if f.rule == "deadline"}


def shown_record(decided: date, shown: date, n: int = 1) -> PublishedRecord:
    """A penalty as content/ holds it: decided on `decided`, published on `shown`."""
    return PublishedRecord("penalties", f"p{n}", f"处罚{n}", decided.isoformat(), shown.isoformat(), "live",
                           (("decision_date", decided.isoformat()), ("department", "执法大队")))


def statistics(config, *records: PublishedRecord):
    deadlines = {t: config.policy.deadline_days(t) for t in RECORD_TYPES}
    return compute({"penalties": list(records)}, deadlines, calendar=CALENDAR).timeliness["penalties"]


def bucket(days: int) -> str:
    return next(label for label, lo, hi in DAY_BUCKETS if lo <= days and (hi is None or days <= hi))


def test_the_sample_policy_gives_penalties_seven_working_days(config):
    assert config.policy.deadline_days("penalties") == 7


def test_shown_the_saturday_after_a_friday_deadline_is_one_working_day_late_in_the_report_and_the_statistics(config):
    saturday = date(2025, 11, 15)
    assert CALENDAR.due_on(DECIDED, 7) == date(2025, 11, 14)
    assert CALENDAR.late_by(DECIDED, 7, saturday) == 1
    assert report(config, DECIDED, saturday)["late"] == (
        "处罚决定日期 2025-11-05，应于 2025-11-14 前公示（7个工作日），2025-11-15 首次公开，超过1个工作日")
    figures = statistics(config, shown_record(DECIDED, saturday))
    assert (figures.total, figures.on_time, figures.median_days) == (1, 0, 8.0)
    assert figures.buckets[[b[0] for b in DAY_BUCKETS].index(bucket(8))] == 1  # counted in 8–20, not 0–7


def test_saturday_is_as_late_as_the_monday_after(config):
    monday = date(2025, 11, 17)
    assert CALENDAR.days_taken(DECIDED, date(2025, 11, 15)) == CALENDAR.days_taken(DECIDED, monday) == 8
    assert report(config, DECIDED, monday)["late"].endswith("2025-11-17 首次公开，超过1个工作日")
    assert statistics(config, shown_record(DECIDED, monday)).on_time == 0


def test_shown_on_the_friday_deadline_is_on_time_in_the_report_and_the_statistics(config):
    friday = date(2025, 11, 14)
    assert CALENDAR.late_by(DECIDED, 7, friday) == 0
    assert "late" not in report(config, DECIDED, friday)
    figures = statistics(config, shown_record(DECIDED, friday))
    assert (figures.total, figures.on_time, figures.median_days) == (1, 1, 7.0)
    assert figures.buckets[0] == 1


def test_a_held_record_is_overdue_on_the_saturday_after_its_deadline(config):
    assert "overdue" not in report(config, DECIDED, None, today=date(2025, 11, 14))
    assert report(config, DECIDED, None, today=date(2025, 11, 15))["overdue"].endswith("已逾期1个工作日")


def test_a_tiaoxiu_saturday_is_a_working_day_for_the_deadline_and_for_publication(config):
    tiaoxiu = date(2025, 10, 11)
    assert tiaoxiu.weekday() == 5 and chinese_calendar.is_workday(tiaoxiu)  # the premise, from the State Council
    assert chinese_calendar.is_workday(date(2025, 9, 28))  # a 调休 Sunday before 国庆
    decided = date(2025, 9, 25)  # Thursday: 9-26, 9-28 (Sun), 9-29, 9-30, 10-09, 10-10, 10-11 (Sat)
    assert CALENDAR.due_on(decided, 1) == date(2025, 9, 26)
    assert CALENDAR.due_on(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert CALENDAR.due_on(decided, 7) == tiaoxiu
    assert CALENDAR.days_taken(decided, tiaoxiu) == 7
    assert "late" not in report(config, decided, tiaoxiu)
    assert statistics(config, shown_record(decided, tiaoxiu)).on_time == 1
    sunday = date(2025, 10, 12)  # an ordinary Sunday: as late as Monday 10-13
    assert report(config, decided, sunday)["late"].endswith("超过1个工作日")
    assert statistics(config, shown_record(decided, sunday)).on_time == 0


def test_the_national_day_holiday_week_pushes_the_deadline_past_it():
    assert not any(chinese_calendar.is_workday(date(2025, 10, d)) for d in range(1, 9))
    assert CALENDAR.due_on(date(2025, 9, 30), 1) == date(2025, 10, 9)
    # 10-09, 10-10, 10-11 (调休 Saturday), 10-13, 10-14, 10-15, 10-16
    assert CALENDAR.due_on(date(2025, 9, 30), 7) == date(2025, 10, 16)
    # Shown during the holiday counts as shown on its first working day, 10-09.
    assert CALENDAR.days_taken(date(2025, 9, 30), date(2025, 10, 3)) == 1
    assert CALENDAR.late_by(date(2025, 9, 29), 1, date(2025, 10, 3)) == 1


def test_counting_across_a_new_year_uses_both_years():
    # 12-29, 12-30, 12-31, then 1–3 January off and Sunday 1-04 a 调休 working day, 1-05, 1-06, 1-07
    assert CALENDAR.due_on(date(2025, 12, 26), 7) == date(2026, 1, 7)
    assert CALENDAR.days_taken(date(2025, 12, 26), date(2026, 1, 7)) == 7
    assert CALENDAR.days_taken(date(2025, 12, 26), date(2026, 1, 3)) == 4  # shown on a holiday: as on 1-04
    assert CALENDAR.days_taken(date(2024, 12, 31), date(2026, 1, 1)) == sum(
        chinese_calendar.is_workday(date(2025, 1, 1) + timedelta(days=i)) for i in range(365)) + 1


def test_the_report_says_late_exactly_when_the_statistics_count_a_record_late(config):
    """Every decision day of 2025 × being shown 0–24 days later: one rule, one answer."""
    deadline = config.policy.deadline_days("penalties")
    records, flagged = [], 0
    for day in range(365):
        decided = date(2025, 1, 1) + timedelta(days=day)
        for after in range(25):
            shown = decided + timedelta(days=after)
            record = shown_record(decided, shown, len(records))
            records.append(record)
            late = "late" in report(config, decided, shown)
            flagged += late
            counted_late = timeliness("penalties", [record], deadline, CALENDAR).on_time == 0
            assert late is counted_late, (decided, shown)
            assert late is (shown > CALENDAR.due_on(decided, deadline)), (decided, shown)
    figures = statistics(config, *records)
    assert figures.total - figures.on_time == flagged
    assert 0 < flagged < len(records)


@pytest.mark.parametrize("today_offset", range(0, 25, 3))
def test_a_held_record_is_overdue_exactly_when_a_record_shown_that_day_would_be_late(config, today_offset):
    decided = date(2025, 9, 25)
    today = decided + timedelta(days=today_offset)
    overdue = "overdue" in report(config, decided, None, today=today)
    late = "late" in report(config, decided, today)
    assert overdue is late is (CALENDAR.late_by(decided, 7, today) > 0)


def test_a_calendar_gap_is_still_reported():
    cal = WorkingDayCalendar()
    assert cal.due_on(date(2099, 12, 30), 2) == date(2100, 1, 1)  # Wednesday; Mon–Fri fallback for both years
    assert cal.uncovered_years == {2099, 2100}
    assert cal.late_by(date(2099, 12, 30), 2, date(2100, 1, 2)) == 1  # a Saturday
