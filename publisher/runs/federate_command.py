"""`portal federate` and `portal demo --unified`: what the commands do, apart from their options (publisher.cli)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from publisher.core.config import Config
from publisher.pull.plan_report import as_text
from publisher.runs.federation import federate, pull, report_rows, report_text
from publisher.runs.publication import RunFailed, RunLocked, publish
from publisher.runs.unified_demo import build_agencies, make_unified

Say = Callable[[str], None]


def federate_command(config: Config, clock: datetime, broker: str | None, timeout: float, then_publish: bool,
                     allow_mass_withdrawal: bool, as_json: bool, say: Say, warn: Say) -> int:
    """Fetch, verify and gather every agency; pull (or publish); print the per-agency report; the exit code."""
    if not any(s.kind == "portal" for s in config.sources):
        warn("portal.toml 中没有 kind = \"portal\" 的数据来源：没有可汇集的机关")
        return 2
    federation = federate(config, clock, broker, timeout)
    if then_publish:
        try:
            run = publish(config, clock, allow_mass_withdrawal=allow_mass_withdrawal, source_result=federation.result)
        except RunLocked as exc:
            warn(f"未运行：{exc}")
            return 75
        except Exception as exc:  # whatever broke, the public site was not switched
            kind = "" if isinstance(exc, RunFailed) else f"{type(exc).__name__}: "
            warn(f"发布失败，公开网站未作任何改动：{kind}{exc}")
            return 3
        plan, done = run.plan, f"已发布版本 {run.release}（{run.seconds:.1f} 秒）"
    else:
        plan = pull(config, federation, clock, allow_mass_withdrawal)
        done = f"已写入 {config.paths.content}（未发布；发布请加 --publish）"
    rows = report_rows(federation, plan)
    if as_json:
        say(json.dumps({"agencies": rows, "seconds": round(federation.seconds, 3)}, ensure_ascii=False, indent=1))
    else:
        say(as_text(plan) + "\n" + report_text(rows, federation.seconds) + done)
    return 1 if plan.exit_code or any(r["state"] != "ok" for r in rows) else 0


def unified_demo(now: datetime, say: Say) -> Config:
    """Three sample agencies published in a temporary folder, and the unified platform published from them."""
    root = Path(tempfile.mkdtemp(prefix="portal-unified-"))
    say(f"在 {root} 中发布三个示例机关的网站……")
    config = make_unified(root, build_agencies(root, now))
    federation = federate(config, now)
    run = publish(config, now, operator="demo", source_result=federation.result)
    say(report_text(report_rows(federation, run.plan), federation.seconds)
        + f"统一平台已发布：{config.deploy.path / 'current'}")
    return config
