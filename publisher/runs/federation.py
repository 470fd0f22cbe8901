"""`portal federate`: a unified platform gathers its agencies' published portals (issue 19).

Every agency (a `[[sources]] kind = "portal"`) is fetched and verified by
publisher.pull.sources.portal.fetch_agency: concurrently in threads, or as one Celery job per agency on
a Redis or RabbitMQ broker, so a province's hundreds of agencies spread over workers on several machines.
A job retries an agency it could not reach (`max_retries`, backing off); what it returns is JSON only.
The platform then does what `portal pull` does with those answers (the heads seen, held agencies,
content/ and content/agencies.json), and `--publish` goes on into the normal publication.

Workers: `PORTAL_BROKER=redis://127.0.0.1:6379/0 celery -A publisher.runs.federation worker`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import Celery

from publisher.core.config import Config
from publisher.pull.plan import make_plan, write_plan
from publisher.pull.rows import SourceResult
from publisher.pull.sources import read_sources
from publisher.pull.sources.portal import AgencyFetch, fetch_agency, gather, jobs, portal_sources
from publisher.site.background import apart

BROKER_ENV = "PORTAL_BROKER"  # the broker a worker started with `celery -A publisher.runs.federation` uses
QUEUE = "portal-federation"
MAX_RETRIES = 2  # an unreachable agency is tried this many more times before it is reported unreachable
STATE_ZH = {"ok": "正常", "unreachable": "无法访问", "refused": "拒绝（未通过核验）", "empty": "无数据"}

app = Celery("portal-federation")


def result_backend(broker: str) -> str:
    """Where job results go back: Redis keeps them in Redis; on RabbitMQ they come back as replies (rpc)."""
    return broker if broker.startswith(("redis://", "rediss://")) else "rpc://"


def configure(target: Celery, broker: str) -> Celery:
    """Point an app at a broker; JSON only, one job at a time per worker."""
    target.conf.update(broker_url=broker, result_backend=result_backend(broker), task_serializer="json",
                       result_serializer="json", accept_content=["json"], task_default_queue=QUEUE,
                       task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True,
                       result_expires=3600)
    return target


if os.environ.get(BROKER_ENV):  # a worker: `PORTAL_BROKER=… celery -A publisher.runs.federation worker`
    configure(app, os.environ[BROKER_ENV])


def client(broker: str) -> Celery:
    """The platform's side of one broker: it sends jobs by name and reads their results; close it after."""
    return configure(Celery("portal-federation-client"), broker)


class AgencyUnreachable(Exception):
    """An agency's site could not be read: the job is tried again."""


@app.task(name="portal.fetch_agency", bind=True, autoretry_for=(AgencyUnreachable,), max_retries=MAX_RETRIES,
          retry_backoff=1, retry_backoff_max=10, retry_jitter=False)
def fetch_agency_job(self: Any, spec: dict[str, Any], seen: dict[str, Any], held: dict[str, list[str]]
                     ) -> dict[str, Any]:
    """One agency, on a worker: unreachable raises (and so retries) until the last try, which reports it."""
    answer = fetch_agency(spec, seen, held)
    answer["worker"] = self.request.hostname or socket.gethostname()
    answer["attempts"] = self.request.retries + 1
    if answer["state"] == "unreachable" and self.request.retries < self.max_retries:
        raise AgencyUnreachable(answer["message"])
    return answer


@dataclass
class Federation:
    """What one `portal federate` did: the answers (per agency) and the plan made from them."""

    answers: list[AgencyFetch]
    result: SourceResult
    seconds: float


def fetch_all(config: Config, broker: str | None = None, timeout: float = 600) -> list[dict[str, Any]]:
    """Every agency's answer, in the order of the sources: threads here, or jobs on a broker's workers."""
    sources = portal_sources(config.sources)
    arguments = jobs(sources, config.paths)
    if not arguments:
        return []
    if broker is None:
        with ThreadPoolExecutor(max_workers=min(16, len(arguments)), thread_name_prefix="agency") as pool:
            return list(pool.map(_in_thread, arguments))
    return _spawned(_dispatch, broker, arguments, timeout)


def workers_answering(broker: str, timeout: float = 1.0) -> set[str]:
    """The names of the workers that answer a ping on this broker."""
    return _spawned(_ping, broker, timeout)


def _spawned(function: Any, *args: Any) -> Any:
    """`function(*args)` in a fresh interpreter: kombu's connection pools register after-fork hooks that
    block a later fork of this process (the build's workers) on the broker's socket, so none live here."""
    return apart(function, *args)


def _dispatch(broker: str, arguments: list[tuple[dict, dict, dict]], timeout: float) -> list[dict[str, Any]]:
    with client(broker) as sender:
        pending = [sender.send_task(fetch_agency_job.name, args=list(args), queue=QUEUE) for args in arguments]
        deadline = time.monotonic() + timeout
        return [_collected(job, args[0], deadline) for job, args in zip(pending, arguments, strict=True)]


def _ping(broker: str, timeout: float) -> set[str]:
    with client(broker) as app:
        return {name for reply in app.control.ping(timeout=timeout) for name in reply}


def _in_thread(args: tuple[dict, dict, dict]) -> dict[str, Any]:
    answer = fetch_agency(*args)
    answer["worker"] = threading.current_thread().name
    return answer


def _collected(job: Any, spec: dict[str, Any], deadline: float) -> dict[str, Any]:
    """A job's answer; a job that failed or did not finish in time is the agency unreachable this run."""
    try:
        return dict(job.get(timeout=max(1.0, deadline - time.monotonic()), propagate=True))
    except Exception as exc:  # a timeout, a lost worker, the last retry's error: its records stay
        why = "任务超时" if type(exc).__name__ == "TimeoutError" else f"任务失败：{type(exc).__name__}: {exc}"
        return AgencyFetch(spec["key"], spec["agency"], spec["url"], "unreachable",
                           f"{why}：保留平台上它的现有记录").as_dict()


def federate(config: Config, now: datetime, broker: str | None = None, timeout: float = 600) -> Federation:
    """Fetch and verify every agency, then gather the answers (with any other sources) into one result."""
    started = time.perf_counter()
    answers = fetch_all(config, broker, timeout)
    sources = portal_sources(config.sources)
    result = gather(sources, answers, config.paths, now)
    others = [s for s in config.sources if s.kind != "portal"]
    if others:
        result.extend(read_sources(others, config.intake.max_file_mb * 1024 * 1024))
    return Federation([AgencyFetch.from_dict(a) for a in answers], result, time.perf_counter() - started)


def pull(config: Config, federation: Federation, now: datetime, allow_mass_withdrawal: bool = False) -> Any:
    """`portal pull` on the agencies' answers: content/ and content/agencies.json; the plan."""
    plan = make_plan(config, now, source_result=federation.result, allow_mass_withdrawal=allow_mass_withdrawal)
    write_plan(plan)
    return plan


def report_rows(federation: Federation, plan: Any) -> list[dict[str, Any]]:
    """One row per agency: state, records live on the platform, newest head, seconds, who fetched, why."""
    statuses = {a.key: a for a in plan.agencies}
    rows = []
    for answer in federation.answers:
        status = statuses.get(answer.key)
        rows.append({"key": answer.key, "agency": answer.name, "state": answer.state,
                     "records": status.records if status else 0, "head": status.head if status else "",
                     "updated": status.updated if status else "", "seconds": answer.seconds,
                     "worker": answer.worker, "attempts": getattr(answer, "attempts", 1),
                     "message": answer.message or (status.message if status else "")})
    return rows


def _pad(text: str, width: int) -> str:
    """Left-aligned in a terminal's columns: a Chinese character takes two."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def report_text(rows: list[dict[str, Any]], seconds: float) -> str:
    """The per-agency report a clerk reads."""
    lines = [f"汇集 {len(rows)} 个机关，用时 {seconds:.1f} 秒", "",
             _pad("机关", 24) + _pad("状态", 20) + "  记录  " + _pad("最新签名头", 16) + "  用时  说明"]
    for r in rows:
        head = r["head"][:12] + "…" if r["head"] else "—"
        lines.append(_pad(r["agency"], 24) + _pad(STATE_ZH.get(r["state"], r["state"]), 20)
                     + f"{r['records']:>6}  " + _pad(head, 16) + f"{r['seconds']:>5.1f}秒  {r['message'] or '—'}")
    bad = [r for r in rows if r["state"] != "ok"]
    lines += ["", f"{len(bad)} 个机关本次未更新，其记录保持上次的状态" if bad else "全部机关均已核验并更新"]
    return "\n".join(lines) + "\n"
