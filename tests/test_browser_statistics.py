"""The statistics charts in Debian's Chromium: drawn without JavaScript, in care mode and forced colours.

(Axe, console errors and sideways scrolling of these pages are checked with every other page in test_browser.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from publisher.site.serve import make_server
from tests.conftest import serve_site
from tests.test_browser import SCREENSHOTS, WIDTHS, axe_violations, browser, open_page  # noqa: F401  (fixture)
from tests.test_opendata import portal_site  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def portal_url(portal_site) -> Iterator[str]:  # noqa: F811
    yield from serve_site(make_server(portal_site.output, port=0))


@pytest.mark.parametrize("width", WIDTHS)
def test_charts_are_visible_and_drawn_without_javascript(browser, portal_url, width):  # noqa: F811
    page, problems = open_page(browser, portal_url + "/statistics/", width, javascript=False)
    charts = page.locator("svg.chart")
    assert charts.count() == 6
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box and box["width"] >= min(300, width - 40) and box["height"] > 60
        assert chart.locator("rect.chart-bar").count() > 0
        # The chart's text is as large as small print on the page, never shrunk to a smudge.
        size = chart.locator("text").first.evaluate("t => t.getBoundingClientRect().height")
        assert size >= 11
    assert page.get_by_role("img", name="当前公示的各类执法决定按月数量").count() == 1
    assert problems == []
    page.context.close()


def bar_colour(page) -> str:
    return page.locator("rect.chart-bar").first.evaluate("r => getComputedStyle(r).fill")


def test_charts_follow_care_mode_and_forced_colours(browser, portal_url):  # noqa: F811
    page, _ = open_page(browser, portal_url + "/statistics/", 375)
    normal = bar_colour(page)
    page.get_by_role("link", name="长者模式（大字体 高对比）").click()
    assert bar_colour(page) == "rgb(0, 0, 0)" != normal
    page.screenshot(path=str(SCREENSHOTS / "statistics-care-375.png"))
    page.get_by_role("link", name="退出长者模式").click()
    page.emulate_media(forced_colors="active")
    assert bar_colour(page) != normal  # CanvasText: the system's text colour
    assert axe_violations(page) == []
    page.context.close()
