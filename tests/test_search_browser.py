"""Search in Debian's headless Chromium: with the service of `portal serve`, without JavaScript, and on a plain
file server (no service: the static fallback), with axe on the results page."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from publisher.site.search.analysis import parse_query, tokens
from publisher.site.serve import make_server
from tests.conftest import serve_site
from tests.test_browser import axe_violations, browser, open_page  # noqa: F401  (browser is a fixture)
from tests.test_search import SearchSite, build_search_site, query_suite


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> SearchSite:
    return build_search_site(tmp_path_factory.mktemp("search-browser"))


@pytest.fixture(scope="module")
def service_url(search_site) -> Iterator[str]:
    yield from serve_site(make_server(search_site.output, port=0))


@pytest.fixture(scope="module")
def static_url(search_site) -> Iterator[str]:
    """The same output on a plain file server, as a static host would serve it: no search service."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(search_site.output))
    yield from serve_site(ThreadingHTTPServer(("127.0.0.1", 0), handler))


def search_with_the_form(page, query: str) -> None:
    page.get_by_role("searchbox", name="搜索词").fill(query)
    page.get_by_role("button", name="搜索").click()
    page.wait_for_selector("#search-summary")


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("mode", ["service", "static"])
def test_a_citizen_searches_with_javascript(browser, search_site, service_url, static_url, mode, width):  # noqa: F811
    base = service_url if mode == "service" else static_url
    page, problems = open_page(browser, base + "/search/", width)
    search_with_the_form(page, "鑫达源")
    results = page.locator("#search-results")
    assert results.get_attribute("data-mode") == mode
    hits = page.locator(".search-hits li")
    expected = search_site.static().search(parse_query("鑫达源")).total
    assert hits.count() == expected >= 2
    assert page.locator(".search-hits mark").first.inner_text() == "鑫达源"
    assert "q=%E9%91%AB" in page.url
    # A facet link narrows the results in place.
    page.locator(".search-facets a", has_text="行政许可").click()
    expect(page.locator(".search-facets a[aria-current]").first).to_contain_text("行政许可")  # polls without eval (CSP)
    assert all("行政许可" in t for t in page.locator(".search-meta").all_inner_texts())
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
    page.context.close()


def test_a_decision_number_finds_its_record_first_in_the_static_fallback(browser, search_site, static_url):  # noqa: F811
    doc = next(d for d in search_site.docs if d.type == "penalties")
    page, problems = open_page(browser, static_url + "/search/", 1280)
    search_with_the_form(page, doc.title)
    assert page.locator(".search-hits a").first.get_attribute("href") == doc.url
    page.locator(".search-hits a").first.click()
    page.wait_for_url(f"**{doc.url}")
    assert problems == []
    page.context.close()


def test_without_javascript_the_server_renders_the_results(browser, search_site, service_url):  # noqa: F811
    page, problems = open_page(browser, service_url + "/search/", 375, javascript=False)
    search_with_the_form(page, "森林法第七十六条")
    assert page.locator("#search-results").get_attribute("data-rendered") == "server"
    assert page.locator(".search-hits li").count() >= 3
    assert problems == []
    url = page.url
    page.context.close()
    # axe needs JavaScript: the same server-rendered page, which search.js leaves as it is.
    page, problems = open_page(browser, url, 375)
    assert page.locator("#search-results").get_attribute("data-rendered") == "server"
    assert axe_violations(page) == []
    assert problems == []
    page.context.close()


def test_an_unanswerable_query_shows_a_clear_message(browser, service_url, static_url):  # noqa: F811
    for base in (service_url, static_url):
        page, _ = open_page(browser, base + "/search/", 1280)
        search_with_the_form(page, "不存在的词语")
        assert "没有找到" in page.locator("#search-results").inner_text()
        page.context.close()


STRINGS = ["抚林罚决字〔2024〕第12号", "《中华人民共和国森林法》第七十六条", "９１３５０１００Ｍ０００１００Ｙ４３",
           "LY2022-000123", "鑫达源 林业", "第12号", "林", "!!!", "Ab12cD 混合 x", "𠀀𠀁", "二〇二四年",
           "\x00林\u200b业", "示林罚决字[2026]18号", "示林罚决字（２０２６）第18号", "91990101mahb",
           "9199 0101MAHB822G8J", "第一林场3号", "ab12cd34ef"]


def test_the_javascript_analysis_is_the_python_one(browser, static_url):  # noqa: F811
    page, _ = open_page(browser, static_url + "/search/", 1280)
    for text in STRINGS:
        assert page.evaluate("t => PortalSearch.tokens(t)", text) == tokens(text), text
        js = page.evaluate("t => PortalSearch.parseQuery(t)", text)
        py = parse_query(text)
        assert (js["exact"], tuple(js["partial"])) == (py.exact, py.partial)
        assert [(tuple(t["phrase"]), tuple(t["joints"]), tuple(t["chars"]), t["source"]) for t in js["terms"]] == \
            [(t.phrase, t.joints, t.chars, t.source) for t in py.terms], text
    page.context.close()


def test_the_javascript_static_search_gives_the_python_results_for_the_whole_suite(browser, search_site,  # noqa: F811
                                                                                     static_url):
    page, problems = open_page(browser, static_url + "/search/", 1280)
    base = page.locator("[data-static-index]").get_attribute("data-static-index")
    suite = [q for _, q in query_suite(search_site.docs)]
    js = page.evaluate("""async ([base, queries]) => {
        const out = [];
        for (const q of queries) {
            const r = await PortalSearch.staticSearch(base, q, "", "", 1, 1000);
            out.push([r.total, r.hits.map(h => [h.url, h.title]), r.hits.map(h => [h.field, h.snippet])]);
        }
        return out;
    }""", [base, suite])
    reader = search_site.static()
    for query, (total, urls, snippets) in zip(suite, js, strict=True):
        py = reader.search(parse_query(query), page_size=1000)
        assert (total, urls) == (py.total, [[h.url, h.title] for h in py.hits]), query
        assert snippets == [[h.field, h.snippet] for h in py.hits], query
    assert problems == []
    page.context.close()
