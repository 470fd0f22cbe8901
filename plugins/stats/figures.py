"""The portal's enforcement figures, computed from the records content/ shows (DESIGN §5, §6).

Only live records count: a withdrawn record's page holds no data, so it cannot be counted, and a
statistic must never reveal what was withdrawn. The date a record was shown is its `published`
date in content/ (the first day `portal pull` wrote it), as the timeliness rules define it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from statistics import median

from publisher.core.content import PublishedRecord
from publisher.core.schema import DECISION_TYPES
from publisher.core.workingdays import WorkingDayCalendar

RESULT_TYPES = DECISION_TYPES  # 事后公开: the enforcement results counted
TIMELY_TYPES = DECISION_TYPES  # every decision has a deadline: 7 working days or 20 (DESIGN §3)
NO_DEPARTMENT = "未注明承办机构"
# Buckets of working days from decision to publication, for the distribution chart.
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–7个工作日", 0, 7), ("8–20个工作日", 8, 20), ("21–60个工作日", 21, 60), ("61–250个工作日", 61, 250),
    ("250个工作日以上", 251, None),
)


@dataclass(frozen=True)
class Timeliness:
    type: str
    deadline: int  # working days
    total: int
    on_time: int
    median_days: float | None  # working days from decision to publication
    buckets: tuple[int, ...]  # counts per DAY_BUCKETS

    @property
    def rate(self) -> float | None:
        return self.on_time / self.total if self.total else None


@dataclass
class Figures:
    """Counts and amounts for one scope: every shown record, or those decided in one year."""

    scope: str  # "" for all, else the year
    totals: dict[str, int]
    months: list[tuple[str, dict[str, int]]]  # ("2025-03", {type: count}), every month in range
    years: list[tuple[str, dict[str, int]]]
    departments: list[tuple[str, dict[str, int]]]
    violations: list[tuple[str, int, Decimal]]  # (违法行为类型, penalties, fines in 万元)
    penalty_classes: list[tuple[str, int]]
    permit_classes: list[tuple[str, int]]
    fines: Decimal
    confiscation: Decimal
    fined: int  # penalties with a fine
    timeliness: dict[str, Timeliness]
    overall: Timeliness
    fines_by_year: dict[str, Decimal] = field(default_factory=dict)


def money(text: object) -> Decimal:
    try:
        return Decimal(str(text)) if text else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def items(value: object) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _by(records: dict[str, list[PublishedRecord]], key) -> list[tuple[str, dict[str, int]]]:
    table: dict[str, dict[str, int]] = {}
    for type_key in RESULT_TYPES:
        for r in records[type_key]:
            row = table.setdefault(key(r), dict.fromkeys(RESULT_TYPES, 0))
            row[type_key] += 1
    return list(table.items())


def timeliness(type_key: str, records: list[PublishedRecord], deadline: int, calendar: WorkingDayCalendar
               ) -> Timeliness:
    """On time, median and buckets by the calendar's one deadline rule, as the run report's deadline watch."""
    days, late = [], 0
    for r in records:
        decided, shown = _iso(str(r.value(r.rtype.date_field or ""))), _iso(r.published)
        if decided and shown:
            days.append(calendar.days_taken(decided, shown))
            late += calendar.late_by(decided, deadline, shown) > 0
    buckets = tuple(sum(lo <= d and (hi is None or d <= hi) for d in days) for _, lo, hi in DAY_BUCKETS)
    return Timeliness(type_key, deadline, len(days), len(days) - late,
                      float(median(days)) if days else None, buckets)


def compute(published: dict[str, list[PublishedRecord]], deadlines: dict[str, int], scope: str = "",
            calendar: WorkingDayCalendar | None = None) -> Figures:
    """Figures over every live enforcement decision, or those dated in the year `scope`."""
    shown = {t: [r for r in published.get(t, []) if r.live and r.date and (not scope or r.year == scope)]
             for t in RESULT_TYPES}
    dated = [r.date for t in RESULT_TYPES for r in shown[t]]
    months = [(m, dict.fromkeys(RESULT_TYPES, 0)) for m in (_months(min(dated), max(dated)) if dated else [])]
    by_month = dict(months)
    for t in RESULT_TYPES:
        for r in shown[t]:
            by_month[r.date[:7]][t] += 1
    years = sorted(_by(shown, lambda r: r.year), reverse=True)
    departments = sorted(_by(shown, lambda r: r.department or NO_DEPARTMENT),
                         key=lambda kv: (-sum(kv[1].values()), kv[0]))
    penalties = shown["penalties"]
    violations: dict[str, list] = {}
    fines_by_year: dict[str, Decimal] = {}
    for r in penalties:
        row = violations.setdefault(str(r.value("violation_type")) or "未注明", [0, Decimal(0)])
        row[0] += 1
        row[1] += money(r.value("fine"))
        fines_by_year[r.year] = fines_by_year.get(r.year, Decimal(0)) + money(r.value("fine"))
    penalty_classes = Counter(c for r in penalties for c in items(r.value("penalty_class")))
    permit_classes = Counter(str(r.value("permit_class")) or "未注明" for r in shown["permits"])
    timely_records = [r for t in TIMELY_TYPES for r in shown[t]]
    calendar = calendar or WorkingDayCalendar()
    timely = {t: timeliness(t, shown[t], deadlines[t], calendar) for t in TIMELY_TYPES}
    same_deadline = len({deadlines[t] for t in TIMELY_TYPES}) == 1
    overall = timeliness("all", timely_records, deadlines[TIMELY_TYPES[0]], calendar) if same_deadline else None
    return Figures(
        scope=scope, totals={t: len(shown[t]) for t in RESULT_TYPES}, months=months, years=years,
        departments=departments,
        violations=sorted(((k, v[0], v[1]) for k, v in violations.items()), key=lambda v: (-v[1], v[0])),
        penalty_classes=sorted(penalty_classes.items(), key=lambda kv: (-kv[1], kv[0])),
        permit_classes=sorted(permit_classes.items(), key=lambda kv: (-kv[1], kv[0])),
        fines=sum((money(r.value("fine")) for r in penalties), Decimal(0)),
        confiscation=sum((money(r.value("confiscation")) for r in penalties), Decimal(0)),
        fined=sum(1 for r in penalties if money(r.value("fine")) > 0),
        timeliness=timely, overall=overall or _combine(timely), fines_by_year=fines_by_year,
    )


def _combine(timely: dict[str, Timeliness]) -> Timeliness:
    """Types with different deadlines: the overall rate still counts each against its own deadline."""
    parts = list(timely.values())
    return Timeliness("all", 0, sum(p.total for p in parts), sum(p.on_time for p in parts), None,
                      tuple(map(sum, zip(*(p.buckets for p in parts), strict=True))))


def format_money(value: Decimal) -> str:
    """万元 as the site writes amounts: no trailing zeros, at most six decimals."""
    text = format(value.quantize(Decimal("0.000001")).normalize(), "f")
    return "0" if value == 0 else text


def format_rate(t: Timeliness) -> str:
    return "—" if t.rate is None else f"{t.rate * 100:.1f}%"
