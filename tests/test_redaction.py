"""Rule 7, Masked: a natural person's ID, phone, address and account never reach content/."""

from __future__ import annotations

import pytest

from publisher.core.config import load_config
from publisher.core.content import read_fields, read_metadata
from publisher.pull.redaction import mask_id_number, mask_name, redact, scrub_text
from publisher.pull.validation import parse_row
from tests.conftest import SAMPLE_NOW, Runner
from tests.factories import officer, penalty, person_penalty


def test_a_name_keeps_only_the_surname():
    assert mask_name("张某甲", "surname") == "张**"
    assert mask_name("欧阳样例", "surname") == "欧阳**"
    assert mask_name("张某甲", "hidden") == "***"


def test_an_id_number_keeps_its_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_free_text_loses_phone_numbers_accounts_and_id_numbers():
    text = "当事人（身份证11010519491231002X，手机139 1234 5678，座机0571-88886666，账号6222020200112233445）"
    scrubbed = scrub_text(text)
    for secret in ("19491231", "1234 5678", "88886666", "6222020200112233445"):
        assert secret not in scrubbed
    assert "110105********002X" in scrubbed


def test_a_natural_persons_penalty_is_masked_everywhere():
    record = parse_row(person_penalty(facts="张某甲于2026年10月在自家责任山滥伐杉木，电话13912345678。"),
                       SAMPLE_NOW.date())
    shown = redact("penalties", record.values, "surname")
    assert shown["party_name"] == "张**"
    assert shown["id_number"] == "110105********002X"
    assert "张某甲" not in shown["facts"] and "张**于2026年" in shown["facts"]
    assert "13912345678" not in shown["facts"]


def test_an_organisations_name_and_representative_are_public():
    record = parse_row(penalty(), SAMPLE_NOW.date())
    shown = redact("penalties", record.values, "surname")
    assert shown["party_name"] == "示例县青山样板木业有限公司" and shown["legal_rep"] == "王样例"


def test_officers_are_public_by_law():
    record = parse_row(officer(), SAMPLE_NOW.date())
    assert redact("officers", record.values, "surname")["name"] == "赵样例"


@pytest.mark.parametrize("name_mask,shown", [("surname", "欧阳**"), ("hidden", "****"), ("none", "欧阳样例")])
def test_each_name_mask_reaches_content_as_documented(portal_dir, name_mask, shown):
    path = portal_dir / "portal.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name_mask = "surname"', f'name_mask = "{name_mask}"'),
                    encoding="utf-8")
    runner = Runner(load_config(path))
    [item] = runner.pull([person_penalty(party_name="欧阳样例", facts="欧阳样例于2026年10月滥伐杉木。")]).items
    page = runner.page("penalties", item.slug)
    fields = dict(read_fields(read_metadata(runner.config.paths.content / "penalties" / f"{item.slug}.md")))
    assert fields["party_name"] == shown and f"{shown}于2026年10月" in fields["facts"]
    assert ("欧阳样例" in page) == (name_mask == "none")


def test_the_run_report_counts_what_was_masked_by_kind_per_record(tmp_path):
    from publisher.pull.plan_report import as_json, as_text
    from publisher.runs.publication import publish
    from tests.conftest import make_sample_portal

    config = make_sample_portal(tmp_path)  # with the planted natural person of tests/leaks.py
    result = publish(config, SAMPLE_NOW)
    report = as_json(result.plan)
    person = next(i for i in report["items"] if i["key"] == "示林罚决字〔2026〕第999号")
    assert person["masked"] == {"address": 1, "bank_card": 1, "id_number": 2, "name": 2, "phone": 1}
    assert report["masked_kinds"]["id_number"] >= 27
    text = as_text(result.plan)
    assert "示林罚决字〔2026〕第999号" in text and "电话号码 1" in text and "银行账号 1" in text
    html = result.reports["html"].read_text(encoding="utf-8")
    assert "脱敏：本次写入的记录中被遮蔽的个人信息" in html
    assert "住址 1，银行账号 1，证件号码 2，姓名 2，电话号码 1" in html


def test_a_natural_persons_plate_and_dwelling_are_removed_but_the_agencys_numbers_stay():
    record = parse_row(person_penalty(
        facts="当事人驾驶黑A·12345货车运输木材，其居所为示例县青山镇人民路12号3栋2单元501室；"
              "在某某村3组山场滥伐。咨询电话0999-1234567，监督电话0999-12345。"), SAMPLE_NOW.date())
    shown = redact("penalties", record.values, "surname", public_numbers=("0999-1234567", "0999-12345"))
    facts = shown["facts"]
    assert "12345货车" not in facts and "黑A" not in facts
    assert "人民路12号" not in facts and "501室" not in facts
    assert "某某村3组山场" in facts  # where the trees were felled is public
    assert "0999-1234567" in facts and "0999-12345" in facts


def test_an_organisations_record_keeps_its_registered_address_but_loses_a_witness_name_and_phone():
    record = parse_row(penalty(facts="住所：示例县青山镇工业路8号。证人郑某某（电话13912345678）证实。"),
                       SAMPLE_NOW.date())
    facts = redact("penalties", record.values, "surname")["facts"]
    assert "工业路8号" in facts and "郑**" in facts and "13912345678" not in facts


def test_another_persons_name_with_a_compound_surname_is_masked_whole():
    for text, shown in [("证人欧阳霏铖证实", "证人欧阳**证实"), ("同案人欧阳霏、吴某某滥伐", "同案人欧阳*、吴**滥伐"),
                        ("其子孙某某称", "其子孙**称"), ("证人郑某某证实", "证人郑**证实")]:
        assert scrub_text(text) == shown
