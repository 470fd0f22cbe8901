"""`portal federate` and `portal demo --unified`: the unified platform's commands (issue 19)."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import click

from publisher.core.config import Config
from publisher.pull.plan_report import as_text


def federate_command(config: Config, clock: datetime, broker: str | None, timeout: float, publish: bool,
                     allow_mass_withdrawal: bool, as_json: bool) -> int:
    """Fetch, verify and gather every agency; pull (or publish); print the per-agency report; the exit code."""
    from publisher.runs.federation import federate, pull, report_rows, report_text

    if not any(s.kind == "portal" for s in config.sources):
        click.echo("portal.toml 中没有 kind = \"portal\" 的数据来源：没有可汇集的机关", err=True)
        return 2
    federation = federate(config, clock, broker, timeout)
    if publish:
        from publisher.runs.publication import RunFailed, RunLocked
        from publisher.runs.publication import publish as run_publish

        try:
            run = run_publish(config, clock, allow_mass_withdrawal=allow_mass_withdrawal,
                              source_result=federation.result)
        except RunLocked as exc:
            click.echo(f"未运行：{exc}", err=True)
            return 75
        except Exception as exc:  # whatever broke, the public site was not switched
            kind = "" if isinstance(exc, RunFailed) else f"{type(exc).__name__}: "
            click.echo(f"发布失败，公开网站未作任何改动：{kind}{exc}", err=True)
            return 3
        plan, done = run.plan, f"已发布版本 {run.release}（{run.seconds:.1f} 秒）"
    else:
        plan = pull(config, federation, clock, allow_mass_withdrawal)
        done = f"已写入 {config.paths.content}（未发布；发布请加 --publish）"
    rows = report_rows(federation, plan)
    if as_json:
        click.echo(json.dumps({"agencies": rows, "seconds": round(federation.seconds, 3)}, ensure_ascii=False,
                              indent=1))
    else:
        click.echo(as_text(plan), nl=False)
        click.echo("\n" + report_text(rows, federation.seconds) + done + "\n", nl=False)
    return 1 if plan.exit_code or any(r["state"] != "ok" for r in rows) else 0


def unified_demo(port: int, no_serve: bool, now: datetime) -> Path:
    """Three sample agencies published in a temporary folder, and the unified platform built from them."""
    from publisher.runs.federation import federate
    from publisher.runs.publication import publish
    from publisher.runs.unified_demo import build_agencies, make_unified

    root = Path(tempfile.mkdtemp(prefix="portal-unified-"))
    click.echo(f"在 {root} 中发布三个示例机关的网站……")
    agencies = build_agencies(root, now)
    config = make_unified(root, agencies)
    federation = federate(config, now)
    run = publish(config, now, operator="demo", source_result=federation.result)
    from publisher.runs.federation import report_rows, report_text

    click.echo(report_text(report_rows(federation, run.plan), federation.seconds), nl=False)
    click.echo(f"统一平台已发布：{config.deploy.path / 'current'}")
    if not no_serve:
        from publisher.cli import _serve

        _serve(config, port)
    return root


def register(cli: click.Group, now_option, now_of) -> None:  # type: ignore[no-untyped-def]
    """Add `portal federate` to the command group."""

    @cli.command()
    @click.option("--broker", metavar="URL",
                  help="把每个机关作为一个任务派给 Celery 工作进程的消息代理，例如 redis://127.0.0.1:6379/0 或 "
                       "amqp://guest:guest@127.0.0.1:5672//（默认：在本进程中用多个线程同时读取）。")
    @click.option("--timeout", default=600.0, help="等待全部机关读取完成的秒数（默认 600）；超时的机关按无法访问处理。")
    @click.option("--publish", "then_publish", is_flag=True, help="汇集后继续发布（与 portal publish 相同）。")
    @click.option("--allow-mass-withdrawal", is_flag=True,
                  help="允许撤回超过 intake.withdraw_share 比例的已公开记录（机关确实撤回了这些记录时）。")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出各机关的报告。")
    @now_option
    @click.pass_obj
    def federate(obj, broker: str | None, timeout: float, then_publish: bool,  # type: ignore[no-untyped-def]
                 allow_mass_withdrawal: bool, as_json: bool, now: str | None) -> None:
        """汇集各机关已发布的公示网站（统一平台）。

        同时读取并核验每个机关的签名头、文件清单和开放数据，写入 content/ 和 content/agencies.json，
        并按机关报告状态、记录数、最新签名头和用时。签名无效、历史被改写或文件与清单不符的机关被拒绝；
        无法访问或没有数据的机关保留上次的记录。

        退出码：0 全部机关正常；1 有机关未更新或有记录被拒绝；2 配置错误；3 发布失败；75 另一次运行正在进行。
        """
        config = obj.config
        sys.exit(federate_command(config, now_of(now, config), broker, timeout, then_publish,
                                  allow_mass_withdrawal, as_json))
