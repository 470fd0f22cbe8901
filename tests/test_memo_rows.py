"""A one-record republish does work in proportion to the change (issue 18): a changed file's unchanged rows are
known by their cells alone, the memo's judgements are read in plain columns, and none of the memo's safety rules
gives way for it (a page edited by hand, an embargo fallen due, a corrupt memo)."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from publisher.core.config import Config
from publisher.core.schema import COLUMN_OPTIONAL, RECORD_TYPES
from publisher.pull import plan as plan_module
from publisher.pull import reading as reading_module
from publisher.pull.items import Action
from publisher.pull.memo import Judgement, PlanMemo
from publisher.pull.plan import make_plan, write_plan
from publisher.pull.rows import Origin, SourceResult
from publisher.pull.sources.tables import TableRow, _has_text, add_table, cell_text
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_memo import age_files, edit_cell, penalties_csv, spy, with_and_without_memory


@pytest.fixture
def portal(tmp_path: Path) -> Config:
    return make_sample_portal(tmp_path, planted=True)


def counted(monkeypatch, module, name: str) -> list:
    """Every call of module.name (the real function still runs)."""
    calls: list = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a: calls.append(a) or real(*a))
    return calls


def test_a_changed_files_unchanged_rows_are_known_by_their_cells_without_making_their_values(portal, monkeypatch):
    age_files(penalties_csv(portal).parent)
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))
    hashed = counted(monkeypatch, reading_module, "row_hash")
    edit_cell(portal, 3, "违法事实", "经复核更正的违法事实。")
    plan = make_plan(portal, SAMPLE_NOW)
    assert plan.counts()["change"] == 1
    assert len(hashed) == 2  # the changed row only: its cells as read, then as completed; the others by cells
    monkeypatch.undo()
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))  # and the plan is the one a pull without memory makes


def test_a_renamed_column_is_not_taken_for_the_cells_it_had(portal):
    """The same cells under another header make other values: a row is known by its cells and its columns."""
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))
    path = penalties_csv(portal)
    with path.open(encoding="gb18030", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    header[header.index("罚款金额（万元）")] = "旧列甲"  # no longer a known column: the fines are not read
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    plan = with_and_without_memory(portal, SAMPLE_NOW.replace(hour=11))
    rejected = [i for i in plan.items if i.action is Action.REJECT and i.field == "fine"]
    assert len(rejected) > 10  # rows without their fine (required with one): none taken for its old self


def test_a_table_rows_values_are_made_as_before_and_its_hash_knows_cells_and_columns():
    def table(headers: list[str], cells: list) -> TableRow:
        result = SourceResult()
        add_table(result, "files:data", "penalties.csv", "penalties", headers, [(2, cells)], note_unknown=False)
        assert not result.failures
        row = result.rows[0]
        assert isinstance(row, TableRow)
        return row

    required = [f for f in RECORD_TYPES["penalties"].fields if f.required and f.name not in COLUMN_OPTIONAL]
    headers = [f.zh for f in required]
    cells = [f"值{n}" for n in range(len(headers))]
    cells[0], cells[1] = " 示林罚决字〔2026〕第1号 ", "某公司\r\n分公司"
    row = table(headers, cells)
    first = row.cells_hash()
    assert row.values == {f.name: (v.replace("\r\n", "\n").strip()) for f, v in zip(required, cells, strict=True)}
    assert row.origin == Origin("files:data", "penalties.csv", 2)
    assert row.cells_hash() is None  # its values made, its cells let go
    assert table(headers, [*cells, "多出的单元格"]).cells_hash() == first  # past the columns: no value
    assert table(headers, [cells[0].strip(), *cells[1:]]).cells_hash() != first
    swapped = table([headers[1], headers[0], *headers[2:]], cells)
    assert swapped.cells_hash() != first  # the same cells, other columns
    assert table(headers, [*cells[:-1], 1]).cells_hash() != table(headers, [*cells[:-1], "1"]).cells_hash()
    assert table(headers, [*cells[:-1], Decimal("1")]).cells_hash() is None  # hashed by its values instead


def test_a_page_edited_by_hand_is_judged_afresh_though_its_row_is_unchanged(portal, monkeypatch):
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))
    page = sorted((portal.paths.content / "penalties").glob("*.md"))[0]
    published = page.read_bytes()
    page.write_bytes(published.replace(b"State: live", b"State: live\nNote: edited by hand", 1))
    judged = spy(monkeypatch, plan_module, "parse_row")
    plan = make_plan(portal, SAMPLE_NOW.replace(hour=11))
    assert len(judged) == 1 and plan.counts()["change"] == 1
    write_plan(plan)
    assert page.read_bytes() == published  # the page the rules make, not the hand's


def test_an_embargo_fallen_due_since_a_judgement_is_judged_afresh(tmp_path):
    judged_at = datetime(2026, 11, 24, 10, 0)
    embargo, horizon = judged_at + timedelta(hours=5), judged_at + timedelta(days=30)

    def kept(digest: str, publish_at: datetime | None, until: datetime | None) -> Judgement:
        return Judgement("penalties", digest, digest, ("add", digest, None, "shown", "符合公开条件", False, ()),
                         (), "sha", None, publish_at, until, ())

    memo = PlanMemo(tmp_path / "memo.sqlite", b"config", judged_at)
    memo.keep("embargoed", kept("embargoed", embargo, horizon), "k1")
    memo.keep("published-before", kept("published-before", judged_at - timedelta(days=1), horizon), "k2")
    memo.keep("horizon-soon", kept("horizon-soon", None, embargo), "k3")
    memo.save()

    def usable(now: datetime) -> set[str]:
        memo = PlanMemo(tmp_path / "memo.sqlite", b"config", now)
        found = {d for d in ("embargoed", "published-before", "horizon-soon") if memo.get(d) is not None}
        memo._db.close()
        return found

    assert usable(embargo - timedelta(minutes=1)) == {"embargoed", "published-before", "horizon-soon"}
    assert usable(embargo) == {"published-before"}  # due at this very minute: judged afresh
    assert usable(horizon - timedelta(minutes=1)) == {"published-before"}
    assert usable(horizon) == set()
    memo = PlanMemo(tmp_path / "memo.sqlite", b"config", judged_at)
    reused = memo.get("published-before")
    assert reused is not None and memo.outcome(reused[-1])[0] is Action.ADD and "k2" in reused
    memo._db.close()


def test_a_corrupt_memo_is_thrown_away_and_the_plan_is_the_fresh_one(portal):
    write_plan(with_and_without_memory(portal, SAMPLE_NOW))
    memo = portal.paths.state / "cache" / "plan-memo.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{memo}{suffix}").unlink(missing_ok=True)
    memo.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    plan = with_and_without_memory(portal, SAMPLE_NOW.replace(hour=11))
    assert plan.reused == 0 and plan.counts()["unchanged"] > 100
    assert with_and_without_memory(portal, SAMPLE_NOW.replace(hour=12)).reused > 100


def test_a_row_is_empty_exactly_when_each_of_its_cells_reads_as_empty():
    """The one-join check of a CSV row agrees with reading each cell (a blank row is dropped, not a record)."""
    blanks = ["", " ", "\r\n", "\u3000", "\u00a0", "\t"]
    texts = ["a", " 0 ", "\ufeff", "\u200b"]
    for cells in ([], *([b] for b in blanks), blanks, [*blanks, texts[0]], *([b, t] for b in blanks for t in texts),
                  [None, " "], [None, 0], ["", 0.0], [None, Decimal("1")], [None, None]):
        assert _has_text(cells) == any(cell_text(c) for c in cells), cells
