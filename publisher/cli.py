"""`portal`: the command line. Each command reads like a sentence: portal check, portal pull."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from publisher.config import Config, ConfigError, load_config
from publisher.plan import make_plan, write_plan
from publisher.report import as_text, dumps
from publisher.validation import FieldError, parse_datetime


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
                           help="The run's clock, e.g. 2026-11-24 or '2026-11-24 09:00' (default: now).")
_allow_empty_option = click.option("--allow-empty", is_flag=True,
                                   help="Let a type whose source returned no rows withdraw its published records.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default="portal.toml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The agency's portal.toml.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path) -> None:
    """行政执法公示平台 — publish an agency's enforcement disclosures."""
    ctx.obj = PortalContext(config_path)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_now_option
@_allow_empty_option
@click.pass_obj
def check(obj: PortalContext, as_json: bool, now: str | None, allow_empty: bool) -> None:
    """Show what a run would add, change, withdraw, hold, block and reject, and why. Writes nothing.

    Exit code 0 when nothing is rejected, blocked or stopped, 1 otherwise.
    """
    config = obj.config
    plan = make_plan(config, _now(now, config), allow_empty)
    click.echo(dumps(plan) if as_json else as_text(plan), nl=False)
    sys.exit(plan.exit_code)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_now_option
@_allow_empty_option
@click.pass_obj
def pull(obj: PortalContext, as_json: bool, now: str | None, allow_empty: bool) -> None:
    """Write the Markdown of every record that may be shown into content/.

    Same input, same files: a file whose bytes would not change is not touched.
    """
    config = obj.config
    plan = make_plan(config, _now(now, config), allow_empty)
    written = write_plan(plan)
    if as_json:
        click.echo(dumps(plan), nl=False)
    else:
        click.echo(as_text(plan), nl=False)
        click.echo(f"\n已写入 {len(written)} 个文件到 {config.paths.content}")
    sys.exit(plan.exit_code)


def main() -> None:
    cli(prog_name="portal")
