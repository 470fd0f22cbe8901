"""信用修复: a granted application withdraws a penalty with that reason, everywhere it is recorded."""

from __future__ import annotations

import json
from pathlib import Path

from publisher.core.config import Config, load_config
from publisher.pull.plan_report import as_text
from publisher.pull.rules import Outcome
from publisher.runs.ledger import ledger_of
from publisher.runs.publication import publish
from publisher.runs.rollback import rollback
from tests.conftest import SAMPLE_NOW
from tests.factories import penalty
from tests.test_rules import decided, flags

# Decided 2026-01-10: a general penalty may be removed early from 2026-04-11, a serious one from 2027-01-11.
GENERAL = dict(decision_date="2026-01-10", fine="0.5")
REVOKED_LICENCE = dict(decision_date="2026-01-10", penalty_class="罚款；吊销许可证件", legal_review_result="通过",
                       license_action="林木采伐许可证 示林采字〔2025〕第8号")


def test_a_granted_repair_withdraws_with_the_reason_credit_repair(config):
    d = decided(config, penalty(**GENERAL, credit_repaired="2026-06-01"))
    assert d.outcome is Outcome.WITHDRAW
    assert d.deciding.category == "信用修复" and "2026-06-01" in d.deciding.reason


def test_a_repair_dated_after_today_waits_for_its_day(config):
    assert decided(config, penalty(**GENERAL, credit_repaired="2026-11-25")).outcome is Outcome.SHOW


def test_an_excluded_class_stays_shown_and_staff_are_told(config):
    d = decided(config, penalty(**REVOKED_LICENCE, credit_repaired="2026-06-01"))
    assert d.outcome is Outcome.SHOW
    assert "吊销许可证件" in flags(config, penalty(**REVOKED_LICENCE, credit_repaired="2026-06-01"))["repair_refused"]
    assert "不得申请提前停止公示" in flags(config, penalty(**REVOKED_LICENCE, credit_repaired="2026-06-01"))[
        "repair_refused"]


def test_a_repair_before_the_minimum_period_stays_shown_and_staff_are_told(config):
    d = decided(config, penalty(**GENERAL, credit_repaired="2026-04-10"))
    assert d.outcome is Outcome.SHOW
    said = flags(config, penalty(**GENERAL, credit_repaired="2026-04-10"))["repair_refused"]
    assert "最短公示期为3个月" in said and "最早 2026-04-11 方可申请" in said
    assert decided(config, penalty(**GENERAL, credit_repaired="2026-04-11")).outcome is Outcome.WITHDRAW


def test_a_serious_penalty_needs_a_year(config):
    serious = dict(GENERAL, penalty_class="罚款；责令关闭", legal_review_result="通过")
    assert decided(config, penalty(**serious, credit_repaired="2026-11-20")).outcome is Outcome.SHOW
    assert "严重失信行为的最短公示期为12个月" in flags(config, penalty(**serious, credit_repaired="2026-11-20"))[
        "repair_refused"]


def test_a_revoked_decision_is_withdrawn_as_revoked_even_when_repaired(config):
    d = decided(config, penalty(**GENERAL, credit_repaired="2026-06-01", status="撤销"))
    assert d.deciding.category == "撤销"


def test_the_check_report_names_the_refused_repair(runner):
    plan = runner.plan([penalty(**REVOKED_LICENCE, credit_repaired="2026-06-01")])
    report = as_text(plan)
    assert "提醒：信用修复不予提前撤下" in report and "不得申请提前停止公示" in report


def _write(config: Config, rows: list[dict]) -> None:
    (config.path.parent / "data" / "penalties.json").write_text(json.dumps(rows, ensure_ascii=False),
                                                               encoding="utf-8")


def test_repair_reaches_the_notice_and_the_ledger_and_survives_a_rollback(portal_dir: Path):
    config = load_config(portal_dir / "portal.toml")
    repaired = penalty(2, **GENERAL).values
    refused = penalty(3, **REVOKED_LICENCE).values
    _write(config, [repaired, refused])
    first = publish(config, SAMPLE_NOW, operator="张科员")
    slugs = {i.key: i.slug for i in first.plan.items}
    _write(config, [dict(repaired, credit_repaired="2026-06-01"), dict(refused, credit_repaired="2026-06-01")])
    second = publish(config, SAMPLE_NOW, operator="张科员")
    repaired_slug, refused_slug = slugs[repaired["decision_no"]], slugs[refused["decision_no"]]
    [change] = second.records
    assert change[:3] == ["penalties", repaired_slug, "withdrawn"] and "信用修复" in change[4]
    history = ledger_of(config).record_history("penalties", repaired_slug)
    assert [h["action"] for h in history] == ["added", "withdrawn"] and "信用修复" in history[-1]["reason"]
    assert [f.kind for f in second.plan.flags] == ["repair_refused"]
    site = config.deploy.path / "current"
    notice = (site / "penalties" / repaired_slug / "index.html").read_text(encoding="utf-8")
    assert "撤回原因类别：<strong>信用修复</strong>" in notice and repaired["decision_no"] not in notice
    assert refused["decision_no"] in (site / "penalties" / refused_slug / "index.html").read_text(encoding="utf-8")
    rollback(config, None, operator="李科长")
    notice = (site / "penalties" / repaired_slug / "index.html").read_text(encoding="utf-8")
    assert "撤回原因类别：<strong>信用修复</strong>" in notice and repaired["decision_no"] not in notice
