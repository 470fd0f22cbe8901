"""What search engines and first-time visitors read (issue 17): a description on every page, the HTML
site map, a home page that names the site once, one name for the feed of everything."""

from __future__ import annotations

import html
import re

import feedparser

from publisher.core.content import load_published
from publisher.core.schema import RECORD_TYPES
from publisher.site.build import build_site
from tests.conftest import SAMPLE_NOW
from tests.factories import inspection

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
LINK = re.compile(r'<a href="(/[^"#?]*)"')


def description(page: str) -> str:
    found = DESCRIPTION.findall(page)
    assert len(found) == 1, found
    return html.unescape(found[0])


def test_every_page_describes_itself_and_no_two_indexed_pages_alike(sample_site):
    out = sample_site.output
    pages = {p: p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    missing = [p.relative_to(out).as_posix() for p, text in pages.items() if not DESCRIPTION.search(text)]
    assert missing == [], f"没有 meta description 的页面：{missing}"
    base = sample_site.config.site.url
    indexed = re.findall(rf"<loc>{re.escape(base)}(/[^<]*)</loc>", (out / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(indexed) > 150
    seen: dict[str, str] = {}
    for url in indexed:
        text = description(sample_site.page(url))
        assert len(text) >= 20, (url, text)
        assert text not in seen, f"{url} 与 {seen.get(text)} 的描述相同：{text}"
        seen[text] = url


def test_a_record_and_a_list_describe_themselves_from_type_title_and_page(sample_site):
    published = load_published(sample_site.config.paths.content)
    penalty = next(r for r in published["penalties"] if r.live)
    text = description(sample_site.page(penalty.url))
    assert "行政处罚" in text and penalty.title in text and penalty.date in text
    officer = next(r for r in published["officers"] if r.live)
    assert officer.title in description(sample_site.page(officer.url))
    page = sample_site.page("/penalties/")
    front = description(page)
    live = [r for r in published["penalties"] if r.live]
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")
    assert f"共 {len(live)} 条" in front and f"本页 {rows} 条" in front and 20 <= rows < 40
    assert "第1页" in description(sample_site.page("/penalties/page/1/"))
    assert "网站地图" in description(sample_site.page("/sitemap/"))


def test_a_hostile_title_is_escaped_in_the_description(runner):
    runner.pull([inspection(2, task_name='抽查"><script>alert(1)</script>')])
    build_site(runner.config, SAMPLE_NOW)
    [record] = load_published(runner.config.paths.content)["inspections"]
    page = (runner.config.paths.output / record.url.strip("/") / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert '抽查"><script>alert(1)</script>' in description(page)


def test_the_footer_opens_the_html_site_map_which_links_every_list_and_site_page(sample_site):
    out = sample_site.output
    assert '<a href="/sitemap/">网站地图</a>' in sample_site.page("/penalties/")
    page = sample_site.page("/sitemap/")
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    links = set(LINK.findall(main))
    for key in RECORD_TYPES:
        assert f"/{key}/" in links, key
    assert {"/before/", "/during/", "/after/", "/about/", "/about/withdrawal/", "/about/catalogue/", "/opendata/",
            "/statistics/", "/statistics/annual/2025/", "/ledger/", "/search/", "/officers/verify/",
            "/matters/random-inspection/", "/penalties/year/2025/", "/sitemap.xml"} <= links
    assert any(u.startswith("/penalties/dept/") for u in links)
    live = [r for r in load_published(sample_site.config.paths.content)["penalties"] if r.live]
    assert f"行政处罚</a>（{len(live)}条）" in main
    assert not any(r.url in links for r in live)  # records are reached through their lists
    for url in links:
        target = out / url.lstrip("/")
        assert target.is_file() or (target / "index.html").is_file(), url
    assert "/sitemap/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_home_names_the_site_once_and_its_feed_link_says_what_the_feed_says(sample_site):
    home = sample_site.page("/")
    name = sample_site.config.site.name
    body = home.split("<body>", 1)[1]
    assert body.count(name) == 1  # the masthead; the H1 says what the page is for
    assert re.search(r"<h1>([^<]+)</h1>", body)[1] != name
    feed = feedparser.parse((sample_site.output / "feeds" / "all.rss.xml").read_bytes())
    link = re.search(r'<link rel="alternate" type="application/rss\+xml" title="([^"]+)（RSS）"', home)[1]
    assert html.unescape(link) == feed.feed.title == f"{sample_site.config.site.agency} · 全部公示信息"
