"""publisher.core.rights: the display end and the earliest 信用修复 day a penalty's party is told about."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest

from publisher.core.rights import add_months, penalty_dates


def dates(config, **values):
    base = {"decision_date": "2026-01-15", "penalty_class": ["罚款"], "fine": "5"}
    return penalty_dates({**base, **values}, config.policy)


def test_a_general_penalty_may_ask_for_repair_the_day_after_three_months(config):
    d = dates(config)
    assert not d.serious and d.repair_allowed
    assert d.earliest_repair == date(2026, 4, 16)
    assert d.display_end == date(2029, 1, 15)  # 36 months with no 公示截止期


def test_a_serious_penalty_waits_a_year(config):
    d = dates(config, penalty_class=["罚款", "责令关闭"])
    assert d.serious and d.repair_allowed
    assert d.earliest_repair == date(2027, 1, 16)


def test_a_fine_at_the_configured_amount_is_serious(config):
    policy = dataclasses.replace(config.policy, credit_repair=dataclasses.replace(
        config.policy.credit_repair, serious_fine=Decimal("50")))
    assert penalty_dates({"decision_date": "2026-01-15", "penalty_class": ["罚款"], "fine": "50"}, policy).serious
    assert not penalty_dates({"decision_date": "2026-01-15", "penalty_class": ["罚款"], "fine": "49.99"},
                             policy).serious


@pytest.mark.parametrize("excluded", ["责令停产停业", "吊销许可证件", "降低资质等级", "限制从业"])
def test_the_excluded_classes_may_not_be_removed_early(config, excluded):
    d = dates(config, penalty_class=["罚款", excluded])
    assert not d.repair_allowed and d.earliest_repair is None


def test_no_early_day_when_the_display_period_ends_first(config):
    # 通报批评 alone is shown 3 months: the minimum period ends with it, nothing to remove early.
    d = dates(config, penalty_class=["通报批评"], fine="")
    assert d.display_end == date(2026, 4, 15)
    assert d.repair_allowed and d.earliest_repair is None
    d = dates(config, display_until="2026-03-01")
    assert d.display_end == date(2026, 3, 1) and d.earliest_repair is None


def test_the_source_s_display_end_wins(config):
    assert dates(config, display_until="2027-06-30").display_end == date(2027, 6, 30)


def test_month_end_decisions_end_on_the_last_day_of_a_shorter_month(config):
    d = dates(config, decision_date="2025-11-30")
    assert d.earliest_repair == date(2026, 3, 1)  # 3 months end 2026-02-28
    d = dates(config, decision_date="2023-11-30")
    assert d.earliest_repair == date(2024, 3, 1)  # 2024-02-29, a leap year
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)


def test_typed_values_as_the_pull_stage_has_them(config):
    typed = {"decision_date": date(2026, 1, 15), "penalty_class": ["罚款", "责令关闭"], "fine": Decimal("5"),
             "display_until": None, "valid_until": None}
    text = {"decision_date": "2026-01-15", "penalty_class": ["罚款", "责令关闭"], "fine": "5"}
    assert penalty_dates(typed, config.policy) == penalty_dates(text, config.policy)
    as_datetime = {**typed, "decision_date": datetime(2026, 1, 15, 9, 30)}
    assert penalty_dates(as_datetime, config.policy) == penalty_dates(typed, config.policy)


def test_a_longer_restriction_is_shown_for_its_whole_length(config):
    assert dates(config, valid_until="2031-05-01").display_end == date(2031, 5, 1)


@pytest.mark.parametrize("fine", ["NaN", "abc", "", None])
def test_a_bad_or_missing_fine_is_no_fine(config, fine):
    d = dates(config, fine=fine)
    assert d is not None and not d.serious


def test_a_classes_string_is_split_as_in_the_templates_text(config):
    assert not dates(config, penalty_class="罚款；吊销许可证件").repair_allowed


def test_no_decision_date_gives_no_dates(config):
    assert dates(config, decision_date="") is None
    assert dates(config, decision_date="not a date") is None
