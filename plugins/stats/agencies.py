"""Per-agency figures on a unified platform's statistics page (issue 19): each agency's decisions and timeliness.

Timeliness here is the agency's own: from the decision to the day the agency first showed it on its portal
(`Origin.published`), not to the day the unified platform gathered it, so an outage of the platform or of
the link to an agency never makes the agency look late.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from publisher.core.config import Config
from publisher.core.content import PublishedRecord
from publisher.core.workingdays import WorkingDayCalendar
from publisher.site.agencies import SiteAgency

from .figures import RESULT_TYPES, TIMELY_TYPES, _combine, format_money, format_rate, money, timeliness

HEAD = ["发布机关", "执法决定（件）", "罚款（万元）", "按期公示（件）", "公示及时率", "用时中位数（工作日）",
        "数据更新时间"]


def agency_rows(published: Mapping[str, Sequence[PublishedRecord]], agencies: Sequence[SiteAgency],
                deadlines: dict[str, int], calendar: WorkingDayCalendar) -> list[list[Any]]:
    """One row per agency, in the agencies' order: counts, fines and timeliness at the agency."""
    by_agency: dict[str, dict[str, list[PublishedRecord]]] = {a.key: {t: [] for t in RESULT_TYPES} for a in agencies}
    for t in RESULT_TYPES:
        for r in published.get(t, ()):
            if r.live and r.date and r.origin is not None and r.origin.key in by_agency:
                # Shown on time or late by the agency's own first publication day.
                by_agency[r.origin.key][t].append(dataclasses.replace(r, published=r.origin.published or r.published))
    rows = []
    for agency in agencies:
        records = by_agency[agency.key]
        timely = {t: timeliness(t, records[t], deadlines[t], calendar) for t in TIMELY_TYPES}
        overall = _combine(timely)  # each type counted against its own deadline
        # The median of days taken does not depend on the deadline: one pass over every type's records.
        median = timeliness("all", [r for t in TIMELY_TYPES for r in records[t]], 0, calendar).median_days
        fines = sum((money(r.value("fine")) for r in records["penalties"]), Decimal(0))
        rows.append([(agency.name, agency.url), str(sum(len(v) for v in records.values())), format_money(fines),
                     str(overall.on_time), format_rate(overall), "—" if median is None else f"{median:g}",
                     agency.updated])
    return rows


def agency_table(published: Mapping[str, Sequence[PublishedRecord]], agencies: Sequence[SiteAgency],
                 config: Config) -> dict[str, Any] | None:
    """The statistics page's per-agency table; None on a single agency's portal."""
    if not agencies:
        return None
    deadlines = {t: config.policy.deadline_days(t) for t in TIMELY_TYPES}
    rows = agency_rows(published, agencies, deadlines, WorkingDayCalendar())
    return {"caption": "各执法机关的执法决定和公示及时率", "head": HEAD, "rows": rows, "css": ""}
