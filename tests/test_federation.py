"""A unified platform gathers three agencies' published portals (issue 19): it shows what each agency's own gate
let through, withdraws what an agency withdraws, keeps an unreachable agency's records, refuses an agency
whose ledger was rewritten, and fetches agencies in threads or as jobs on Celery workers (Redis, RabbitMQ)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from publisher.core.agencies import read_agencies
from publisher.core.config import Config
from publisher.core.content import load_published
from publisher.pull.plan import make_plan
from publisher.runs.federation import MAX_RETRIES, federate, pull, workers_answering
from publisher.runs.public_ledger import (
    HEADS,
    MANIFEST,
    PUBLIC_KEY,
    Signer,
    events_root,
    manifest_root,
    new_head,
    write_public_files,
)
from publisher.runs.publication import publish
from publisher.runs.unified_demo import AGENCIES, build_agencies, make_agency, make_unified, published_folder
from publisher.site.build import build_site
from publisher.site.serve import make_server
from tests.conftest import ROOT, SAMPLE_NOW, serve_site

LATER = datetime(2026, 11, 25, 10, 0)
SHARED_CODE = "91990101MACFCGD6AC"  # 示例县松涛样例建材有限公司: a permit at 林草局, penalties at the other two
SCJG_PORT = 8662  # in this helper's range: the unified platform's portal.toml names the URL


def agency_pages(config: Config, key: str) -> dict[tuple[str, str], str]:
    """The unified platform's pages of one agency: (type, slug) -> the file's bytes."""
    folder = config.paths.content
    return {(p.parent.name, p.stem): p.read_text(encoding="utf-8")
            for p in folder.glob(f"*/{key}-*.md")}


def statuses(config: Config) -> dict[str, object]:
    return {a.key: a for a in read_agencies(config.paths.content)}


def live_count(config: Config) -> int:
    """An agency's own live records: what its portal shows."""
    return sum(r.live for records in load_published(config.paths.content).values() for r in records)


def withdraw_one_penalty(config: Config) -> str:
    """At the agency: one penalty's decision is revoked (当前状态 撤销); its decision number."""
    path = config.paths.content.parent / "data" / "penalties.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    target = next(r for r in rows if r["credit_code"] != SHARED_CODE)
    target["status"] = "撤销"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return target["decision_no"]


def resign_with_another_key(site: Path, tmp: Path) -> None:
    """An insider rewrites the agency's published history and signs it with a key of their own."""
    doc = json.loads((site / HEADS).read_text(encoding="utf-8"))
    signer = Signer(tmp)
    heads: list[dict] = []
    for old in doc["heads"]:
        time_ = "2026-01-01T00:00:00+08:00" if not heads else old["time"]  # the first publication, moved
        head = new_head(heads, old["kind"], time_, old["release"], old["manifest_root"], old["events_root"])
        heads.append(signer.sign(head))
    for name in (HEADS, PUBLIC_KEY):
        (site / name).unlink()  # a new file: releases share unchanged files by hard links
    (site / HEADS).write_text(json.dumps({"public_key": signer.public_pem(), "heads": heads}), encoding="utf-8")
    (site / PUBLIC_KEY).write_text(signer.public_pem(), encoding="utf-8")


def test_three_agencies_make_one_platform_that_follows_withdrawals_outages_and_refuses_a_rewritten_ledger(tmp_path):
    built = build_agencies(tmp_path, SAMPLE_NOW)
    (lyj, lyj_config), (scjg, scjg_config), (sthj, sthj_config) = built
    server = make_server(published_folder(scjg_config), port=SCJG_PORT)
    serving = serve_site(server)
    url = next(serving)
    config = make_unified(tmp_path, built, places={"scjg": url})

    # 1. Every agency verified and gathered: each record once per agency, from its agency, linking back to it.
    plan = pull(config, federate(config, SAMPLE_NOW), SAMPLE_NOW)
    assert plan.exit_code == 0
    found = statuses(config)
    assert {k: (s.state, s.records) for k, s in found.items()} == {
        k: ("ok", live_count(c)) for k, c in (("lyj", lyj_config), ("scjg", scjg_config), ("sthj", sthj_config))}
    assert found["scjg"].url == "https://scjg.example.gov.cn" and found["lyj"].head
    published = load_published(config.paths.content)
    shared = {r.origin.key for records in published.values() for r in records
              if r.value("credit_code") == SHARED_CODE or r.value("target_name") == "示例县松涛样例建材有限公司"}
    assert shared == {"lyj", "scjg", "sthj"}  # one company, its records at three agencies
    penalty = next(r for r in published["penalties"] if r.origin.key == "scjg")
    assert penalty.slug.startswith("scjg-") and penalty.origin.agency == "示例县市场监督管理局"
    assert penalty.origin.url == f"https://scjg.example.gov.cn/penalties/{penalty.slug.removeprefix('scjg-')}/"
    assert penalty.origin.published == penalty.published

    # 2. A withdrawal at an agency is a withdrawal on the platform at its next run, with the agency's reason.
    decision = withdraw_one_penalty(scjg_config)
    slug = next(r.slug for r in published["penalties"] if r.value("decision_no") == decision)
    publish(scjg_config, LATER)
    pull(config, federate(config, LATER), LATER)
    notice = next(r for r in load_published(config.paths.content)["penalties"] if r.slug == slug)
    assert not notice.live and notice.withdrawal_reason == "撤销" and notice.withdrawn == LATER.date().isoformat()
    assert notice.origin == penalty.origin if penalty.slug == slug else notice.origin.key == "scjg"
    assert statuses(config)["scjg"].records == live_count(scjg_config) == found["scjg"].records - 1
    build_site(config, LATER)
    page = (config.paths.output / notice.url.lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert "已撤回" in page and "撤销" in page and decision not in page

    # 3. An outage (a URL refusing, a folder gone) keeps the agency's records, marked unreachable.
    before = {**agency_pages(config, "scjg"), **agency_pages(config, "sthj")}
    earlier = statuses(config)
    next(serving, None)  # the server stops: its port refuses
    sthj_site = sthj_config.deploy.path
    sthj_site.rename(sthj_site.with_name("public-moved"))
    plan = pull(config, federate(config, LATER), LATER)
    after = statuses(config)
    assert {**agency_pages(config, "scjg"), **agency_pages(config, "sthj")} == before
    for key in ("scjg", "sthj"):
        assert after[key].state == "unreachable" and "保留" in after[key].message
        assert (after[key].records, after[key].updated, after[key].head) == (
            earlier[key].records, earlier[key].updated, earlier[key].head)
    assert not [i for i in plan.items if i.action.value == "withdraw"]

    # 4. A rewritten ledger is refused, the last good records kept: a head edited, then a history re-signed.
    site = published_folder(lyj_config)
    kept = agency_pages(config, "lyj")
    original = {name: (site / name).read_bytes() for name in (HEADS, PUBLIC_KEY)}
    heads = json.loads(original[HEADS])
    heads["heads"][0]["time"] = "2026-01-01T00:00:00+08:00"
    (site / HEADS).unlink()
    (site / HEADS).write_text(json.dumps(heads), encoding="utf-8")
    pull(config, federate(config, LATER), LATER)
    refused = statuses(config)["lyj"]
    assert refused.state == "refused" and "签名" in refused.message and agency_pages(config, "lyj") == kept
    resign_with_another_key(site, tmp_path / "insider")
    pull(config, federate(config, LATER), LATER)
    refused = statuses(config)["lyj"]
    assert refused.state == "refused" and "公钥" in refused.message and agency_pages(config, "lyj") == kept
    for name, data in original.items():  # the genuine history back: accepted again
        (site / name).unlink()
        (site / name).write_bytes(data)
    pull(config, federate(config, LATER), LATER)
    assert statuses(config)["lyj"].state == "ok" and agency_pages(config, "lyj") == kept


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("province")
    return root, build_agencies(root, SAMPLE_NOW)


def test_one_decision_published_by_two_agencies_is_two_records_never_merged(province):
    root, built = province
    scjg, scjg_config = built[1]
    twin = type(scjg)("copy", "示例县市场监督管理局（转载）", scjg.toml, scjg.data)
    config = make_unified(root, [(scjg, scjg_config), (twin, scjg_config)], name="twice")
    checked = make_plan(config, SAMPLE_NOW)  # `portal check` reads the agencies one by one and writes nothing
    assert {a.state for a in checked.agencies} == {"ok"} and not config.paths.state.joinpath("agencies").exists()
    assert not config.paths.content.exists()
    pull(config, federate(config, SAMPLE_NOW), SAMPLE_NOW)
    assert sorted(p.name for p in config.paths.state.joinpath("agencies").iterdir()) == ["copy.json", "scjg.json"]
    penalties = load_published(config.paths.content)["penalties"]
    by_decision = Counter(r.value("decision_no") for r in penalties)
    assert by_decision and set(by_decision.values()) == {2}
    assert Counter(r.origin.key for r in penalties) == {"scjg": len(by_decision), "copy": len(by_decision)}


def test_a_pinned_key_refuses_an_agency_signing_with_another(province):
    root, built = province
    config = make_unified(root, built[2:], name="pinned")
    toml = config.path.read_text(encoding="utf-8")
    other = os.urandom(32).hex()
    config.path.write_text(toml.replace('key = "sthj"\n', f'key = "sthj"\npublic_key = "{other}"\n'), encoding="utf-8")
    from publisher.core.config import load_config

    config = load_config(config.path)
    pull(config, federate(config, SAMPLE_NOW), SAMPLE_NOW)
    status = statuses(config)["sthj"]
    assert status.state == "refused" and "固定的公钥" in status.message
    assert not agency_pages(config, "sthj")


def sthj_copy(province: Any, tmp_path: Path) -> tuple[Any, Config, Path]:
    """生态环境局 (the third sample agency), its published site copied where a test may edit it."""
    _, built = province
    sthj, sthj_config = built[2]
    copy = tmp_path / "sthj-site"
    shutil.copytree(published_folder(sthj_config), copy)
    return sthj, sthj_config, copy


def test_a_file_unlike_the_signed_manifest_is_refused(province, tmp_path):
    sthj, sthj_config, copy = sthj_copy(province, tmp_path)
    config = make_unified(tmp_path, [(sthj, sthj_config)], places={"sthj": str(copy)})
    pull(config, federate(config, SAMPLE_NOW), SAMPLE_NOW)
    kept = agency_pages(config, "sthj")
    assert statuses(config)["sthj"].state == "ok" and kept
    data = copy / "opendata" / "penalties.json"
    data.write_text(data.read_text(encoding="utf-8").replace("罚款人民币", "罚款美元"), encoding="utf-8")
    pull(config, federate(config, LATER), LATER)
    status = statuses(config)["sthj"]
    assert status.state == "refused" and "opendata/penalties.json" in status.message and "清单不符" in status.message
    assert agency_pages(config, "sthj") == kept


def resign_penalties(site: Path, agency: Config, edit: Callable[[list], list]) -> None:
    """The agency's site, signed by its own key, with its penalties' open data edited; a record no longer
    listed loses its page there too (no notice)."""
    doc = json.loads((site / "opendata" / "penalties.json").read_text(encoding="utf-8"))
    before, doc["records"] = doc["records"], edit(list(doc["records"]))
    data = json.dumps(doc, ensure_ascii=False).encode()
    (site / "opendata" / "penalties.json").unlink()
    (site / "opendata" / "penalties.json").write_bytes(data)
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    files = manifest["files"] | {"opendata/penalties.json": hashlib.sha256(data).hexdigest()}
    for record in before:
        if record not in doc["records"]:
            twin = "penalties/" + record["url"].rstrip("/").rsplit("/", 1)[1] + "/index.json"
            files.pop(twin)
            (site / twin).unlink()
    heads = json.loads((site / HEADS).read_text(encoding="utf-8"))["heads"]
    signer = Signer(agency.paths.state)
    release = manifest["release"] + "-b"
    head = signer.sign(new_head(heads, "publication", heads[-1]["time"], release, manifest_root(files),
                                events_root([])))
    write_public_files(site, files, manifest_root(files), [*heads, head], signer.public_pem(), release)


def test_many_records_gone_from_an_agency_without_notices_are_kept_unless_allowed(province, tmp_path):
    sthj, sthj_config, copy = sthj_copy(province, tmp_path)
    config = make_unified(tmp_path, [(sthj, sthj_config)], places={"sthj": str(copy)})
    pull(config, federate(config, SAMPLE_NOW), SAMPLE_NOW)
    kept = agency_pages(config, "sthj")
    resign_penalties(copy, sthj_config, lambda records: records[10:])
    plan = pull(config, federate(config, LATER), LATER)
    assert statuses(config)["sthj"].state == "ok" and agency_pages(config, "sthj") == kept
    assert any("少了10条行政处罚且没有撤回说明" in n.message for n in plan.notes)
    plan = pull(config, federate(config, LATER), LATER, allow_mass_withdrawal=True)
    notices = [r for r in load_published(config.paths.content)["penalties"] if not r.live]
    assert len(notices) == 10 and {r.withdrawal_reason for r in notices} == {"该机关已不再公示此记录"}
    assert all(r.origin.key == "sthj" for r in notices)


def test_records_not_shaped_as_an_agency_portal_writes_them_are_skipped_and_reported(province, tmp_path):
    sthj, sthj_config, copy = sthj_copy(province, tmp_path)
    first = json.loads((copy / "opendata" / "penalties.json").read_text(encoding="utf-8"))["records"][0]
    hostile = {**first, "fields": {**first["fields"], "facts": "<script>alert(1)</script>\u202e当事人"}}
    junk = [1, {"fields": "x"}, {**first, "url": "javascript:alert(1)//penalties/x/"}]
    resign_penalties(copy, sthj_config, lambda records: [*junk, hostile, *records[1:]])
    config = make_unified(tmp_path, [(sthj, sthj_config)], places={"sthj": str(copy)})
    plan = pull(config, federate(config, SAMPLE_NOW), SAMPLE_NOW)
    assert statuses(config)["sthj"].state == "ok"
    assert sum("格式不对" in n.message for n in plan.notes) == 3
    shown = next(r for r in load_published(config.paths.content)["penalties"]
                 if r.value("decision_no") == first["fields"]["decision_no"])
    assert shown.value("facts") == "<script>alert(1)</script>当事人"  # text, the bidi control taken out
    page = (config.paths.content / "penalties" / f"{shown.slug}.md").read_text(encoding="utf-8")
    assert "<script>" not in page


def test_an_agency_that_returns_nothing_keeps_its_records(tmp_path):
    agency = AGENCIES[1]
    agency_config = make_agency(tmp_path, agency)
    publish(agency_config, SAMPLE_NOW)
    config = make_unified(tmp_path, [(agency, agency_config)])
    pull(config, federate(config, SAMPLE_NOW), SAMPLE_NOW)
    kept, before = agency_pages(config, "scjg"), statuses(config)["scjg"]
    for path in (agency_config.paths.content.parent / "data").iterdir():  # the agency's export came back empty,
        path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    publish(agency_config, LATER, allow_empty=True, allow_mass_withdrawal=True)  # published anyway: it lists nothing
    plan = pull(config, federate(config, LATER), LATER)
    status = statuses(config)["scjg"]
    assert status.state == "empty" and "不撤回" in status.message and status.records == before.records
    assert agency_pages(config, "scjg") == kept and not [i for i in plan.items if i.action.value == "withdraw"]


def _start_workers(broker: str, names: list[str]) -> list[subprocess.Popen]:
    env = {**os.environ, "PORTAL_BROKER": broker, "PYTHONPATH": str(ROOT)}
    return [subprocess.Popen([sys.executable, "-m", "celery", "-A", "publisher.runs.federation", "worker",
                              "--pool=solo", "-n", name, "-Q", "portal-federation", "--loglevel=WARNING",
                              "--without-gossip", "--without-mingle"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name in names]


def _wait_for(broker: str, names: list[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if set(names) <= workers_answering(broker):
            return
    raise AssertionError(f"工作进程未就绪：{names}")


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:6379/6", "amqp://guest:guest@127.0.0.1:5672//"])
def test_agencies_are_fetched_as_jobs_on_two_celery_workers_with_retries(province, broker, tmp_path):
    root, built = province
    kind = broker.split(":")[0]
    names = [f"federate-{kind}-{n}-{os.getpid()}@localhost" for n in (1, 2)]
    workers = _start_workers(broker, names)
    try:
        _wait_for(broker, names)
        config = make_unified(root, built, name=f"celery-{kind}")
        toml = config.path.read_text(encoding="utf-8")
        gone = f'\n[[sources]]\nkind = "portal"\npath = "{tmp_path}/gone"\nagency = "示例县应急管理局"\nkey = "yjj"\n'
        config.path.write_text(toml.replace("\n[policy]\n", gone + "\n[policy]\n"), encoding="utf-8")
        from publisher.core.config import load_config

        config = load_config(config.path)
        federation = federate(config, SAMPLE_NOW, broker=broker, timeout=120)
        states = {a.key: a.state for a in federation.answers}
        assert states == {"lyj": "ok", "scjg": "ok", "sthj": "ok", "yjj": "unreachable"}
        assert {a.worker for a in federation.answers} == set(names)  # the jobs spread over both workers
        assert next(a for a in federation.answers if a.key == "yjj").attempts == MAX_RETRIES + 1
        plan = pull(config, federation, SAMPLE_NOW)
        counts = {a.key: a.records for a in plan.agencies}
        assert counts == {"lyj": live_count(built[0][1]), "scjg": live_count(built[1][1]),
                          "sthj": live_count(built[2][1]), "yjj": 0}
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def test_portal_federate_reports_each_agency_in_chinese(province):
    from click.testing import CliRunner

    from publisher.cli import cli

    root, built = province
    config = make_unified(root, built, name="cli")
    result = CliRunner().invoke(cli, ["--config", str(config.path), "federate", "--now", "2026-11-24 10:00"])
    assert result.exit_code == 0, result.output
    assert "示例县市场监督管理局" in result.output and "正常" in result.output
    assert "全部机关均已核验并更新" in result.output
    help_text = CliRunner().invoke(cli, ["federate", "--help"]).output
    assert "汇集各机关" in help_text and "--broker" in help_text

