"""The two service engines (issue 7): tantivy answers exactly as whoosh does, and `[search] backend` selects it.

Built from the sample portal's shown records (with the planted rows of tests/leaks.py) through the real
gate, without Pelican: the indexes are what `build_service_index` writes for the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.core.config import ConfigError, load_config
from publisher.core.content import load_published
from publisher.pull.plan import make_plan, write_plan
from publisher.site.build import build_site
from publisher.site.search import matching, store
from publisher.site.search.analysis import parse_query
from publisher.site.search.backend import SearchIndex
from publisher.site.search.documents import PROFILE_TYPE, SearchDoc, search_docs
from publisher.site.search.tantivy_backend import TantivyBackend, group_of
from publisher.site.search.whoosh_backend import WhooshBackend
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_search import HOSTILE, _doc, query_suite


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[SearchDoc]:
    config = make_sample_portal(tmp_path_factory.mktemp("engines"))
    write_plan(make_plan(config, SAMPLE_NOW))
    return search_docs(load_published(config.paths.content))


@pytest.fixture(scope="module")
def engines(docs, tmp_path_factory) -> Iterator[dict[str, SearchIndex]]:
    opened = {}
    for name in store.BACKENDS:
        path = store.build_service_index(docs, tmp_path_factory.mktemp(name), store.default_backend(name))
        opened[name] = store.backend_for(path).open(path)
    yield opened
    for index in opened.values():
        index.close()


def _answer(index: SearchIndex, q: str, **kw) -> tuple[int, set[str], dict]:
    results = index.search(parse_query(q), page_size=50, **kw)
    return results.total, {h.url for h in results.hits}, results.facets


def test_both_engines_find_the_same_records_with_the_same_facets(docs, engines):
    queries = [q for _, q in query_suite(docs)] + [q for q in HOSTILE if len(q) <= 100]
    assert len(queries) > 100
    for q in queries:
        whoosh, tantivy = (engines[name].search(parse_query(q), page_size=1000) for name in ("whoosh", "tantivy"))
        assert (whoosh.total, whoosh.facets) == (tantivy.total, tantivy.facets), q
        assert {h.url: h for h in whoosh.hits} == {h.url: h for h in tantivy.hits}, q  # snippets too
    for d in [d for d in docs if d.type in ("penalties", "permits")][:20]:  # an exact number: its record first
        assert {engines[n].search(parse_query(d.title)).hits[0].url for n in engines} == {d.url}


@pytest.mark.parametrize("name", store.BACKENDS)
def test_filters_narrow_the_hits_and_pages_cover_them_once(docs, engines, name):
    index = engines[name]
    everything = index.search(parse_query("林"), page_size=1000)
    assert everything.total == len(everything.hits) > 20
    years = everything.facets["year"]
    for type_key in everything.facets["type"]:
        for year in [*years, ""]:
            expected = sum(1 for d in docs if d.type == type_key and (not year or d.year == year)
                           and any(h.url == d.url for h in everything.hits))
            total, urls, facets = _answer(index, "林", type=type_key, year=year)
            assert total == expected == len(urls), (type_key, year)
            assert facets == everything.facets  # the facets always count every match
    pages = [index.search(parse_query("林"), page=p, page_size=7) for p in range(1, 200)]
    seen = [h.url for r in pages for h in r.hits]
    assert len(seen) == len(set(seen)) == everything.total
    assert pages[-1].hits == () and pages[-1].total == everything.total


def test_the_order_of_hits(docs, engines):
    """Both engines: tiers (profile named by the query, exact 文号/code/name, partial code, the rest), then
    matching.rank_of: newest year, the search type order, newest date, a number fixed by the URL."""
    by_url = {d.url: d for d in docs}
    company = next(d for d in docs if d.type == "permits" and "*" not in d.exact[-1]).exact[-1]
    penalty = next(d for d in docs if d.type == "penalties")
    profile = next(d for d in docs if d.type == "parties")
    for q in ("林", "鑫达源", "滥伐 杉木", company, docs[-1].title, penalty.title, profile.codes[0][:9]):
        query = parse_query(q)
        for name, index in engines.items():
            hits = index.search(query, page_size=1000).hits
            keys = []
            for h in hits:
                d = by_url[h.url]
                terms = matching.doc_terms(d)
                tier = matching.tier_of(d.type, query.exact in d.exact, bool(query.partial) and
                                        set(query.partial) <= terms)
                keys.append((tier, -matching.doc_rank(d)))
            assert keys == sorted(keys) and keys, (name, q)
            assert [by_url[h.url].heading for h in hits] == [h.title for h in hits]


@pytest.mark.parametrize("name", store.BACKENDS)
def test_an_exact_match_comes_before_newer_records_and_pages_run_across_both(tmp_path, name):
    def doc(n: int, date: str, exact: tuple[str, ...] = ()) -> SearchDoc:
        return SearchDoc(key=f"permits/p{n}", type="permits", url=f"/permits/p{n}/", title=f"许可{n}", date=date,
                         year=date[:4], department="", body="被许可人：示例县鑫达源林业", exact=exact)

    docs = [doc(1, "2026-01-02"), doc(2, "2024-05-06", ("示例县鑫达源林业",)), doc(3, "2026-03-04"),
            doc(4, "2025-01-01", ("示例县鑫达源林业",)), doc(5, "2026-03-04")]
    store.default_backend(name).build(docs, tmp_path)
    index = store.default_backend(name).open(tmp_path)
    # Exact first (p4, p2, newest first), then the rest: p3 and p5 share a day, their URLs' numbers order them.
    p3, p5 = sorted(["/permits/p3/", "/permits/p5/"],
                    key=lambda u: -matching.rank_of("permits", "2026", "2026-03-04", u))
    expected = ["/permits/p4/", "/permits/p2/", p3, p5, "/permits/p1/"]
    assert [h.url for h in index.search(parse_query("示例县鑫达源林业")).hits] == expected
    pages = [index.search(parse_query("示例县鑫达源林业"), page=p, page_size=2) for p in (1, 2, 3, 4)]
    assert [h.url for r in pages for h in r.hits] == expected and {r.total for r in pages} == {5}
    assert [h.url for h in index.search(parse_query("示例县鑫达源林业"), year="2024").hits] == ["/permits/p2/"]
    assert [h.url for h in index.search(parse_query("示例县鑫达源林业"), year="2026", page_size=1).hits] == [p3]
    assert [h.url for h in index.search(parse_query("鑫达源")).hits] == [p3, p5, "/permits/p1/", "/permits/p4/",
                                                                         "/permits/p2/"]


def test_tantivy_builds_from_a_stream_of_records(docs, tmp_path):
    """The build takes any iterable, so a million records need never be held in memory at once."""
    TantivyBackend().build((d for d in docs), tmp_path)
    index = TantivyBackend().open(tmp_path)
    assert index.search(parse_query("林"), page_size=1).total == len([d for d in docs if "林" in d.text])
    assert group_of("permits", "2026", "2026-03-04") != group_of("penalties", "2026", "2026-03-04")


def test_search_backend_in_portal_toml(tmp_path: Path):
    toml = '[site]\nurl = "https://lyj.example.gov.cn"\n[[sources]]\nkind = "files"\npath = "data"\n'
    path = tmp_path / "portal.toml"
    path.write_text(toml, encoding="utf-8")
    assert load_config(path).search.backend == "whoosh"
    path.write_text(toml + '[search]\nbackend = "tantivy"\n', encoding="utf-8")
    assert load_config(path).search.backend == "tantivy"
    for bad, message in (('backend = "lucene"', "search.backend = 'lucene'：应为 whoosh、tantivy 之一"),
                         ("backend = 1", "search.backend = 1：应为文本"),
                         ('engine = "tantivy"', "search.engine：未知的配置项")):
        path.write_text(toml + f"[search]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
            load_config(path)


def test_the_scale_bench_makes_the_records_the_gate_shows(tmp_path):
    """bench/search_scale.py skips content/ to reach a million records; its documents are the gate's."""
    from bench.search_bench import make_docs
    from bench.search_scale import stream_docs

    real = sorted((d for d in make_docs(400, tmp_path) if d.type != PROFILE_TYPE), key=lambda d: d.key)
    assert len(real) > 350
    assert sorted(stream_docs(400), key=lambda d: d.key) == real


def test_a_single_shard_index_answers_as_two_do(docs, engines, tmp_path):
    TantivyBackend(shards=1).build(docs, tmp_path)
    one = TantivyBackend().open(tmp_path)
    assert one.segments >= 1
    for q in ("林", "鑫达源", "滥伐 杉木", docs[0].title):
        for page in (1, 2):
            assert one.search(parse_query(q), page=page, page_size=5) == engines["tantivy"].search(
                parse_query(q), page=page, page_size=5), q
    one.close()


# ---------------------------------------------------------------- building and switching, in each engine


@pytest.mark.parametrize("backend", store.BACKENDS)
def test_a_new_index_is_switched_in_atomically_and_the_service_reopens_it(tmp_path, monkeypatch, backend):
    monkeypatch.setattr(store, "CHECK_EVERY", 0.0)
    engine = store.default_backend(backend)
    first = store.build_service_index([_doc(1, "示例县鑫达源林业")], tmp_path, engine)
    handle = store.IndexHandle(tmp_path)
    assert handle.get().search(parse_query("鑫达源")).total == 1
    assert store.build_service_index([_doc(1, "示例县鑫达源林业")], tmp_path, engine) == first  # same docs: reused
    second = store.build_service_index([_doc(2, "示例县青山木业")], tmp_path, engine)
    assert second != first and store.current_index_path(tmp_path) == second
    assert handle.get().search(parse_query("鑫达源")).total == 0
    assert handle.get().search(parse_query("青山")).total == 1
    for n in range(3, 6):
        store.build_service_index([_doc(n, f"第{n}个")], tmp_path, engine)
    assert len([p for p in (tmp_path / "_search").iterdir() if p.is_dir()]) <= store.KEEP + 1
    handle.close()


def test_switching_the_engine_in_portal_toml_switches_the_running_service(tmp_path, monkeypatch):
    """`portal serve` opens whichever engine built the current index: a build after the switch is enough."""
    monkeypatch.setattr(store, "CHECK_EVERY", 0.0)
    store.build_service_index([_doc(1, "示例县鑫达源林业")], tmp_path, WhooshBackend())
    handle = store.IndexHandle(tmp_path)
    assert type(handle.get()).__name__ == "WhooshIndex" and handle.get().search(parse_query("鑫达源")).total == 1
    path = store.build_service_index([_doc(1, "示例县鑫达源林业"), _doc(2, "鑫达源")], tmp_path, TantivyBackend())
    assert path.name.startswith("index-tantivy-")
    assert type(handle.get()).__name__ == "TantivyIndex" and handle.get().search(parse_query("鑫达源")).total == 2
    handle.close()
    with pytest.raises(ValueError, match="expected one of whoosh, tantivy"):
        store.default_backend("lucene")


@pytest.mark.parametrize("backend", store.BACKENDS)
def test_a_failed_build_leaves_the_current_index_in_place(tmp_path, backend):
    engine = store.default_backend(backend)
    good = store.build_service_index([_doc(1, "鑫达源")], tmp_path, engine)

    class Broken(type(engine)):  # type: ignore[misc]
        def build(self, docs, path):
            super().build(docs, path)
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        store.build_service_index([_doc(2, "青山")], tmp_path, backend=Broken())
    assert store.current_index_path(tmp_path) == good
    assert not [p for p in (tmp_path / "_search").iterdir() if p.name.startswith(".building")]


def test_a_failed_update_leaves_the_current_index_whole(tmp_path):
    """An update works on a copy: the index in use is never half-changed."""
    from publisher.core.content import PublishedRecord

    def rec(n: int, words: str) -> PublishedRecord:
        return PublishedRecord("penalties", f"p{n}", f"处罚{n}", "2026-01-0" + str(n), "2026-01-10", "live",
                               (("facts", words),), digest=f"{n}{words}")

    engine = TantivyBackend()
    good = store.index_records([rec(1, "鑫达源"), rec(2, "青山")], tmp_path, engine)
    before = sorted((p.relative_to(good).as_posix(), p.read_bytes()) for p in good.rglob("*") if p.is_file())

    class Broken(TantivyBackend):
        def update(self, path, add, remove, known=None):
            super().update(path, add, remove, known)
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        store.index_records([rec(1, "鑫达源"), rec(2, "绿水")], tmp_path, Broken())
    assert store.current_index_path(tmp_path) == good
    assert sorted((p.relative_to(good).as_posix(), p.read_bytes()) for p in good.rglob("*") if p.is_file()) == before
    assert not [p for p in (tmp_path / "_search").iterdir() if p.name.startswith(".building")]
    updated = store.index_records([rec(1, "鑫达源"), rec(2, "绿水")], tmp_path, engine)
    index = engine.open(updated)
    assert index.search(parse_query("绿水")).total == 1 and index.search(parse_query("青山")).total == 0
    index.close()


def test_without_the_static_fallback_no_plain_file_index_is_built(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    text = config.path.read_text(encoding="utf-8").replace("# [search]", "[search]").replace(
        "# static_fallback = false", "static_fallback = false")
    config.path.write_text(text, encoding="utf-8")
    config = load_config(config.path)
    assert config.search.static_fallback is False
    write_plan(make_plan(config, SAMPLE_NOW))
    site = build_site(config, SAMPLE_NOW).output
    assert not (site / "search" / "index").exists()
    assert 'data-static-index=""' in (site / "search" / "index.html").read_text(encoding="utf-8")
    assert store.current_index_path(site) is not None  # the service's index is still there
