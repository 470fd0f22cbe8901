"""The home page and the site map in Debian's Chromium at a phone's and a desk's width (issue 17)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_browser import WIDTHS, axe_violations, browser, open_page, site_url  # noqa: F401  (fixtures)

# The placeholder's text width against the room inside the box (canvas text metrics in the input's font).
PLACEHOLDER_ROOM = """(input) => {
  const style = getComputedStyle(input);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [ctx.measureText(input.placeholder).width, room];
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_placeholder_is_read_whole(browser, site_url, width):  # noqa: F811
    for care in (False, True):
        page, problems = open_page(browser, site_url + ("/#care" if care else "/"), width)
        text, room = page.locator("#home-q").evaluate(PLACEHOLDER_ROOM)
        assert text <= room, (care, text, room)
        assert problems == []
        page.context.close()


def test_the_open_on_your_phone_code_is_hidden_on_a_phone_and_printed(browser, site_url):  # noqa: F811
    qr = ".qr-here"
    page, _ = open_page(browser, site_url + "/", 375)
    expect(page.locator(qr)).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(qr)).to_be_visible()
    page.context.close()
    page, _ = open_page(browser, site_url + "/penalties/", 1280)
    expect(page.locator(qr)).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_site_map_reads_cleanly(browser, site_url, width):  # noqa: F811
    page, problems = open_page(browser, site_url + "/sitemap/", width)
    expect(page.get_by_role("heading", level=1)).to_have_text("网站地图")
    assert problems == [] and axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.close()
