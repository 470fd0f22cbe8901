"""Every rule of DESIGN §3 after validation, each with a record that passes and one that fails."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from publisher.core.workingdays import WorkingDayCalendar
from publisher.pull.rows import Record
from publisher.pull.rules import Outcome, RuleContext, decide
from publisher.pull.validation import parse_row
from tests.conftest import SAMPLE_NOW
from tests.factories import officer, penalty, permit, person_penalty


def decided(config, raw, now: datetime = SAMPLE_NOW, **policy):
    record = parse_row(raw, now.date())
    assert isinstance(record, Record), record
    ctx = RuleContext(now=now, policy=dataclasses.replace(config.policy, **policy))
    return decide(record, ctx)


def outcome(config, raw, **kw) -> Outcome:
    return decided(config, raw, **kw).outcome


def flags(config, raw, **kw) -> dict[str, str]:
    return {f.category or f.rule: f.reason for f in decided(config, raw, **kw).findings if f.outcome is None}


# Rule 2: approved
def test_an_approved_record_is_shown(config):
    assert outcome(config, penalty()) is Outcome.SHOW


@pytest.mark.parametrize("status", ["待审核", "退回", ""])
def test_a_record_not_approved_is_held(config, status):
    d = decided(config, penalty(review_status=status))
    assert d.outcome is Outcome.HOLD
    assert d.deciding.rule == "approved"


# Rule 3: legally reviewed when major
def test_a_citizen_fined_one_wan_or_more_needs_a_passed_legal_review(config):
    assert outcome(config, person_penalty(fine="1.5")) is Outcome.BLOCK
    assert outcome(config, person_penalty(fine="1.5", legal_review_result="通过")) is Outcome.SHOW
    assert outcome(config, person_penalty(fine="0.9")) is Outcome.SHOW


def test_an_organisation_is_major_from_ten_wan(config):
    assert outcome(config, penalty(fine="9.99")) is Outcome.SHOW
    d = decided(config, penalty(fine="12"))
    assert d.outcome is Outcome.BLOCK
    assert "12万元" in d.deciding.reason and "无法制审核结论" in d.deciding.reason


def test_a_failed_legal_review_blocks(config):
    d = decided(config, penalty(fine="12", legal_review_result="不通过"))
    assert d.outcome is Outcome.BLOCK and "不通过" in d.deciding.reason


@pytest.mark.parametrize("extra", [
    {"penalty_class": "罚款；吊销许可证件", "license_action": "林木采伐许可证"},
    {"penalty_class": "责令停产停业"},
    {"hearing": "是"},
    {"major": "是"},
])
def test_catalogue_classes_hearings_and_the_major_flag_make_a_decision_major(config, extra):
    assert outcome(config, penalty(**extra)) is Outcome.BLOCK
    assert outcome(config, penalty(**extra, legal_review_result="通过")) is Outcome.SHOW


def test_the_catalogue_thresholds_come_from_the_policy(config):
    cat = dataclasses.replace(config.policy.catalogue, fine_organisation=__import__("decimal").Decimal("0.4"))
    assert outcome(config, penalty(fine="0.5"), catalogue=cat) is Outcome.BLOCK


def test_a_permit_marked_major_needs_review_too(config):
    assert outcome(config, permit(major="是")) is Outcome.BLOCK


# Rule 4: due
def test_an_embargoed_record_is_held_until_its_publication_time(config):
    raw = penalty(publish_at="2026-11-25 09:00")
    assert outcome(config, raw, now=datetime(2026, 11, 25, 8, 59)) is Outcome.HOLD
    assert outcome(config, raw, now=datetime(2026, 11, 25, 9, 0)) is Outcome.SHOW
    assert outcome(config, penalty(publish_at="2026-11-01")) is Outcome.SHOW


# Rule 5: not excluded
def test_a_withheld_record_is_excluded(config):
    d = decided(config, penalty(withheld="是", withheld_reason="涉及未成年人"))
    assert d.outcome is Outcome.EXCLUDE and "涉及未成年人" in d.deciding.reason


def test_a_warning_only_penalty_is_not_published_by_default(config):
    warning = penalty(penalty_class="警告", fine="", content="给予警告")
    assert outcome(config, warning) is Outcome.EXCLUDE
    assert outcome(config, warning, publish_warning_only=True) is Outcome.SHOW
    assert outcome(config, penalty(penalty_class="警告；罚款")) is Outcome.SHOW


def test_a_simple_procedure_penalty_is_not_published_by_default(config):
    simple = person_penalty(procedure="简易", fine="0.02")
    assert outcome(config, simple) is Outcome.EXCLUDE
    assert outcome(config, simple, publish_simple_procedure=True) is Outcome.SHOW


# Rule 6: live
@pytest.mark.parametrize("status", ["撤销", "1"])
def test_a_revoked_penalty_is_withdrawn(config, status):
    d = decided(config, penalty(status=status))
    assert d.outcome is Outcome.WITHDRAW and d.deciding.category == "撤销"


def test_an_invalid_permit_is_withdrawn(config):
    assert outcome(config, permit(status="无效")) is Outcome.WITHDRAW
    assert outcome(config, permit(status="2")) is Outcome.WITHDRAW


def test_a_penalty_past_its_display_end_is_withdrawn(config):
    d = decided(config, penalty(display_until="2026-11-23"))
    assert d.outcome is Outcome.WITHDRAW and d.deciding.category == "公示期满"
    assert outcome(config, penalty(display_until="2026-11-24")) is Outcome.SHOW


def test_criticism_or_a_small_fine_is_shown_three_months(config):
    criticism = penalty(penalty_class="通报批评", fine="", decision_date="2026-08-23")
    assert outcome(config, criticism) is Outcome.WITHDRAW
    assert outcome(config, penalty(penalty_class="通报批评", fine="", decision_date="2026-08-24")) is Outcome.SHOW
    assert outcome(config, person_penalty(fine="0.2", decision_date="2026-07-01")) is Outcome.WITHDRAW


def test_other_penalties_are_shown_three_years(config):
    assert outcome(config, penalty(fine="0.5", decision_date="2023-11-25")) is Outcome.SHOW
    assert outcome(config, penalty(fine="0.5", decision_date="2023-11-23")) is Outcome.WITHDRAW


def test_a_longer_restriction_is_shown_for_its_whole_length(config):
    raw = penalty(penalty_class="罚款；限制从业", decision_date="2023-01-10", valid_until="2028-01-09")
    assert outcome(config, raw) is Outcome.SHOW


def test_an_expired_officer_certificate_is_still_shown(config):
    assert outcome(config, officer(valid_to="2025-01-01", cert_status="注销")) is Outcome.SHOW


# Deadline watch
def test_a_held_penalty_past_seven_working_days_is_overdue(config):
    found = flags(config, penalty(review_status="待审核", decision_date="2026-11-02"))
    assert "overdue" in found and "2026-11-11" in found["overdue"]


def test_a_recent_held_penalty_is_not_overdue(config):
    assert "overdue" not in flags(config, penalty(review_status="待审核", decision_date="2026-11-20"))


def test_a_penalty_shown_after_its_deadline_is_late(config):
    assert "late" in flags(config, penalty(decision_date="2026-10-01"))


def test_working_days_follow_the_chinese_calendar_with_tiaoxiu():
    cal = WorkingDayCalendar()
    assert cal.is_working_day(date(2026, 10, 10))  # a Saturday made a working day (调休)
    assert not cal.is_working_day(date(2026, 10, 5))  # a Monday in the National Day holiday
    assert not cal.is_working_day(date(2026, 11, 22))  # an ordinary Sunday
    # Seven working days after 30 September 2026 skip the holiday and count the 调休 Saturday.
    assert cal.due_on(date(2026, 9, 30), 7) == date(2026, 10, 15)
    assert not cal.uncovered_years


def test_years_without_holiday_data_fall_back_to_weekdays_and_say_so():
    cal = WorkingDayCalendar()
    assert cal.due_on(date(2099, 1, 2), 1) == date(2099, 1, 5)
    assert cal.uncovered_years == {2099}


# Discretion watch
@pytest.mark.parametrize("fine,flagged", [("25", True), ("0.05", True), ("0.5", False), ("20", False)])
def test_a_fine_outside_the_discretion_range_is_flagged(config, fine, flagged):
    found = flags(config, penalty(fine=fine, legal_review_result="通过"))
    assert ("discretion" in found) is flagged


def test_discretion_ranges_can_depend_on_the_party_type(config):
    fire = {"violation_type": "未经批准野外用火"}
    assert "discretion" in flags(config, person_penalty(**fire, fine="0.5"))
    assert "discretion" not in flags(config, penalty(**fire, fine="2"))


def test_history_shown_on_an_earlier_site_is_judged_by_its_first_publication(config):
    assert "late" not in flags(config, penalty(decision_date="2026-10-01", first_published="2026-10-09"))
    assert "2026-10-30 首次公开" in flags(config, penalty(decision_date="2026-10-01",
                                                     first_published="2026-10-30"))["late"]
