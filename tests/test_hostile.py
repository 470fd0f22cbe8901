"""Messy and hostile input never breaks, forges or empties the site: each problem is reported with
file, row and field, the other rows are published, and what is already shown stays shown."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from publisher.core.config import load_config
from publisher.core.content import load_published, read_summary
from publisher.pull.intake import clean_value
from publisher.pull.plan import Action, make_plan
from publisher.runs.ledger import ledger_of
from publisher.runs.publication import RunFailed, publish, verify_ledger
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.factories import inspection, matter, officer, penalty
from tests.test_runs import cli


def items(plan, action: str) -> list:
    return [i for i in plan.items if i.action.value == action]


# ---------------------------------------------------------------- one intake boundary

HIDDEN = {
    "NUL": "\x00", "vertical tab": "\v", "form feed": "\f", "Word soft return": "\x0b", "NEL": "\x85",
    "line separator": "\u2028", "paragraph separator": "\u2029", "escape": "\x1b", "DEL": "\x7f",
    "file separator": "\x1c", "RLO": "\u202e", "zero-width space": "\u200b", "BOM": "\ufeff", "LRI": "\u2066",
}


@pytest.mark.parametrize("name", HIDDEN)
def test_a_hidden_character_in_any_field_is_taken_out_reported_and_the_row_published(runner, name):
    char = HIDDEN[name]
    rows = [penalty(2, facts=f"滥伐{char}杉木12株", party_name=f"示例县青山{char}样板木业有限公司",
                    decision_no=f"示林罚决字〔2026〕第{char}2号"), penalty(3)]
    plan = runner.pull(rows)
    added = items(plan, "add")
    assert len(added) == 2, [(i.action, i.reason) for i in plan.items]
    page = runner.page("penalties", added[0].slug if added[0].key.endswith("第2号") else added[1].slug)
    assert char not in page and "\u2028" not in page
    notes = [n for n in plan.notes if "penalties.csv 第2行" in n.location]
    assert {"“违法事实”" in n.location for n in notes} >= {True} and any("行政相对人名称" in n.location for n in notes)


def test_a_line_separator_becomes_a_line_break_and_never_a_line_of_content_metadata(runner):
    forged = "滥伐杉木\u2028Slug: ../../../x\u2029State: live"
    plan = runner.pull([penalty(2, facts=forged, remarks="备注\x85Record-Type: officers")])
    (item,) = items(plan, "add")
    path = runner.config.paths.content / "penalties" / f"{item.slug}.md"
    summary = read_summary(path, "penalties")
    assert summary is not None and summary.slug == item.slug
    assert sorted(p.name for p in runner.config.paths.content.rglob("*.md")) == [f"{item.slug}.md"]
    shown = dict(load_published(runner.config.paths.content)["penalties"][0].fields)
    assert shown["facts"] == "滥伐杉木\nSlug: ../../../x\nState: live"


def test_cleaning_says_what_it_did_and_keeps_ordinary_text():
    assert clean_value("示林罚决字〔2026〕第2号") == ("示林罚决字〔2026〕第2号", [])
    assert clean_value("甲\r\n乙\t丙") == ("甲\n乙\t丙", [])
    text, changes = clean_value("a\u202eb\x00c\u2028d")
    assert text == "abc\nd" and len(changes) == 3


def test_a_cell_or_a_row_over_its_size_limit_is_refused_naming_file_row_and_field(runner):
    plan = runner.pull([penalty(2, facts="杉" * 20_001), penalty(3, remarks="注" * 19_000, content="罚" * 19_000,
                        facts="伐" * 19_000, basis="法" * 19_000, license_action="证" * 19_000,
                        violation_type="滥伐林木" * 4_000), penalty(4)])
    rejected = items(plan, "reject")
    by_row = {i.origin.row: i for i in rejected}
    assert by_row[2].field == "facts" and "20001个字符" in by_row[2].reason
    assert "intake.max_cell_chars" in by_row[2].reason
    assert by_row[3].field is None and "intake.max_row_chars" in by_row[3].reason
    assert [i.origin.row for i in items(plan, "add")] == [4]


def test_the_limits_are_settings(portal_dir):
    (portal_dir / "portal.toml").write_text((portal_dir / "portal.toml").read_text(encoding="utf-8")
                                            + "\n[intake]\nmax_cell_chars = 10\n", encoding="utf-8")
    config = load_config(portal_dir / "portal.toml")
    plan = make_plan(config, SAMPLE_NOW, source_result=_result([penalty(2)]))
    assert {i.field for i in items(plan, "reject")} >= {"facts"}


def _result(rows):
    from publisher.pull.rows import SourceResult

    return SourceResult(rows=list(rows))


# ---------------------------------------------------------------- identity and addresses

@pytest.mark.parametrize("spelling", ["示林罚决字(2026)第7号", "示林罚决字（2026）第7号",
                                      "示林罚决字[2026]第7号", "示林罚决字［2026］第7号",
                                      "示林罚决字〔2026〕第\u200b7号", "示林罚决字〔２０２６〕第７号",
                                      "示林罚决字【2026】第7号"])
def test_spellings_of_one_decision_number_are_one_record(runner, spelling):
    first = runner.pull([penalty(2, decision_no="示林罚决字〔2026〕第7号")])
    (added,) = items(first, "add")
    again = runner.pull([penalty(2, decision_no=spelling)])
    assert not items(again, "add") and not items(again, "withdraw")
    assert [i.slug for i in again.items] == [added.slug]
    both = runner.plan([penalty(2, decision_no="示林罚决字〔2026〕第7号"), penalty(3, decision_no=spelling)])
    assert len(items(both, "reject")) == 2 and all("重复" in i.reason for i in items(both, "reject"))


def test_a_page_published_under_an_older_spelling_keeps_its_address_and_bytes(runner, monkeypatch):
    from publisher.pull import validation

    monkeypatch.setattr(validation, "normalise_key", validation.legacy_key)  # as the code was before
    from publisher.pull import plan as plan_module

    monkeypatch.setattr(plan_module, "normalise_key", validation.legacy_key)
    (old,) = items(runner.pull([penalty(2, decision_no="示林罚决字(2026)第7号")]), "add")
    before = runner.page("penalties", old.slug)
    monkeypatch.undo()
    again = runner.pull([penalty(2, decision_no="示林罚决字(2026)第7号")])
    assert [(i.action, i.slug) for i in again.items] == [(Action.UNCHANGED, old.slug)]
    assert runner.page("penalties", old.slug) == before


@pytest.mark.parametrize("type_key,row,url", [
    ("officers", officer(2, id="verify"), "/officers/verify/"),
    ("matters", matter(2, id="random-inspection"), "/matters/random-inspection/"),
    ("inspections", inspection(2, id="page"), "/inspections/page/"),
    ("inspections", inspection(2, id="YEAR"), "/inspections/year/"),
])
def test_a_record_never_takes_a_site_pages_address(runner, type_key, row, url):
    plan = runner.plan([row])
    (rejected,) = items(plan, "reject")
    assert rejected.field == "id" and url in rejected.reason and rejected.origin.row == 2


def test_two_ids_with_the_same_slug_are_reported_as_such_naming_both_rows(runner):
    plan = runner.plan([inspection(2, id="SJ-1"), inspection(3, id="sj-1")])
    rejected = items(plan, "reject")
    assert len(rejected) == 2 and all("网址相同" in i.reason and "/inspections/sj-1/" in i.reason for i in rejected)
    assert "第3行" in rejected[0].reason and "第2行" in rejected[1].reason


# ---------------------------------------------------------------- nothing shown vanishes by accident

@pytest.fixture
def sample(tmp_path):
    return make_sample_portal(tmp_path, planted=False)


def _truncate_csv(path, keep_rows: int) -> None:
    """A CSV cut at a row boundary, as a half-finished export leaves it."""
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "gb18030"
    rows = list(csv.reader(io.StringIO(raw.decode(encoding))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows[: keep_rows + 1])
    path.write_bytes(out.getvalue().encode(encoding))


def test_a_half_written_source_withdraws_nothing_and_says_why(sample):
    first = publish(sample, SAMPLE_NOW)
    shown = [i for i in first.plan.items if i.type == "penalties" and i.action is Action.ADD]
    assert len(shown) > 20
    source = next(p for p in (sample.path.parent / "data").glob("*.csv") if "处罚" in p.name or "penalt" in p.name)
    _truncate_csv(source, 8)
    second = publish(sample, SAMPLE_NOW)
    assert second.exit_code == 1 and "penalties" in second.plan.stopped
    assert "--allow-mass-withdrawal" in second.plan.stopped["penalties"]
    assert not [i for i in second.plan.items if i.type == "penalties" and i.action is Action.WITHDRAW]
    live = [r for r in load_published(sample.paths.content)["penalties"] if r.live]
    assert len(live) >= len(shown)
    meant = cli(sample, "publish", "--now", "2026-11-24 10:00", "--allow-mass-withdrawal")
    assert meant.returncode in (0, 1), meant.stderr
    assert len([r for r in load_published(sample.paths.content)["penalties"] if r.live]) < len(live)


def test_a_withdrawn_record_whose_row_turns_invalid_keeps_its_notice_and_the_publish_succeeds(runner):
    runner.pull([penalty(2), penalty(3)])
    runner.pull([penalty(2, status="撤销"), penalty(3)])
    plan = runner.pull([penalty(2, status="撤销", fine="很多"), penalty(3)])
    (rejected,) = items(plan, "reject")
    assert rejected.kept_page and "撤回说明保持不变" in rejected.reason


def test_a_withdrawn_record_whose_row_turns_invalid_publishes_end_to_end(sample):
    publish(sample, SAMPLE_NOW)
    data = sample.path.parent / "data"
    extra = data / "penalties-extra.json"
    import json

    row = {k: v for k, v in penalty(2, decision_no="示林罚决字〔2026〕第777号").values.items()}
    extra.write_text(json.dumps([row], ensure_ascii=False), "utf-8")
    publish(sample, SAMPLE_NOW)
    extra.write_text(json.dumps([{**row, "status": "撤销"}], ensure_ascii=False), "utf-8")
    publish(sample, SAMPLE_NOW)
    extra.write_text(json.dumps([{**row, "status": "撤销", "decision_date": "不是日期"}], ensure_ascii=False), "utf-8")
    result = publish(sample, SAMPLE_NOW)
    assert result.exit_code == 1 and verify_ledger(sample) == []
    notice = [r for r in load_published(sample.paths.content)["penalties"] if r.title.startswith("已撤回")]
    assert notice


# ---------------------------------------------------------------- the clock

def test_a_clock_set_back_refuses_to_publish_and_says_what_is_wrong(sample):
    publish(sample, SAMPLE_NOW)
    with pytest.raises(RunFailed, match="早于账本中上次发布.*--allow-clock-skew"):
        publish(sample, datetime(2026, 11, 23, 10, 0))
    with pytest.raises(RunFailed, match="服务器时间可能被调回"):
        publish(sample, datetime(2025, 11, 24, 10, 0))
    done = cli(sample, "publish", "--now", "2025-11-24 10:00")
    assert done.returncode == 3 and "--allow-clock-skew" in done.stderr and "不应公开" not in done.stderr
    runs = [e for e in ledger_of(sample).entries() if e.kind == "run"]
    assert len(runs) == 1
    assert publish(sample, datetime(2026, 11, 23, 10, 0), allow_clock_skew=True).exit_code in (0, 1)


def test_check_and_pull_warn_when_the_clock_is_behind_the_ledger(sample):
    publish(sample, SAMPLE_NOW)
    done = cli(sample, "check", "--now", "2026-11-20 09:00")
    assert "注意：本次运行的时钟 2026-11-20 09:00 早于账本中上次发布" in done.stderr


def test_a_data_file_over_the_configured_size_is_not_read_and_stops_only_its_type(portal_dir):
    import json

    (portal_dir / "portal.toml").write_text((portal_dir / "portal.toml").read_text(encoding="utf-8")
                                            + "\n[intake]\nmax_file_mb = 1\n", encoding="utf-8")
    config = load_config(portal_dir / "portal.toml")
    row = dict(penalty(2).values)
    (portal_dir / "data" / "penalties.json").write_text(json.dumps([row] * 1500, ensure_ascii=False), "utf-8")
    (portal_dir / "data" / "officers.json").write_text(json.dumps([officer(2).values], ensure_ascii=False), "utf-8")
    assert (portal_dir / "data" / "penalties.json").stat().st_size > 1024 * 1024
    plan = make_plan(config, SAMPLE_NOW)
    assert "penalties" in plan.stopped and "intake.max_file_mb" in plan.stopped["penalties"]
    assert [i.type for i in items(plan, "add")] == ["officers"]
