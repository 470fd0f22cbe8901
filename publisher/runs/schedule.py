"""`portal schedule`: publication runs at the times portal.toml gives, in the foreground,
or printed as crontab lines or a systemd timer for staff who prefer those.

Cron cannot know the Chinese working-day calendar, so `working_days_only` is checked by the
run itself (`portal publish --working-days-only`), which also counts 调休 Saturdays.
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


def _command(config: Config) -> str:
    portal = Path(sys.executable).with_name("portal")
    return f"{shlex.quote(str(portal))} --config {shlex.quote(str(config.path))} publish --operator schedule" + (
        " --working-days-only" if config.schedule.working_days_only else "")


def crontab(config: Config) -> str:
    log = config.paths.state / "logs" / "publish.log"
    lines = ["# 行政执法公示平台：定时发布（crontab -e 粘贴以下内容）", "CRON_TZ=" + config.site.timezone]
    lines += [f"{expr} {_command(config)} >> {shlex.quote(str(log))} 2>&1" for expr in config.schedule.cron]
    return "\n".join(lines) + "\n"


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


def systemd(config: Config) -> str:
    calendars = "\n".join(f"OnCalendar={_on_calendar(expr)} {config.site.timezone}" for expr in config.schedule.cron)
    return f"""# /etc/systemd/system/portal-publish.service
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
