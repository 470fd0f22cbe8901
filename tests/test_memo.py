"""A pull reuses what the last one judged only while it stays true: its plan is always the plan a
pull with no memory would make (issue 7: a republish re-judges the rows that changed, not all)."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from publisher.core.config import Config, load_config
from publisher.pull import plan as plan_module
from publisher.pull.plan import Plan, make_plan, write_plan
from publisher.pull.sources import files as files_module
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_incremental import edit_penalties


@pytest.fixture
def portal(tmp_path: Path) -> Config:
    return make_sample_portal(tmp_path, planted=True)


def outcome(plan: Plan) -> tuple:
    """Everything staff and the site get from a plan, in a comparable form."""
    items = sorted((i.action.value, i.type, i.key or "", i.slug or "", str(i.origin), i.field or "", i.rule, i.reason,
                    i.kept_page, i.masked) for i in plan.items)
    flags = sorted((f.kind, f.type, f.key, str(f.origin), f.field or "", f.reason) for f in plan.flags)
    return items, flags, sorted(map(str, plan.notes)), sorted(plan.stopped.items()), plan.calendar_gaps


def with_and_without_memory(config: Config, now: datetime) -> Plan:
    """Plan with the caches, then again without them; they must agree. Returns the first."""
    remembered = make_plan(config, now)
    cache = config.paths.state / "cache"
    kept = cache.with_name("cache-kept")
    shutil.copytree(cache, kept)
    shutil.rmtree(cache)  # no memory at all: neither judgements, nor files, nor content/ scanned
    fresh = make_plan(config, now)
    assert outcome(remembered) == outcome(fresh)
    assert remembered.fingerprints == fresh.fingerprints  # the ledger's fingerprint of each source too
    shutil.rmtree(cache)
    kept.rename(cache)  # carry on from the memory the first plan left, as the next run would
    return remembered


def penalties_csv(config: Config) -> Path:
    return config.path.parent / "data" / "penalties.csv"


def edit_cell(config: Config, row: int, column: str, value: str) -> None:
    path = penalties_csv(config)
    with path.open(encoding="gb18030", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row][rows[0].index(column)] = value
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_a_remembered_pull_plans_exactly_what_a_fresh_one_does(portal):
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))  # first import
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))  # nothing changed
    edit_penalties(portal)  # one corrected, one revoked, one new
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))
    edit_cell(portal, 2, "审核状态", "待审核")  # a shown record goes back for review: its page stays
    write_plan(with_and_without_memory(portal, SAMPLE_NOW.replace(hour=11)))
    edit_cell(portal, 2, "审核状态", "已审核")
    edit_cell(portal, 5, "行政处罚决定书文号", "示林罚决字〔2024〕第1号")  # now shares row 1's number: both rejected
    write_plan(with_and_without_memory(portal, SAMPLE_NOW.replace(hour=12)))
    edit_cell(portal, 8, "公示日期", "2026-11-24 15:00")  # embargoed until this afternoon
    write_plan(with_and_without_memory(portal, SAMPLE_NOW.replace(hour=13)))
    write_plan(with_and_without_memory(portal, SAMPLE_NOW.replace(hour=15)))  # ... and now due
    for page in (portal.paths.content / "penalties").glob("*.md"):  # a page changed by hand is judged afresh
        page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        break
    write_plan(with_and_without_memory(portal, SAMPLE_NOW.replace(hour=16)))
    write_plan(with_and_without_memory(portal, SAMPLE_NOW.replace(day=25)))  # a new day: all judged afresh


def test_a_republish_judges_again_only_the_row_that_changed(portal, monkeypatch):
    write_plan(make_plan(portal, SAMPLE_NOW))
    judged: list[str] = []
    parse_row = plan_module.parse_row
    monkeypatch.setattr(plan_module, "parse_row", lambda raw, today: judged.append(raw.type) or parse_row(raw, today))
    plan = make_plan(portal, SAMPLE_NOW)
    assert judged == [] and plan.counts()["unchanged"] > 100  # nothing changed: nothing judged again
    judged.clear()
    edit_cell(portal, 3, "违法事实", "经复核更正的违法事实。")
    plan = make_plan(portal, SAMPLE_NOW)
    assert plan.counts()["change"] == 1
    assert judged.count("penalties") == 1


def test_a_changed_portal_toml_judges_every_row_again(portal, monkeypatch):
    write_plan(make_plan(portal, SAMPLE_NOW))
    text = portal.path.read_text(encoding="utf-8")
    portal.path.write_text(text + "\n# a comment is a change too\n", encoding="utf-8")
    portal = load_config(portal.path)
    judged: list[str] = []
    parse_row = plan_module.parse_row
    monkeypatch.setattr(plan_module, "parse_row", lambda raw, today: judged.append(raw.type) or parse_row(raw, today))
    make_plan(portal, SAMPLE_NOW)
    assert len(judged) > 100


def spy(monkeypatch, module, name: str) -> list:
    """Record the first argument's file name of each call to module.name (the real function still runs)."""
    calls: list = []
    real = getattr(module, name)

    def recorded(*args, **kwargs):
        calls.append(next((a.name for a in args if isinstance(a, Path)), None))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return calls


def age_files(folder: Path, seconds: int = 3600) -> None:
    """Files last written an hour ago, as a clerk's exports usually are (a stamp is trusted only when not fresh)."""
    for path in folder.iterdir():
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


def test_a_file_is_parsed_only_when_its_bytes_changed(portal, monkeypatch):
    data = penalties_csv(portal).parent
    age_files(data)
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))  # first import: every file parsed
    parsed = spy(monkeypatch, files_module, "_parse")
    hashed = spy(monkeypatch, files_module, "file_digest")
    plan = with_and_without_memory(portal, SAMPLE_NOW)
    assert plan.counts()["unchanged"] > 100
    assert len(parsed) == len(list(data.iterdir())) - 1  # the fresh pull of the comparison parsed them all...
    parsed.clear()
    hashed.clear()
    make_plan(portal, SAMPLE_NOW)
    assert parsed == [] and hashed == []  # ... a pull with memory parsed none, not even read one: stamps agree

    for path in data.iterdir():  # touched (a backup tool, a re-save of the same export): same bytes
        os.utime(path)
    plan = with_and_without_memory(portal, SAMPLE_NOW)
    parsed.clear()
    assert make_plan(portal, SAMPLE_NOW).counts() == plan.counts()
    assert parsed == []  # read and hashed (the stamps changed), parsed by none

    judged = spy(monkeypatch, plan_module, "parse_row")
    edit_cell(portal, 3, "违法事实", "经复核更正的违法事实。")
    parsed.clear()
    plan = make_plan(portal, SAMPLE_NOW)
    assert parsed == ["penalties.csv"] and plan.counts()["change"] == 1  # the one changed file, once
    assert len(judged) == 1  # and of its rows only the changed one judged
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))


def test_a_half_written_file_never_empties_the_site_and_the_whole_one_changes_nothing(portal):
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))
    path = penalties_csv(portal)
    whole = path.read_bytes()
    shown = sorted(p.name for p in (portal.paths.content / "penalties").glob("*.md"))
    pages = {p: (portal.paths.content / "penalties" / p).read_bytes() for p in shown}
    path.write_bytes(whole[: len(whole) // 3])  # an export cut off mid-character: unreadable, the type stops
    plan = with_and_without_memory(portal, SAMPLE_NOW.replace(hour=11))
    assert "penalties" in plan.stopped and write_plan(plan) == []
    path.write_bytes(whole[: whole.rindex(b"\n", 0, len(whole) // 3) + 1])  # cut off after a third of its rows
    plan = with_and_without_memory(portal, SAMPLE_NOW.replace(hour=11))
    assert "penalties" in plan.stopped and "可能是文件不完整" in plan.stopped["penalties"]
    write_plan(plan)
    assert {p: (portal.paths.content / "penalties" / p).read_bytes() for p in shown} == pages  # nothing withdrawn

    path.write_bytes(whole)  # the export finished
    plan = with_and_without_memory(portal, SAMPLE_NOW.replace(hour=12))
    assert not plan.stopped and plan.counts().keys() <= {"unchanged", "hold", "exclude", "reject", "block"}
    assert write_plan(plan) == []
    path.write_bytes(b"")  # emptied: the type stops too
    plan = with_and_without_memory(portal, SAMPLE_NOW.replace(hour=13))
    assert "penalties" in plan.stopped and write_plan(plan) == []


def test_a_rows_hash_is_exact_and_leaves_its_cells_as_they_were():
    import sys

    from publisher.pull.memo import row_hash
    from publisher.pull.rows import Origin, RawRow

    origin = Origin("files:data", "penalties.csv", 2)
    cell = "".join(["示林罚决字", "〔2026〕第2号"])  # made at run time: no UTF-8 copy cached yet
    size = sys.getsizeof(cell)
    digest = row_hash(RawRow("penalties", {"decision_no": cell, "party_name": cell}, origin))
    # Not pickle: it caches a UTF-8 copy in every non-ASCII cell, held as long as the row (35 MB at 20k rows).
    assert sys.getsizeof(cell) == size
    same = row_hash(RawRow("penalties", {"decision_no": "示林罚决字〔2026〕第2号",
                                          "party_name": "".join(["示林罚决字〔2026〕", "第2号"])}, origin))
    assert same == digest  # equal cells, whatever objects hold them
    assert row_hash(RawRow("penalties", {"a": "bc"}, origin)) != row_hash(RawRow("penalties", {"ab": "c"}, origin))
    lone = [row_hash(RawRow("penalties", {"a": c}, origin)) for c in ("\ud800", "\ud801")]  # a hand-edited file's
    assert lone[0] != lone[1]
