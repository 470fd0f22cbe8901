"""Publication runs (DESIGN §4): pull, build a release, verify it, record it, switch to it.

A run is locked (two never interleave), atomic (the public site is the old release or the
new one, never a mix) and recorded in the ledger in one transaction. If a run dies at any
point, the next run starts from the last recorded release: stale build directories are
removed, and a release recorded but not yet switched to is switched to first.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import os
import secrets
import shutil
import sqlite3
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from itertools import compress, repeat
from operator import attrgetter, itemgetter, methodcaller, ne, not_
from pathlib import Path
from typing import Any

from publisher.core.catalog import content_pages, one_refresh
from publisher.core.clock import local_now, stamp
from publisher.core.clock import run_id as make_run_id
from publisher.core.config import Config
from publisher.core.content import markdown_names
from publisher.core.faults import fault_point
from publisher.core.labels import CHANGE_LABELS
from publisher.core.memory import collections_between_stages, release_memory
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import Action, Plan, make_plan, write_plan
from publisher.pull.rows import SourceResult
from publisher.runs.annual import plan_annual
from publisher.runs.ledger import Ledger, LedgerError, ledger_of
from publisher.runs.public_ledger import OWN_FILES, head_hash
from publisher.runs.releases import ContentSnapshots, Releases, broken_links, manifest_hash, verify_files
from publisher.runs.run_report import RunResult, write_reports
from publisher.runs.sealing import chain_problem, heads_problem, recorded_release, seal
from publisher.runs.witness import check_site, reader
from publisher.site.build import PageIndexes, build_site

Progress = Callable[[str], None]


class RunLocked(RuntimeError):
    """Another run holds the lock."""


class RunFailed(RuntimeError):
    """The run stopped before switching; the public site is untouched."""


@contextmanager
def run_lock(config: Config, wait: float | None = None) -> Iterator[None]:
    """One run at a time: wait up to `wait` (default deploy.lock_timeout) seconds, then refuse."""
    config.paths.state.mkdir(parents=True, exist_ok=True)
    timeout = config.deploy.lock_timeout if wait is None else wait
    with open(config.paths.state / "run.lock", "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "另一次运行"
                    raise RunLocked(f"{holder} 正在进行，{timeout:g} 秒内未结束；本次运行未做任何改动") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"运行（进程 {os.getpid()}，开始于 {local_now(config.site.timezone):%Y-%m-%d %H:%M:%S}）")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def recover(releases: Releases, ledger: Ledger, progress: Progress) -> None:
    """Finish what a dead run left: switch to the recorded release if `current` lags behind it."""
    recorded = recorded_release(ledger)
    if recorded and releases.current() != recorded and recorded in releases.list():
        progress(f"上次运行在切换前中断：切换到账本记录的版本 {recorded}")
        releases.switch(recorded)


class _Stopwatch:
    """Seconds per stage of a run, in order."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = round(self.stages.get(stage, 0.0) + now - self._last, 3)
        self._last = now


def publish(config: Config, now: datetime, operator: str | None = None, allow_empty: bool = False,
            wait: float | None = None, progress: Progress = lambda _: None, allow_mass_withdrawal: bool = False,
            allow_clock_skew: bool = False, source_result: SourceResult | None = None) -> RunResult:
    """One publication run. Raises RunLocked or RunFailed; the public site is then untouched.

    `source_result`: what the sources returned, when already read (`portal federate --publish`)."""
    started = time.perf_counter()
    watch = _Stopwatch()
    # content/'s catalog is refreshed once: pull keeps it in step, the ledger's changes and the build trust it
    with run_lock(config, wait), one_refresh(config.paths.content, config.paths.state), ExitStack() as stack, \
            collections_between_stages():
        releases, ledger = Releases(config.deploy), ledger_of(config)
        recover(releases, ledger, progress)
        broken = chain_problem(config, releases, ledger)
        if broken:
            raise RunFailed(f"{broken}。在链条不完整时继续发布会掩盖问题：请先调查，确认后运行 "
                            "portal ledger recover --reason \"……\"（恢复本身也记入账本和公开签名头）")
        skew = clock_behind(ledger, now)
        if skew and not allow_clock_skew:
            raise RunFailed(skew + "；为防止提前公开或误撤回，本次不发布。请核对服务器时间后重试，"
                                   "确需按此时钟发布时使用 --allow-clock-skew")
        run_id = make_run_id(config.site.timezone, secrets.token_hex(2))  # order comes from the ledger
        progress(f"[1/4] 读取数据源、检查规则并写入 content/（运行 {run_id}）")
        watch.lap("lock")
        plan = make_plan(config, now, allow_empty, source_result, allow_mass_withdrawal=allow_mass_withdrawal)
        write_plan(plan)
        snapshots = ContentSnapshots.of(config.paths.state)
        snapshot_taken = stack.enter_context(snapshots.taking(run_id, config.paths.content))  # for a rollback
        for item in plan.items:
            item.text = None  # written: the Markdown of a 100k-record first import need not stay in memory
        release_memory()
        watch.lap("pull")
        fault_point("after-pull")
        records = record_changes(config, ledger, plan)
        plan.pages = None  # 100k pages need not stay in memory through the build
        body = run_body(config, plan, run_id, now, operator, records, releases.current())
        annual = plan_annual(config, ledger, now)  # yearly-report tallies and seals (annual.py)
        body["tallies"] = annual.tallies
        if annual.seals:
            body["annual"] = annual.seals
        entry_hash = ledger.next_hash(body)
        watch.lap("changes")
        progress(f"[2/4] 生成网站版本 {run_id}")
        base = releases.current()
        building, from_base = releases.start(run_id, base)
        watch.lap("link")
        try:
            before = releases.page_index(base) if from_base and base else None
            built = build_site(config, now, output=building, ledger_info={"run": run_id, "hash": entry_hash,
                                                                          "time": body["started"]},
                               annual=annual.reports,
                               pages=PageIndexes(before, releases.page_index(run_id), keep_search_indexes=1))
            release_memory()  # the build's pages and parts, freed, would otherwise stay under the seal's peak
            watch.lap("build")
            fault_point("after-build")
            progress("[3/4] 核验网站版本")
            problems = verify_release(building, config, plan, built.pages_removed if from_base else None,
                                      built.files_changed if from_base else None)
            if problems:
                raise RunFailed("网站版本未通过核验，未发布：" + "；".join(problems[:5]))
            release_dir = releases.finish(building, run_id)
            watch.lap("verify")
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)  # a dead build never becomes a release
            releases.page_index(run_id).unlink(missing_ok=True)
            raise
        base_seal = ledger.seal_of(base) if from_base and base else None
        snapshot_taken()
        watch.lap("manifest")
        fault_point("before-switch")
        progress("[4/4] 记入账本、签名并切换到新版本")
        seal(config, releases, ledger, release_dir, run_id, [("run", body)], records, "publication", base_seal)
        releases.switch(run_id)
        releases.mirror()
        releases.prune(recorded_releases(ledger))
        snapshots.prune(set(releases.list()))
        releases.prepare_next(run_id)
        watch.lap("switch")
        result = RunResult(run_id, plan, run_id, entry_hash, records, time.perf_counter() - started,
                           stages=watch.stages, pages_written=built.files_written, pages_kept=built.pages_kept)
        result.reports = write_reports(config, result)
        return result


def clock_behind(ledger: Ledger, now: datetime) -> str | None:
    """Why this run's clock cannot be right (earlier than the last recorded run's), or None."""
    if not ledger.path.exists():
        return None
    last = ledger.last("run")
    clock = last.body.get("clock") if last else None
    if not clock or now.replace(tzinfo=None) >= datetime.fromisoformat(clock).replace(tzinfo=None):
        return None
    return (f"本次运行的时钟 {now:%Y-%m-%d %H:%M} 早于账本中上次发布（运行 {last.body.get('run_id')}）"
            f"的时钟 {clock.replace('T', ' ')}：服务器时间可能被调回")


def recorded_releases(ledger: Ledger) -> list[str]:
    """Recorded releases, oldest first, in ledger order (names need not sort by time)."""
    return [e.body["release"] for e in ledger.seals()]


def run_body(config: Config, plan: Plan, run_id: str, now: datetime, operator: str | None,
             records: list[list[str]], previous: str | None) -> dict[str, Any]:
    counts = plan.counts()
    return {
        "run_id": run_id,
        "started": stamp(config.site.timezone),
        "clock": now.isoformat(timespec="minutes"),
        "operator": operator or getpass.getuser(),
        "config_sha256": hashlib.sha256(config.path.read_bytes()).hexdigest(),
        "sources": plan.fingerprints,
        "counts": {a.value: counts.get(a.value, 0) for a in Action},
        "stopped": plan.stopped,
        "previous_release": previous,
        "records": records,
    }


def record_changes(config: Config, ledger: Ledger, plan: Plan) -> list[list[str]]:
    """What this run changes on the public site, per record, against the ledger (not content/).

    Judged against the ledger, so pages a killed run wrote to content/ are still recorded
    as added by the run that first publishes them.
    """
    known = ledger.published_state()
    reasons = {(i.type, i.slug): i.reason for i in plan.items if i.action is Action.WITHDRAW}
    changes = []
    pages = plan.pages  # pull's hashes: the pages it compared with and wrote (content/'s catalog answers the same)
    if pages is None:
        pages = content_pages(config.paths.content, config.paths.state)
    recorded = dict(zip(known, map(itemgetter(0), known.values()), strict=True))  # (type, slug) -> content hash
    for type_key in RECORD_TYPES:
        listed = list(pages[type_key].values())
        # C iterators pick the pages whose hash the ledger does not have: one Python step per page cost 0.2 s at 100k
        slugs = zip(repeat(type_key), map(attrgetter("slug"), listed))
        for page in sorted(compress(listed, map(ne, map(recorded.get, slugs), map(attrgetter("digest"), listed))),
                           key=attrgetter("name")):
            previous = known.get((type_key, page.slug))
            if page.state == "withdrawn":
                reason = reasons.get((type_key, page.slug)) or page.reason
                changes.append([type_key, page.slug, "withdrawn", page.digest, reason])
            else:
                action = "changed" if previous and previous[1] not in ("withdrawn", "removed") else "added"
                changes.append([type_key, page.slug, action, page.digest, ""])
    return changes


def verify_release(output: Path, config: Config, plan: Plan, removed: list[str] | None = None,
                   changed: list[Path] | None = None) -> list[str]:
    """Every shown record has its page, nothing held is present, every internal link resolves.

    For a release built on the one before (`removed` and `changed` given), links are checked on the
    pages the build wrote; all pages are checked again when it removed any, since they might link there.
    """
    problems = [f"缺少页面 /{type_key}/{slug}/" for type_key, slug in _missing_pages(config.paths.content, output)]
    for item in plan.items:
        hidden = item.action in (Action.HOLD, Action.BLOCK, Action.EXCLUDE, Action.REJECT)
        if hidden and item.slug and not item.kept_page and (output / item.type / item.slug).exists():
            problems.append(f"不应公开的记录出现在网站中：/{item.type}/{item.slug}/")
    pages = changed if removed == [] else None
    problems += [f"{page} 中的链接 {link} 指向不存在的页面" for page, link in broken_links(output, pages)
                 if link.lstrip("/") not in OWN_FILES][:20]  # the public ledger's files are written when sealing
    return problems


def _missing_pages(content: Path, output: Path) -> Iterator[tuple[str, str]]:
    """(type, slug) of each Markdown file of content/ (content_files' order) without its page in `output`.

    Every page is stat-ed by C iterators: one Python step per record cost 0.5 s at 100k. A name whose stat
    fails is looked at again alone, as content_files and os.path.isfile judge it."""
    for type_key in RECORD_TYPES:
        folder = content / type_key
        names = markdown_names(content, type_key)
        folders = map(f"{output}/{type_key}/".__add__, map(methodcaller("removesuffix", ".md"), names))
        pages = list(map(str.__add__, folders, repeat("/index.html")))  # strings: Path joins add up at 100k
        try:
            modes = list(map(attrgetter("st_mode"), map(os.stat, pages)))
        except OSError:
            modes = [0] * len(pages)  # one is missing: each looked at below
        for name, page in sorted(compress(zip(names, pages, strict=True), map(not_, map(stat.S_ISREG, modes)))):
            if (folder / name).is_file() and not os.path.isfile(page):
                yield type_key, name.removesuffix(".md")


def verify_ledger(config: Config) -> list[str]:
    """`portal ledger verify`: the chain, the public heads, and the current release's files against both."""
    try:
        return _verify_ledger(config)
    except (LedgerError, sqlite3.DatabaseError, OSError, ValueError, KeyError) as exc:
        return [f"账本或版本目录已损坏，无法核对：{type(exc).__name__}: {exc}"]


def _verify_ledger(config: Config) -> list[str]:
    ledger, releases = ledger_of(config), Releases(config.deploy)
    if not ledger.path.exists():
        return ["账本文件不存在，但已有发布的版本"] if releases.list() else []
    problem = ledger.verify_chain() or heads_problem(config, releases, ledger)  # recovered or not: the truth
    if problem:
        return [problem]
    current = releases.current()
    if current is None:
        return []
    if not (releases.root / current).is_dir():
        return [f"当前版本 {current} 的目录不存在"]
    sealed = ledger.seal_of(current)
    if sealed is None:
        return [f"当前版本 {current} 没有账本记录"]
    files = ledger.release_files(sealed)
    if manifest_hash(files) != sealed.body["manifest"]:
        return [f"账本第{sealed.seq}条的文件清单与其校验值不符"]
    files_problem = verify_files(releases.root / current, files)
    if files_problem:
        return [f"当前版本 {current}：{files_problem}（账本第{sealed.seq}条）"]
    if "head" in sealed.body:  # sealed with a public head: the site's own manifest and heads must agree
        # The files on disk are the ledger's (just checked): compare the signed manifest with those, not disk again.
        report = check_site(reader(str(releases.root / current)), sample=0)
        recorded = {p: h for p, h in files.items() if p not in OWN_FILES}
        report.problems += [f"{p}：内容与签名的文件清单不符（文件被替换或篡改）"
                            for p in sorted(set(recorded) | set(report.files))
                            if recorded.get(p) != report.files.get(p)]
        if report.heads and head_hash(report.heads[-1]) != sealed.body["head"]:
            report.problems.append("网站上最新的签名头不是账本封存时签署的那一个")
        return [f"当前版本 {current}：{p}" for p in report.problems]
    return []


def ledger_summary(config: Config) -> list[dict[str, Any]]:
    """What `ledger show` lists: each publication, rollback and recovery, numbered without gaps."""
    rows: list[dict[str, Any]] = []
    for e in ledger_of(config).entries():
        body = e.body
        common = {"seq": e.seq, "number": len(rows) + 1, "operator": body.get("operator"), "hash": e.hash}
        if e.kind == "run":
            changed = Counter(r[2] for r in body.get("records", []))
            summary = "，".join(f"{CHANGE_LABELS[k]}{changed[k]}" for k in CHANGE_LABELS if changed[k]) or "无变化"
            if body.get("stopped"):
                summary += "；停止：" + "、".join(RECORD_TYPES[t].zh for t in body["stopped"])
            if body.get("annual"):
                summary += "；封存" + "、".join(body["annual"]) + "年度报告"
            rows.append({**common, "kind": "发布", "run": body.get("run_id"), "time": body.get("started"),
                         "summary": summary})
        elif e.kind == "rollback":
            changed = Counter(r[2] for r in body.get("records", []))
            kept = len(body.get("kept_withdrawn", []))
            summary = f"{body.get('from')} → {body.get('of', body.get('to'))}的内容" + (
                "；" + "，".join(f"{CHANGE_LABELS[k]}{changed[k]}" for k in CHANGE_LABELS if changed[k])
                if changed else "") + (f"；{kept}条已撤回的记录保持撤回" if kept else "")
            rows.append({**common, "kind": "回退", "run": body.get("to"), "time": body.get("time"), "summary": summary})
        elif e.kind == "annual":
            rows.append({**common, "kind": "年报封存", "run": "", "time": body.get("sealed"),
                         "summary": f"{body.get('year')}年度行政执法数据报告封存，此后不再改变"})
        elif e.kind == "recovery":
            rows.append({**common, "kind": "恢复", "run": "", "time": body.get("time"),
                         "summary": f"{body.get('problem')}；原因：{body.get('reason')}"})
    return rows
