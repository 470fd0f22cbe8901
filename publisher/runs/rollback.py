"""`portal rollback`: the public site goes back to an earlier release, but nothing withdrawn comes back.

A withdrawal stands until the source itself publishes the record anew (行政处罚法 第四十八条,
DESIGN §6). A rollback makes a new release, sealed like any other (its own manifest and a signed
head that extends the public list, so a witness sees a rollback, never a truncated history): a copy
of the earlier release when no record it showed has been withdrawn since, else a build from that
release's content/ snapshot with each record withdrawn since kept as its notice. The ledger records
the rollback with what changed per record, so `ledger show --record` tells the whole story.
"""

from __future__ import annotations

import dataclasses
import getpass
import secrets
import shutil

from publisher.core.clock import local_now, stamp
from publisher.core.clock import run_id as make_run_id
from publisher.core.config import Config
from publisher.core.schema import RECORD_TYPES
from publisher.pull.items import Plan
from publisher.runs.annual import plan_annual
from publisher.runs.ledger import Ledger, ledger_of
from publisher.runs.publication import RunFailed, recorded_releases, run_lock, verify_release
from publisher.runs.releases import ContentSnapshots, Releases
from publisher.runs.sealing import chain_problem, seal
from publisher.site.build import PageIndexes, build_site

LIVE = ("added", "changed")


def rollback(config: Config, release: str | None, operator: str | None = None,
             wait: float | None = None) -> tuple[str, str]:
    """Go back to an earlier release (default: the one before the current) and record it; (from, to)."""
    with run_lock(config, wait):
        releases, ledger = Releases(config.deploy), ledger_of(config)
        current = releases.current()
        release = _target(releases, ledger, current, release)
        seal = ledger.seal_of(release)
        assert seal is not None
        then, now = ledger.published_state(through=seal.seq), ledger.published_state()
        # Shown by that release, withdrawn since: these keep their notices.
        sticky = sorted(k for k, (_, action) in now.items()
                        if action == "withdrawn" and then.get(k, ("", ""))[1] in LIVE)
        body = {"from": current, "to": release, "operator": operator or getpass.getuser(),
                "time": stamp(config.site.timezone)}
        broken = chain_problem(config, releases, ledger)
        if broken:
            raise RunFailed(f"{broken}。请先调查，确认后运行 portal ledger recover --reason \"……\"")
        body["records"] = _reverted(then, now, release)
        if sticky:
            built = _rebuild_keeping_withdrawals(config, releases, ledger, release, sticky, body)
        else:
            built = _copy_of(config, releases, ledger, release, body)
        return current or "", built


def _target(releases: Releases, ledger: Ledger, current: str | None, release: str | None) -> str:
    on_disk = set(releases.list())
    available = [r for r in recorded_releases(ledger) if r in on_disk]
    if release is None:
        older = available[:available.index(current)] if current in available else []
        if not older:
            raise RunFailed("没有可回退的更早版本")
        release = older[-1]
    if release not in available:
        raise RunFailed(f"版本 {release} 不存在或未记入账本；可选：{'、'.join(available) or '无'}")
    return release


def _reverted(then: dict, now: dict, release: str) -> list[list[str]]:
    """Per record, what going back to `release` changes on the public site (withdrawals excepted)."""
    changes = []
    for key in sorted(set(then) | set(now)):
        before, after = now.get(key), then.get(key)
        if before == after or (before and before[1] == "withdrawn"):
            continue  # unchanged, or withdrawn since: the notice stays
        type_key, slug = key
        if after is None:
            changes.append([type_key, slug, "removed", "", f"回退到版本 {release}：该版本中没有此记录"])
        else:
            action = "withdrawn" if after[1] == "withdrawn" else "changed"
            changes.append([type_key, slug, action, after[0], f"回退到版本 {release}"])
    return changes


def _copy_of(config: Config, releases: Releases, ledger: Ledger, release: str, body: dict) -> str:
    """A new release with exactly the earlier release's pages, sealed with its own manifest and head."""
    run_id = make_run_id(config.site.timezone, secrets.token_hex(2))
    building, _ = releases.start(run_id, release)
    release_dir = releases.finish(building, run_id)
    seal(config, releases, ledger, release_dir, run_id, [("rollback", {**body, "to": run_id, "of": release})],
         body["records"], "rollback", ledger.seal_of(release), note=f"回退到版本 {release}")
    snapshots = ContentSnapshots.of(config.paths.state)
    if snapshots.path(release).is_dir():
        snapshots.take(run_id, snapshots.path(release))
    _switch(config, releases, ledger, run_id)
    return run_id


def _switch(config: Config, releases: Releases, ledger: Ledger, run_id: str) -> None:
    releases.switch(run_id)
    releases.mirror()
    releases.prune(recorded_releases(ledger))
    ContentSnapshots.of(config.paths.state).prune(set(releases.list()))


def _rebuild_keeping_withdrawals(config: Config, releases: Releases, ledger: Ledger, release: str,
                                 sticky: list[tuple[str, str]], body: dict) -> str:
    """A new release: `release`'s content/ with every record withdrawn since kept as its notice."""
    snapshots = ContentSnapshots.of(config.paths.state)
    if not snapshots.path(release).is_dir():
        raise RunFailed(f"版本 {release} 之后撤回了{len(sticky)}条记录，而该版本的内容快照已不存在，"
                        "无法在保持撤回的前提下回退；请修正数据源后重新发布")
    run_id = make_run_id(config.site.timezone, secrets.token_hex(2))
    content = config.paths.state / "snapshots" / f".rollback-{run_id}"
    snapshots.link_copy(snapshots.path(release), content)
    for type_key, slug in sticky:
        notice = config.paths.content / type_key / f"{slug}.md"
        if not notice.is_file() or "\nState: withdrawn\n" not in notice.read_text(encoding="utf-8"):
            shutil.rmtree(content, ignore_errors=True)
            raise RunFailed(f"{RECORD_TYPES[type_key].zh} {slug} 已撤回，但 content/ 中没有它的撤回说明；请先重新发布")
        target = content / type_key / notice.name
        target.unlink(missing_ok=True)
        shutil.copyfile(notice, target)
    rolled = dataclasses.replace(config, paths=dataclasses.replace(config.paths, content=content))
    building, _ = releases.start(run_id)  # built whole: the release before it is not its base
    try:
        clock = local_now(config.site.timezone).replace(tzinfo=None)
        reports = plan_annual(config, ledger, clock, pending=False).reports  # sealed reports never go back
        build_site(rolled, clock, output=building, annual=reports,
                   pages=PageIndexes(None, releases.page_index(run_id), keep_search_indexes=1))
        problems = verify_release(building, rolled, Plan(local_now(config.site.timezone), content))
        if problems:
            raise RunFailed("回退版本未通过核验：" + "；".join(problems[:5]))
        release_dir = releases.finish(building, run_id)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(content, ignore_errors=True)
        raise
    seal(config, releases, ledger, release_dir, run_id,
         [("rollback", {**body, "to": run_id, "of": release, "kept_withdrawn": [list(k) for k in sticky]})],
         body["records"], "rollback", note=f"回退到版本 {release}，{len(sticky)}条已撤回的记录保持撤回")
    snapshots.adopt(run_id, content)
    _switch(config, releases, ledger, run_id)
    return run_id

