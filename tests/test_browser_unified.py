"""A unified platform's pages (issue 19) in Debian's headless Chromium: /agencies/, an agency, a federated record
and a search by agency, at a phone's and a desktop's width, with and without JavaScript; axe finds nothing serious."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from publisher.site.serve import make_server
from tests.conftest import serve_site
from tests.test_browser import browser, looks_clean, open_page  # noqa: F401 (fixtures)
from tests.test_unified_site import unified  # noqa: F401 (fixture)
from tests.unified_content import MARKET, SHARED_NUMBER

SHOTS = Path("/tmp/shots-unified")


@pytest.fixture(scope="module")
def unified_url(unified) -> Iterator[str]:  # noqa: F811
    yield from serve_site(make_server(unified.output, port=0))


@pytest.fixture(scope="module")
def unified_static_url(unified) -> Iterator[str]:  # noqa: F811
    """The same output on a plain file server: no search service, the static fallback answers."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(unified.output))
    yield from serve_site(ThreadingHTTPServer(("127.0.0.1", 0), handler))


@pytest.mark.parametrize("width", (375, 1280))
def test_agency_pages_and_a_federated_record_render_cleanly(browser, unified, unified_url, width):  # noqa: F811
    record = unified.records["market_penalty"]
    for name, url in (("agencies", "/agencies/"), ("agency", "/agencies/hbj/"), ("record", record.url),
                      ("list", "/penalties/agency/scjg/"), ("statistics", "/statistics/")):
        page, problems = open_page(browser, unified_url + url, width)
        if name == "agencies":
            expect(page.locator("h1")).to_have_text("各执法机关")
            expect(page.locator("table.agencies tbody tr")).to_have_count(3)
        if name == "agency":
            expect(page.locator(".agency-kept").first).to_contain_text("数据未能更新")
        if name == "record":
            link = page.get_by_role("link", name="原始公示页面（以此为准）")
            expect(link).to_have_attribute("href", record.canonical)
            expect(page.locator(".origin")).to_contain_text(MARKET.name)
        looks_clean(page, width, SHOTS, name)
        assert problems == []
        page.context.close()


def test_search_by_agency_with_and_without_javascript(browser, unified_url):  # noqa: F811
    for javascript in (True, False):
        page, problems = open_page(browser, f"{unified_url}/search/", 375, javascript=javascript)
        page.get_by_label("搜索词").fill(SHARED_NUMBER)
        page.get_by_label("发布机关").select_option(label=MARKET.name)
        page.get_by_role("button", name="搜索").click()
        expect(page.locator(".search-summary")).to_contain_text(f"（{MARKET.name}）：共 1 条")
        expect(page.locator(".search-hits h3")).to_contain_text(f"发布机关：{MARKET.name}")
        if javascript:
            looks_clean(page, 375, SHOTS, "search")
        assert problems == []
        page.context.close()


def test_the_static_fallback_filters_by_agency(browser, unified_static_url):  # noqa: F811
    page, problems = open_page(browser, f"{unified_static_url}/search/", 1280)
    page.get_by_label("搜索词").fill(SHARED_NUMBER)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".search-summary")).to_contain_text("共 2 条")
    expect(page.locator("#search-results")).to_have_attribute("data-mode", "static")
    page.get_by_label("发布机关").select_option(label=MARKET.name)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".search-summary")).to_contain_text(f"（{MARKET.name}）：共 1 条")
    expect(page.locator(".search-hits h3")).to_contain_text(f"发布机关：{MARKET.name}")
    page.locator(".search-facets a", has_text="行政处罚").click()  # a facet link keeps the agency
    expect(page).to_have_url(re.compile(re.escape(f"?q={quote(SHARED_NUMBER)}&agency=scjg&type=penalties")))
    expect(page.locator(".search-summary")).to_contain_text("共 1 条")
    assert problems == []
    page.context.close()
