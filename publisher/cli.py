"""`portal`: the command line. Each command reads like a sentence: portal check, portal pull."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from publisher.core.config import Config, ConfigError, describe, load_config
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import make_plan, write_plan
from publisher.pull.plan_report import as_text, dumps
from publisher.pull.validation import FieldError, parse_datetime


def _now(value: str | None, config: Config) -> datetime:
    if value:
        try:
            return parse_datetime(value)
        except FieldError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from None
    return datetime.now(ZoneInfo(config.site.timezone)).replace(tzinfo=None, microsecond=0)


class PortalContext:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                click.echo(f"配置错误 configuration error: {exc}", err=True)
                sys.exit(2)
        return self._config


_now_option = click.option("--now", metavar="DATETIME",
                           help="本次运行的时钟，例如 2026-11-24 或 '2026-11-24 09:00'"
                                "（默认：现在，按 site.timezone）。")
def _source_guard_options(command):  # type: ignore[no-untyped-def]
    """--allow-empty and --allow-mass-withdrawal: the two guards against a broken source, lifted on purpose."""
    command = click.option("--allow-mass-withdrawal", is_flag=True,
                           help="允许撤回超过 intake.withdraw_share 比例的已公开记录"
                                "（数据源确实删除了这些记录时）。")(command)
    return _allow_empty_option(command)


_allow_empty_option = click.option("--allow-empty", is_flag=True,
                                   help="数据源确实不再提供某类记录时，允许撤回该类已公开的全部记录。")


class _ChineseHelp(click.HelpFormatter):
    """Click's own words in `--help` (Usage, Options, Commands), in the Chinese a clerk reads."""

    _HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix or "用法：")

    def section(self, name: str):  # type: ignore[no-untyped-def]
        return super().section(self._HEADINGS.get(name, name))


class _Context(click.Context):
    formatter_class = _ChineseHelp


class _ChineseHelpOption:
    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "显示此帮助并退出。"
        return option


class _Command(_ChineseHelpOption, click.Command):
    context_class = _Context

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class _Group(_ChineseHelpOption, click.Group):
    context_class = _Context
    command_class = _Command

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


_Group.group_class = _Group


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[选项]",
             subcommand_metavar="命令 [参数]...")
@click.option("--config", "config_path", default="portal.toml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="本单位的配置文件 portal.toml。")
@click.pass_context
def cli(ctx: click.Context, config_path: Path) -> None:
    """行政执法公示平台：把本单位的行政执法信息按规则公开。"""
    ctx.obj = PortalContext(config_path)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告（供程序读取）。")
@_now_option
@_source_guard_options
@click.pass_obj
def check(obj: PortalContext, as_json: bool, now: str | None, allow_empty: bool, allow_mass_withdrawal: bool) -> None:
    """检查：列出一次运行将新增、更新、撤回、暂缓、阻止、拒绝哪些记录及原因，不写入任何内容。

    退出码：0 没有拒绝、阻止或停止的类别；1 有；2 配置错误。
    """
    config = obj.config
    clock = _now(now, config)
    _warn_if_clock_behind(config, clock)
    plan = make_plan(config, clock, allow_empty, allow_mass_withdrawal=allow_mass_withdrawal)
    click.echo(dumps(plan) if as_json else as_text(plan), nl=False)
    sys.exit(plan.exit_code)


@cli.command("config")
@click.pass_obj
def config_(obj: PortalContext) -> None:
    """列出 portal.toml 的每一项配置：完整的键、当前值、默认值、可选值和说明。

    配置有误时，与其他命令一样，指出出错的键并以退出码 2 结束。
    """
    click.echo(describe(obj.config), nl=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告（供程序读取）。")
@_now_option
@_source_guard_options
@click.pass_obj
def pull(obj: PortalContext, as_json: bool, now: str | None, allow_empty: bool, allow_mass_withdrawal: bool) -> None:
    """读取数据源、检查规则，把可以公开的每条记录写入 content/。

    输入相同，文件相同：内容不变的文件不会被改写。
    """
    config = obj.config
    clock = _now(now, config)
    _warn_if_clock_behind(config, clock)
    plan = make_plan(config, clock, allow_empty, allow_mass_withdrawal=allow_mass_withdrawal)
    written = write_plan(plan)
    if as_json:
        click.echo(dumps(plan), nl=False)
    else:
        click.echo(as_text(plan), nl=False)
        click.echo(f"\n已写入 {len(written)} 个文件到 {config.paths.content}")
    sys.exit(plan.exit_code)


@cli.command()
@_now_option
@click.pass_obj
def build(obj: PortalContext, now: str | None) -> None:
    """用 content/ 生成网站预览（paths.output），不发布。"""
    config = obj.config
    result = _build(config, _now(now, config))
    click.echo(f"已生成网站 {result.output}（写入 {result.files_written} 个文件，用时 {result.seconds:.1f} 秒）")


def _build(config: Config, now: datetime):
    from publisher.runs.annual import annual_reports
    from publisher.runs.ledger import ledger_head
    from publisher.site.build import build_site

    try:
        return build_site(config, now, ledger_info=ledger_head(config), annual=annual_reports(config, now))
    except ValueError as exc:
        click.echo(f"无法生成网站 build refused: {exc}", err=True)
        sys.exit(2)


_preview_option = click.option("--preview", is_flag=True,
                               help="用 portal build 生成的预览（paths.output），而不是已发布的公开网站。")


def _site_dir(config: Config, preview: bool) -> tuple[Path, str]:
    """The one live site: the published release when there is one, else (or for --preview) output/."""
    current = config.deploy.path / "current"
    if not preview and current.is_dir():
        # The link, not its target: the server follows each publish's switch.
        return current, f"已发布的公开网站 {current}（随每次发布切换）"
    return config.paths.output, f"预览 {config.paths.output}（portal build 的结果，未经发布核验）"


@cli.command()
@click.option("--port", default=8000, show_default=True, help="在 127.0.0.1 上使用的端口。")
@_preview_option
@click.pass_obj
def serve(obj: PortalContext, port: int, preview: bool) -> None:
    """在本机提供网站：已发布的公开网站（public/current），没有时提供预览。"""
    _serve(obj.config, port, preview)


def _serve(config: Config, port: int, preview: bool = False) -> None:
    from publisher.site.serve import make_server

    site, label = _site_dir(config, preview)
    if not (site / "index.html").exists():
        click.echo(f"{site} 中没有网站，请先运行 portal build 或 portal publish", err=True)
        sys.exit(2)
    server = make_server(site, port=port)
    click.echo(f"正在提供：{label}")
    click.echo(f"网站已在 http://127.0.0.1:{port}/ 运行（Ctrl+C 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.option("--port", default=8000, show_default=True, help="在 127.0.0.1 上使用的端口。")
@click.option("--no-serve", is_flag=True, help="只读取示例数据并生成网站，不启动服务。")
@click.option("--unified", is_flag=True,
              help="统一平台演示：在临时文件夹中发布三个示例机关的网站，再把它们汇集成一个平台。")
@click.pass_obj
def demo(obj: PortalContext, port: int, no_serve: bool, unified: bool) -> None:
    """演示：读取自带的示例数据，生成示例网站并在本机提供。"""
    if unified:
        from publisher.runs.federate_command import unified_demo

        config = unified_demo(datetime.now().replace(microsecond=0), click.echo)
        if not no_serve:
            _serve(config, port)
        return
    config = obj.config
    now = _now(None, config)
    plan = make_plan(config, now)
    write_plan(plan)
    click.echo(as_text(plan), nl=False)
    result = _build(config, now)
    click.echo(f"已生成网站 {result.output}（写入 {result.files_written} 个文件）")
    if not no_serve:
        _serve(config, port, preview=True)


@cli.command()
@_now_option
@_source_guard_options
@click.option("--allow-clock-skew", is_flag=True, help="时钟早于账本中上次发布时仍然发布（确认服务器时间无误时）。")
@click.option("--operator", help="谁对这次发布负责（默认：操作系统用户）。")
@click.option("--wait", type=float, help="另一次运行正在进行时等待的秒数（默认：deploy.lock_timeout）。")
@click.option("--working-days-only", is_flag=True, help="非工作日什么也不做（供定时任务使用）。")
@click.option("--on-schedule", is_flag=True,
              help="只在 [schedule] 的发布时间（按配置的时区、工作日）发布，否则什么也不做（供 cron 使用）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出运行报告。")
@click.pass_obj
def publish(obj: PortalContext, now: str | None, allow_empty: bool, allow_mass_withdrawal: bool,
            allow_clock_skew: bool, operator: str | None, wait: float | None,
            working_days_only: bool, on_schedule: bool, as_json: bool) -> None:
    """发布：读取并检查数据，生成新版本并核验，记入账本、签名，然后切换公开网站。

    退出码：0 已发布；1 已发布，但有记录被拒绝、阻止或有类别停止更新；3 失败，公开网站未作任何改动；
    75 另一次运行正在进行；2 配置错误。
    """
    from publisher.core.workingdays import WorkingDayCalendar
    from publisher.runs.publication import RunFailed, RunLocked
    from publisher.runs.publication import publish as run_publish

    config = obj.config
    clock = _now(now, config)
    if on_schedule:
        from publisher.runs.schedule import due

        if not due(config, clock):
            return  # cron starts this every hour at the scheduled minutes; most starts are not a run
    if working_days_only and not WorkingDayCalendar().is_working_day(clock.date()):
        click.echo(f"{clock:%Y-%m-%d} 不是工作日，本次不发布")
        return
    log = click.echo if sys.stderr.isatty() else _logger(config)
    try:
        result = run_publish(config, clock, operator, allow_empty, wait, progress=log,
                             allow_mass_withdrawal=allow_mass_withdrawal, allow_clock_skew=allow_clock_skew)
    except RunLocked as exc:
        click.echo(f"未运行：{exc}", err=True)
        sys.exit(75)
    except Exception as exc:  # whatever broke (disk full, database, a bug), the site was not switched
        kind = "" if isinstance(exc, RunFailed) else f"{type(exc).__name__}: "
        click.echo(f"发布失败，公开网站未作任何改动：{kind}{exc}", err=True)
        sys.exit(3)
    if as_json:
        click.echo(result.reports["json"].read_text(encoding="utf-8"))
    else:
        click.echo(as_text(result.plan), nl=False)
        click.echo(f"\n已发布版本 {result.release}（{result.seconds:.1f} 秒），账本记录 {result.entry_hash[:16]}；"
                   f"公开网站变化 {len(result.records)} 处。报告：{result.reports['html']}")
    sys.exit(result.exit_code)


def _warn_if_clock_behind(config: Config, clock: datetime) -> None:
    """check and pull still run, but say so: a clock set back makes embargoes and deadlines wrong."""
    from publisher.runs.ledger import ledger_of
    from publisher.runs.publication import clock_behind

    problem = clock_behind(ledger_of(config), clock)
    if problem:
        click.echo(f"注意：{problem}。", err=True)


def _logger(config: Config):  # type: ignore[no-untyped-def]
    """Log lines stamped in the agency's zone (cron and journald keep them)."""
    from publisher.core.clock import local_now

    def log(message: str) -> None:
        click.echo(f"{local_now(config.site.timezone):%Y-%m-%d %H:%M:%S} {message}", err=True)

    return log


@cli.command()
@click.argument("release", required=False)
@click.option("--operator", help="谁对这次回退负责（默认：操作系统用户）。")
@click.pass_obj
def rollback(obj: PortalContext, release: str | None, operator: str | None) -> None:
    """回退：公开网站回到 RELEASE 版本的内容（默认：当前之前的一个），此后撤回的记录保持撤回；记入账本。"""
    from publisher.runs.publication import RunFailed, RunLocked
    from publisher.runs.rollback import rollback as run_rollback

    try:
        before, after = run_rollback(obj.config, release, operator)
    except RunLocked as exc:
        click.echo(f"未运行：{exc}", err=True)
        sys.exit(75)
    except RunFailed as exc:
        click.echo(f"回退失败：{exc}", err=True)
        sys.exit(3)
    click.echo(f"已从版本 {before or '（无）'} 回退到 {after}，并记入账本")


@cli.group()
def ledger() -> None:
    """账本：每次发布、回退和恢复的防篡改记录。"""


@ledger.command("verify")
@click.pass_obj
def ledger_verify(obj: PortalContext) -> None:
    """核对账本的哈希链、公开签名头，以及当前版本的每个文件与记录一致。退出码 0 一致，1 发现问题。"""
    from publisher.runs.publication import verify_ledger

    problems = verify_ledger(obj.config)
    if problems:
        for p in problems:
            click.echo(f"校验失败：{p}", err=True)
        sys.exit(1)
    click.echo("账本完整，当前版本的每个文件都与账本记录一致")


@ledger.command("verify-page")
@click.argument("url")
def ledger_verify_page(url: str) -> None:
    """核对一个网页：它的 SHA-256 是否列在网站签名的文件清单中，签名是否有效。退出码 0 一致，1 发现问题，2 无法核对。"""
    from publisher.runs.witness import verify_page

    code, lines = verify_page(url)
    for line in lines:
        click.echo(line, err=code != 0)
    sys.exit(code)


@ledger.command("recover")
@click.option("--reason", required=True, help="为什么在发现问题后继续发布（记入账本和公开签名头）。")
@click.option("--operator", help="谁对这次恢复负责（默认：操作系统用户）。")
@click.pass_obj
def ledger_recover(obj: PortalContext, reason: str, operator: str | None) -> None:
    """发现账本问题并调查后，记录一次恢复，之后才能继续发布。恢复本身记入账本，下一次发布的签名头会标明。"""
    from publisher.runs.ledger import ledger_of
    from publisher.runs.releases import Releases
    from publisher.runs.sealing import chain_problem, recovery_entry

    config = obj.config
    ledger, releases = ledger_of(config), Releases(config.deploy)
    problem = chain_problem(config, releases, ledger)
    if problem is None:
        click.echo("账本与公开签名头一致，无需恢复")
        return
    ledger.append([recovery_entry(problem, reason, operator, config.site.timezone)])
    click.echo(f"已记录恢复：{problem}（原因：{reason}）。下一次发布可以继续，签名头会接在公开的历史之后")


@cli.command()
@click.option("--template", default="national", show_default=True, type=click.Choice(["national"]),
              help="导出的格式：national 为国家“双公示”信息模板（2021年版）。")
@click.option("--type", "type_key", required=True, type=click.Choice(["penalties", "permits"]),
              help="记录类型：penalties 行政处罚，permits 行政许可。")
@click.option("--year", type=click.IntRange(1949, 2100), help="只导出这一年作出的决定（默认：全部年份）。")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="写入的文件（默认：当前文件夹下的 <类型>[-<年份>].xlsx）。")
@click.pass_obj
def export(obj: PortalContext, template: str, type_key: str, year: int | None, output: Path | None) -> None:
    """导出：把网站正在公示的行政处罚或行政许可写成国家“双公示”信息模板（XLSX，一个工作表），可直接向上级信用平台报送。

    只取 content/ 中正在公示的记录（与网站、开放数据一致；已撤回的不在其中，自然人的信息已按规定处理）。
    列名、列序与模板一致，许可类别、证件类型填标准代码，日期为 YYYY/MM/DD；以 = + - @ 开头的值不会被当作公式。
    """
    from publisher.core.content import load_published
    from publisher.core.files import write_atomic
    from publisher.site.opendata.national import national_xlsx, template_rows
    from publisher.site.opendata.tables import last_updated

    config = obj.config
    records = load_published(config.paths.content)[type_key]
    wanted = str(year) if year else None
    chosen = [r for r in records if wanted is None or r.year == wanted]
    path = output or Path(f"{type_key}{'-' + wanted if wanted else ''}.xlsx")
    write_atomic(path, national_xlsx(type_key, chosen, config.site.agency, last_updated(chosen), wanted))
    count = len(template_rows(type_key, chosen))
    what = f"{wanted}年的" if wanted else ""
    click.echo(f"已按国家双公示模板导出{what}{RECORD_TYPES[type_key].zh}信息 {count} 条到 {path}"
               + ("（没有正在公示的记录，文件只有表头）" if count == 0 else ""))


@cli.command()
@click.argument("source")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="保存已见签名头的文件（默认：~/.portal-witness/<来源的哈希>.json）。")
@click.option("--files", "sample", type=int, help="只抽查这么多个文件（网址默认抽查 200 个，文件夹默认全部）。")
def witness(source: str, state_path: Path | None, sample: int | None) -> None:
    """见证一个公示网站：核对签名头、文件清单和文件，并确认新的签名头接续此前见到的（可由 cron 定时运行）。

    SOURCE 为网站网址或已发布的文件夹（如 public/current）。退出码 0 一致，1 发现问题，2 无法核对。
    """
    import hashlib

    from publisher.runs.witness import witness as run_witness

    remote = source.startswith(("http://", "https://"))
    state = state_path or Path.home() / ".portal-witness" / f"{hashlib.sha256(source.encode()).hexdigest()[:16]}.json"
    code, lines = run_witness(source, state, sample if sample is not None else (200 if remote else None))
    for line in lines:
        click.echo(line, err=code != 0)
    sys.exit(code)


@ledger.command("show")
@click.option("--record", metavar="TYPE/SLUG-OR-KEY", help="一条记录的历史，例如 penalties/3fa9c1e2ab01 "
              "或 penalties/示林罚决字〔2024〕第12号。")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def ledger_show(obj: PortalContext, record: str | None, as_json: bool) -> None:
    """列出历次发布；或一条记录的历史：何时公开、更新、撤回，以及原因。"""
    import sqlite3

    from publisher.runs.ledger import LedgerError

    try:
        _ledger_show(obj.config, record, as_json)
    except (sqlite3.DatabaseError, LedgerError, ValueError, KeyError) as exc:
        click.echo(f"账本无法读取（{type(exc).__name__}: {exc}）；请运行 portal ledger verify 查看详情", err=True)
        sys.exit(1)


def _ledger_show(config: Config, record: str | None, as_json: bool) -> None:
    import json

    from publisher.runs.ledger import ledger_of
    from publisher.runs.publication import ledger_summary

    if record:
        type_key, _, ident = record.partition("/")
        slug = _slug_for(config, type_key, ident)
        rows = ledger_of(config).record_history(type_key, slug)
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo(f"账本中没有 {type_key}/{ident} 的记录")
        for r in rows:
            click.echo(f"{r['time']}  {r['action']:<9} 运行 {r['run']}  操作人 {r['operator']}  "
                       f"内容 {r['content_hash'][:16]}  {r['reason']}")
        return
    rows = ledger_summary(config)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"#{r['number']:<4} {r['kind']} {r['time']}  {r['run']}  {r['operator']}  {r['summary']}  "
                   f"{r['hash'][:16]}")


def _slug_for(config: Config, type_key: str, ident: str) -> str:
    """A record given by slug or by natural key (decision number, certificate number, …)."""
    from publisher.core.catalog import content_pages
    from publisher.pull.validation import key_hash, normalise_key

    pages = content_pages(config.paths.content, config.paths.state)
    page = pages.get(type_key, {}).get(key_hash(type_key, normalise_key(ident)))
    return page.slug if page else ident


@cli.command()
@click.option("--print", "print_as", type=click.Choice(["crontab", "systemd"]),
              help="不运行，而是输出对应的 crontab 行或 systemd 定时器（含接下来五次发布时间）。")
@click.pass_obj
def schedule(obj: PortalContext, print_as: str | None) -> None:
    """定时发布：在前台按 portal.toml [schedule] 的时间运行发布，并记录日志。"""
    import subprocess
    import time

    from publisher.runs import schedule as sched

    config = obj.config
    if not config.schedule.cron:
        click.echo("portal.toml 的 [schedule] cron 为空", err=True)
        sys.exit(2)
    if print_as:
        clock = _now(None, config)
        click.echo(sched.crontab(config, clock) if print_as == "crontab" else sched.systemd(config, clock), nl=False)
        return

    def run(now: datetime) -> int:
        # Each run in its own process: a crash or leak in one run cannot take the scheduler down.
        argv = [sys.executable, "-m", "publisher", "--config", str(config.path), "publish", "--operator", "schedule",
                "--now", now.isoformat(sep=" ", timespec="minutes")]
        return subprocess.run(argv).returncode

    clock = lambda: _now(None, config)  # noqa: E731
    try:
        sched.run_forever(config, run, clock, time.sleep, _logger(config))
    except KeyboardInterrupt:
        _logger(config)("已停止定时发布")


@cli.command()
@click.argument("query")
@click.option("--type", "type_", type=click.Choice(["parties", *RECORD_TYPES]),
              help="只搜索这一类记录（parties：当事人信息）。")
@click.option("--year", help="只搜索这一年，例如 2025。")
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 GET /api/search 会返回的 JSON。")
@_preview_option
@click.pass_obj
def search(obj: PortalContext, query: str, type_: str | None, year: str | None, page: int, as_json: bool,
           preview: bool) -> None:
    """搜索：像公众在 /search/ 上一样搜索网站的索引（已发布的公开网站，没有时为预览）。"""
    import json

    from publisher.site.search.service import PAGE_SIZE, SearchError, SearchService, parse_request, results_json

    config = obj.config
    params = {"q": [query], "type": [type_ or ""], "year": [year or ""], "page": [str(page)],
              "page_size": [str(PAGE_SIZE)]}
    site, label = _site_dir(config, preview)
    if not as_json:
        click.echo(f"搜索：{label}", err=True)
    service = SearchService(site)
    try:
        request = parse_request(params)
        data = results_json(request, service.run(request, "cli"))
    except SearchError as exc:
        click.echo(f"无法搜索 search refused: {exc.message}", err=True)
        sys.exit(2)
    finally:
        service.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"“{query}”：共 {data['total']} 条" + (f"，第 {page}/{data['pages']} 页" if data["pages"] > 1 else ""))
    for n, hit in enumerate(data["hits"], (page - 1) * PAGE_SIZE + 1):
        click.echo(f"{n:>3}. 【{hit['type_name']}】{hit['title']}  {hit['date']}  {config.site.url}{hit['url']}")
    facets = data["facets"]
    if data["total"]:
        names = {h["type"]: h["type_name"] for h in data["hits"]} | {k: t.zh for k, t in RECORD_TYPES.items()}
        click.echo("按类型：" + "，".join(f"{names.get(k, k)} {v}" for k, v in sorted(facets["type"].items())))
        click.echo("按年份：" + "，".join(f"{k} {v}" for k, v in sorted(facets["year"].items(), reverse=True)))


@cli.command()
@click.option("--year", required=True, help="报告年度，例如 2025。")
@click.option("--seal", is_flag=True, help="现在封存该年度（自次年1月1日起；否则由次年第一次发布自动封存）。")
@click.option("--operator", help="谁对封存负责（默认：操作系统用户）。")
@_now_option
@click.pass_obj
def report(obj: PortalContext, year: str, seal: bool, operator: str | None, now: str | None) -> None:
    """年度报告：显示某年度的行政执法数据年度报告（按最重处罚类别计数），或用 --seal 将其封存入账本。"""
    import getpass

    from publisher.runs.annual import annual_reports, report_text, seal_year
    from publisher.runs.publication import RunLocked, run_lock

    config, clock = obj.config, _now(now, config=obj.config)
    if seal:
        try:
            with run_lock(config):
                entry = seal_year(config, year, clock, operator or getpass.getuser())
        except (ValueError, RunLocked) as exc:
            click.echo(f"未封存：{exc}", err=True)
            sys.exit(2)
        click.echo(f"已封存{year}年度报告（账本第{entry.seq}条）；下次发布时在网站上公布")
        return
    found = annual_reports(config, clock).get(year)
    if found is None:
        click.echo(f"{year}年度报告尚未封存（次年1月1日后的第一次发布自动封存）", err=True)
        sys.exit(1)
    click.echo(report_text(found), nl=False)


@cli.command()
@click.option("--broker", metavar="URL",
              help="把每个机关作为一个任务派给 Celery 工作进程的消息代理，例如 redis://127.0.0.1:6379/0 或 "
                   "amqp://guest:guest@127.0.0.1:5672//（默认：在本进程中用多个线程同时读取）。")
@click.option("--timeout", default=600.0, help="等待全部机关读取完成的秒数（默认 600）；超时的机关按无法访问处理。")
@click.option("--publish", "then_publish", is_flag=True, help="汇集后继续发布（与 portal publish 相同）。")
@click.option("--allow-mass-withdrawal", is_flag=True,
              help="允许撤回超过 intake.withdraw_share 比例的已公开记录（机关确实撤回了这些记录时）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出各机关的报告。")
@_now_option
@click.pass_obj
def federate(obj: PortalContext, broker: str | None, timeout: float, then_publish: bool,
             allow_mass_withdrawal: bool, as_json: bool, now: str | None) -> None:
    """汇集各机关已发布的公示网站（统一平台）。

    同时读取并核验每个机关的签名头、文件清单和开放数据，写入 content/ 和 content/agencies.json，
    并按机关报告状态、记录数、最新签名头和用时。签名无效、历史被改写或文件与清单不符的机关被拒绝；
    无法访问或没有数据的机关保留上次的记录。

    退出码：0 全部机关正常；1 有机关未更新或有记录被拒绝；2 配置错误；3 发布失败；75 另一次运行正在进行。
    """
    from publisher.runs.federate_command import federate_command

    config = obj.config
    sys.exit(federate_command(config, _now(now, config), broker, timeout, then_publish, allow_mass_withdrawal,
                              as_json, click.echo, lambda line: click.echo(line, err=True)))


def main() -> None:
    cli(prog_name="portal")
