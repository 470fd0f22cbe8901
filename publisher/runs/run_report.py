"""A publication run's result, and its report for staff: a JSON file and an HTML page, never published."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from publisher.core.config import Config
from publisher.core.labels import ACTION_LABELS, CHANGE_LABELS, FLAG_LABELS, MASK_LABELS, RULE_LABELS, STAGE_LABELS
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import Action, Plan
from publisher.pull.plan_report import REPORT_ORDER, as_json

# The staff report lives beside the code, not in the public theme: it is never published.
_HTML = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                    undefined=StrictUndefined).get_template("run_report.html")


@dataclass
class RunResult:
    """What one publication run did: the plan it carried out, the release, the ledger entry, the timings."""

    run_id: str
    plan: Plan
    release: str
    entry_hash: str
    records: list[list[str]]
    seconds: float
    reports: dict[str, Path] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, for the report and `make bench`
    pages_written: int = 0
    pages_kept: int = 0  # pages not rendered again: the change did not touch them

    @property
    def exit_code(self) -> int:
        return self.plan.exit_code


def write_reports(config: Config, result: RunResult) -> dict[str, Path]:
    folder = config.paths.state / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    report = as_json(result.plan)
    report.update({"run_id": result.run_id, "release": result.release, "ledger_entry": result.entry_hash,
                   "seconds": round(result.seconds, 2), "stages": result.stages, "pages_written": result.pages_written,
                   "pages_kept": result.pages_kept, "records": result.records})
    # Both written as they are made: a 100k first import's report is ~100 MB of text, the run's last peak.
    json_path = folder / f"{result.run_id}.json"
    with json_path.open("w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=2, default=str)
    html_path = folder / f"{result.run_id}.html"
    with html_path.open("w", encoding="utf-8") as fh:
        fh.writelines(_HTML.generate(r=result, report=report, order=[*REPORT_ORDER, Action.UNCHANGED],
                                     labels=ACTION_LABELS, flag_labels=FLAG_LABELS, rtypes=RECORD_TYPES,
                                     stage_labels=STAGE_LABELS, mask_labels=MASK_LABELS,
                                     rule_labels=RULE_LABELS, change_labels=CHANGE_LABELS,
                                     field_label=_field_label, titles=_titles(result), site_url=config.site.url))
    return {"json": json_path, "html": html_path}


def _field_label(type_key: str, name: str | None) -> str:
    """A field as the national template names it (违法事实), not its code (facts)."""
    if not name:
        return ""
    try:
        return RECORD_TYPES[type_key].field(name).zh
    except KeyError:
        return name


def _titles(result: RunResult) -> dict[tuple[str, str], str]:
    """What staff call each changed page: its 文号, 执法证号 or code, from the plan."""
    return {(i.type, i.slug): i.key for i in result.plan.items if i.slug and i.key}
