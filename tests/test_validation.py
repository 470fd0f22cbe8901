"""Rule 1, Valid: a bad row is rejected with field and reason; the check characters hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from publisher.core.checkcodes import credit_code_problem, id_number_problem
from publisher.pull.rows import Problem, Record
from publisher.pull.validation import parse_row, reject_duplicates
from tests.factories import officer, penalty, permit, person_penalty

TODAY = date(2026, 11, 24)


def problems(raw) -> dict[str, str]:
    parsed = parse_row(raw, TODAY)
    assert not isinstance(parsed, Record), "expected the row to be rejected"
    return {p.field: p.message for p in parsed}


def parsed(raw) -> Record:
    result = parse_row(raw, TODAY)
    assert isinstance(result, Record), result
    return result


@pytest.mark.parametrize("code", ["91350100M000100Y43", "11230500001755309F"])
def test_valid_credit_codes_pass(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize("code,why", [
    ("91350100M000100Y44", "末位应为 3"),
    ("91350100M000100Y4", "18位"),
    ("91350100M0001O0Y43", "不允许的字符 O"),
])
def test_bad_credit_codes_say_why(code, why):
    assert why in credit_code_problem(code)


@pytest.mark.parametrize("number", ["11010519491231002X", "34052419800101001X"])
def test_valid_id_numbers_pass(number):
    assert id_number_problem(number) is None


@pytest.mark.parametrize("number,why", [
    ("110105194912310021", "末位应为 X"),
    ("110105194902300027", "不是真实日期"),
    ("11010519491231002", "18位"),
])
def test_bad_id_numbers_say_why(number, why):
    assert why in id_number_problem(number)


def test_a_valid_row_becomes_a_typed_record():
    record = parsed(penalty(fine="0.500000", penalty_class="罚款；没收违法所得"))
    assert record.values["fine"] == Decimal("0.5")
    assert record.values["decision_date"] == date(2026, 11, 10)
    assert record.values["penalty_class"] == ["罚款", "没收违法所得"]
    assert record.key == "示林罚决字〔2026〕第2号"
    assert record.slug.isascii() and len(record.slug) == 12


@pytest.mark.parametrize("text", ["2026-11-10", "2026/11/10", "2026年11月10日", "2026-11-10 00:00:00"])
def test_dates_in_the_accepted_forms(text):
    assert parsed(penalty(decision_date=text)).values["decision_date"] == date(2026, 11, 10)


@pytest.mark.parametrize("text", ["2026-02-30", "上周五", "10/11/2026"])
def test_a_date_that_is_not_real_is_rejected(text):
    assert "不是有效日期" in problems(penalty(decision_date=text))["decision_date"]


def test_a_decision_dated_in_the_future_is_rejected():
    assert "晚于今天" in problems(penalty(decision_date="2026-12-01"))["decision_date"]


def test_codes_are_read_as_the_words_they_stand_for():
    assert parsed(penalty(status="1")).values["status"] == "撤销"
    assert parsed(permit(permit_class="04", status="1")).values["permit_class"] == "核准"


def test_an_unknown_code_list_value_is_rejected_with_the_choices():
    found = problems(penalty(penalty_class="罚款；打板子"))
    assert "打板子" in found["penalty_class"] and "警告" in found["penalty_class"]


@pytest.mark.parametrize("fine,why", [("五千", "不是金额"), ("-1", "有效金额"), ("0.1234567", "6位")])
def test_bad_money_is_rejected(fine, why):
    assert why in problems(penalty(fine=fine))["fine"]


def test_every_missing_required_field_is_reported_at_once():
    found = problems(penalty(facts="", basis=" ", decision_no=""))
    assert set(found) == {"facts", "basis", "decision_no"}
    assert "违法事实" in found["facts"]


def test_a_bad_credit_code_is_rejected_with_the_field():
    assert "校验码错误" in problems(penalty(credit_code="91350100M000100Y44"))["credit_code"]


def test_an_organisation_needs_a_credit_code_and_a_person_an_id_number():
    assert "必填" in problems(penalty(credit_code=""))["credit_code"]
    assert "必填" in problems(person_penalty(id_number=""))["id_number"]


def test_a_natural_persons_id_number_must_pass_its_check_digit():
    assert "校验码错误" in problems(person_penalty(id_number="110105194912310021"))["id_number"]
    assert parsed(person_penalty(id_type="护照", id_number="E12345678")).values["id_number"] == "E12345678"


def test_a_fine_class_needs_a_fine_amount():
    assert "罚款金额" in problems(penalty(fine=""))["fine"]


def test_a_validity_that_ends_before_it_starts_is_rejected():
    assert "早于" in problems(officer(valid_from="2029-01-01", valid_to="2024-01-01"))["valid_to"]


def test_duplicate_natural_keys_reject_every_copy_and_name_the_other_rows():
    rows = [parsed(penalty(row=2)), parsed(penalty(row=3, decision_no="示林罚决字〔2026〕第2号")),
            parsed(penalty(row=4))]
    unique, rejected = reject_duplicates(rows)
    assert [r.origin.row for r in unique] == [4]
    messages = {r.origin.row: p.message for r, p in rejected}
    assert "第3行" in messages[2] and "第2行" in messages[3]
    assert all(isinstance(p, Problem) and p.rule == "unique" for _, p in rejected)


def test_full_width_forms_of_a_key_are_the_same_key():
    a = parsed(penalty(decision_no="示林罚决字〔2026〕第１２号"))
    b = parsed(penalty(decision_no="示林罚决字〔2026〕第12号 "))
    assert a.key == b.key and a.slug == b.slug


def test_a_slug_comes_from_an_ascii_id_column_when_there_is_one():
    assert parsed(penalty(id="CF 2026_0012")).slug == "cf-2026-0012"
    assert parsed(penalty(id="处罚12")).slug == parsed(penalty()).slug


def test_an_iso_day_reads_as_strptime_reads_it_valid_or_not():
    from datetime import datetime

    from publisher.pull.validation import FieldError, parse_date

    for year in (1900, 2024, 2026, 2100):
        for month in range(0, 14):
            for day in range(0, 33):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    expected = datetime.strptime(text, "%Y-%m-%d").date()
                except ValueError:
                    with pytest.raises(FieldError):
                        parse_date(text)
                else:
                    assert parse_date(text) == expected
