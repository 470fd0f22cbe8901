"""The figures kept per decision year: a year's tally is counted once and kept until that year's records change.

A tally holds the counts of one year's (or one month's) live, dated enforcement decisions (by type, month, department,
violation type, class), its amounts, and the working days each took to be shown, as counts per day. Figures
for a year are its tally; figures for every year are the tallies added up. Both equal what `figures.compute`
counts over the records themselves (tests/test_statistics.py proves it), so the pages do not change.
Tallies are kept per month and type in the build's state folder, named by the records' digests, the deadlines
and the salt; a year's tally is its months' and types' added up (`merge`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from publisher.core.content import PublishedRecord, digest_of
from publisher.core.workingdays import WorkingDayCalendar
from publisher.site.part_cache import PartCache

from .figures import (
    DAY_BUCKETS,
    NO_DEPARTMENT,
    RESULT_TYPES,
    TIMELY_TYPES,
    Figures,
    Timeliness,
    _combine,
    _iso,
    _months,
    items,
    money,
)


@dataclass
class Tally:
    """One year's counts; every map's keys are plain strings, so a tally is JSON as it stands."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULT_TYPES, 0))
    first: str = ""  # the earliest and latest decision dates: the month axis spans them
    last: str = ""
    months: dict[str, dict[str, int]] = field(default_factory=dict)
    departments: dict[str, dict[str, int]] = field(default_factory=dict)
    violations: dict[str, list[Any]] = field(default_factory=dict)  # name -> [penalties, fines as text]
    penalty_classes: dict[str, int] = field(default_factory=dict)
    permit_classes: dict[str, int] = field(default_factory=dict)
    fines: str = "0"
    confiscation: str = "0"
    fined: int = 0
    days: dict[str, dict[str, int]] = field(default_factory=dict)  # type -> working days taken -> decisions
    late: dict[str, int] = field(default_factory=dict)  # type -> decisions shown after the deadline


def _add(table: dict[str, int], key: str, n: int = 1) -> None:
    table[key] = table.get(key, 0) + n


def _row(table: dict[str, dict[str, int]], key: str) -> dict[str, int]:
    return table.setdefault(key, dict.fromkeys(RESULT_TYPES, 0))


def count_year(shown: dict[str, list[PublishedRecord]], deadlines: dict[str, int],
               calendar: WorkingDayCalendar) -> Tally:
    """The tally of one year's live, dated decisions, by type (as `figures.compute` would count them)."""
    tally = Tally()
    dates = [r.date for t in RESULT_TYPES for r in shown[t]]
    tally.first, tally.last = (min(dates), max(dates)) if dates else ("", "")
    fines = confiscation = Decimal(0)
    for t in RESULT_TYPES:
        tally.totals[t] = len(shown[t])
        for r in shown[t]:
            _row(tally.months, r.date[:7])[t] += 1
            _row(tally.departments, r.department or NO_DEPARTMENT)[t] += 1
    for r in shown["penalties"]:
        fine = money(r.value("fine"))
        row = tally.violations.setdefault(str(r.value("violation_type")) or "未注明", [0, "0"])
        row[0] += 1
        row[1] = str(Decimal(row[1]) + fine)
        fines += fine
        confiscation += money(r.value("confiscation"))
        tally.fined += fine > 0
        for c in items(r.value("penalty_class")):
            _add(tally.penalty_classes, c)
    for r in shown["permits"]:
        _add(tally.permit_classes, str(r.value("permit_class")) or "未注明")
    tally.fines, tally.confiscation = str(fines), str(confiscation)
    for t in TIMELY_TYPES:
        days, late = tally.days.setdefault(t, {}), 0
        for r in shown[t]:
            decided, published = _iso(str(r.value(r.rtype.date_field or ""))), _iso(r.published)
            if decided and published:
                _add(days, str(calendar.days_taken(decided, published)))
                late += calendar.late_by(decided, deadlines[t], published) > 0
        tally.late[t] = late
    return tally


def _median(days: Counter[int]) -> float | None:
    """statistics.median of the days the counts stand for."""
    n = sum(days.values())
    if not n:
        return None
    wanted, values, seen = {(n - 1) // 2, n // 2}, {}, 0
    for day in sorted(days):
        for i in wanted - values.keys():
            if seen <= i < seen + days[day]:
                values[i] = day
        seen += days[day]
    return float((values[(n - 1) // 2] + values[n // 2]) / 2) if n % 2 == 0 else float(values[n // 2])


def _timeliness(type_key: str, deadline: int, days: Counter[int], late: int) -> Timeliness:
    total = sum(days.values())
    buckets = tuple(sum(n for d, n in days.items() if lo <= d and (hi is None or d <= hi)) for _, lo, hi in DAY_BUCKETS)
    return Timeliness(type_key, deadline, total, total - late, _median(days), buckets)


def figures_of(tallies: dict[str, Tally], deadlines: dict[str, int], scope: str = "") -> Figures:
    """The figures of every year's tally added up (scope ""), or of one year's (scope: that year)."""
    parts = {scope: tallies[scope]} if scope else tallies
    first = min((t.first for t in parts.values() if t.first), default="")
    last = max((t.last for t in parts.values() if t.last), default="")
    months = {m: dict.fromkeys(RESULT_TYPES, 0) for m in (_months(first, last) if first else [])}
    departments: dict[str, dict[str, int]] = {}
    violations: dict[str, list[Any]] = {}
    penalty_classes: Counter[str] = Counter()
    permit_classes: Counter[str] = Counter()
    days = {t: Counter[int]() for t in TIMELY_TYPES}
    late = dict.fromkeys(TIMELY_TYPES, 0)
    for tally in parts.values():
        for table, out in ((tally.months, months), (tally.departments, departments)):
            for key, counts in table.items():
                row = _row(out, key)
                for t, n in counts.items():
                    row[t] += n
        for name, (n, fine) in tally.violations.items():
            row = violations.setdefault(name, [0, Decimal(0)])
            row[0] += n
            row[1] += Decimal(fine)
        penalty_classes.update(tally.penalty_classes)
        permit_classes.update(tally.permit_classes)
        for t in TIMELY_TYPES:
            days[t].update({int(d): n for d, n in tally.days.get(t, {}).items()})
            late[t] += tally.late.get(t, 0)
    timely = {t: _timeliness(t, deadlines[t], days[t], late[t]) for t in TIMELY_TYPES}
    same_deadline = len({deadlines[t] for t in TIMELY_TYPES}) == 1
    overall = (_timeliness("all", deadlines[TIMELY_TYPES[0]], sum(days.values(), Counter()), sum(late.values()))
               if same_deadline else _combine(timely))
    by_year = sorted(((y, dict(t.totals)) for y, t in parts.items() if sum(t.totals.values())), reverse=True)
    return Figures(
        scope=scope, totals={t: sum(p.totals[t] for p in parts.values()) for t in RESULT_TYPES},
        months=list(months.items()), years=by_year,
        departments=sorted(departments.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])),
        violations=sorted(((k, v[0], v[1]) for k, v in violations.items()), key=lambda v: (-v[1], v[0])),
        penalty_classes=sorted(penalty_classes.items(), key=lambda kv: (-kv[1], kv[0])),
        permit_classes=sorted(permit_classes.items(), key=lambda kv: (-kv[1], kv[0])),
        fines=sum((Decimal(p.fines) for p in parts.values()), Decimal(0)),
        confiscation=sum((Decimal(p.confiscation) for p in parts.values()), Decimal(0)),
        fined=sum(p.fined for p in parts.values()), timeliness=timely, overall=overall,
        fines_by_year={y: Decimal(p.fines) for y, p in parts.items() if p.totals["penalties"]},
    )


def year_tallies(published: dict[str, list[PublishedRecord]], deadlines: dict[str, int], folder: Path | None,
                 salt: str, calendar: WorkingDayCalendar | None = None) -> tuple[dict[str, Tally], PartCache]:
    """Each decision year's tally, newest year first, merged from its months' tallies by type: a month's is read
    back where its records are the same, else counted again. The cache it used is returned, so the caller can
    prune it once everything was asked."""
    shown: dict[str, dict[tuple[str, str], list[PublishedRecord]]] = {}
    for t in RESULT_TYPES:
        for r in published.get(t, []):
            if r.live and r.date:
                shown.setdefault(r.year, {}).setdefault((r.date[:7], t), []).append(r)
    cache = PartCache(folder, salt)
    calendar = calendar or WorkingDayCalendar()
    terms = sorted(deadlines.items())
    tallies = {}
    for year in sorted(shown, reverse=True):
        parts = []
        # By month and type: a corrected penalty counts its month's penalties again, not its year's (issue 18).
        for (month, t), records in sorted(shown[year].items()):
            name = cache.name("tally-month", month, t, terms, digest_of(records))
            one = {k: (records if k == t else []) for k in RESULT_TYPES}
            data = cache.get(name, lambda one=one: orjson.dumps(count_year(one, deadlines, calendar).__dict__))
            parts.append(Tally(**orjson.loads(data)))
        tallies[year] = merge(parts)
    return tallies, cache


def merge(parts: list[Tally]) -> Tally:
    """One tally of the decisions the parts count (each type's of one year): what count_year counts over them all."""
    out = Tally()
    out.first = min((p.first for p in parts if p.first), default="")
    out.last = max((p.last for p in parts if p.last), default="")
    fines, confiscation = Decimal(out.fines), Decimal(out.confiscation)
    for p in parts:
        for t, n in p.totals.items():
            out.totals[t] += n
        for table, into in ((p.months, out.months), (p.departments, out.departments)):
            for key, counts in table.items():
                row = _row(into, key)
                for t, n in counts.items():
                    row[t] += n
        for name, (n, fine) in p.violations.items():
            row = out.violations.setdefault(name, [0, "0"])
            row[0] += n
            row[1] = str(Decimal(row[1]) + Decimal(fine))
        for table, into in ((p.penalty_classes, out.penalty_classes), (p.permit_classes, out.permit_classes)):
            for key, n in table.items():
                _add(into, key, n)
        fines += Decimal(p.fines)
        confiscation += Decimal(p.confiscation)
        out.fined += p.fined
        for t, days in p.days.items():
            into = out.days.setdefault(t, {})
            for d, n in days.items():
                _add(into, d, n)
        for t, n in p.late.items():
            out.late[t] = out.late.get(t, 0) + n
    out.fines, out.confiscation = str(fines), str(confiscation)
    return out
