"""A decision page with its rights sections in Debian's Chromium: axe, phone and narrow screens, screenshots.

(Console errors and axe of a first penalty page at both widths are checked with every other page in test_browser.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from publisher.core.content import load_published
from tests.test_browser import AXE, WIDTHS, axe_violations, browser, open_page, site_url  # noqa: F401  (fixtures)

SHOTS = Path("/tmp/shots-rights")


def axe_in_main(page) -> list[str]:
    """Every axe violation inside <main>, whatever its impact: the decision page's own content adds none."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run('#main', {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]


def decision_urls(sample_site) -> dict[str, str]:
    published = load_published(sample_site.config.paths.content)
    objected = next(r for r in published["penalties"] if r.live and r.value("status") == "异议")
    permit = next(r for r in published["permits"] if r.live and r.value("party_type") != "自然人")
    return {"penalty": objected.url, "permit": permit.url}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["penalty", "permit"])
def test_a_decision_page_with_its_rights_reads_on_a_phone_and_a_desktop(browser, sample_site, site_url,  # noqa: F811
                                                                       name, width):
    page, problems = open_page(browser, site_url + decision_urls(sample_site)[name], width)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    assert problems == []
    assert axe_violations(page) == []  # the whole page: nothing serious or critical
    assert axe_in_main(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    kind = "行政处罚决定" if name == "penalty" else "行政许可决定"
    expect(page.get_by_role("heading", level=1)).to_contain_text(kind)
    expect(page.get_by_role("heading", name="救济渠道")).to_be_visible()
    expect(page.get_by_role("heading", name="对公示信息有异议")).to_be_visible()
    phone = page.locator("#objection ~ dl a[href^='tel:']").first
    expect(phone).to_be_visible()
    if name == "penalty":
        expect(page.get_by_text("异议处理中")).to_be_visible()
        expect(page.get_by_role("heading", name="信用修复")).to_be_visible()
        # The dates never wrap mid-date on a phone: one line each.
        date = page.locator(".info-block dd").filter(has_text="-").first
        assert date.evaluate("e => e.getClientRects().length") == 1
    page.context.close()
