"""`portal pull` on rows a source returned: what reaches content/, and what must never."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime

import markdown

from publisher.core.content import read_fields, read_metadata
from publisher.pull.items import Spool, Spooled
from publisher.pull.plan import Action, write_plan
from publisher.pull.rows import SourceFailure
from tests.factories import penalty, permit, person_penalty


def actions(plan) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in plan.items:
        out.setdefault(item.action.value, []).append(item.key or item.slug)
    return out


def test_a_shown_record_is_written_with_fields_the_theme_can_render(runner):
    plan = runner.pull([penalty(row=2)])
    [item] = plan.items
    assert item.action is Action.ADD and re.fullmatch(r"[a-z0-9-]+", item.slug)
    path = runner.config.paths.content / "penalties" / f"{item.slug}.md"
    meta = read_metadata(path)
    fields = dict(read_fields(meta))
    assert fields["decision_no"] == "示林罚决字〔2026〕第2号"
    assert fields["penalty_class"] == ["罚款"]
    assert meta["state"] == "live" and meta["published"] == "2026-11-24" and meta["date"] == "2026-11-10"
    for private in ("review_status", "procedure", "phone", "address", "legal_review_by"):
        assert private not in fields


def test_a_second_pull_with_the_same_input_rewrites_nothing(runner):
    runner.pull([penalty(row=2), permit(row=3)])
    paths = sorted(runner.config.paths.content.rglob("*.md"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    os.utime(paths[0], ns=(1, 1))  # so that a rewrite could not hide behind the clock's resolution
    before[paths[0]] = (paths[0].read_bytes(), 1)
    plan = runner.pull([penalty(row=2), permit(row=3)], now=datetime(2026, 12, 1, 9, 0))
    assert {i.action for i in plan.items} == {Action.UNCHANGED}
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before


def test_a_changed_record_is_rewritten_at_the_same_url_and_keeps_its_publication_date(runner):
    [first] = runner.pull([penalty(row=2)]).items
    [second] = runner.pull([penalty(row=2, content="并处罚款人民币0.6万元", fine="0.6")],
                           now=datetime(2026, 11, 30, 9, 0)).items
    assert second.action is Action.CHANGE and second.slug == first.slug
    meta = read_metadata(runner.config.paths.content / "penalties" / f"{first.slug}.md")
    assert meta["published"] == "2026-11-24"


def test_a_revoked_record_becomes_a_withdrawal_notice_without_its_data(runner):
    [shown] = runner.pull([penalty(row=2)]).items
    [gone] = runner.pull([penalty(row=2, status="撤销")], now=datetime(2026, 11, 26, 9, 0)).items
    assert gone.action is Action.WITHDRAW and gone.slug == shown.slug
    page = runner.page("penalties", shown.slug)
    assert "State: withdrawn" in page and "Withdrawn: 2026-11-26" in page and "撤销" in page
    for data in ("示例县青山样板木业有限公司", "第2号", "滥伐", "0.5"):
        assert data not in page
    # The withdrawal date is a fact of the first run that saw it, not of every later run.
    again = runner.pull([penalty(row=2, status="撤销")], now=datetime(2026, 12, 9, 9, 0))
    assert again.items[0].action is Action.UNCHANGED


def test_a_withheld_record_that_was_shown_is_withdrawn_and_one_never_shown_leaves_no_trace(runner):
    runner.pull([penalty(row=2)])
    plan = runner.pull([penalty(row=2, withheld="是", withheld_reason="涉及商业秘密"),
                        penalty(row=3, withheld="是")])
    assert actions(plan) == {"withdraw": ["示林罚决字〔2026〕第2号"], "exclude": ["示林罚决字〔2026〕第3号"]}
    assert len(runner.pages("penalties")) == 1


def test_held_blocked_and_rejected_rows_keep_the_version_already_shown(runner):
    rows = [penalty(row=2), penalty(row=3), penalty(row=4)]
    runner.pull(rows)
    before = runner.pages("penalties")
    plan = runner.pull([penalty(row=2, review_status="待审核"), penalty(row=3, fine="12"),
                        penalty(row=4, credit_code="bad")])
    assert {i.action.value for i in plan.items} == {"hold", "block", "reject"}
    assert all(i.kept_page for i in plan.items)
    assert runner.pages("penalties") == before


def test_a_record_deleted_from_the_source_is_withdrawn(runner):
    runner.pull([penalty(row=2), penalty(row=3)])
    plan = runner.pull([penalty(row=2)])
    [gone] = [i for i in plan.items if i.action is Action.WITHDRAW]
    assert "数据源中已无此记录" in gone.reason
    assert "State: withdrawn" in runner.page("penalties", gone.slug)


def test_rows_without_a_key_stop_deletions_from_being_judged(runner):
    runner.pull([penalty(row=2), penalty(row=3)])
    plan = runner.pull([penalty(row=2), penalty(row=3, decision_no="")])
    assert not [i for i in plan.items if i.action is Action.WITHDRAW]
    assert any("本次不撤回" in n.message for n in plan.notes)


def test_a_failed_source_withdraws_nothing_and_stops_its_type(runner):
    runner.pull([penalty(row=2), permit(row=3)])
    before = runner.pages("penalties")
    failure = SourceFailure("files:test", "penalties", "penalties.xlsx", "文件已损坏")
    plan = runner.pull([permit(row=3)], failures=[failure])
    assert "penalties" in plan.stopped and "文件已损坏" in plan.stopped["penalties"]
    assert runner.pages("penalties") == before
    assert plan.exit_code == 1


def test_an_empty_source_for_a_published_type_withdraws_nothing_unless_allowed(runner):
    runner.pull([penalty(row=2), permit(row=3)])
    plan = runner.pull([permit(row=3)])
    assert "penalties" in plan.stopped and "--allow-empty" in plan.stopped["penalties"]
    assert all("State: live" in p for p in runner.pages("penalties").values())
    plan = runner.pull([permit(row=3)], allow_empty=True)
    assert not plan.stopped
    assert all("State: withdrawn" in p for p in runner.pages("penalties").values())


def test_one_bad_row_never_stops_the_others(runner):
    plan = runner.pull([penalty(row=2, decision_date="2026-02-30"), penalty(row=3), penalty(row=4)])
    assert actions(plan)["add"] == ["示林罚决字〔2026〕第3号", "示林罚决字〔2026〕第4号"]
    [bad] = [i for i in plan.items if i.action is Action.REJECT]
    assert (bad.origin.file, bad.origin.row, bad.field) == ("penalties.csv", 2, "decision_date")


def test_a_published_slug_never_changes_even_when_an_id_column_appears(runner):
    [first] = runner.pull([penalty(row=2)]).items
    [later] = runner.pull([penalty(row=2, id="CF-2026-0002")]).items
    assert later.slug == first.slug


def test_a_natural_persons_private_data_never_reaches_content(runner):
    runner.pull([person_penalty(row=2, facts="张某甲在住处示例县某某镇某某村3组12号附近滥伐，联系电话13912345678。")])
    [page] = runner.pages("penalties").values()
    for secret in ("张某甲", "19491231", "13912345678", "3组12号", "某某村3组"):
        assert secret not in page
    assert "张**" in page and "110105********002X" in page


HOSTILE = {
    "party_name": "<script>alert('x')</script>示例公司",
    "facts": "见[链接](javascript:alert(1)) 与 ![图](http://evil.example/x.png) {{ config }} {% raw %} <b>粗</b>",
    "remarks": "| 表格 | 注入 |\n---\n# 标题",
}


def test_hostile_values_render_as_text_in_markdown_and_in_the_fields_line(runner):
    [item] = runner.pull([penalty(row=2, **HOSTILE)]).items
    text = runner.page("penalties", item.slug)
    meta, body = text.split("\n\n", 1)
    fields_line = next(line for line in meta.splitlines() if line.startswith("Fields: "))
    assert not re.search(r"[<>{}]|\]\(", fields_line.removeprefix("Fields: ").replace('", ', "").replace("], [", ""))
    assert dict(json.loads(fields_line.removeprefix("Fields: ")))["party_name"] == HOSTILE["party_name"]
    title = next(line for line in meta.splitlines() if line.startswith("Title: "))
    assert "<" not in title and "{" not in title
    rendered = markdown.markdown(body, extensions=["tables"])
    assert "<script" not in rendered and "<b>" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "<h1" not in rendered and "{{" not in rendered and "{%" not in rendered
    assert "&lt;script&gt;" in rendered
    assert rendered.count("<tr>") == 1 + len(dict(json.loads(fields_line.removeprefix("Fields: "))))


def test_a_migrated_record_keeps_its_first_publication_date(runner):
    [item] = runner.pull([penalty(row=2, decision_date="2026-10-09", first_published="2026-10-12")]).items
    assert read_metadata(runner.config.paths.content / "penalties" / f"{item.slug}.md")["published"] == "2026-10-12"
    plan = runner.plan([penalty(row=2, decision_date="2026-10-09", first_published="2026-10-08")])
    [bad] = [i for i in plan.items if i.action is Action.REJECT]
    assert bad.field == "first_published" and bad.kept_page


def test_a_planned_page_waits_on_disk_and_is_written_with_the_same_bytes(runner, tmp_path):
    # A first import's rendered pages are spooled, not held: 100k of them would not fit the memory target.
    spool = Spool(tmp_path / "state")
    texts = ["标题：示林罚决字〔2026〕第2号\n", "", "a\r\nb\x00\u2028c"]
    handles = [spool.put(t) for t in texts]
    assert [h.data().decode("utf-8") for h in reversed(handles)] == texts[::-1]
    plan = runner.plan([penalty(row=2)])
    [item] = plan.items
    assert isinstance(item.text, Spooled) and item.text.data().startswith(b"Title: ")
    expected = item.text.data()
    [path] = write_plan(plan)
    assert path.read_bytes() == expected


def test_the_rows_handed_to_a_plan_are_used_up_and_the_plan_is_the_same(runner):
    # Taken in, the source's copies of the cells are let go: a first import's rows are not held twice.
    from publisher.pull.plan import make_plan
    from publisher.pull.rows import SourceResult

    rows = [penalty(row=2), permit(row=3)]
    result = SourceResult(rows=list(rows))
    plan = make_plan(runner.config, datetime(2026, 11, 24, 10, 0), source_result=result)
    assert result.rows == [] and actions(plan) == actions(runner.plan(rows))
