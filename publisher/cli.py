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


@cli.command()
@_now_option
@click.pass_obj
def build(obj: PortalContext, now: str | None) -> None:
    """Render content/ into the output folder with Pelican."""
    config = obj.config
    result = _build(config, _now(now, config))
    click.echo(f"已生成网站 {result.output}（写入 {result.files_written} 个文件，用时 {result.seconds:.1f} 秒）")


def _build(config: Config, now: datetime):
    from publisher.site import build_site

    try:
        return build_site(config, now)
    except ValueError as exc:
        click.echo(f"无法生成网站 build refused: {exc}", err=True)
        sys.exit(2)


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.pass_obj
def serve(obj: PortalContext, port: int) -> None:
    """Serve the built site on localhost."""
    _serve(obj.config, port)


def _serve(config: Config, port: int) -> None:
    from publisher.site import make_server

    if not (config.paths.output / "index.html").exists():
        click.echo(f"{config.paths.output} 中没有网站，请先运行 portal build", err=True)
        sys.exit(2)
    server = make_server(config.paths.output, port=port)
    click.echo(f"网站已在 http://127.0.0.1:{port}/ 运行（Ctrl+C 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option("--no-serve", is_flag=True, help="Pull and build only.")
@click.pass_obj
def demo(obj: PortalContext, port: int, no_serve: bool) -> None:
    """Pull the bundled sample data, build the sample portal and serve it."""
    config = obj.config
    now = _now(None, config)
    plan = make_plan(config, now)
    write_plan(plan)
    click.echo(as_text(plan), nl=False)
    result = _build(config, now)
    click.echo(f"已生成网站 {result.output}（写入 {result.files_written} 个文件）")
    if not no_serve:
        _serve(config, port)


def main() -> None:
    cli(prog_name="portal")
