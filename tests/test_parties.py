"""Party profiles gathered from published records: who gets one, what counts, in which order."""

from __future__ import annotations

import json
import re
from pathlib import Path

from publisher.core.content import PublishedRecord, load_published
from publisher.site.build import build_site
from publisher.site.parties import collect_parties, party_code
from publisher.site.party_index import check_lines, fnv1a, normalise_key, read_output
from tests import factories
from tests.conftest import SAMPLE_NOW
from tests.factories import COMPANY_CODE, credit_code

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
    assert {t: n for t, n in party.counts.items() if n} == {"penalties": 1, "permits": 1, "inspections": 1}
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


# ---- the built site ------------------------------------------------------------------------------------------

NEW_NAME, OLD_NAME = "示例县青山样板木业有限公司", "示例县青山样板木材厂"
PERSON_CODE = credit_code("91990101MA00000P9")  # a valid code typed on a natural person's record


REVIEWED = {"major": "是", "legal_review_result": "通过", "legal_review_by": "陈示范",
            "legal_review_date": "2025-05-28"}


def test_party_facts_kept_by_record_digest_give_the_same_profiles_and_a_damaged_cache_is_ignored(tmp_path):
    from dataclasses import replace

    from publisher.site.parties import cached_parties

    def rec(slug: str, digest: str, **values: str) -> PublishedRecord:
        return replace(record("permits", slug, "2026-01-0" + slug[-1], **values), digest=digest)

    shop = dict(party_name="某某小店", party_type="个体工商户", credit_code=SHOP)
    published = {"permits": [rec("z1", "d1", **shop), rec("z2", "d2", **{**shop, "party_name": "某某商店"}),
                             rec("z3", "d3", party_name="张某某", party_type="自然人", credit_code=FIRM)]}
    fresh = collect_parties(published)
    folder = tmp_path / "parties"
    assert cached_parties(published, folder, "salt" * 8) == fresh
    [kept] = folder.glob("facts-*.json")
    assert sorted(json.loads(kept.read_bytes())) == ["d1", "d2", "d3"]
    assert cached_parties(published, folder, "salt" * 8) == fresh  # read back: the same profiles
    # A record changed is a new digest: its facts are found again, and the old digest's are dropped.
    published["permits"][2] = rec("z3", "d4", party_name="某某木业有限公司", party_type="法人及非法人组织",
                                  credit_code=FIRM)
    again = cached_parties(published, folder, "salt" * 8)
    assert again == collect_parties(published) and sorted(again) == sorted([SHOP, FIRM])
    assert sorted(json.loads(kept.read_bytes())) == ["d1", "d2", "d4"]
    kept.write_bytes(b"{not json")
    assert cached_parties(published, folder, "salt" * 8) == again
    assert cached_parties(published, folder, "other" * 8) == again  # another code's facts are not read
    assert [p.name for p in folder.glob("facts-*.json")] == [f"facts-{('other' * 8)[:16]}.json"]


def party_rows() -> list:
    firm = {"party_name": NEW_NAME, "credit_code": COMPANY_CODE}
    return [
        factories.penalty(2, decision_date="2026-11-10", **firm),
        factories.penalty(3, decision_date="2026-09-01", status="异议", **firm),
        factories.penalty(4, decision_date="2025-06-02", party_name=OLD_NAME, credit_code=COMPANY_CODE,
                          penalty_class="罚款；吊销许可证件", content="吊销林木采伐许可证，并处罚款0.5万元",
                          **REVIEWED),
        factories.permit(5, decision_date="2026-10-12", valid_from="2026-10-12", **firm),
        factories.inspection(6, inspection_date="2026-11-03", target_name=NEW_NAME),
        factories.person_penalty(7, credit_code=PERSON_CODE, party_name="钱某某"),
        factories.permit(8, party_name="示例县周样本竹木经营部", party_type="个体工商户", credit_code=SHOP),
    ]


def built(runner, rows: list) -> Path:
    runner.pull(rows)
    build_site(runner.config, SAMPLE_NOW)
    return runner.config.paths.output


def profile(output: Path, code: str) -> tuple[str, dict]:
    folder = output / "parties" / code
    return (folder / "index.html").read_text(encoding="utf-8"), json.loads((folder / "index.json").read_text("utf-8"))


def test_a_profile_shows_every_live_record_of_the_organisation_newest_first_with_counts(runner):
    output = built(runner, party_rows())
    html, twin = profile(output, COMPANY_CODE)
    assert twin["names"] == [NEW_NAME, OLD_NAME] and twin["party_type"] == "法人及非法人组织"
    assert {t: n for t, n in twin["counts"].items() if n} == {"permits": 1, "penalties": 3, "inspections": 1}
    penalties = twin["records"]["penalties"]
    assert [p["fields"]["decision_no"] for p in penalties] == [f"示林罚决字〔2026〕第{n}号" for n in (2, 3, 4)]
    assert penalties[1]["disputed"] and penalties[1]["status"] == "异议"
    assert penalties[0]["display_end"] and penalties[0]["earliest_repair"] and penalties[0]["repair_allowed"]
    assert penalties[2]["repair_allowed"] is False and penalties[2]["earliest_repair"] == ""
    assert "<h1>" + NEW_NAME + "</h1>" in html and "曾用名" in html and OLD_NAME in html
    assert html.index("第2号") < html.index("第3号") < html.index("第4号")
    assert html.count("异议处理中") == 1 and "不得申请提前停止公示" in html
    assert f"自 {penalties[0]['earliest_repair']} 起可申请" in html and "公示截止" in html
    assert runner.config.policy.credit_repair.route in html
    assert '<span class="party-count">3</span> 条行政处罚' in html
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert f"/parties/{COMPANY_CODE}/</loc>" in sitemap and f"/parties/{SHOP}/</loc>" in sitemap
    shop_html, shop = profile(output, SHOP)
    assert shop["party_type"] == "个体工商户" and shop["counts"]["permits"] == 1


def test_a_natural_person_gets_no_profile_and_is_in_no_party_index_even_with_a_credit_code(runner):
    output = built(runner, party_rows())
    assert not (output / "parties" / PERSON_CODE).exists()
    for path in (output / "parties").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PERSON_CODE.encode() not in data and "钱".encode() not in data, path
    for path in output.rglob("*"):
        if path.is_file():
            assert f"/parties/{PERSON_CODE}".encode() not in path.read_bytes(), path
    answers = check_lines([PERSON_CODE, "钱某某", "钱**"], read_output(output))
    assert [a["found"] for a in answers] == [False, False, False]


def test_withdrawing_records_shrinks_the_profile_and_the_last_one_removes_it(runner):
    rows = party_rows()
    output = built(runner, rows)
    assert (output / "parties" / SHOP / "index.html").exists()
    shop_revoked = factories.permit(8, party_name="示例县周样本竹木经营部", party_type="个体工商户",
                                    credit_code=SHOP, status="无效")
    revoked = factories.penalty(2, decision_date="2026-11-10", party_name=NEW_NAME, status="撤销")
    output = built(runner, [revoked, *rows[1:6], shop_revoked])
    _, twin = profile(output, COMPANY_CODE)
    assert twin["counts"]["penalties"] == 2
    assert "示林罚决字〔2026〕第2号" not in (output / "parties" / COMPANY_CODE / "index.html").read_text("utf-8")
    assert not (output / "parties" / SHOP).exists()
    assert f"/parties/{SHOP}/" not in (output / "sitemap.xml").read_text(encoding="utf-8")
    assert [a["found"] for a in check_lines([SHOP, NEW_NAME], read_output(output))] == [False, True]


def test_party_names_and_codes_link_to_the_profile_from_a_decision_page_and_a_list(runner):
    output = built(runner, party_rows())
    published = load_published(runner.config.paths.content)
    [firm_penalty] = [r for r in published["penalties"] if r.value("decision_no") == "示林罚决字〔2026〕第2号"]
    [person] = [r for r in published["penalties"] if r.value("decision_no") == "示林罚决字〔2026〕第7号"]
    page = (output / firm_penalty.url.strip("/") / "index.html").read_text(encoding="utf-8")
    link = f'<a href="/parties/{COMPANY_CODE}/">'
    assert f"{link}{NEW_NAME}</a>" in page and f"{link}{COMPANY_CODE}</a>" in page
    listing = (output / "penalties" / "index.html").read_text(encoding="utf-8")
    assert f"{link}{NEW_NAME}</a>" in listing
    person_page = (output / person.url.strip("/") / "index.html").read_text(encoding="utf-8")
    assert 'href="/parties/' not in person_page


def test_the_bulk_check_index_answers_names_and_codes_however_they_are_typed(runner):
    output = built(runner, party_rows())
    lines = [COMPANY_CODE.lower(), " 示例县青山样板木业有限公司 ", OLD_NAME, "示例县周样本竹木经营部", "不存在的公司",
             "示例县青山样板木业（有限公司）"]
    answers = check_lines(lines, read_output(output))
    assert [a["found"] for a in answers] == [True, True, True, True, False, False]
    first = answers[0]["parties"][0]
    assert (first["credit_code"], first["name"], first["penalties"], first["permits"]) == (COMPANY_CODE, NEW_NAME, 3, 1)
    assert answers[3]["parties"][0]["url"] == f"/parties/{SHOP}/"
    index = json.loads((output / "parties" / "check" / "index.json").read_text(encoding="utf-8"))
    assert index["parties"] == 2 and index["shards"] >= 1 and "versions" not in index
    page = (output / "parties" / "check" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"/theme/js/parties-check\.[0-9a-f]+\.js", page) and "站内搜索" in page and "<script>" not in page


def test_brackets_and_full_width_characters_are_normalised_like_the_browser():
    assert normalise_key("示例县（青山）木业 有限公司") == normalise_key("示例县(青山)木业有限公司")
    assert normalise_key("示例县【青山】木业") == "示例县(青山)木业"
    assert normalise_key("９１３５０１００ｍ000100y43") == "91350100M000100Y43"
    assert fnv1a("") == 0x811C9DC5 and fnv1a("a") == 0xE40C292C
