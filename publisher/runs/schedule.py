"""`portal schedule`: publication runs at the times portal.toml gives, in the foreground,
or printed as crontab lines or a systemd timer for staff who prefer those.

Cron cannot know the Chinese working-day calendar, and Debian's cron ignores CRON_TZ and runs in
the server's zone. So the printed crontab starts `portal publish --on-schedule` at every minute the
schedule names, of every hour, and the run itself decides in the configured zone whether this is a
scheduled time on a working day (调休 Saturdays counted); otherwise it does nothing.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from cronsim import CronSim

from publisher.core.config import Config
from publisher.core.workingdays import WorkingDayCalendar

_DOW = {"0": "Sun", "1": "Mon", "2": "Tue", "3": "Wed", "4": "Thu", "5": "Fri", "6": "Sat", "7": "Sun"}


def next_run(config: Config, after: datetime, calendar: WorkingDayCalendar | None = None) -> datetime:
    """The first scheduled time strictly after `after` (on a working day, if so configured)."""
    calendar = calendar or WorkingDayCalendar()
    candidates = []
    for expr in config.schedule.cron:
        for when in CronSim(expr, after):
            if when > after and (not config.schedule.working_days_only or calendar.is_working_day(when.date())):
                candidates.append(when)
                break
            if when - after > timedelta(days=400):
                break
    if not candidates:
        raise ValueError("schedule.cron 为空或一年内没有可运行的时间")
    return min(candidates)


def run_forever(config: Config, publish: Callable[[datetime], int], clock: Callable[[], datetime],
                sleep: Callable[[float], None], log: Callable[[str], None], max_runs: int | None = None) -> None:
    """Sleep until each scheduled time, then publish with the clock at that time."""
    done = 0
    while max_runs is None or done < max_runs:
        now = clock()
        when = next_run(config, now)
        log(f"下一次发布：{when:%Y-%m-%d %H:%M}")
        while (wait := (when - clock()).total_seconds()) > 0:
            sleep(min(wait, 60.0))  # wake every minute so a changed system clock is noticed
        started = clock()
        log(f"开始发布（计划时间 {when:%Y-%m-%d %H:%M}）")
        code = publish(started)
        log(f"发布结束，退出码 {code}")
        done += 1


def due(config: Config, now: datetime, calendar: WorkingDayCalendar | None = None) -> bool:
    """Whether `now` (the configured zone's wall clock) is a scheduled minute, on a working day if so configured."""
    minute = now.replace(second=0, microsecond=0, tzinfo=None)
    if config.schedule.working_days_only and not (calendar or WorkingDayCalendar()).is_working_day(minute.date()):
        return False
    return any(next(iter(CronSim(expr, minute - timedelta(minutes=1)))) == minute for expr in config.schedule.cron)


def next_runs(config: Config, after: datetime, count: int = 5) -> list[datetime]:
    """The next `count` scheduled times after `after`, in the configured zone."""
    calendar = WorkingDayCalendar()
    times: list[datetime] = []
    while len(times) < count:
        after = next_run(config, after, calendar)
        times.append(after)
    return times


def _command(config: Config, on_schedule: bool = False) -> str:
    portal = Path(sys.executable).with_name("portal")
    command = f"{shlex.quote(str(portal))} --config {shlex.quote(str(config.path))} publish --operator schedule"
    if on_schedule:
        return command + " --on-schedule"
    return command + (" --working-days-only" if config.schedule.working_days_only else "")


def _upcoming(config: Config, now: datetime) -> list[str]:
    return [f"#   {when:%Y-%m-%d %H:%M}（{config.site.timezone}）" for when in next_runs(config, now)]


def crontab(config: Config, now: datetime) -> str:
    """Lines for `crontab -e` that Debian's cron runs as printed, whatever the server's zone."""
    logs = config.paths.state / "logs"
    minutes = sorted({int(m) for expr in config.schedule.cron for m in _minutes(expr)})
    minute_field = ",".join(map(str, minutes)) if minutes else "*"
    line = (f"{minute_field} * * * * mkdir -p {shlex.quote(str(logs))} && {_command(config, on_schedule=True)} "
            f">> {shlex.quote(str(logs / 'publish.log'))} 2>&1")
    return "\n".join([
        "# 行政执法公示平台：定时发布（crontab -e 粘贴以下内容）",
        f"# 时间表（{config.site.timezone}）：{'；'.join(config.schedule.cron)}"
        + ("，只在工作日" if config.schedule.working_days_only else ""),
        "# cron 按服务器时区在每小时的这些分钟启动；是否到了发布时间、是否工作日由 portal 按上面的时区判断。",
        "# 接下来五次发布：", *_upcoming(config, now), line]) + "\n"


def _minutes(expr: str) -> list[str]:
    """The minutes a cron expression names (its first field), or every minute when it is not a list."""
    field = expr.split()[0]
    if all(part.isdigit() for part in field.split(",")):
        return field.split(",")
    return [str(m) for m in range(60)]


def _on_calendar(expr: str) -> str:
    minute, hour, dom, month, dow = expr.split()

    def field(value: str, names: dict[str, str] | None = None) -> str:
        if value == "*":
            return "*"
        parts = []
        for part in value.split(","):
            base, _, step = part.partition("/")
            if names:
                base = "..".join(names.get(x, x) for x in base.split("-"))
            else:  # systemd wants two-digit times: 09:00, not 9:0
                base = "..".join(f"{int(x):02d}" if x.isdigit() else x for x in base.split("-"))
                base = "00" if base == "*" else base
            parts.append(f"{base}/{step}" if step else base)
        return ",".join(parts)

    day = "" if dow == "*" else field(dow, _DOW) + " "
    return f"{day}*-{field(month)}-{field(dom)} {field(hour)}:{field(minute)}:00"


def systemd(config: Config, now: datetime) -> str:
    calendars = "\n".join(f"OnCalendar={_on_calendar(expr)} {config.site.timezone}" for expr in config.schedule.cron)
    upcoming = "\n".join(["# 接下来五次发布：", *_upcoming(config, now)])
    return f"""{upcoming}
# /etc/systemd/system/portal-publish.service
[Unit]
Description=行政执法公示平台 定时发布
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={config.path.parent}
ExecStart={_command(config)}

# /etc/systemd/system/portal-publish.timer
[Unit]
Description=行政执法公示平台 发布时间表

[Timer]
{calendars}
Persistent=true

[Install]
WantedBy=timers.target
"""
