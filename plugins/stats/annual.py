"""The yearly enforcement data report pages (行政执法数据年度报告), rendered from the ledger's sealed years.

A report shows only what its year's seal holds (publisher/runs/annual.py), never content/'s live figures,
so a withdrawal, the end of a display period or an edit after the seal leaves it byte for byte the same.
Decisions of the year first shown after the seal are listed apart, as such.
"""

from __future__ import annotations

import json
from typing import Any

from publisher.core.annual import AnnualReport, Table

STATISTICS_URL = "/statistics/"


def annual_url(year: str) -> str:
    return f"{STATISTICS_URL}annual/{year}/"


def _table_json(tables: list[Table]) -> dict[str, Any]:
    out = {}
    for t in tables:
        rows = [{"category": r.category, "count": r.count, **({"amount_wan_yuan": r.amount} if t.table.with_amount
                                                               else {})} for r in t.rows]
        out[t.table.key] = {"name": t.table.zh, "total": t.count, "rows": rows,
                            **({"amount_wan_yuan": t.amount} if t.table.with_amount else {})}
    return out


def report_json(report: AnnualReport, base: str) -> str:
    """The same tables for machines: the page's JSON twin."""
    data = {"year": report.year, "sealed": report.sealed, "counting": "每个决定按最重的类别计一次",
            "tables": _table_json(report.tables())}
    if report.has_late:
        data["added_after_sealing"] = _table_json(report.tables(late=True))
    data["statistics"] = base + STATISTICS_URL
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_annual_reports(reports: dict[str, AnnualReport], base: str, pages: Any) -> None:
    """One page and its JSON twin per sealed year; each depends on its seal and the list of years alone."""
    years = sorted(reports, reverse=True)
    for year in years:
        report = reports[year]
        url = annual_url(year)
        pages.write(url, "annual_report.html", lastmod=report.sealed, year=year, report=report,
                    tables=report.tables(), late=report.tables(late=True) if report.has_late else [],
                    report_years=years, annual_url=annual_url)
        pages.write_text(url + "index.json", report_json(report, base))
