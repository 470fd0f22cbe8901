"""Party profiles gathered from published records: who gets one, what counts, in which order."""

from __future__ import annotations

from publisher.core.content import PublishedRecord
from publisher.site.parties import collect_parties, party_code
from tests.factories import credit_code

FIRM = credit_code("91990101MA0000001")
SHOP = credit_code("92990101MA0000002")


def record(type_key: str, slug: str, day: str, state: str = "live", **values: str) -> PublishedRecord:
    return PublishedRecord(type=type_key, slug=slug, title=slug, date=day, published=day, state=state,
                           fields=tuple(values.items()))


def test_an_organisation_gathers_its_live_records_of_every_type_newest_first():
    published = {
        "penalties": [record("penalties", "p1", "2026-03-01", party_name="新名木业有限公司",
                             party_type="法人及非法人组织", credit_code=FIRM.lower()),
                      record("penalties", "p2", "2026-05-01", state="withdrawn", party_name="新名木业有限公司",
                             party_type="法人及非法人组织", credit_code=FIRM)],
        "permits": [record("permits", "q1", "2025-01-01", party_name="旧名木材厂",
                           party_type="法人及非法人组织", credit_code=FIRM)],
        "inspections": [record("inspections", "i1", "2026-04-01", target_name="新名木业有限公司",
                               credit_code=FIRM)],
    }
    [party] = collect_parties(published).values()
    assert party.credit_code == FIRM and party.url == f"/parties/{FIRM}/"
    assert [r.slug for r in party.records] == ["i1", "p1", "q1"]
    assert party.names == ("新名木业有限公司", "旧名木材厂")
    assert party.counts == {"penalties": 1, "permits": 1, "inspections": 1}
    assert party.party_type == "法人及非法人组织"


def test_a_natural_person_or_an_invalid_code_never_belongs_to_a_profile():
    person = record("penalties", "x", "2026-01-01", party_name="张某某", party_type="自然人", credit_code=FIRM)
    bad = record("penalties", "y", "2026-01-01", party_name="某公司", party_type="法人及非法人组织",
                 credit_code=FIRM[:-1] + ("0" if FIRM[-1] != "0" else "1"))
    shop = record("permits", "z", "2026-01-01", party_name="某某小店", party_type="个体工商户", credit_code=SHOP)
    assert party_code(person) is None and party_code(bad) is None and party_code(shop) == SHOP
    parties = collect_parties({"penalties": [person, bad], "permits": [shop]})
    assert list(parties) == [SHOP] and parties[SHOP].party_type == "个体工商户"


def test_a_profile_disappears_when_its_last_record_is_withdrawn():
    live = record("permits", "z", "2026-01-01", party_name="某某小店", party_type="个体工商户", credit_code=SHOP)
    gone = record("permits", "z", "2026-01-01", state="withdrawn", party_name="某某小店",
                  party_type="个体工商户", credit_code=SHOP)
    assert SHOP in collect_parties({"permits": [live]})
    assert collect_parties({"permits": [gone]}) == {}
