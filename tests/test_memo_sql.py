"""A SQL source with an `updated_at` column is read by its changes, and no clock error hides a change (issue 18).

On SQLite, PostgreSQL and MariaDB (the local servers): after each edit, a pull with memory plans exactly
what a pull with no memory plans, while reading only the changed rows and the key list.
"""

from __future__ import annotations

import csv
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, MetaData, Table, Text, create_engine, delete, insert, select, update

from publisher.core.config import load_config
from publisher.pull.plan import make_plan, write_plan
from publisher.pull.sources import sql_changes
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_memo import outcome, spy, with_and_without_memory

SERVERS = {"sqlite": None, "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
           "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"}
NO = "行政处罚决定书文号"
FACTS = "违法事实"


@pytest.fixture(params=list(SERVERS))
def portal(request: pytest.FixtureRequest, tmp_path: Path):
    """The sample portal with its penalties in a database table that has an updated_at column."""
    url = SERVERS[request.param] or f"sqlite:///{tmp_path / 'cases.db'}"
    engine = create_engine(url)
    data = tmp_path / "data"
    config = make_sample_portal(tmp_path, planted=False)
    with (data / "penalties.csv").open(encoding="gb18030", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    (data / "penalties.csv").unlink()
    table = Table(f"cases_{uuid.uuid4().hex[:8]}", MetaData(), *(Column(h, Text) for h in header),
                  Column("updated_at", DateTime), mysql_charset="utf8mb4")
    table.create(engine)
    stamp = SAMPLE_NOW - timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(insert(table), [dict(zip(header, r, strict=True), updated_at=stamp) for r in rows])
    toml = config.path.read_text(encoding="utf-8") + (
        f'\n[[sources]]\nkind = "sql"\nurl = "{url}"\nupdated_at = "updated_at"\noverlap_minutes = 10\n'
        f'[sources.tables]\npenalties = "{table.name}"\n')
    config.path.write_text(toml, encoding="utf-8")
    try:
        yield load_config(config.path), engine, table
    finally:
        table.drop(engine)
        engine.dispose()


def db_clock(engine) -> object:
    """Now by the database's clock, the earlier of UTC and local, as the reader takes it."""
    with engine.connect() as conn:
        return sql_changes._db_now(conn)


def edit(engine, table, number: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c[NO] == number).values(**values))


def numbers(engine, table) -> list[str]:
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(select(table.c[NO])))


def test_changes_deletions_and_skewed_clocks_are_all_seen(portal, monkeypatch):
    config, engine, table = portal
    write_plan(with_and_without_memory(config, SAMPLE_NOW))  # first import: a whole read
    whole = spy(monkeypatch, sql_changes, "_whole")
    plan = with_and_without_memory(config, SAMPLE_NOW)
    assert plan.counts()["unchanged"] > 50
    whole.clear()
    config_now = config
    shown = {i.key for i in plan.items if i.type == "penalties" and i.rule == "shown"}
    first, second, third, fourth = [n for n in numbers(engine, table) if n in shown][:4]

    def pull(hour: int, **expect: int) -> None:
        """A pull with memory, which must read no whole table, equal to one with none."""
        whole.clear()
        plan = with_and_without_memory(config_now, SAMPLE_NOW.replace(hour=hour))
        assert len(whole) == 1  # only the fresh pull of the comparison read the table whole
        write_plan(plan)
        for action, count in expect.items():
            assert plan.counts()[action] == count, plan.counts()

    now = db_clock(engine)
    edit(engine, table, first, **{FACTS: "经复核更正的违法事实。"}, updated_at=now)
    pull(11, change=1)
    with engine.begin() as conn:  # a decision deleted outright: its key is gone from the list
        conn.execute(delete(table).where(table.c[NO] == second))
    pull(12, withdraw=1)
    # A writer whose clock is 5 minutes slow (inside the overlap), and one 3 days fast (a future stamp):
    edit(engine, table, third, **{FACTS: "时钟偏慢的写入方更正。"}, updated_at=db_clock(engine) - timedelta(minutes=5))
    edit(engine, table, fourth, **{FACTS: "时钟偏快的写入方更正。"}, updated_at=db_clock(engine) + timedelta(days=3))
    pull(13, change=2)
    # ... the future stamp must not hide a change made after it with a true clock
    edit(engine, table, first, **{FACTS: "再次更正。"}, updated_at=db_clock(engine))
    pull(14, change=1)
    # A row inserted with an old stamp (restored from a backup): a key neither known nor changed
    with engine.connect() as conn:
        row = dict(conn.execute(select(table).where(table.c[NO] == third)).mappings().one())
    row.update({NO: "示林罚决字〔2026〕第77号", "updated_at": db_clock(engine) - timedelta(days=30)})
    with engine.begin() as conn:
        conn.execute(insert(table), [row])
    whole.clear()
    plan = with_and_without_memory(config_now, SAMPLE_NOW.replace(hour=15))
    assert plan.counts()["add"] == 1 and len(whole) == 2  # seen at once: this pull read the table whole


def test_a_change_stamped_before_the_bound_is_seen_at_the_next_whole_read_and_widens_the_overlap(portal):
    config, engine, table = portal
    config.path.write_text(config.path.read_text(encoding="utf-8").replace(
        "overlap_minutes = 10", "overlap_minutes = 10\nfull_read_hours = 0.001"), encoding="utf-8")
    config = load_config(config.path)
    plan = with_and_without_memory(config, SAMPLE_NOW)
    write_plan(plan)
    shown = {i.key for i in plan.items if i.type == "penalties" and i.rule == "shown"}
    number = next(n for n in numbers(engine, table) if n in shown)
    # Stamped a day before the newest change time the last read saw: before the bound, beyond the overlap.
    edit(engine, table, number, **{FACTS: "慢了一天的时钟写下的更正。"}, updated_at=SAMPLE_NOW - timedelta(days=2))
    time.sleep(4)  # full_read_hours = 0.001: the next read is a whole one
    plan = make_plan(config, SAMPLE_NOW.replace(hour=11))  # the note is the memory's: compared without it below
    assert plan.counts()["change"] == 1
    assert any("修改时间早于上次读取的时间点" in str(n) for n in plan.notes)
    assert outcome(plan)[0] == outcome(make_plan(config, SAMPLE_NOW.replace(hour=11)))[0]
