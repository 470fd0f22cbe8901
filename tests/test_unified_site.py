"""The unified platform's site (issue 19): three agencies' records in content/, built as `portal build` builds.

What a citizen sees: which agency published each record and when, its authoritative page, per-agency lists,
the agencies' freshness (one was unreachable), per-agency figures, search across agencies with an agency
filter, and one company's records from every agency, two agencies' same 文号 listed twice, never merged.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from publisher.core.config import Config, load_config
from publisher.site.build import build_site
from publisher.site.search.analysis import parse_query
from publisher.site.search.documents import search_docs
from publisher.site.search.page import SearchPage
from publisher.site.search.service import SearchService
from publisher.site.search.static_reader import StaticReader, current_meta
from publisher.site.search.tantivy_backend import TantivyBackend
from tests.conftest import MINIMAL_TOML, ROOT, SAMPLE_NOW
from tests.unified_content import (
    COMPANY,
    COMPANY_CODE,
    ECOLOGY,
    FORESTRY,
    MARKET,
    SHARED_NUMBER,
    Written,
    write_unified_content,
)

UNIFIED_SITE = '[site]\nagency = "示例县人民政府"\nname = "示例县行政执法公示平台"\n'


@dataclass
class UnifiedSite:
    config: Config
    records: dict[str, Written]
    output: Path

    def page(self, url: str) -> str:
        path = self.output / url.lstrip("/") / "index.html" if url.endswith("/") else self.output / url.lstrip("/")
        return path.read_text(encoding="utf-8")

    def text(self, url: str) -> str:
        """The page's main content as a reader reads it: tags dropped, entities decoded, spaces collapsed."""
        page = self.page(url)
        main = page[page.index('<main'):page.index('</main>')]
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())

    def json(self, url: str) -> dict:
        return json.loads((self.output / url.lstrip("/")).read_text(encoding="utf-8"))


def make_unified_portal(root: Path) -> Config:
    """A unified platform's portal.toml (the sample policy) with an empty content/."""
    (root / "data").mkdir(parents=True)
    policy = (ROOT / "portal.toml").read_text(encoding="utf-8").split("\n[policy]\n", 1)[1]
    toml = MINIMAL_TOML.replace("[site]\n", UNIFIED_SITE) + "\n[policy]\n" + policy
    (root / "portal.toml").write_text(toml, encoding="utf-8")
    return load_config(root / "portal.toml")


@pytest.fixture(scope="module")
def unified(tmp_path_factory: pytest.TempPathFactory) -> UnifiedSite:
    config = make_unified_portal(tmp_path_factory.mktemp("unified"))
    records = write_unified_content(config.paths.content)
    build_site(config, SAMPLE_NOW)
    return UnifiedSite(config, records, config.paths.output)


def test_a_record_names_its_agency_and_links_its_authoritative_page(unified):
    record = unified.records["market_penalty"]
    page = unified.page(record.url)
    assert f'<link rel="canonical" href="{record.canonical}">' in page
    text = unified.text(record.url)
    assert f"发布机关 {MARKET.name}" in text
    assert f"首次公示日期 {record.agency_published}" in text
    assert f'<a class="origin-link" href="{record.canonical}" rel="external">原始公示页面（以此为准）</a>' in page
    assert f"发布机构 {MARKET.name}" in text  # the decision's info block names the agency, not the platform
    twin = unified.json(record.url + "index.json")
    assert twin["origin"] == {"agency": MARKET.name, "agency_key": MARKET.key, "canonical": record.canonical,
                              "agency_published": record.agency_published}


def test_a_withdrawal_notice_keeps_its_agency_and_authoritative_page(unified):
    record = unified.records["ecology_withdrawn"]
    page = unified.page(record.url)
    assert f'<link rel="canonical" href="{record.canonical}">' in page
    assert "已于 2026-11-10 撤回" in unified.text(record.url)
    assert f"发布机关 {ECOLOGY.name}" in unified.text(record.url)
    twin = unified.json(record.url + "index.json")
    assert twin["state"] == "withdrawn" and twin["origin"]["agency_key"] == ECOLOGY.key and "fields" not in twin


def test_every_list_filters_by_agency(unified):
    text = unified.text("/penalties/")
    assert "按发布机关：" in text
    for agency in (FORESTRY, MARKET, ECOLOGY):
        assert f'href="/penalties/agency/{agency.key}/"' in unified.page("/penalties/")
    market = unified.text("/penalties/agency/scjg/")
    assert "行政处罚（示例县市场监督管理局）" in market
    assert SHARED_NUMBER in market and "示林罚决字" not in market
    listing = unified.json("/penalties/agency/scjg/index.json")
    assert {r["origin"]["agency_key"] for r in listing["records"]} == {MARKET.key} and listing["total"] == 2
    # The withdrawn record is in no list: the ecology bureau's list holds its one live penalty.
    assert unified.json("/penalties/agency/hbj/index.json")["total"] == 1


def test_agencies_page_shows_each_agencys_freshness_and_the_outage(unified):
    text = unified.text("/agencies/")
    assert "本平台汇集以下 3 个执法机关" in text
    assert "示例县林业和草原局 2026-11-24 08:58 正常 4 条" in text
    assert "示例县市场监督管理局 2026-11-24 08:30 正常 2 条" in text
    # The unreachable agency: its older data is kept and the page says since when and why.
    assert ("示例县生态环境局 2026-11-20 17:05 数据未能更新 ：最近一次获取时该机关网站无法访问（2026-11-24 09:00），"
            "显示的是 2026-11-20 17:05 的数据 1 条") in text
    assert "连接超时" not in text  # the staff's message stays in the run report
    page = unified.page("/agencies/")
    assert 'href="https://hbj.example.gov.cn" rel="external"' in page
    assert '<a href="/agencies/"' in page  # in the main navigation


def test_an_agency_page_holds_its_sections_and_newest_decisions(unified):
    text = unified.text("/agencies/hbj/")
    assert "数据未能更新" in text and "本平台继续显示该机关 2026-11-20 17:05 的数据" in text
    assert "事前公开" in text and "事后公开" in text and "行政处罚 1 条" in text
    page = unified.page("/agencies/lcj/")
    assert 'href="/penalties/agency/lcj/"' in page and 'href="/permits/agency/lcj/"' in page
    assert "最新行政处罚" in unified.text("/agencies/lcj/") and SHARED_NUMBER not in unified.text("/agencies/lcj/")
    assert '<meta name="description" content="示例县林业和草原局在示例县行政执法公示平台公示的执法信息' in page


def test_home_lists_agencies_and_sitemap_names_the_new_pages(unified):
    home = unified.text("/")
    assert "各执法机关" in home and "示例县生态环境局 2026-11-20 17:05 数据未能更新" in home
    sitemap = unified.text("/sitemap/")
    assert "各执法机关 示例县市场监督管理局 示例县林业和草原局 示例县生态环境局" in sitemap
    assert "按发布机关：" in sitemap
    xml = (unified.output / "sitemap.xml").read_text(encoding="utf-8")
    assert "/agencies/</loc>" in xml and "/agencies/scjg/</loc>" in xml and "/penalties/agency/lcj/</loc>" in xml


def test_statistics_has_per_agency_timeliness(unified):
    text = unified.text("/statistics/")
    assert "按发布机关" in text
    # 林草局: 4 decisions, one penalty shown 35 working days after it was decided (late), 3 of 4 on time.
    assert "示例县林业和草原局 4 1 3 75.0%" in text
    assert "示例县生态环境局 1 0.5 1 100.0% 3 2026-11-20 17:05" in text


def test_party_profile_gathers_every_agency_and_never_merges(unified):
    url = f"/parties/{COMPANY_CODE}/"
    text = unified.text(url)
    assert "本页汇集本平台各执法机关" in text
    assert f"发布机关 {FORESTRY.name}" in text and f"发布机关 {MARKET.name}" in text
    profile = unified.json(url + "index.json")
    agencies = sorted(r["origin"]["agency_key"] for r in profile["records"]["penalties"])
    assert agencies == ["lcj", "scjg", "scjg"]
    # The same 文号 at two agencies: two records, each on its own page, each in its own agency's profile.
    shared = [unified.records["market_penalty"], unified.records["ecology_penalty"]]
    assert shared[0].decision_no == shared[1].decision_no == SHARED_NUMBER
    assert shared[0].url != shared[1].url
    assert all(SHARED_NUMBER in unified.text(r.url) for r in shared)


def test_search_finds_across_agencies_and_filters_by_one(unified):
    service = SearchService(unified.output)
    try:
        status, body = service.api({"q": [SHARED_NUMBER]})
        assert status == 200 and body["total"] == 2
        titles = [h["title"] for h in body["hits"]]
        assert any(t.endswith(f"发布机关：{MARKET.name}") for t in titles)
        assert any(t.endswith(f"发布机关：{ECOLOGY.name}") for t in titles)
        status, body = service.api({"q": [SHARED_NUMBER], "agency": ["hbj"]})
        assert body["total"] == 1 and body["hits"][0]["url"] == unified.records["ecology_penalty"].url
        assert service.api({"q": ["木业"], "agency": ["../etc"]})[0] == 400
        status, page = SearchPage(unified.output, ROOT / "theme" / "templates", service).render(
            {"q": [COMPANY], "agency": ["lcj"]})
        shown = page.decode("utf-8")
        assert f"（{FORESTRY.name}）：共 2 条" in shown
        assert '<option value="lcj" selected>' in shown and "agency=lcj" in shown  # the filter, kept by each link
    finally:
        service.close()
    static = StaticReader(current_meta(unified.output))
    assert static.search(parse_query(SHARED_NUMBER)).total == 2
    assert static.search(parse_query(SHARED_NUMBER), agency="scjg").total == 1


def test_tantivy_filters_by_agency_as_the_others(unified, tmp_path):
    from publisher.core.content import load_published
    docs = search_docs(load_published(unified.config.paths.content))
    TantivyBackend().build(docs, tmp_path)
    index = TantivyBackend().open(tmp_path)
    try:
        assert index.search(parse_query(SHARED_NUMBER)).total == 2
        only = index.search(parse_query(SHARED_NUMBER), agency="scjg")
        assert only.total == 1 and only.hits[0].url == unified.records["market_penalty"].url
    finally:
        index.close()


def test_a_hostile_origin_url_is_never_a_link(tmp_path):
    from publisher.core.content import Origin, render_record, write_page
    from publisher.core.schema import RECORD_TYPES
    from tests.factories import penalty
    config = make_unified_portal(tmp_path)
    row = penalty(2)
    text = render_record(RECORD_TYPES["penalties"], "x-p2", "k" * 16, dict(row.values), "2026-11-12", "2026-11-10",
                         origin=Origin("某局", "x", "javascript:alert(1)", "2026-11-11"))
    write_page(config.paths.content, "penalties", "x-p2", text)
    build_site(config, SAMPLE_NOW)
    page = (config.paths.output / "penalties" / "x-p2" / "index.html").read_text(encoding="utf-8")
    assert "javascript:" not in page
    assert '<link rel="canonical" href="https://lyj.example.gov.cn/penalties/x-p2/">' in page
    assert "发布机关" in page


def test_a_single_agencys_portal_has_no_agency_parts(sample_site):
    assert not (sample_site.output / "agencies").exists()
    for url in ("/", "/penalties/", "/statistics/", "/sitemap/"):
        page = sample_site.page(url)
        assert "发布机关" not in page and "/agencies/" not in page


def test_an_agencys_withdrawal_and_outage_rebuild_equal_a_full_build(tmp_path):
    """One agency withdraws a record and another goes unreachable: the in-place rebuild is a full build's twin."""
    from dataclasses import replace

    from publisher.core.agencies import read_agencies, write_agencies
    from publisher.core.content import Origin, render_notice, write_page
    from publisher.core.schema import RECORD_TYPES
    from publisher.site.build import PageIndexes
    from tests.test_incremental import assert_same_site

    config = make_unified_portal(tmp_path / "site")
    records = write_unified_content(config.paths.content)
    in_place = replace(PageIndexes.beside(config, config.paths.output), keep_search_indexes=1)
    build_site(config, SAMPLE_NOW, pages=in_place)
    gone = records["market_penalty"]
    origin = Origin(MARKET.name, MARKET.key, gone.canonical, gone.agency_published)
    write_page(config.paths.content, "penalties", gone.slug, render_notice(
        RECORD_TYPES["penalties"], gone.slug, "k" * 16, "2026-11-07", "2026-11-24", "决定被撤销", origin=origin))
    statuses = [replace(s, state="unreachable") if s.key == FORESTRY.key else s
                for s in read_agencies(config.paths.content)]
    write_agencies(config.paths.content, statuses)
    again = build_site(config, SAMPLE_NOW, pages=in_place)
    assert again.pages_kept > 0
    full = build_site(config, SAMPLE_NOW, output=tmp_path / "full", pages=PageIndexes(None, None))
    assert_same_site(config.paths.output, full.output)
    site = UnifiedSite(config, records, config.paths.output)
    assert "示例县林业和草原局 2026-11-24 08:58 数据未能更新" in site.text("/agencies/")
    assert SHARED_NUMBER not in site.text("/penalties/agency/scjg/")
    assert "已于 2026-11-24 撤回" in site.text(gone.url)


def test_open_data_names_each_rows_agency(unified):
    import csv
    import io
    text = (unified.output / "opendata" / "penalties.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    shared = {row["发布机关"]: row["原始公示页面网址"] for row in rows if row["行政处罚决定书文号"] == SHARED_NUMBER}
    assert shared == {MARKET.name: unified.records["market_penalty"].canonical,
                      ECOLOGY.name: unified.records["ecology_penalty"].canonical}
    dataset = unified.json("/opendata/penalties.json")
    assert {r["origin"]["agency_key"] for r in dataset["records"]} == {"lcj", "scjg", "hbj"}


def test_per_agency_figures_have_a_json_file(unified):
    data = unified.json("/statistics/agencies.json")
    forestry = next(a for a in data["agencies"] if a["agency"] == FORESTRY.name)
    assert sum(forestry["decisions"].values()) == 4 and forestry["decisions"]["permits"] == 1
    assert (forestry["published"], forestry["on_time"], forestry["timeliness_rate"]) == (4, 3, 0.75)
    assert next(a for a in data["agencies"] if a["key"] == ECOLOGY.key)["state"] == "unreachable"
    assert forestry["url"] == "https://lyj.example.gov.cn/agencies/lcj/"
    assert 'href="/statistics/agencies.json"' in unified.page("/statistics/")


def test_feeds_name_each_entrys_agency(unified):
    feed = (unified.output / "feeds" / "penalties.atom.xml").read_text(encoding="utf-8")
    assert f"发布机关：{ECOLOGY.name}；行政相对人名称：示例县清水造纸有限公司" in feed


def test_every_internal_link_resolves(unified):
    from publisher.runs.releases import broken_links
    # The public ledger's files are a release's (portal publish); a plain build has none.
    assert [b for b in broken_links(unified.output) if not b[1].startswith("/ledger/")] == []


def test_an_agency_known_only_from_a_withdrawn_record_still_has_its_page(tmp_path):
    from publisher.core.content import Origin, render_notice, write_page
    from publisher.core.schema import RECORD_TYPES
    from publisher.runs.releases import broken_links
    config = make_unified_portal(tmp_path)
    origin = Origin("示例县水利局", "slj", "https://slj.example.gov.cn/penalties/p1/", "2026-10-01")
    write_page(config.paths.content, "penalties", "slj-p1", render_notice(
        RECORD_TYPES["penalties"], "slj-p1", "k" * 16, "2026-10-02", "2026-11-01", "决定被撤销", origin=origin))
    build_site(config, SAMPLE_NOW)
    assert [b for b in broken_links(config.paths.output) if not b[1].startswith("/ledger/")] == []
    site = UnifiedSite(config, {}, config.paths.output)
    assert "公示信息 0 条" in site.text("/agencies/slj/")
    assert "发布机关 示例县水利局" in site.text("/penalties/slj-p1/")


def test_hostile_agency_entries_are_shown_as_text_never_as_markup_or_paths(tmp_path):
    from publisher.core.agencies import AgencyStatus, read_agencies, write_agencies
    config = make_unified_portal(tmp_path)
    write_unified_content(config.paths.content)
    hostile = AgencyStatus("../../etc", "<script>alert(1)</script>局", "javascript:alert(1)", "refused",
                           "2026-11-24T09:00:00+08:00", "2026-11-01T09:00:00+08:00")
    odd = AgencyStatus("qxj", "示例县<b>气象</b>局", "javascript:alert(1)", "refused",
                       "2026-11-24T09:00:00+08:00", "2026-11-01T09:00:00+08:00")
    write_agencies(config.paths.content, [*read_agencies(config.paths.content), hostile, odd])
    build_site(config, SAMPLE_NOW)
    page = (config.paths.output / "agencies" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>气象" not in page and "javascript:" not in page
    assert "示例县&lt;b&gt;气象&lt;/b&gt;局" in page  # shown, as text
    assert "最近一次获取的数据未通过签名或历史校验" in page  # refused: older data kept, and said so
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in page
    # A key unfit for a URL gets no page anywhere; the agency is listed, unlinked.
    assert sorted(p.name for p in (config.paths.output / "agencies").iterdir() if p.is_dir()) == [
        "hbj", "lcj", "qxj", "scjg"]
    assert not (tmp_path / "etc").exists() and not (config.paths.output / "etc").exists()
