"""The yearly enforcement data report: every decision of the year once, under its heaviest category, frozen
once sealed. Runs real publications on a fixed clock and reads the published pages."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import cli
from publisher.core.annual import heaviest, tables_of, tally_of
from publisher.core.config import Config, load_config
from publisher.core.content import PublishedRecord
from publisher.runs.ledger import ledger_of
from publisher.runs.publication import publish, verify_ledger
from tests.conftest import MINIMAL_TOML

HEADER = ("行政相对人名称,行政相对人类别,统一社会信用代码,法定代表人,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,"
          "处罚类别,处罚内容,罚款金额（万元）,没收违法所得、没收非法财物的金额（万元）,处罚决定日期,公示截止期,处罚机关,"
          "处罚机关统一社会信用代码,当前状态,审核状态,程序,法制审核结论,法制审核人,法制审核日期,处罚有效期")
BUREAU = "示例县林业和草原局,11230500001755309F"
# (文号, 处罚类别, 罚款, 没收, 决定日期, 公示截止期)
HEAVY = ("示林罚决字〔2025〕第901号", "罚款；没收违法所得；吊销许可证件", "0.5", "0.2", "2025-06-02", "")
WITHDRAWN = ("示林罚决字〔2025〕第902号", "罚款", "0.3", "", "2025-06-03", "")
SHORT = ("示林罚决字〔2025〕第903号", "罚款", "0.1", "", "2025-06-04", "2025-09-30")
LATE = ("示林罚决字〔2025〕第904号", "通报批评", "", "", "2025-12-30", "")


def row(decision: tuple[str, ...], status: str = "正常", facts: str = "当事人滥伐杉木12株，蓄积3.2立方米。") -> str:
    number, classes, fine, confiscated, decided, display_until = decision
    return ",".join(["示例县青山样板木业有限公司", "法人及非法人组织", "91350100M000100Y43", "王样例", number,
                     "滥伐林木", facts, "《中华人民共和国森林法》第七十六条", classes, "罚款并吊销林木采伐许可证",
                     fine, confiscated,
                     decided, display_until, BUREAU, status, "已审核", "普通", "通过", "刘样例", "2025-05-30", decided])


@pytest.fixture
def portal(tmp_path: Path) -> Config:
    (tmp_path / "data").mkdir()
    (tmp_path / "portal.toml").write_text(MINIMAL_TOML + '[deploy]\npath = "public"\n', encoding="utf-8")
    return load_config(tmp_path / "portal.toml")


def source(config: Config, *rows: str) -> None:
    (config.paths.content.parent / "data" / "penalties.csv").write_text("\n".join([HEADER, *rows]) + "\n",
                                                                        encoding="utf-8-sig")


def run(config: Config, when: str):
    return publish(config, datetime.fromisoformat(when), operator="张科员", allow_mass_withdrawal=True)


def report_file(config: Config, year: str, name: str = "index.html") -> Path:
    return config.deploy.path / "current" / "statistics" / "annual" / year / name


def table(page: str, caption: str) -> dict[str, list[str]]:
    """A report table as the reader sees it: row header -> its cells."""
    import re

    body = page.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    return {th: re.findall(r"<td>(.*?)</td>", cells) for th, cells in
            re.findall(r'<tr><th scope="row">(?:<a [^>]*>)?(.*?)(?:</a>)?</th>(.*?)</tr>', body)}


def test_the_heaviest_class_follows_article_9():
    assert heaviest(("罚款", "没收违法所得", "吊销许可证件")) == "吊销许可证件"
    assert heaviest(("警告", "责令关闭", "行政拘留")) == "行政拘留"
    assert heaviest("罚款") == "罚款" and heaviest(()) == "其他"


def test_a_year_counts_every_decision_once_and_its_report_never_changes(portal):
    source(portal, row(HEAVY), row(WITHDRAWN), row(SHORT))
    run(portal, "2025-06-20 10:00")
    assert not report_file(portal, "2025").exists()  # the year has not ended
    source(portal, row(HEAVY), row(WITHDRAWN, status="撤销"), row(SHORT))
    second = run(portal, "2025-12-31 23:00")
    assert [r[2] for r in second.records] == ["withdrawn", "withdrawn"]  # one 撤销, one past its 公示截止期
    assert not report_file(portal, "2025").exists()
    run(portal, "2026-01-01 08:00")  # the first run of the new year seals the year just ended
    page = report_file(portal, "2025").read_text(encoding="utf-8")
    penalties = table(page, "2025年度行政处罚（按最重处罚类别）")
    assert penalties["吊销许可证件"] == ["1", "0.7"]  # counted once, fine + confiscation
    assert penalties["罚款"] == ["2", "0.4"]  # one withdrawn, one past its display period: both still count
    assert penalties["没收违法所得"] == ["0", "0"] and penalties["合计"] == ["3", "1.1"]
    assert table(page, "2025年度各类行政执法决定数量")["行政处罚"] == ["3"]
    assert table(page, "2025年度行政强制（按类别）")["合计"] == ["0"]  # a table of a type not collected yet
    assert WITHDRAWN[0] not in page and SHORT[0] not in page  # counts and sums only
    live = (portal.deploy.path / "current" / "penalties" / "index.html").read_text(encoding="utf-8")
    assert WITHDRAWN[0] not in live and SHORT[0] not in live  # gone from the lists all the same
    sealed_html, sealed_json = page, report_file(portal, "2025", "index.json").read_bytes()
    assert json.loads(sealed_json)["tables"]["penalties"]["amount_wan_yuan"] == "1.1"

    # Later: the heavy decision withdrawn, the other edited. The published report stays byte for byte.
    source(portal, row(HEAVY, status="撤销"), row(WITHDRAWN, status="撤销"), row(SHORT))
    later = run(portal, "2026-01-12 10:00")
    assert any(r[2] == "withdrawn" for r in later.records)
    assert report_file(portal, "2025").read_text(encoding="utf-8") == sealed_html
    assert report_file(portal, "2025", "index.json").read_bytes() == sealed_json
    assert [list(e.body.get("annual", {})) for e in ledger_of(portal).entries() if e.kind == "run"] == [
        [], [], ["2025"], []]  # sealed once, by the first run of 2026
    assert verify_ledger(portal) == []


def test_an_edit_never_counts_twice_and_a_decision_shown_after_sealing_is_listed_apart(portal):
    source(portal, row(HEAVY))
    run(portal, "2025-12-20 10:00")
    source(portal, row(HEAVY, facts="当事人滥伐杉木13株（更正）。"), row(LATE))
    edited = run(portal, "2026-01-05 10:00")  # the seal and the late decision in one run: it is in the seal
    assert {r[2] for r in edited.records} == {"changed", "added"}
    page = report_file(portal, "2025").read_text(encoding="utf-8")
    assert table(page, "2025年度行政处罚（按最重处罚类别）")["合计"] == ["2", "0.7"]
    assert "封存后补充公示" not in page
    late = ("示林罚决字〔2025〕第905号", "罚款", "0.05", "", "2025-12-31", "")
    source(portal, row(HEAVY, facts="当事人滥伐杉木13株（更正）。"), row(LATE), row(late))
    run(portal, "2026-01-08 10:00")
    page = report_file(portal, "2025").read_text(encoding="utf-8")
    assert table(page, "2025年度行政处罚（按最重处罚类别）")["合计"] == ["2", "0.7"]  # the sealed tables hold
    assert table(page, "封存后补充公示：行政处罚")["罚款"] == ["1", "0.05"]
    shown = (portal.deploy.path / "current" / "penalties" / "index.html").read_text(encoding="utf-8")
    assert late[0] in shown  # shown on the site as any decision


def test_staff_seal_a_year_by_hand_once_and_never_a_year_not_ended(portal):
    source(portal, row(HEAVY))
    run(portal, "2025-12-20 10:00")
    invoke = CliRunner().invoke
    base = ["--config", str(portal.path), "report", "--year"]
    early = invoke(cli, [*base, "2025", "--seal", "--now", "2025-12-31"])
    assert early.exit_code == 2 and "尚未结束" in early.output
    sealed = invoke(cli, [*base, "2025", "--seal", "--now", "2026-01-01", "--operator", "李科长"])
    assert sealed.exit_code == 0 and "已封存2025年度报告" in sealed.output
    again = invoke(cli, [*base, "2025", "--seal", "--now", "2026-01-02"])
    assert again.exit_code == 2 and "已经封存" in again.output
    shown = invoke(cli, [*base, "2025", "--now", "2026-01-02"])
    assert "行政处罚：1 件，罚没金额 0.7 万元" in shown.output and "吊销许可证件：1 件，0.7 万元" in shown.output
    run(portal, "2026-01-02 10:00")
    assert report_file(portal, "2025").exists()
    assert verify_ledger(portal) == []


def test_inspections_and_other_checks_share_the_inspection_table():
    def record(type_key: str, slug: str, **fields: str) -> PublishedRecord:
        return PublishedRecord(type_key, slug, slug, "2025-03-01", "2025-03-05", "live", tuple(fields.items()))

    tallies = [tally_of(record("inspections", "a")), tally_of(record("checks", "b", check_class="专项检查")),
               tally_of(record("checks", "c", check_class="专项检查")), tally_of(record("officers", "d"))]
    assert tallies[-1] is None  # not a decision of any table
    tables = tables_of([t for t in tallies if t])
    assert tables["checks"] == [["专项检查", 2, "0"], ["双随机抽查结果", 1, "0"]]
    assert tables["coercions"] == [] and tables["penalties"] == []


def test_a_run_reads_only_the_decisions_it_has_not_tallied_and_tallies_each_new_one_once(portal, monkeypatch):
    """Issue 18: a republish loads the pages the ledger has no tally for (a set difference over content/'s
    listing), not every page; a new decision is tallied by the run that first shows it, in file-name order."""
    import publisher.runs.annual as annual

    source(portal, row(HEAVY), row(SHORT))
    run(portal, "2025-06-20 10:00")
    read: list[str] = []
    real = annual.load_record
    monkeypatch.setattr(annual, "load_record", lambda path, type_key: read.append(path.name) or real(path, type_key))
    source(portal, row(HEAVY), row(SHORT), row(("示林罚决字〔2025〕第906号", "罚款", "0.2", "", "2025-06-05", "")),
           row(WITHDRAWN))
    second = run(portal, "2025-06-21 10:00")
    added = sorted(f"{r[1]}.md" for r in second.records if r[2] == "added")
    assert len(added) == 2 and sorted(read) == added  # the two new pages, none of the two tallied before
    tallied = [t for e in ledger_of(portal).entries() if e.kind == "run" for t in e.body["tallies"]]
    assert sorted(t[1] for t in tallied[2:]) == [name.removesuffix(".md") for name in added]
    assert len({t[1] for t in tallied}) == len(tallied) == 4
    read.clear()
    run(portal, "2025-06-22 10:00")
    assert read == []  # everything shown is tallied: no page read


def test_tallies_not_written_as_a_run_writes_them_are_read_one_by_one_as_before(portal):
    """The ledger's tallies come from each run's array in one decode; a body whose tallies are anything else
    (an edit, an old format) is read tally by tally as before, never silently taken for another list."""
    import sqlite3

    from publisher.runs.ledger import canonical

    source(portal, row(HEAVY), row(SHORT))
    run(portal, "2025-06-20 10:00")
    ledger = ledger_of(portal)
    whole = ledger.tallies()
    assert len(whole) == 2 and whole == ledger._tallies_one_by_one()
    with sqlite3.connect(ledger.path) as db:
        seq, body = db.execute("SELECT seq, body FROM entries WHERE kind = 'run'").fetchone()
        parsed = json.loads(body)
        parsed["tallies"] = {"b": parsed["tallies"][1], "a": parsed["tallies"][0]}  # an object: read by key
        db.execute("UPDATE entries SET body = ? WHERE seq = ?", (canonical(parsed), seq))
    assert ledger.tallies() == ledger._tallies_one_by_one() == whole
    with sqlite3.connect(ledger.path) as db:
        parsed["tallies"] = [whole[0][1], "x"]  # an element that is not a tally
        db.execute("UPDATE entries SET body = ? WHERE seq = ?", (canonical(parsed), seq))
    with pytest.raises(ValueError):
        ledger.tallies()  # as before: the one-by-one read cannot decode it
