"""Every run's report for staff: a JSON file and an HTML page, kept outside the public site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from publisher.core.config import Config
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import ACTION_LABELS, Action
from publisher.pull.plan_report import FLAG_LABELS, REPORT_ORDER, as_json

if TYPE_CHECKING:
    from publisher.runs.publication import RunResult

# The staff report lives beside the code, not in the public theme: it is never published.
_HTML = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                    undefined=StrictUndefined).get_template("run_report.html")


STAGE_LABELS = {"lock": "等待运行锁", "pull": "读取数据源并写入内容", "changes": "核对账本", "link": "准备版本目录",
                "build": "生成网站", "verify": "核验版本", "manifest": "计算文件哈希", "switch": "记入账本并切换"}


def write_reports(config: Config, result: RunResult) -> dict[str, Path]:
    folder = config.paths.state / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    report = as_json(result.plan)
    report.update({"run_id": result.run_id, "release": result.release, "ledger_entry": result.entry_hash,
                   "seconds": round(result.seconds, 2), "stages": result.stages, "pages_written": result.pages_written,
                   "pages_kept": result.pages_kept, "records": result.records})
    json_path = folder / f"{result.run_id}.json"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    html_path = folder / f"{result.run_id}.html"
    html_path.write_text(_HTML.render(r=result, report=report, order=[*REPORT_ORDER, Action.UNCHANGED],
                                      labels=ACTION_LABELS, flag_labels=FLAG_LABELS, rtypes=RECORD_TYPES,
                                      stage_labels=STAGE_LABELS),
                         encoding="utf-8")
    return {"json": json_path, "html": html_path}
