"""Search (issues 4 and 7): one analysis, a service and a static fallback, with recall 1.00 on the sample data.

The sample portal is built once per service engine (whoosh, and tantivy chosen by `[search] backend` in its
portal.toml) with the search plugin added to PLUGINS, with the planted leak rows of tests/leaks.py; every
test that takes `search_site` runs against both engines.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from publisher.core.config import Config, load_config
from publisher.core.content import load_published
from publisher.pull.plan import Plan, make_plan, write_plan
from publisher.site import build as site
from publisher.site.parties import collect_parties
from publisher.site.search import store
from publisher.site.search.analysis import _kind, highlight_pattern, match_key, normalize, parse_query, tokens
from publisher.site.search.backend import snippet
from publisher.site.search.documents import PROFILE_TYPE, SearchDoc, search_docs
from publisher.site.search.service import RateLimiter, SearchService, parse_request
from publisher.site.search.static import Slot, build_static_index, withdrawn_slots
from publisher.site.search.static_files import metas
from publisher.site.search.static_reader import StaticReader, logical_files
from publisher.site.serve import make_server
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.leaks import MARKERS, SECRET_ID

# ---------------------------------------------------------------- the site with search


BACKENDS = list(store.BACKENDS)


@dataclass
class SearchSite:
    config: Config
    plan: Plan
    output: Path
    docs: list[SearchDoc]
    backend: str = "whoosh"
    slots: list[Slot] = field(default_factory=list)  # withdrawn records' places in the static index

    def static(self) -> StaticReader:
        [meta] = metas(self.output / "search" / "index")
        return StaticReader(meta)

    def service(self) -> SearchService:
        return SearchService(self.output)


def with_search_plugin(settings_fn):
    def patched(*args, **kwargs):
        settings = settings_fn(*args, **kwargs)
        plugins = list(settings["PLUGINS"])
        if "search" not in plugins:
            plugins.insert(plugins.index("sitemap") if "sitemap" in plugins else len(plugins), "search")
        return {**settings, "PLUGINS": plugins}
    return patched


def build_search_site(root: Path, backend: str = "whoosh") -> SearchSite:
    """The sample portal with planted rows, built with the search plugin enabled and `backend` in portal.toml."""
    config = make_sample_portal(root)
    if backend != "whoosh":
        with config.path.open("a", encoding="utf-8") as f:
            f.write(f'\n[search]\nbackend = "{backend}"\n')
        config = load_config(config.path)
        assert config.search.backend == backend
    plan = make_plan(config, SAMPLE_NOW)
    write_plan(plan)
    original = site.pelican_settings
    site.pelican_settings = with_search_plugin(original)
    try:
        site.build_site(config, SAMPLE_NOW)
    finally:
        site.pelican_settings = original
    published = load_published(config.paths.content)
    return SearchSite(config, plan, config.paths.output, search_docs(published), backend, withdrawn_slots(published))


@pytest.fixture(scope="module", params=BACKENDS)
def search_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SearchSite:
    return build_search_site(tmp_path_factory.mktemp(f"search-{request.param}"), request.param)


@pytest.fixture(scope="module")
def service(search_site) -> Iterator[SearchService]:
    svc = search_site.service()
    yield svc
    svc.close()


# ---------------------------------------------------------------- the query suite


def _edges_ok(norm: str, start: int, end: int) -> bool:
    """A letter/digit run is matched whole: no letter or digit just outside it."""
    before = norm[start - 1] if start else ""
    after = norm[end] if end < len(norm) else ""
    inner = norm[start:end]
    return not ((before and _kind(before) == "word" and _kind(inner[0]) == "word")
                or (after and _kind(after) == "word" and _kind(inner[-1]) == "word"))


def relevant(doc: SearchDoc, query: str) -> bool:
    """Ground truth: every space-separated part occurs in the record's shown text (punctuation may sit between)."""
    norm = normalize(doc.text)
    for term in parse_query(query).terms:
        pattern = highlight_pattern(parse_query(term.source))
        if not any(_edges_ok(norm, m.start(), m.end()) for m in pattern.finditer(norm)):
            return False
    return True


def query_suite(docs: list[SearchDoc]) -> list[tuple[str, str]]:
    """(category, query): drawn from the shown records, plus fixed words, laws and absent terms."""
    live = {d.type: [x for x in docs if x.type == d.type] for d in docs}
    values = {d.key: dict(line.split("：", 1) for line in d.body.split("\n") if "：" in line) for d in docs}
    suite: list[tuple[str, str]] = []
    for d in live["penalties"][:12] + live["permits"][:12]:
        v = values[d.key]
        suite.append(("decision number", v["行政处罚决定书文号"] if d.type == "penalties" else v["行政许可决定文书号"]))
        name = v["行政相对人名称"]
        if "*" not in name:
            suite.append(("company name", name))
            core = name.removeprefix("示例县")
            suite.append(("company fragment", core[:3]))
            suite.append(("company fragment", core[1:5]))
        else:
            suite.append(("masked person name", name))
        if v.get("统一社会信用代码"):
            suite.append(("credit code", v["统一社会信用代码"]))
        if v.get("法定代表人"):
            suite.append(("person name", v["法定代表人"]))
        m = re.search(r"\d+(?:\.\d+)?(?:平方米|株|立方米|元|亩)", v.get("违法事实", "") + v.get("许可内容", ""))
        if m:
            suite.append(("mixed Chinese and digits", m[0]))
    for d in live["officers"]:
        suite.append(("certificate number", values[d.key]["执法证号"]))
        suite.append(("person name", values[d.key]["姓名"]))
    for d in live["inspections"][:6]:
        suite.append(("inspection target", values[d.key]["检查对象名称"]))
    suite += [("company fragment", "鑫达源"), ("company fragment", "鑫达源林业"),
              ("law article", "森林法第七十六条"), ("law article", "森林法第七十六条第二款"),
              ("law article", "森林防火条例"), ("law article", "《中华人民共和国森林法》第七十八条"),
              ("decision number, other brackets", "示林罚决字[2026]第16号"),
              ("decision number, full-width digits", "示林罚决字〔２０２６〕第１６号"),
              ("decision number part", "第16号"), ("two characters", "滥伐"), ("two characters", "盗伐"),
              ("two characters", "林地"), ("two characters", "罚款"), ("one character", "林"),
              ("one character", "杉"), ("one character", "火"), ("two words", "滥伐 杉木"),
              ("mixed Chinese and digits", "2026年"), ("type name", "行政处罚"),
              ("absent", "不存在的词语"), ("misspelt", "鑫达源林叶开发"), ("absent", "QQ12345678")]
    return list(dict.fromkeys(suite))


def recall_precision(index, docs: list[SearchDoc], suite: list[tuple[str, str]]) -> dict[str, list[float]]:
    by_url = {d.url: d for d in docs}
    scores: dict[str, list[float]] = {}
    misses = []
    for category, query in suite:
        expected = {d.url for d in docs if relevant(d, query)}
        results = index.search(parse_query(query), page_size=1000)
        found = {h.url for h in results.hits}
        assert results.total == len(found)
        if expected - found:
            misses.append((category, query, sorted(expected - found)))
        recall = len(expected & found) / len(expected) if expected else float(not found or category != "absent")
        precision = len(expected & found) / len(found) if found else 1.0
        scores.setdefault(category, []).append(recall)
        scores.setdefault("precision:" + category, []).append(precision)
        assert all(u in by_url for u in found)
    assert misses == []
    return scores


def test_the_suite_covers_every_category_of_the_issue(search_site):
    categories = {c for c, _ in query_suite(search_site.docs)}
    assert {"person name", "company fragment", "two characters", "one character", "decision number",
            "credit code", "law article", "mixed Chinese and digits", "absent", "misspelt",
            "certificate number"} <= categories
    assert len(query_suite(search_site.docs)) > 100


@pytest.mark.parametrize("mode", ["service", "static"])
def test_recall_is_one_in_both_modes(search_site, service, mode):
    index = service.index() if mode == "service" else search_site.static()
    suite = query_suite(search_site.docs)
    scores = recall_precision(index, search_site.docs, suite)
    for category, values in scores.items():
        if not category.startswith("precision:"):
            assert min(values) == 1.0, category
    # Absent and misspelt terms find nothing; a decision number or a code finds exactly its record.
    for category in ("absent", "misspelt"):
        for _, query in (s for s in suite if s[0] == category):
            assert index.search(parse_query(query)).total == 0, query
    for category in ("decision number", "credit code", "certificate number"):
        assert min(scores["precision:" + category]) == 1.0, category


def test_an_exact_decision_number_ranks_its_record_first(search_site, service):
    for d in [d for d in search_site.docs if d.type == "penalties"][:10]:
        number = d.title
        for index in (service.index(), search_site.static()):
            assert index.search(parse_query(number)).hits[0].url == d.url


# ---------------------------------------------------------------- nothing hidden is findable


def test_no_held_withdrawn_or_unmasked_value_is_findable(search_site, service):
    hidden = [i for i in search_site.plan.items if i.action.value not in ("add", "change", "unchanged")]
    assert len(hidden) > 20
    hidden_urls = {f"/{i.type}/{i.slug}/" for i in hidden}
    for index in (service.index(), search_site.static()):
        for marker in [*MARKERS, SECRET_ID, SECRET_ID[:6] + SECRET_ID[-4:]]:
            assert index.search(parse_query(marker)).total == 0, marker
        for item in hidden:
            found = {h.url for h in index.search(parse_query(item.key), page_size=1000).hits}
            assert not found & hidden_urls, item.key
    # The index files themselves carry none of the planted values.
    for path in [*(search_site.output / "_search").rglob("*"), *(search_site.output / "search").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            data = gzip.decompress(data) if path.suffix == ".gz" else data  # the static index's gzip twins
            for marker in MARKERS:
                assert marker.encode() not in data, (marker, path)


def test_the_engine_named_in_portal_toml_built_the_service_index(search_site, service):
    assert store.current_index_path(search_site.output).name.startswith(f"index-{search_site.backend}-")
    assert type(service.index()).__name__ == {"whoosh": "WhooshIndex", "tantivy": "TantivyIndex"}[search_site.backend]


def test_only_live_records_are_indexed(search_site):
    published = load_published(search_site.config.paths.content)
    live = {r.url for rs in published.values() for r in rs if r.live}
    profiles = {p.url for p in collect_parties(published).values()}
    assert {d.url for d in search_site.docs if d.type != PROFILE_TYPE} == live
    assert {d.url for d in search_site.docs if d.type == PROFILE_TYPE} == profiles and len(profiles) >= 5
    assert search_site.static().meta["docs"] == len(live) + len(profiles)


# ---------------------------------------------------------------- analysis


def test_bigrams_words_and_punctuation_between_han_characters():
    assert tokens("抚林罚决字〔2024〕第12号") == ["抚林", "林罚", "罚决", "决字", "2024", "第", "12", "号"]
    assert tokens("《中华人民共和国森林法》第七十六条")[-5:] == ["法第", "第七", "七十", "十六", "六条"]
    assert "法第" in tokens("《森林法》第七十六条")
    assert tokens("９１３５０１００Ｍ０００１００Ｙ４３") == ["91350100m000100y43"]
    assert tokens("LY2022-000123") == ["ly2022", "000123"]
    assert tokens("!!!***\"'()") == [] and tokens("\x00\x07\u200b") == []


def test_a_lone_character_at_a_query_edge_is_matched_anywhere():
    q = parse_query("第12号")
    assert q.terms[0].phrase == ("12",) and q.terms[0].chars == ("第", "号")
    assert parse_query("林").terms[0].chars == ("林",) and parse_query("林").terms[0].phrase == ()
    assert len(parse_query("滥伐 杉木").terms) == 2


def test_a_decision_number_typed_any_way_has_one_key_and_a_partial_code_has_covering_pieces():
    key = match_key("示林罚决字〔2026〕第18号")
    for typed in ("示林罚决字[2026]18号", "示林罚决字（2026）第18号", "示林罚决字２０２６18", "示林罚决字【2026】18",
                  "示林罚决字［２０２６］第１８号", "示林罚决字 (2026) 18 号"):
        assert match_key(typed) == key == parse_query(typed).exact, typed
    assert match_key("第一林场") == "第一林场" and match_key("示林罚决字〔2026〕第19号") != key
    assert parse_query("91990101mahb").partial == ("~91990101", "~0101mahb")
    assert parse_query("91990101MAHB822G8J").partial == ("~91990101", "~mahb822g", "~hb822g8j")
    assert parse_query("9199010").partial == () and parse_query("示林罚决字2026").partial == ()


def test_snippets_escape_record_text_and_mark_only_the_match():
    query = parse_query("鑫达源")
    html = snippet('名称：<script>alert("x")</script>示例县鑫达源林业 & 公司', query)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert re.sub(r"</?mark>", "", html) == re.sub(r"<[^>]*>", "", re.sub(r"</?mark>", "", html))
    assert "<mark>鑫达源</mark>" in html


# ---------------------------------------------------------------- the HTTP service


@pytest.fixture(scope="module")
def server_url(search_site) -> Iterator[str]:
    server = make_server(search_site.output, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("utf-8")


def api(base: str, **params: str) -> tuple[int, dict]:
    status, ctype, body = get(base + "/api/search?" + urllib.parse.urlencode(params))
    assert ctype.startswith("application/json")
    return status, json.loads(body)


def test_api_returns_hits_with_snippets_total_and_facets(server_url):
    status, data = api(server_url, q="鑫达源")
    assert status == 200 and data["total"] >= 2
    hit = data["hits"][0]
    assert set(hit) >= {"title", "url", "type", "type_name", "date", "snippet"}
    assert "<mark>鑫达源</mark>" in hit["snippet"]
    assert sum(data["facets"]["type"].values()) == data["total"] == sum(data["facets"]["year"].values())
    year = next(iter(data["facets"]["year"]))
    status, narrowed = api(server_url, q="鑫达源", year=year, type="permits")
    assert status == 200 and all(h["type"] == "permits" and h["date"].startswith(year) for h in narrowed["hits"])
    assert narrowed["facets"] == data["facets"]


HOSTILE = ["x" * 5000, "林" * 101, "！！！。。。", "*", "**", "\"鑫达源", "'", "鑫达源\"", "a AND b OR NOT c",
           "title:*", "(((", "[]{}^~", "\x00\x01\x1b[31m", "鑫\x00达源", "%", "\\", "林 " * 9, "?", "鑫达源*",
           "<script>alert(1)</script>", "\u202e\u200b", "1" * 200]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_clear_4xx_or_an_empty_result_quickly(server_url, query):
    started = time.monotonic()
    status, data = api(server_url, q=query)
    assert time.monotonic() - started < 3
    assert status == 200 or 400 <= status < 500
    if status == 200:
        assert isinstance(data["total"], int)
        assert all("<script" not in h["snippet"] for h in data["hits"])
    else:
        assert data["error"]["message"]


@pytest.mark.parametrize("params,code", [
    ({}, "missing_query"), ({"q": " "}, "missing_query"), ({"q": "林", "type": "nope"}, "bad_type"),
    ({"q": "林", "year": "20x5"}, "bad_year"), ({"q": "林", "page": "0"}, "bad_page"),
    ({"q": "林", "page": "-1"}, "bad_page"), ({"q": "林", "page": "999999"}, "bad_page"),
    ({"q": "林", "page_size": "1000"}, "bad_page_size"), ({"q": "a b c d e f g h i"}, "too_many_terms"),
])
def test_bad_parameters_get_400_with_a_reason(server_url, params, code):
    status, data = api(server_url, **params)
    assert status == 400 and data["error"]["code"] == code


def test_expensive_queries_are_rate_limited(search_site):
    svc = SearchService(search_site.output, RateLimiter(limit=3))
    request = parse_request({"q": ["林"]})
    assert request.expensive
    assert parse_request({"q": ["当事人应当自收到本决定书之日起十五日内" * 4]}).expensive  # a long phrase
    assert not parse_request({"q": ["《中华人民共和国森林法》第七十六条第二款"]}).expensive
    assert not parse_request({"q": ["示林罚决字〔2026〕第16号"]}).expensive
    for _ in range(3):
        svc.run(request, "10.0.0.1")
    with pytest.raises(Exception, match="频繁") as exc:
        svc.run(request, "10.0.0.1")
    assert exc.value.status == 429
    svc.run(request, "10.0.0.2")  # another client is not affected
    svc.run(parse_request({"q": ["鑫达源"]}), "10.0.0.1")  # nor a cheap query
    svc.close()


def test_the_search_page_is_rendered_by_the_server_without_javascript(server_url):
    status, ctype, html = get(server_url + "/search/?q=" + urllib.parse.quote("鑫达源"))
    assert status == 200 and ctype.startswith("text/html")
    assert 'data-rendered="server"' in html and "<mark>鑫达源</mark>" in html
    assert 'value="鑫达源"' in html and '<a class="skip-link"' in html and "<footer" in html
    status, _, html = get(server_url + "/search/?q=" + urllib.parse.quote("<b>x</b>"))
    assert status == 200 and "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    status, _, html = get(server_url + "/search/?q=" + "x" * 300)
    assert status == 400 and "搜索词过长" in html
    status, _, html = get(server_url + "/search/")
    assert status == 200 and "data-rendered" not in html


def test_the_service_index_is_not_served_as_files(server_url, search_site):
    assert (search_site.output / "_search" / "CURRENT").is_file()
    assert get(server_url + "/_search/CURRENT")[0] == 404
    assert get(server_url + "/%5Fsearch/CURRENT")[0] == 404


# ---------------------------------------------------------------- building and switching


def _doc(n: int, text: str) -> SearchDoc:
    return SearchDoc(key=f"penalties/d{n}", type="penalties", url=f"/penalties/d{n}/", title=f"文号{n}",
                     date="2026-01-02", year="2026", department="", body=text, exact=())


def test_a_rebuild_with_the_same_records_writes_no_index_file(search_site):
    files = [p for d in ("_search", "search", "api") for p in (search_site.output / d).rglob("*") if p.is_file()]
    before = {p: p.stat().st_mtime_ns for p in files}
    original = site.pelican_settings
    site.pelican_settings = with_search_plugin(original)
    try:
        result = site.build_site(search_site.config, SAMPLE_NOW)
    finally:
        site.pelican_settings = original
    assert result.files_written == 0
    assert {p: p.stat().st_mtime_ns for p in files} == before


def test_the_static_index_is_small_per_query(search_site, tmp_path):
    reader = search_site.static()
    reader.search(parse_query("示林罚决字〔2026〕第16号"))
    assert reader.fetched < 100_000 and reader.fetched_gzip < 40_000  # bytes a first query downloads, plain and gzip
    files = [p for p in reader.root.rglob("*") if p.is_file() and p.suffix != ".gz"]
    assert files and all(gzip.decompress(p.with_name(p.name + ".gz").read_bytes()) == p.read_bytes() for p in files)
    # The same records, afresh: the same ids, the same bytes.
    again = tmp_path / build_static_index(search_site.docs, tmp_path, slots=search_site.slots).strip("/")
    assert logical_files(again) == logical_files(reader.meta_path)


def test_portal_search_on_the_command_line(search_site):
    from click.testing import CliRunner

    from publisher.cli import search

    obj = SimpleNamespace(config=search_site.config)
    result = CliRunner().invoke(search, ["鑫达源", "--type", "permits"], obj=obj)
    assert result.exit_code == 0, result.output
    assert "共 " in result.output and "【行政许可】" in result.output
    assert "https://lyj.example.gov.cn/permits/" in result.output
    result = CliRunner().invoke(search, ["鑫达源", "--json"], obj=obj)
    assert json.loads(result.output)["total"] >= 2
    result = CliRunner().invoke(search, ["x" * 500], obj=obj)
    assert result.exit_code == 2 and "过长" in result.output
