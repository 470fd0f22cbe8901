"""`portal check` and `portal pull` on the bundled sample data, as a clerk runs them."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from publisher.cli import cli
from publisher.core.config import load_config
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import make_plan
from tests.conftest import ROOT, SAMPLE_NOW, make_sample_portal

NOW = ["--now", SAMPLE_NOW.isoformat(sep=" ", timespec="minutes")]


def run(config_path, *args):
    return CliRunner().invoke(cli, ["--config", str(config_path), *args], catch_exceptions=False)


def test_check_reports_every_rule_on_the_sample_and_exits_1_for_blocked_records(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    result = run(config.path, "check", *NOW)
    assert result.exit_code == 1
    for heading in ("阻止 block", "暂缓 hold", "不予公开 exclude", "撤回 withdraw", "新增 add",
                    "逾期未公示 overdue", "超出裁量基准 discretion"):
        assert heading in result.output
    for rule in ("approved", "legally_reviewed", "due", "not_excluded", "live"):
        assert f"  {rule}  " in result.output
    assert "脱敏 masked：" in result.output
    assert "penalties.csv 第49行" in result.output  # the blocked record's file and row
    assert not config.paths.content.exists() or not any(config.paths.content.rglob("*.md"))


def test_check_json_is_for_machines(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    report = json.loads(run(config.path, "check", "--json", *NOW).output)
    assert report["exit_code"] == 1
    summary = report["summary"]
    assert summary["add"] > 140 and summary["block"] == 3 and summary["hold"] == 12 and summary["reject"] == 0
    blocked = [i for i in report["items"] if i["action"] == "block"]
    assert {(i["file"], i["field"], i["rule"]) for i in blocked} == {
        ("penalties.csv", "legal_review_result", "legally_reviewed"),
        ("coercions.csv", "legal_review_result", "legally_reviewed")}
    assert {f["kind"] for f in report["flags"]} == {"overdue", "discretion"}
    assert report["masked"] >= 26  # every natural person's penalty and permit


def test_a_rejected_row_in_the_sample_is_reported_and_exits_1(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    officers = config.sources[0].path / "officers.csv"
    text = officers.read_text(encoding="utf-8-sig").replace("2021-06-01", "2021-02-30", 1)
    officers.write_text(text, encoding="utf-8-sig")
    report = json.loads(run(config.path, "check", "--json", *NOW).output)
    [bad] = [i for i in report["items"] if i["action"] == "reject"]
    assert (bad["file"], bad["row"], bad["field"]) == ("officers.csv", 2, "valid_from")


def test_pull_writes_the_sample_and_a_second_pull_rewrites_nothing(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    first = run(config.path, "pull", *NOW)
    assert first.exit_code == 1 and "已写入" in first.output
    files = sorted(config.paths.content.rglob("*.md"))
    assert {p.parent.name for p in files} == set(RECORD_TYPES)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    second = run(config.path, "pull", "--now", "2026-11-25 09:00")
    assert "已写入 0 个文件" in second.output
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    assert all(p.name.removesuffix(".md").replace("-", "").isalnum() and p.name.islower() for p in files)


def test_the_sqlite_sample_gives_the_same_run_as_the_files(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    tables = "\n".join(f'{t} = "{t}"' for t in RECORD_TYPES)
    sql_toml = config.path.read_text(encoding="utf-8").replace(
        'kind = "files"                          # files | sql | http\npath = "data"',
        f'kind = "sql"\nurl = "sqlite:///{ROOT}/data/sample.sqlite"\n[sources.tables]\n{tables}\n')
    (tmp_path / "sql.toml").write_text(sql_toml, encoding="utf-8")
    sql_config = load_config(tmp_path / "sql.toml")
    assert sql_config.sources[0].kind == "sql"

    def outcome(c):
        plan = make_plan(c, SAMPLE_NOW)
        return sorted((i.action.value, i.type, i.key, i.slug, i.rule) for i in plan.items), plan

    from_files, _ = outcome(config)
    from_sql, sql_plan = outcome(sql_config)
    assert from_sql == from_files
    assert not sql_plan.failures


def test_a_bad_configuration_stops_with_the_key_and_exit_code_2(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    config.path.write_text(config.path.read_text(encoding="utf-8").replace('name_mask = "surname"',
                                                                          'name_mask = "initials"'), "utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config.path), "check"])
    assert result.exit_code == 2 and "policy.name_mask = 'initials'：应为" in result.output


def test_python_dash_m_publisher_is_the_same_command():
    done = subprocess.run([sys.executable, "-m", "publisher", "--help"], capture_output=True, text=True, check=True)
    for command in ("check", "pull", "build", "serve", "demo"):
        assert command in done.stdout
