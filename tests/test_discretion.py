"""裁量基准 in public: the configured ranges on their own page, and on each penalty page where its fine sits."""

from __future__ import annotations

import html
import re

import pytest

from publisher.core.config import load_config
from publisher.site.build import build_site
from tests.conftest import SAMPLE_NOW, Runner
from tests.factories import penalty


def words(page: str) -> str:
    """The discretion section as a reader hears it: text only."""
    section = re.search(r'<section class="discretion".*?</section>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>|\s+", "", section[0])) if section else ""


def test_the_page_lists_each_range_with_its_basis_and_factors(sample_site):
    page = html.unescape(sample_site.page("/about/discretion/"))
    ranges = sample_site.config.policy.discretion
    assert len(ranges) >= 10
    items = re.findall(r'<li id="range-(\d+)">(.*?)</li>\s*(?=<li id="range-|</ol>)', page, re.S)
    assert [int(n) for n, _ in items] == list(range(1, len(ranges) + 1))
    for r, (_, item) in zip(ranges, items, strict=True):
        assert f"{r.violation_type}" in item and f"{r.minimum}–{r.maximum} 万元" in item
        assert r.basis and r.basis in item
        assert r.aggravating and all(f"<li>{f}</li>" in item for f in r.aggravating)
        assert r.mitigating and all(f"<li>{f}</li>" in item for f in r.mitigating)
    assert "（自然人）" in page and "（法人及非法人组织）" in page  # a range per party type says whom it binds
    assert 'href="/about/discretion/"' in sample_site.page("/about/")


SEEDS = "无证生产经营林草种子"  # 0.3–3 万元, the sixth configured range


@pytest.mark.parametrize(("fine", "said", "order"), [
    ("0.1", f"本案罚款0.1万元，低于裁量幅度（“{SEEDS}”：0.3–3万元）", ["本案罚款", "裁量下限", "裁量上限"]),
    ("1", f"本案罚款1万元，在裁量幅度内（“{SEEDS}”：0.3–3万元）", ["裁量下限", "本案罚款", "裁量上限"]),
    ("5", f"本案罚款5万元，高于裁量幅度（“{SEEDS}”：0.3–3万元）", ["裁量下限", "裁量上限", "本案罚款"]),
])
def test_a_penalty_page_says_where_its_fine_sits_in_the_range(config, fine, said, order):
    Runner(config).pull([penalty(fine=fine, violation_type=SEEDS)])
    build_site(config, SAMPLE_NOW)
    page = next((config.paths.output / "penalties").glob("*/index.html")).read_text(encoding="utf-8")
    text = words(page)
    assert said in text
    assert re.findall(r"<dt>(.*?)</dt>", page.split('class="discretion-numbers"')[1].split("</dl>")[0]) == order
    assert 'aria-hidden="true"' in page.split('class="discretion-bar"')[1][:200]  # the words carry the meaning
    assert 'href="/about/discretion/#range-6"' in page


def test_a_penalty_without_a_configured_range_or_fine_shows_no_bar(config):
    Runner(config).pull([penalty(row=2, violation_type="未列入基准的违法行为"),
                         penalty(row=3, fine="", penalty_class="通报批评", content="通报批评")])
    build_site(config, SAMPLE_NOW)
    for path in (config.paths.output / "penalties").glob("*/index.html"):
        assert 'class="discretion"' not in path.read_text(encoding="utf-8")


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_configured_text_is_escaped_on_both_pages(portal_dir):
    toml = portal_dir / "portal.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f"""
[[policy.discretion]]
violation_type = '滥伐林木{HOSTILE}'
min = 0.1
max = 1
basis = '依据{HOSTILE}'
aggravating = ['从重{HOSTILE}']
mitigating = ['从轻{HOSTILE}']
""", encoding="utf-8")  # literal strings: the hostile text holds double quotes
    config = load_config(toml)
    Runner(config).pull([penalty(violation_type=f"滥伐林木{HOSTILE}", fine="2")])
    build_site(config, SAMPLE_NOW)
    record = next((config.paths.output / "penalties").glob("*/index.html")).read_text(encoding="utf-8")
    about = (config.paths.output / "about" / "discretion" / "index.html").read_text(encoding="utf-8")
    for page in (record, about):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "高于裁量幅度" in words(record)
    assert about.count("&lt;img src=x onerror=alert(2)&gt;") == 4
