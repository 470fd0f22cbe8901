"""Party profiles and the bulk check (批量比对) in Debian's headless Chromium, and /api/parties of `portal serve`."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from publisher.site.party_index import check_lines, fnv1a, normalise_key, read_output
from tests.test_browser import browser, looks_clean, open_page, site_url  # noqa: F401 (fixtures)

SHOTS = Path("/tmp/shots-parties")
RENAMED = "91990101MA7D2K3L1A"  # the sample's renamed company: permits, penalties (one under 异议), inspections
SHOP = "92990101MA8E4F5G2W"
LINES = [RENAMED.lower(), "示例县森茂样板木材加工厂", "示例县周模拟竹木经营部", "示例县联创　示范林业科技 有限公司",
         "示例县不存在的公司"]


@pytest.mark.parametrize("width", (375, 1280))
def test_a_profile_renders_cleanly_and_passes_axe(browser, site_url, width):  # noqa: F811
    page, problems = open_page(browser, f"{site_url}/parties/{RENAMED}/", width)
    expect(page.locator("h1")).to_have_text("示例县森茂样板木业有限公司")
    expect(page.locator(".tag-disputed")).to_have_text("异议处理中")
    expect(page.locator("#penalties")).to_have_text("行政处罚（2 条）")
    looks_clean(page, width, SHOTS, "profile")
    assert problems == []
    page.context.close()


@pytest.mark.parametrize("width", (375, 1280))
def test_the_bulk_check_answers_pasted_names_and_codes(browser, site_url, width):  # noqa: F811
    page, problems = open_page(browser, f"{site_url}/parties/check/", width)
    page.get_by_label("企业名称或统一社会信用代码（每行一个）").fill("\n".join(LINES))
    page.get_by_role("button", name="开始比对").click()
    status = page.locator("[data-check-status]")
    expect(status).to_contain_text("共比对 5 行：找到 4 个")
    rows = page.locator(".party-check-results tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0).get_by_role("link")).to_have_attribute("href", f"/parties/{RENAMED}/")
    expect(rows.nth(2).get_by_role("link")).to_have_attribute("href", f"/parties/{SHOP}/")
    expect(rows.nth(4)).to_contain_text("未找到")
    looks_clean(page, width, SHOTS, "check")
    assert problems == []
    page.context.close()


def test_without_javascript_the_bulk_check_points_to_search(browser, site_url):  # noqa: F811
    page, problems = open_page(browser, f"{site_url}/parties/check/", 375, javascript=False)
    expect(page.get_by_role("link", name="站内搜索").last).to_be_visible()
    expect(page.locator("[data-check-form]")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "check-nojs-375.png"), full_page=True)
    assert problems == []  # axe runs in the page and so needs JavaScript: the scripted page is checked above
    page.context.close()


def test_the_browser_normalises_and_hashes_lines_as_the_index_does(browser, site_url):  # noqa: F811
    page, _ = open_page(browser, f"{site_url}/parties/check/", 1280)
    samples = ["示例县（青山）木业 有限公司", "９１３５０１００ｍ000100y43", "【联创】〔示范〕［林业］",
               "\u3000A\u200bb\tc ", "ＡＢＣ　１２３", ""]
    got = page.evaluate("s => s.map(t => [portalPartyKey.normaliseKey(t), portalPartyKey.fnv1a(t)])", samples)
    assert got == [[normalise_key(t), fnv1a(t)] for t in samples]
    page.context.close()


def test_the_server_answers_the_same_as_the_static_index(sample_site, site_url):  # noqa: F811
    expected = check_lines(LINES, read_output(sample_site.output))
    query = urllib.parse.urlencode({"q": "\n".join(LINES)})
    with urllib.request.urlopen(f"{site_url}/api/parties?{query}") as response:
        assert json.loads(response.read())["answers"] == expected
    post = urllib.request.Request(f"{site_url}/api/parties", data="\n".join(LINES).encode("utf-8"), method="POST",
                                  headers={"Content-Type": "text/plain; charset=utf-8"})
    with urllib.request.urlopen(post) as response:
        answers = json.loads(response.read())["answers"]
    assert answers == expected and [a["found"] for a in answers] == [True, True, True, True, False]
    assert answers[0]["parties"][0]["penalties"] == 2
