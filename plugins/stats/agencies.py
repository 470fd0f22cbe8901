"""Per-agency figures on a unified platform's statistics page (issue 19): each agency's decisions and timeliness.

Timeliness here is the agency's own: from the decision to the day the agency first showed it on its portal
(`Origin.published`), not to the day the unified platform gathered it, so an outage of the platform or of
the link to an agency never makes the agency look late.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from publisher.core.config import Config
from publisher.core.content import PublishedRecord
from publisher.core.workingdays import WorkingDayCalendar
from publisher.site.agencies import SiteAgency

from .figures import RESULT_TYPES, TIMELY_TYPES, Timeliness, _combine, format_money, format_rate, money, timeliness

AGENCIES_JSON = "/statistics/agencies.json"
HEAD = ["发布机关", "执法决定（件）", "罚款（万元）", "按期公示（件）", "公示及时率", "用时中位数（工作日）",
        "数据更新时间"]


@dataclass(frozen=True)
class AgencyFigures:
    agency: SiteAgency
    by_type: dict[str, int]  # live decisions per type
    fines: Decimal  # 万元
    timeliness: Timeliness  # at the agency, each type against its own deadline
    median_days: float | None  # working days from decision to the agency's first showing


def agency_figures(published: Mapping[str, Sequence[PublishedRecord]], agencies: Sequence[SiteAgency],
                   deadlines: dict[str, int], calendar: WorkingDayCalendar) -> list[AgencyFigures]:
    """Each agency's figures, in the agencies' order: counts, fines and timeliness at the agency."""
    by_agency: dict[str, dict[str, list[PublishedRecord]]] = {a.key: {t: [] for t in RESULT_TYPES} for a in agencies}
    for t in RESULT_TYPES:
        for r in published.get(t, ()):
            if r.live and r.date and r.origin is not None and r.origin.key in by_agency:
                # Shown on time or late by the agency's own first publication day.
                by_agency[r.origin.key][t].append(dataclasses.replace(r, published=r.origin.published or r.published))
    out = []
    for agency in agencies:
        records = by_agency[agency.key]
        timely = {t: timeliness(t, records[t], deadlines[t], calendar) for t in TIMELY_TYPES}
        # The median of days taken does not depend on the deadline: one pass over every type's records.
        median = timeliness("all", [r for t in TIMELY_TYPES for r in records[t]], 0, calendar).median_days
        fines = sum((money(r.value("fine")) for r in records["penalties"]), Decimal(0))
        out.append(AgencyFigures(agency, {t: len(v) for t, v in records.items()}, fines, _combine(timely), median))
    return out


def agency_table(figures: Sequence[AgencyFigures]) -> dict[str, Any] | None:
    """The statistics page's per-agency table; None on a single agency's portal."""
    if not figures:
        return None
    rows = [[(f.agency.name, f.agency.url) if f.agency.url else f.agency.name, str(sum(f.by_type.values())),
             format_money(f.fines), str(f.timeliness.on_time), format_rate(f.timeliness),
             "—" if f.median_days is None else f"{f.median_days:g}", f.agency.updated] for f in figures]
    return {"caption": "各执法机关的执法决定和公示及时率", "head": HEAD, "rows": rows, "css": ""}


def compute_agencies(published: Mapping[str, Sequence[PublishedRecord]], agencies: Sequence[SiteAgency],
                     config: Config) -> list[AgencyFigures]:
    deadlines = {t: config.policy.deadline_days(t) for t in TIMELY_TYPES}
    return agency_figures(published, agencies, deadlines, WorkingDayCalendar()) if agencies else []


def agencies_json(figures: Sequence[AgencyFigures], base: str) -> dict[str, Any]:
    """The same figures for machines: numbers as numbers."""
    return {"title": "各执法机关的执法决定和公示及时率", "agencies": [{
        "agency": f.agency.name, "key": f.agency.key, "url": base + f.agency.url if f.agency.url else None,
        "decisions": f.by_type,
        "fines_wan_yuan": format_money(f.fines), "published": f.timeliness.total, "on_time": f.timeliness.on_time,
        "timeliness_rate": None if f.timeliness.rate is None else round(f.timeliness.rate, 6),
        "median_working_days": f.median_days, "updated": f.agency.status.updated, "state": f.agency.status.state,
    } for f in figures]}
