"""Decision pages (处罚, 许可, 抽查) as a party reads them: heading, amounts, 索引号, credit repair, rights."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from publisher.core.config import load_config
from publisher.site.build import build_site
from tests.conftest import SAMPLE_NOW, Runner
from tests.factories import inspection, penalty, permit

# Decided 2026-01-10: a general penalty may ask for early removal from 2026-04-11, a serious one from 2027-01-11.
CASES = {
    "general": penalty(2, decision_date="2026-01-10", fine="67.0895", legal_review_result="通过"),
    "serious": penalty(3, decision_date="2026-01-10", penalty_class="罚款；责令关闭", legal_review_result="通过"),
    "excluded": penalty(4, decision_date="2026-01-10", penalty_class="罚款；吊销许可证件", legal_review_result="通过",
                        license_action="林木采伐许可证 示林采字〔2025〕第8号"),
    "objected": penalty(5, status="异议", fine="0.2"),
    "permit": permit(6),
    "inspection": inspection(7),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The pages of CASES, built from a portal whose rights and footer are configured in portal.toml."""
    root = tmp_path_factory.mktemp("decisions")
    (root / "data").mkdir()
    toml = (Path(__file__).resolve().parent.parent / "portal.toml").read_text(encoding="utf-8")
    policy = toml.split("\n[policy]\n", 1)[1].replace("示例县人民政府", "某某市人民政府").replace(
        'court = "示例县人民法院"', 'court = "某某区人民法院"').replace("review_days = 60", "review_days = 61")
    (root / "portal.toml").write_text(
        '[site]\nurl = "https://lyj.example.gov.cn"\n[footer]\nsite_code = "9900000001"\n'
        'contact = "0999-1234567；0999-7654321"\n[paths]\ncontent = "content"\noutput = "output"\n'
        '[[sources]]\nkind = "files"\npath = "data"\n[policy]\n' + policy.replace(
            'objection_phone = "0999-1234567"', 'objection_phone = ""'), encoding="utf-8")
    config = load_config(root / "portal.toml")
    plan = Runner(config).pull(list(CASES.values()))
    slugs = {i.key: i.slug for i in plan.items if i.action.value == "add"}
    assert len(slugs) == len(CASES), [(i.key, i.reason) for i in plan.items]
    build_site(config, SAMPLE_NOW)
    pages = {}
    for name, raw in CASES.items():
        key = raw.values.get("decision_no") or raw.values["id"]
        slug = next(s for k, s in slugs.items() if k in (key, key.lower()))
        pages[name] = (config.paths.output / raw.type / slug / "index.html").read_text(encoding="utf-8")
    return pages


def text_of(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def section(html: str, heading_id: str) -> str:
    return text_of(html, rf'<section class="rights" aria-labelledby="{heading_id}">(.*?)</section>')


def test_the_heading_names_the_party_and_the_decision_with_the_number_beneath(site):
    h1 = text_of(site["general"], r"<h1>(.*?)</h1>")
    assert h1 == "示例县青山样板木业有限公司 行政处罚决定"
    assert text_of(site["general"], r'<p class="record-subtitle">(.*?)</p>') == "示林罚决字〔2026〕第2号"
    assert text_of(site["permit"], r"<h1>(.*?)</h1>").endswith(" 行政许可决定")
    assert "〔" not in text_of(site["permit"], r"<h1>(.*?)</h1>")


def test_amounts_are_in_yuan_with_separators_beside_the_wan(site):
    assert "<td>670,895 元（67.0895 万元）</td>" in site["general"]
    assert "<td>2,000 元（0.2 万元）</td>" in site["objected"]
    assert '<th scope="row">罚款金额</th>' in site["general"]


def test_the_index_number_is_code_year_number_with_no_letters(site):
    numbers = {name: text_of(page, r"<dt>索引号</dt><dd>(.*?)</dd>") for name, page in site.items()}
    for name, number in numbers.items():
        assert re.fullmatch(r"9900000001/\d{4}-\d{15}", number), (name, number)
        assert not re.search(r"[A-Za-z]", number)
    assert numbers["general"].startswith("9900000001/2026-")
    assert len(set(numbers.values())) == len(numbers)


def test_credit_repair_for_a_general_a_serious_and_an_excluded_penalty(site):
    general, serious, excluded = (section(site[k], "credit-repair") for k in ("general", "serious", "excluded"))
    assert "一般失信行为（最短公示期3个月）" in general and "最早可于 2026-04-11 起申请信用修复" in general
    assert "公示截止期2029-01-10" in general.replace("：", "").replace("\n", "").replace(" ", "")
    assert "https://www.creditchina.gov.cn/" in site["general"]
    assert "严重失信行为（最短公示期12个月）" in serious and "最早可于 2027-01-11 起申请信用修复" in serious
    assert "不得申请提前停止公示" in excluded and "最早可于" not in excluded
    assert "<dt>公示截止期</dt><dd>2029-01-10</dd>" in site["general"]  # in the info block too
    for name in ("permit", "inspection"):
        assert 'id="credit-repair"' not in site[name]


def test_remedies_name_the_configured_bodies_on_penalties_and_permits(site):
    for name in ("general", "permit"):
        said = section(site[name], "remedies")
        assert "自知道该决定之日起61日内，向某某市人民政府申请行政复议" in said
        assert "自知道该决定之日起6个月内，向某某区人民法院提起行政诉讼" in said
    assert 'id="remedies"' not in site["inspection"]


def test_every_decision_page_says_how_to_object_with_phone_links(site):
    for name, page in site.items():
        said = section(page, "objection")
        assert "对公示信息有异议的" in said, name
        assert all(f'href="tel:{n.replace("-", "")}">{n}</a>' in page for n in ("0999-1234567", "0999-7654321")), name


def test_the_objection_mark_is_shown_in_words_only_under_objection(site):
    assert "异议处理中" in text_of(site["objected"], r'<p class="status-mark"[^>]*>(.*?)</p>')
    assert site["objected"].index("异议处理中") < site["objected"].index('class="fields"')
    for name in ("general", "serious", "excluded", "permit", "inspection"):
        assert "异议处理中" not in site[name], name
