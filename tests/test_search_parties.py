"""Search that finds a party (issue 15 part 4), as a citizen sees it: profiles first, results titled by party, type
and 文号, the field that matched, and the same results in the same order from the whoosh service (its JSON API),
the tantivy engine, the static index read in Python and the static index read by search.js in Debian's Chromium.
"""

from __future__ import annotations

import functools
import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect

from publisher.core.content import load_published
from publisher.core.schema import NATURAL_PERSON
from publisher.site.parties import Party, collect_parties
from publisher.site.search import store
from publisher.site.search.analysis import match_key, parse_query
from publisher.site.search.backend import SearchIndex
from publisher.site.search.service import RateLimiter
from publisher.site.serve import make_server
from tests.conftest import serve_site
from tests.test_browser import browser, open_page  # noqa: F401  (browser is a fixture)
from tests.test_search import SearchSite, build_search_site

SHOTS = Path("/tmp/shots-search")
PAGE_SIZE = 50  # the API's largest page: every query of the suite fits one page but "林"


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> SearchSite:
    return build_search_site(tmp_path_factory.mktemp("party-search"))


@pytest.fixture(scope="module")
def parties(search_site) -> dict[str, Party]:
    return collect_parties(load_published(search_site.config.paths.content))


@pytest.fixture(scope="module")
def tantivy(search_site, tmp_path_factory) -> Iterator[SearchIndex]:
    path = store.build_service_index(search_site.docs, tmp_path_factory.mktemp("tantivy"),
                                     store.default_backend("tantivy"))
    index = store.backend_for(path).open(path)
    yield index
    index.close()


@pytest.fixture(scope="module")
def service_url(search_site) -> Iterator[str]:
    server = make_server(search_site.output, port=0)
    # This suite sends hundreds of queries a minute from one address: lift the per-client limit of `portal serve`.
    server.RequestHandlerClass.func.search.limiter = RateLimiter(limit=100_000)
    yield from serve_site(server)


@pytest.fixture(scope="module")
def static_url(search_site) -> Iterator[str]:
    """The same output on a plain file server: no search service, so search.js reads the static index."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    yield from serve_site(ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(
        search_site.output))))


def api(base: str, q: str, **params: str | int) -> dict:
    url = base + "/api/search?" + urllib.parse.urlencode({"q": q, "page_size": PAGE_SIZE, **params})
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def with_several_records(parties: dict[str, Party]) -> list[Party]:
    return sorted((p for p in parties.values() if len(p.records) >= 2), key=lambda p: (-len(p.records), p.credit_code))


def penalty_numbers(search_site) -> list[tuple[str, str]]:
    """(文号, URL) of the sample's penalties whose 文号 has the usual 〔year〕第n号 shape."""
    out = []
    for d in search_site.docs:
        if d.type == "penalties" and "〔" in d.title and d.title.endswith("号") and "第" in d.title:
            out.append((d.title, d.url))
    return out


def spellings(number: str) -> list[str]:
    """How citizens type 示林罚决字〔2026〕第16号: other brackets, no 第 or 号, full-width digits."""
    prefix, rest = number.split("〔", 1)
    year, tail = rest.split("〕", 1)
    n = tail.removeprefix("第").removesuffix("号")
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    return [f"{prefix}[{year}]{n}号", f"{prefix}({year})第{n}号", f"{prefix}（{year}）第{n}号",
            f"{prefix}［{year}］{n}", f"{prefix}【{year}】第{n}号", f"{prefix}{year}{n}",
            f"{prefix}{year.translate(wide)}{n}", f"{prefix}〔{year}〕{n}号"]


def query_set(search_site, parties: dict[str, Party]) -> list[str]:
    """Names, codes, partial codes, decision numbers in every spelling, plain words and queries that find nothing."""
    firms = with_several_records(parties)[:3]
    code = firms[0].credit_code
    number, _ = penalty_numbers(search_site)[0]
    queries = [p.name for p in firms] + [p.credit_code for p in firms[:2]]
    queries += [code[:8], code[:10].lower(), code[2:14], code[-9:].lower(), " ".join([code[:6], code[6:12]])]
    queries += [number, *spellings(number)]
    queries += ["林", "滥伐", "滥伐 杉木", "森林法第七十六条", "鑫达源", "林业开发", "行政许可", "2026年"]
    queries += ["不存在的词语", "99999999ZZ", "示林罚决字〔1999〕第1号", "鑫达源林叶开发"]
    return list(dict.fromkeys(queries))


def as_seen(hits: list[dict]) -> list[tuple[str, str, str, str, str, str]]:
    """What a citizen sees of each hit, in order: link, title, type, date, the field's label and its snippet."""
    return [(h["url"], h["title"], h["type"], h["date"], h["field"], h["snippet"]) for h in hits]


# ---------------------------------------------------------------- what a citizen sees


def test_a_party_name_or_credit_code_puts_its_profile_first(search_site, parties, service_url):
    for party in with_several_records(parties)[:3]:
        code = party.credit_code
        pieces = [code[i:j] for i, j in ((0, 12), (4, 16), (10, 18)) if sum(code[i:j] in c for c in parties) == 1]
        assert pieces
        for q in (party.name, code, code.lower(), *pieces, pieces[0].lower()):
            data = api(service_url, q)
            first = data["hits"][0]
            assert (first["url"], first["title"], first["type_name"]) == (
                party.url, f"{party.name} · 当事人信息", "当事人信息"), q
            assert first["field"] in ("名称", "统一社会信用代码") and "<mark>" in first["snippet"], q
            # Its records follow, each titled by the party's name, its type and its 文号 or task.
            titles = [h["title"] for h in data["hits"][1:]]
            records = {r.url for r in party.records}
            assert records <= {h["url"] for h in data["hits"]}, q
            assert all(t.startswith(party.name + " · ") for t in titles[:len(records)]), q
        # The region part of a code fits many parties: their profiles come first, this one among them.
        data = api(service_url, code[:8])
        profiles = [h["url"] for h in data["hits"] if h["type"] == "parties"]
        assert party.url in profiles
        assert [h["type"] for h in data["hits"][:len(profiles)]] == ["parties"] * len(profiles)


def test_a_partial_credit_code_finds_the_records_of_every_party_it_fits(search_site, parties, service_url):
    party = with_several_records(parties)[0]
    piece = party.credit_code[3:13].lower()
    data = api(service_url, piece)
    fitting = {p.url for p in parties.values() if piece.upper() in p.credit_code}
    records = {r.url for p in parties.values() if p.url in fitting for r in p.records}
    found = {h["url"] for h in data["hits"]}
    assert fitting | records <= found
    shown = [h for h in data["hits"] if h["url"] in records]
    assert shown and all(h["field"] == "统一社会信用代码" and f"<mark>{piece.upper()}</mark>" in h["snippet"]
                         for h in shown)
    # Seven characters are not a partial code: nothing is found by the piece alone.
    assert api(service_url, party.credit_code[3:10])["total"] == 0


def test_a_decision_number_in_any_spelling_finds_its_record(search_site, service_url):
    for number, url in penalty_numbers(search_site)[:4]:
        for q in [number, *spellings(number)]:
            data = api(service_url, q)
            first = data["hits"][0]
            assert first["url"] == url, q
            assert first["title"].endswith(" · 行政处罚 · " + number), q
            assert (first["field"], first["snippet"]) == ("行政处罚决定书文号", f"<mark>{number}</mark>"), q
            assert match_key(q) == match_key(number)


def test_results_show_the_field_that_matched(service_url):
    data = api(service_url, "森林法第七十六条")
    assert data["total"] >= 3
    for hit in data["hits"]:
        assert "依据" in hit["field"] or hit["field"] in ("违法事实", "处罚内容"), hit
        assert "<mark>" in hit["snippet"] and "\n" not in hit["snippet"]
        assert "：" not in hit["snippet"].split("<mark>")[0][-3:]  # one field's text, not "label：value；label：…"


def test_natural_persons_have_no_profile_and_are_shown_masked(search_site, service_url):
    published = load_published(search_site.config.paths.content)
    people = [r for r in published["penalties"] if r.live and r.values.get("party_type") == NATURAL_PERSON]
    assert people
    for record in people[:5]:
        name = record.values["party_name"]
        assert "*" in name
        data = api(service_url, record.title)
        assert data["hits"][0]["url"] == record.url
        assert data["hits"][0]["title"] == f"{name} · 行政处罚 · {record.title}"
        assert "parties" not in data["facets"]["type"]
    assert all("*" not in d.title for d in search_site.docs if d.type == "parties")


# ---------------------------------------------------------------- the same answer everywhere


def test_service_tantivy_and_static_give_the_same_results_in_the_same_order(search_site, parties, tantivy,
                                                                            service_url):
    queries = query_set(search_site, parties)
    assert len(queries) >= 25
    static = search_site.static()
    found_something = 0
    for q in queries:
        for page in (1, 2):
            served = api(service_url, q, page=page)
            for name, index in (("tantivy", tantivy), ("static", static)):
                results = index.search(parse_query(q), page=page, page_size=PAGE_SIZE)
                other = [asdict(h) for h in results.hits]
                assert (results.total, results.facets) == (served["total"], served["facets"]), (name, q)
                assert as_seen(other) == as_seen(served["hits"]), (name, q, page)
        found_something += served["total"] > 0
    assert found_something >= len(queries) - 4
    narrowed = api(service_url, "林", type="penalties", year="2026", page=2, page_size=5)
    assert [(h.url, h.title) for h in static.search(parse_query("林"), "penalties", "2026", 2, 5).hits] == [
        (h["url"], h["title"]) for h in narrowed["hits"]] and narrowed["hits"]


def test_the_browser_static_search_gives_the_service_results(browser, search_site, parties, service_url,  # noqa: F811
                                                             static_url):
    """search.js in Chromium against the static files, query by query, against the service's JSON."""
    queries = query_set(search_site, parties)
    page, problems = open_page(browser, static_url + "/search/", 1280)
    base = page.locator("[data-static-index]").get_attribute("data-static-index")
    js = page.evaluate("""async ([base, queries, size]) => {
        const out = [];
        for (const q of queries) {
            const r = await PortalSearch.staticSearch(base, q, "", "", 1, size);
            out.push([r.total, r.facets, r.hits]);
        }
        return out;
    }""", [base, queries, PAGE_SIZE])
    for q, (total, facets, hits) in zip(queries, js, strict=True):
        served = api(service_url, q)
        assert (total, facets) == (served["total"], served["facets"]), q
        assert as_seen(hits) == as_seen(served["hits"]), q
    assert problems == []
    page.context.close()


# ---------------------------------------------------------------- the page, with and without the service


def search_with_the_form(page, query: str) -> None:
    page.get_by_role("searchbox", name="搜索词").fill(query)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("#search-summary")).to_contain_text(f"“{query}”")  # the new results, not the last ones


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("mode", ["service", "static"])
def test_the_results_page_shows_the_profile_then_titled_records(browser, search_site, parties, service_url,  # noqa: F811
                                                                static_url, mode, width):
    party = with_several_records(parties)[0]
    page, problems = open_page(browser, (service_url if mode == "service" else static_url) + "/search/", width)
    piece = party.credit_code[4:16]  # typed in lower case; the region digits alone would fit every sample firm
    search_with_the_form(page, piece.lower())
    assert page.locator("#search-results").get_attribute("data-mode") == mode
    links = page.locator(".search-hits h3 a")
    assert links.first.inner_text() == f"{party.name} · 当事人信息"
    assert links.first.get_attribute("href") == party.url
    assert page.locator(".search-snippet .search-field").first.inner_text() == "统一社会信用代码："
    assert page.locator(".search-hits mark").first.inner_text() == piece
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"party-{mode}-{width}.png"), full_page=True)
    number, url = penalty_numbers(search_site)[0]
    search_with_the_form(page, spellings(number)[0])
    assert links.first.get_attribute("href") == url
    assert links.first.inner_text().endswith(" · 行政处罚 · " + number)
    assert page.locator(".search-snippet").first.inner_text() == f"行政处罚决定书文号：{number}"
    page.screenshot(path=str(SHOTS / f"number-{mode}-{width}.png"), full_page=True)
    assert problems == []
    page.context.close()
