"""How long a penalty is shown and when its party may apply for 信用修复 (credit repair).

Pure functions of a record's values and the policy, so the pull stage (withdrawal when the
display period ends) and the site (the dates shown to the party) compute the same days.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from publisher.core.config import CreditRepair, DisplayPeriods, Policy


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def display_end(decided: date, classes: Collection[str], fine: Decimal | None, periods: DisplayPeriods,
                display_until: date | None = None, valid_until: date | None = None) -> date:
    """The last day a penalty is shown: its 公示截止期, else the configured period by class."""
    if display_until:
        return display_until
    classes = set(classes)
    small_fine = "罚款" in classes and fine is not None and fine <= periods.small_fine
    short_ok = set(periods.short_classes) | {"警告"} | ({"罚款"} if small_fine else set())
    months = periods.short_months if classes <= short_ok else periods.default_months
    end = add_months(decided, months)
    return max(end, valid_until) if valid_until else end  # a longer restriction is shown for its whole length


def is_serious(classes: Collection[str], fine: Decimal | None, violation_type: str, repair: CreditRepair) -> bool:
    """严重失信行为 under the configured rules: a serious class, a large fine or a listed violation type."""
    if set(classes) & set(repair.serious_classes):
        return True
    if repair.serious_fine > 0 and fine is not None and fine >= repair.serious_fine:
        return True
    return violation_type in repair.serious_violation_types


@dataclass(frozen=True)
class PenaltyDates:
    display_end: date
    serious: bool
    repair_allowed: bool  # False: a class the rules exclude from early removal
    # The first day the party may apply: the day after the minimum period 届满 (信用修复管理办法 第十一条);
    # None when the class is excluded or the display period ends first.
    earliest_repair: date | None


def penalty_dates(values: Mapping[str, Any], policy: Policy) -> PenaltyDates | None:
    """The dates a penalty's party is told about; values may be typed (pull) or as written in content/ (site)."""
    decided = _day(values.get("decision_date"))
    if decided is None:
        return None
    classes = _classes(values.get("penalty_class"))
    fine = _money(values.get("fine"))
    end = display_end(decided, classes, fine, policy.display, _day(values.get("display_until")),
                      _day(values.get("valid_until")))
    repair = policy.credit_repair
    serious = is_serious(classes, fine, str(values.get("violation_type") or ""), repair)
    allowed = not set(classes) & set(repair.no_early_removal)
    # The minimum period runs from the decision and ends on the corresponding day (民法典 第二百零二条);
    # the party may apply from the next day.
    minimum_end = add_months(decided, repair.serious_months if serious else repair.general_months)
    earliest = minimum_end + timedelta(days=1) if allowed else None
    if earliest is not None and earliest > end:
        earliest = None  # the display period ends first: nothing to remove early
    return PenaltyDates(end, serious, allowed, earliest)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):  # a datetime is a date too, but does not compare with one
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _classes(value: Any) -> list[str]:
    if isinstance(value, str):
        return [c for c in value.replace("\n", "；").split("；") if c]
    return list(value or ())


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None  # NaN would raise on every comparison
