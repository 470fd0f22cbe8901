"""Publication runs staff can trust: atomic, locked, recorded, and safe when anything fails."""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from publisher.core.config import Config, load_config
from publisher.runs import releases as releases_module
from publisher.runs import schedule as sched
from publisher.runs.ledger import ledger_of
from publisher.runs.publication import publish, verify_ledger
from publisher.runs.releases import manifest
from publisher.runs.rollback import rollback
from tests.conftest import SAMPLE_NOW, make_sample_portal

NOW = "2026-11-24 10:00"


@pytest.fixture
def portal(tmp_path: Path) -> Config:
    config = make_sample_portal(tmp_path, planted=False)
    text = config.path.read_text(encoding="utf-8").replace("keep = 5", "keep = 2").replace(
        "lock_timeout = 60", "lock_timeout = 0")
    config.path.write_text(text, encoding="utf-8")
    return load_config(config.path)


def cli(config: Config, *args: str, env: dict | None = None, limit_bytes: int | None = None,
        wait: bool = True) -> subprocess.CompletedProcess | subprocess.Popen:
    argv = [sys.executable, "-m", "publisher", "--config", str(config.path), *args]
    preexec = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))) if limit_bytes else None
    kwargs = dict(env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                  preexec_fn=preexec)
    if not wait:
        return subprocess.Popen(argv, **kwargs)
    return subprocess.run(argv, **kwargs, timeout=300)


def change_an_inspection(config: Config) -> None:
    """A clerk's next export: one inspection result reworded, the smallest change a run publishes."""
    csv = config.sources[0].path / "inspections.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("未发现问题", "未发现明显问题", 1), encoding="utf-8")


def current(config: Config) -> str | None:
    link = config.deploy.path / "current"
    return os.readlink(link) if link.is_symlink() else None


def entries(config: Config) -> list:
    return list(ledger_of(config).entries()) if ledger_of(config).path.exists() else []


def test_a_run_publishes_a_verified_release_and_records_it(portal):
    result = publish(portal, SAMPLE_NOW, operator="张科员")
    site = portal.deploy.path / "current"
    assert current(portal) == f"releases/{result.release}"
    assert (site / "index.html").exists()
    assert [e.kind for e in entries(portal)] == ["run", "seal"]
    run = entries(portal)[0]
    assert run.hash == result.entry_hash and run.body["operator"] == "张科员"
    assert {r[2] for r in run.body["records"]} == {"added", "withdrawn"}
    assert run.body["config_sha256"] and list(run.body["sources"]) == ["files:data"]
    assert result.entry_hash[:16] in (site / "index.html").read_text(encoding="utf-8")
    assert result.entry_hash in (site / "ledger.json").read_text(encoding="utf-8")
    assert result.entry_hash in (site / "ledger" / "index.html").read_text(encoding="utf-8")
    assert verify_ledger(portal) == []
    report = result.reports["html"].read_text(encoding="utf-8")
    assert "发布运行报告" in report and "生成网站" in report and "未变而沿用 0 个" in report  # a first run renders all


def test_a_change_is_recorded_with_its_history_and_a_rollback_is_recorded_too(portal):
    first = publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    second = publish(portal, SAMPLE_NOW)
    [change] = second.records
    assert change[2] == "changed" and change[0] == "inspections"
    history = ledger_of(portal).record_history("inspections", change[1])
    assert [h["action"] for h in history] == ["added", "changed"]
    earlier = portal.deploy.path / "releases" / first.release
    earlier_pages = {p.relative_to(earlier): p.read_bytes() for p in earlier.rglob("*.html")}
    before, after = rollback(portal, None, operator="李科长")
    assert before == second.release and current(portal) == f"releases/{after}"
    site = portal.deploy.path / "releases" / after
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*.html")} == earlier_pages
    rolled = entries(portal)[-2]
    assert rolled.kind == "rollback" and rolled.body["operator"] == "李科长" and rolled.body["of"] == first.release
    assert verify_ledger(portal) == []
    shown = cli(portal, "ledger", "show")
    assert "回退" in shown.stdout and "更新1" in shown.stdout


def test_only_the_configured_number_of_releases_is_kept(portal):
    releases = [publish(portal, SAMPLE_NOW).release for _ in range(3)]
    folder = portal.deploy.path / "releases"
    assert sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name[0] != ".") == sorted(releases[-2:])
    assert sorted(p.name for p in folder.glob("*.pages")) == sorted(f".{r}.pages" for r in releases[-2:])


@pytest.mark.parametrize("stage", ["after-pull", "during-build", "after-build", "before-switch"])
def test_a_run_killed_at_any_stage_leaves_the_site_and_the_ledger_whole(portal, stage):
    first = publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    killed = cli(portal, "publish", "--now", NOW, env={"PORTAL_FAULT_INJECTION": stage})
    assert killed.returncode == -9
    assert current(portal) == f"releases/{first.release}"
    assert len(entries(portal)) == 2 and verify_ledger(portal) == []
    after = publish(portal, SAMPLE_NOW)
    assert [r[2] for r in after.records] == ["changed"]  # recorded exactly once, by the run that published it
    assert verify_ledger(portal) == []
    assert not list((portal.deploy.path / "releases").glob(".building-*"))


def test_a_failed_source_withdraws_nothing_and_the_run_says_why(portal):
    publish(portal, SAMPLE_NOW)
    (portal.sources[0].path / "penalties.csv").unlink()
    done = cli(portal, "publish", "--now", NOW)
    assert done.returncode == 1 and "停止更新" in done.stdout and "--allow-empty" in done.stdout
    run = [e for e in entries(portal) if e.kind == "run"][-1]
    assert run.body["records"] == [] and "penalties" in run.body["stopped"]
    site = portal.deploy.path / "current" / "penalties"
    assert len([p for p in site.iterdir() if len(p.name) == 12]) > 40


def test_two_runs_started_together_never_interleave(portal):
    runs = [cli(portal, "publish", "--now", NOW, wait=False) for _ in range(2)]
    codes = sorted(r.wait(timeout=300) for r in runs)
    outputs = [r.stderr.read() for r in runs]
    assert codes == [1, 75]  # one published (with the sample's blocked records), one refused
    assert any("正在进行" in o for o in outputs)
    assert [e.kind for e in entries(portal)] == ["run", "seal"] and verify_ledger(portal) == []


def test_a_second_run_can_wait_for_the_first(portal):
    runs = [cli(portal, "publish", "--now", NOW, "--wait", "120", wait=False) for _ in range(2)]
    assert sorted(r.wait(timeout=300) for r in runs) == [1, 1]
    assert [e.kind for e in entries(portal)] == ["run", "seal", "run", "seal"] and verify_ledger(portal) == []


def test_verify_names_a_changed_byte_in_a_published_file(portal):
    publish(portal, SAMPLE_NOW)
    page = portal.deploy.path / "current" / "about" / "index.html"
    data = bytearray(page.read_bytes())
    data[200] ^= 1
    page.write_bytes(bytes(data))
    [problem] = verify_ledger(portal)
    assert "about/index.html" in problem
    assert cli(portal, "ledger", "verify").returncode == 1


def test_verify_names_the_first_ledger_entry_changed_by_hand(portal):
    publish(portal, SAMPLE_NOW)
    publish(portal, SAMPLE_NOW)
    with sqlite3.connect(ledger_of(portal).path) as db:
        db.execute("UPDATE entries SET body = replace(body, 'root', 'r00t') WHERE seq = 3")
    [problem] = verify_ledger(portal)
    assert "第3条" in problem


def test_a_republish_seals_only_its_changed_files_and_a_changed_file_list_is_named(portal):
    publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    with sqlite3.connect(ledger_of(portal).path) as db:
        first = db.execute("SELECT count(*) FROM release_files WHERE seq = 2").fetchone()[0]
        second = [p for (p,) in db.execute("SELECT path FROM release_files WHERE seq = 4")]
    pages = [p for p in second if not p.startswith(("search/", "_search/"))]  # search indexes are rebuilt whole
    assert first > 400 and 0 < len(pages) < 40  # the second seal holds the changes, not the whole list again
    assert "inspections/index.html" in pages and "about/index.html" not in pages
    assert verify_ledger(portal) == []
    with sqlite3.connect(ledger_of(portal).path) as db:
        db.execute("UPDATE release_files SET sha256 = replace(sha256, 'a', 'b') WHERE seq = 4")
    [problem] = verify_ledger(portal)
    assert "第4条" in problem and "文件清单" in problem


def test_a_release_whose_search_index_moved_to_a_new_folder_gets_the_manifest_of_a_full_hash(tmp_path, monkeypatch):
    base = tmp_path / "base"
    for name, text in {"about/index.html": "关于", "search/index-a/t/0.bin": "零", "search/index-a/t/1.bin": "一",
                       "search/index-a/meta.json": "{}", "search/index.html": "搜索"}.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text, encoding="utf-8")
    recorded = manifest(base)
    new = tmp_path / "new"
    subprocess.run(["cp", "-al", str(base), str(new)], check=True)
    (new / "search" / "index-a").rename(new / "search" / "index-b")  # the next build's index, linked file by file
    (new / "search" / "index-b" / "meta.json").unlink()
    (new / "search" / "index-b" / "meta.json").write_text('{"n":1}', encoding="utf-8")  # rewritten: a new inode
    (new / "search" / "index-b" / "t" / "2.bin").write_text("二", encoding="utf-8")
    hashed: list[str] = []
    real = releases_module._sha256
    monkeypatch.setattr(releases_module, "_sha256", lambda path: hashed.append(path) or real(path))
    reused = manifest(new, recorded, base)
    assert sorted(Path(p).name for p in hashed) == ["2.bin", "meta.json"]  # the linked ones were not read again
    assert reused == manifest(new)


def test_a_release_s_unchanged_folders_take_their_files_from_the_base_and_the_result_equals_a_full_hash(
        tmp_path, monkeypatch):
    base = tmp_path / "base"
    for name, text in {"index.html": "首页", "a/index.html": "甲", "a/x.json": "{}", "b/c/index.html": "丙",
                       "b/c/d/index.html": "丁", "e/f/index.html": "戊", "g/index.html": "己"}.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text(text, encoding="utf-8")
    (base / "empty" / "inner").mkdir(parents=True)
    recorded, dirs = releases_module.scan(base)
    assert "empty/inner" in dirs and recorded == manifest(base)
    new = tmp_path / "new"
    subprocess.run(["cp", "-al", str(base), str(new)], check=True)
    time.sleep(0.05)  # a folder written later has a later mtime (coarse clock ticks)
    (new / "a" / "index.html").unlink()
    (new / "a" / "index.html").write_text("甲二", encoding="utf-8")  # replaced: a new inode in a changed folder
    (new / "empty" / "inner" / "new.html").write_text("新", encoding="utf-8")  # a folder no file of the base is in
    subprocess.run(["rm", "-r", str(new / "e" / "f")], check=True)
    (new / "g" / "index.html").rename(new / "g" / "moved.html")
    hashed: list[str] = []
    real = releases_module._sha256
    monkeypatch.setattr(releases_module, "_sha256", lambda path: hashed.append(path) or real(path))
    listed: list[str] = []
    real_scandir = os.scandir
    monkeypatch.setattr(releases_module.os, "scandir", lambda path: listed.append(path) or real_scandir(path))
    files, after = releases_module.scan(new, recorded, base, dirs)
    assert sorted(Path(p).name for p in hashed) == ["index.html", "new.html"]
    unchanged = {str(new / d) for d in ("b", "b/c", "b/c/d")}
    assert not unchanged & set(listed)  # their mtimes are the base's: not listed
    monkeypatch.undo()
    assert files == manifest(new) and after == releases_module.scan(new)[1]
    (new / "b" / "c" / "d").rename(new / "b" / "c" / "z")  # a folder's folder gone: its parent changed too
    assert releases_module.scan(new, recorded, base, dirs)[0] == manifest(new)


def test_a_content_snapshot_taken_in_the_background_is_content_as_pulled_and_a_failed_run_leaves_none(tmp_path):
    content = tmp_path / "content"
    (content / "penalties").mkdir(parents=True)
    (content / "penalties" / "a.md").write_text("甲", encoding="utf-8")
    snapshots = releases_module.ContentSnapshots(tmp_path / "snapshots")
    with snapshots.taking("r1", content) as taken:
        taken()
    assert (snapshots.path("r1") / "penalties" / "a.md").stat().st_ino == (content / "penalties" / "a.md").stat().st_ino
    with pytest.raises(RuntimeError), snapshots.taking("r2", content):
        raise RuntimeError("构建失败")
    assert sorted(p.name for p in snapshots.root.iterdir()) == ["r1"]


def test_a_full_disk_fails_the_run_clearly_and_leaves_the_site_untouched(portal):
    first = publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    for p in (portal.paths.state / "cache").rglob("*.svg"):
        p.unlink()  # so the build must write QR codes bigger than the limit below
    done = cli(portal, "publish", "--now", NOW, limit_bytes=4096)
    assert done.returncode == 3 and "发布失败" in done.stderr
    assert current(portal) == f"releases/{first.release}" and len(entries(portal)) == 2
    assert verify_ledger(portal) == []


def test_an_unwritable_target_fails_the_run_clearly(portal):
    portal.deploy.path.mkdir(parents=True)
    (portal.deploy.path / "releases").write_text("not a directory")
    done = cli(portal, "publish", "--now", NOW)
    assert done.returncode == 3 and "发布失败" in done.stderr
    assert not entries(portal)


def test_a_record_embargoed_until_nine_appears_in_the_nine_oclock_run_not_before(portal):
    csv = portal.sources[0].path / "inspections.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    lines[0] += ",公示日期"
    lines[1] += ",2026-11-25 09:00"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    record_id = lines[1].split(",")[header.index("编号")]

    def shown() -> bool:
        site = portal.deploy.path / "current" / "inspections"
        return any(record_id in p.read_text(encoding="utf-8") for p in site.glob("*/index.html"))

    publish(portal, datetime(2026, 11, 25, 8, 59))
    assert not shown()
    clock = [datetime(2026, 11, 25, 8, 59, 30)]
    runs: list[datetime] = []

    def run(now: datetime) -> int:
        runs.append(now)
        return publish(portal, now).exit_code

    def sleep(seconds: float) -> None:
        clock[0] = clock[0] + __import__("datetime").timedelta(seconds=seconds)

    schedule = portal.schedule
    assert schedule.cron == ("0 9 * * *", "0 17 * * *")
    sched.run_forever(portal, run, lambda: clock[0], sleep, lambda _: None, max_runs=1)
    assert runs == [datetime(2026, 11, 25, 9, 0)]
    assert shown()
    report = [e for e in entries(portal) if e.kind == "run"][-1]
    assert any(r[0] == "inspections" and r[2] == "added" for r in report.body["records"])


def test_the_schedule_skips_holidays_and_keeps_tiaoxiu_saturdays(portal):
    assert sched.next_run(portal, datetime(2026, 10, 2, 18, 0)) == datetime(2026, 10, 8, 9, 0)
    assert sched.next_run(portal, datetime(2026, 10, 9, 18, 0)) == datetime(2026, 10, 10, 9, 0)


def test_the_schedule_prints_crontab_and_systemd_entries(portal):
    crontab = cli(portal, "schedule", "--print", "crontab").stdout
    assert "CRON_TZ" not in crontab  # Debian's cron ignores it: the run checks the zone itself
    line = next(ln for ln in crontab.splitlines() if ln and not ln.startswith("#"))
    assert line.startswith("0 * * * * ") and "publish --operator schedule --on-schedule" in line
    assert len([ln for ln in crontab.splitlines() if ln.startswith("#   2")]) == 5  # the next five run times
    timer = cli(portal, "schedule", "--print", "systemd").stdout
    assert "OnCalendar=*-*-* 09:00:00 Asia/Shanghai" in timer and "[Timer]" in timer and "接下来五次发布" in timer


def test_the_printed_crontab_line_runs_as_cron_runs_it(portal):
    crontab = cli(portal, "schedule", "--print", "crontab").stdout
    line = next(ln for ln in crontab.splitlines() if ln and not ln.startswith("#"))
    command = line.split(" ", 5)[5]
    assert not (portal.paths.state / "logs").exists()
    cron_env = {"HOME": "/root", "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}  # what Debian's cron gives a job
    done = subprocess.run(["/bin/sh", "-c", command], env=cron_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (portal.paths.state / "logs" / "publish.log").exists()


def test_a_scheduled_start_publishes_only_at_a_scheduled_minute_of_a_working_day(portal):
    assert cli(portal, "publish", "--on-schedule", "--now", "2026-11-24 09:07").returncode == 0 and not entries(portal)
    assert cli(portal, "publish", "--on-schedule", "--now", "2026-10-05 09:00").returncode == 0 and not entries(portal)
    done = cli(portal, "publish", "--on-schedule", "--now", "2026-11-24 09:00")
    assert done.returncode in (0, 1) and [e.kind for e in entries(portal)] == ["run", "seal"]
    assert sched.due(portal, datetime(2026, 10, 10, 17, 0))  # a 调休 Saturday


def test_publish_does_nothing_on_a_holiday_when_asked(portal):
    done = cli(portal, "publish", "--now", "2026-10-05 09:00", "--working-days-only")
    assert done.returncode == 0 and "不是工作日" in done.stdout and not entries(portal)


def test_a_long_run_logs_its_stages_when_not_on_a_terminal(portal):
    start = time.time()
    done = cli(portal, "publish", "--now", NOW)
    assert "[1/4]" in done.stderr and "[4/4]" in done.stderr
    assert time.time() - start < 300


def test_a_record_page_links_to_the_ledger_instead_of_carrying_the_run_hash(portal):
    """A run that changes nothing for a record leaves its page's bytes alone (issue 7)."""
    first = publish(portal, SAMPLE_NOW)
    page = next((portal.deploy.path / "current" / "penalties").glob("*/index.html"))
    before = page.read_bytes()
    assert first.entry_hash[:16].encode() not in before and b'href="/ledger/"' in before
    second = publish(portal, SAMPLE_NOW)
    site = portal.deploy.path / "current"
    assert (site / page.relative_to(page.parents[2])).read_bytes() == before
    assert second.entry_hash[:16] in (site / "index.html").read_text(encoding="utf-8")


def test_a_rollback_never_shows_again_what_was_withdrawn_since(portal):
    from publisher.core.content import load_published
    from publisher.runs.rollback import rollback

    first = publish(portal, SAMPLE_NOW)
    penalties = portal.sources[0].path / "penalties.csv"
    shown = next(i for i in first.plan.items if i.type == "penalties" and i.action.value == "add")
    raw = penalties.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "gb18030"
    text = raw.decode(encoding)
    line = next(line for line in text.splitlines() if shown.key in line.replace("(", "〔").replace(")", "〕"))
    penalties.write_bytes(text.replace(line, line.replace("正常", "撤销")).encode(encoding))
    second = publish(portal, SAMPLE_NOW)
    assert [r[2] for r in second.records if r[1] == shown.slug] == ["withdrawn"]
    before, after = rollback(portal, None, operator="李科长")
    assert before == second.release and after not in (first.release, second.release)
    site = portal.deploy.path / "current"
    page = (site / "penalties" / shown.slug / "index.html").read_text(encoding="utf-8")
    assert "已撤回" in page and shown.key not in page
    for path in [site / "penalties" / "index.html", site / "feeds" / "penalties.atom.xml", site / "sitemap.xml",
                 *(site / "opendata").glob("penalties*.csv")]:
        assert shown.slug not in path.read_text(encoding="utf-8"), path
    entry = entries(portal)[-2]
    assert entry.kind == "rollback" and entry.body["of"] == first.release
    assert entry.body["kept_withdrawn"] == [["penalties", shown.slug]]
    assert verify_ledger(portal) == []
    history = ledger_of(portal).record_history("penalties", shown.slug)
    assert [h["action"] for h in history] == ["added", "withdrawn"]
    third = publish(portal, SAMPLE_NOW)  # the source still says 撤销: nothing to withdraw again
    assert not [r for r in third.records if r[1] == shown.slug]
    assert not [r for r in load_published(portal.paths.content)["penalties"] if r.slug == shown.slug and r.live]


def test_a_rollback_records_per_record_what_it_changed(portal):
    from publisher.runs.rollback import rollback

    first = publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    second = publish(portal, SAMPLE_NOW)
    [change] = second.records
    rollback(portal, None)
    entry = entries(portal)[-2]
    assert entry.body["records"] == [["inspections", change[1], "changed",
                                      ledger_of(portal).published_state(through=entries(portal)[1].seq)[
                                          ("inspections", change[1])][0], f"回退到版本 {first.release}"]]
    history = ledger_of(portal).record_history("inspections", change[1])
    assert [h["action"] for h in history] == ["added", "changed", "changed"]
    assert history[-1]["operator"] and verify_ledger(portal) == []


def test_serve_and_search_use_the_published_site_not_a_stale_preview(portal):
    from publisher.cli import _site_dir

    assert _site_dir(portal, False)[0] == portal.paths.output  # nothing published yet: the preview
    publish(portal, SAMPLE_NOW)
    site, label = _site_dir(portal, False)
    assert site == portal.deploy.path / "current" and "已发布" in label
    assert _site_dir(portal, True)[0] == portal.paths.output
    found = cli(portal, "search", "示例县", "--json")
    assert found.returncode == 0 and '"total"' in found.stdout
    said = cli(portal, "search", "示例县")
    assert "搜索：已发布的公开网站" in said.stderr


def test_ledger_show_numbers_runs_without_gaps_and_a_damaged_ledger_gets_a_message(portal):
    publish(portal, SAMPLE_NOW)
    publish(portal, SAMPLE_NOW)
    shown = cli(portal, "ledger", "show")
    assert [line.split()[0] for line in shown.stdout.splitlines()] == ["#1", "#2"]
    ledger_of(portal).path.write_bytes(b"not a database" * 100)
    for args in (("ledger", "show"), ("ledger", "verify")):
        done = cli(portal, *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr and done.stderr.strip(), args


def test_the_first_run_reports_no_withdrawal_for_a_record_it_never_showed(runner):
    from tests.factories import penalty

    plan = runner.pull([penalty(2, status="撤销"), penalty(3, status="撤销", first_published="2026-11-12")])
    by_row = {i.origin.row: i for i in plan.items}
    assert by_row[2].action.value == "exclude" and "从未公开" in by_row[2].reason
    assert by_row[3].action.value == "withdraw"  # shown in an earlier disclosure system: its notice is due
    assert len(runner.pages("penalties")) == 1


def test_the_staff_report_reads_in_chinese_and_fits_a_phone(portal):
    import re

    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, SCREENSHOTS

    publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    result = publish(portal, SAMPLE_NOW)
    html = result.reports["html"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(html.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "run-report-375.png"), full_page=True)
        text = page.inner_text("body")
        browser.close()
    for english in ("legal_review_result", "legally_reviewed", "approved", "added", "changed", "withdrawn"):
        assert not re.search(rf"\b{english}\b", text), english
    change = next(r for r in result.records if r[0] == "inspections")
    assert f'href="{portal.site.url}/inspections/{change[1]}/"' in html.read_text(encoding="utf-8")
    assert "更新" in text and "审核" in text and "法制审核" in text


def test_a_release_with_a_link_to_nothing_is_not_published_and_the_page_and_link_are_named(portal):
    """verify_release checks every root-relative link of a new release once per distinct link: a page that
    links to a file, to a folder's index.html or to the home page passes; a link to nothing stops the run."""
    from publisher.runs.releases import broken_links

    site = portal.paths.output / "check"
    (site / "a" / "b").mkdir(parents=True)
    (site / "index.html").write_text('<a href="/a/b/">b</a><img src="/logo.svg">', encoding="utf-8")
    (site / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (site / "a" / "b" / "index.html").write_text('<a href="/">home</a><a href="/a/b/?page=2#x">self</a>'
                                                 '<a href="/gone/">gone</a><a href="/logo.svg">logo</a>',
                                                 encoding="utf-8")
    (site / "a" / "page.html").write_text('<a href="/gone/">again</a><a href="/missing.csv">data</a>',
                                          encoding="utf-8")
    (site / "a" / "notes.txt").write_text('<a href="/nowhere/">not a page</a>', encoding="utf-8")
    expected = [("a/b/index.html", "/gone/"), ("a/page.html", "/gone/"), ("a/page.html", "/missing.csv")]
    assert broken_links(site) == expected
    assert broken_links(site, [site / "a" / "page.html", site / "a" / "notes.txt"]) == expected[1:]
    (site / "gone").mkdir()
    (site / "gone" / "index.html").write_text("here", encoding="utf-8")
    assert broken_links(site) == [("a/page.html", "/missing.csv")]


def test_a_release_missing_a_record_s_page_is_named_in_content_order_and_nothing_else_is(portal, tmp_path):
    """Issue 18: every page is stat-ed at once; when one is missing, each missing page is named as
    content_files and os.path.isfile judge it (file-name order; a folder named like a page is not a page)."""
    import dataclasses

    from publisher.pull.items import Plan
    from publisher.runs.publication import verify_release

    content, output = tmp_path / "content", tmp_path / "site"
    missing = ["z", "a-b", "m9", "b", "m10", "q"]
    for name in ("a.md", "c.md", "notes.txt", *(f"{slug}.md" for slug in missing)):
        (content / "penalties").mkdir(parents=True, exist_ok=True)
        (content / "penalties" / name).write_text("x", encoding="utf-8")
    (content / "penalties" / "folder.md").mkdir()
    (content / "permits").mkdir()
    (content / "permits" / "p.md").write_text("x", encoding="utf-8")
    for page in ("penalties/c", "permits/p"):
        (output / page).mkdir(parents=True)
        (output / page / "index.html").write_text("<p>页</p>", encoding="utf-8")
    (output / "penalties" / "a" / "index.html").mkdir(parents=True)  # a folder, not a page
    config = dataclasses.replace(portal, paths=dataclasses.replace(portal.paths, content=content))
    problems = verify_release(output, config, Plan(SAMPLE_NOW, content))
    assert problems == [f"缺少页面 /penalties/{slug}/" for slug in sorted([*missing, "a"], key=lambda s: f"{s}.md")]
    for slug in [*missing, "folder"]:  # content's folder.md is no page, but its name gets one: every stat succeeds
        (output / "penalties" / slug).mkdir()
        (output / "penalties" / slug / "index.html").write_text("<p>页</p>", encoding="utf-8")
    assert verify_release(output, config, Plan(SAMPLE_NOW, content)) == ["缺少页面 /penalties/a/"]  # none missing
    (output / "penalties" / "a" / "index.html").rmdir()
    (output / "penalties" / "a" / "index.html").write_text("<p>页</p>", encoding="utf-8")
    assert verify_release(output, config, Plan(SAMPLE_NOW, content)) == []


def test_a_run_verifies_the_chain_again_only_when_the_ledger_changed_since_a_run_found_it_whole(portal, monkeypatch):
    from publisher.runs import publication as publication_module
    from publisher.runs.ledger import Ledger

    verified: list[int] = []
    real = Ledger.verify_chain

    def counting(self):
        verified.append(1)
        return real(self)

    monkeypatch.setattr(Ledger, "verify_chain", counting)
    publish(portal, SAMPLE_NOW)  # no ledger yet: nothing to verify
    publish(portal, SAMPLE_NOW)  # verified in full, then noted with this run's own entries
    assert len(verified) == 1
    publish(portal, SAMPLE_NOW)  # the bytes the last run left: not verified again
    assert len(verified) == 1

    build = publication_module.build_site

    def tampering_mid_run(*args, **kwargs):  # a hand edit while a run builds: the run must not vouch for it
        with sqlite3.connect(ledger_of(portal).path) as db:
            db.execute("UPDATE entries SET body = replace(body, 'root', 'r00t') WHERE seq = 3")
        return build(*args, **kwargs)

    monkeypatch.setattr(publication_module, "build_site", tampering_mid_run)
    publish(portal, SAMPLE_NOW)
    monkeypatch.setattr(publication_module, "build_site", build)
    with pytest.raises(publication_module.RunFailed, match="第3条"):
        publish(portal, SAMPLE_NOW)
    assert len(verified) == 2
    assert "第3条" in verify_ledger(portal)[0]  # `portal ledger verify` always verifies in full


def test_a_forged_note_beside_the_ledger_does_not_hide_a_changed_entry_from_ledger_verify(portal):
    publish(portal, SAMPLE_NOW)
    publish(portal, SAMPLE_NOW)
    ledger = ledger_of(portal)
    with sqlite3.connect(ledger.path) as db:
        db.execute("UPDATE entries SET body = replace(body, 'root', 'r00t') WHERE seq = 3")
    with pytest.raises(Exception, match="第3条"):
        publish(portal, SAMPLE_NOW)  # the bytes changed since the note: verified in full, refused
    (ledger.path.parent / (ledger.path.name + ".checked")).write_text(ledger.bytes_digest(), encoding="ascii")
    publish(portal, SAMPLE_NOW)  # whoever can write beside the ledger can also sign: the run trusts the note
    assert "第3条" in verify_ledger(portal)[0]  # and the full verification still names the entry
