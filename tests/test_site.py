"""The built sample portal, as the public gets it: every shown record has its page, nothing else leaks."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from publisher.core.content import load_published
from publisher.core.schema import RECORD_TYPES
from publisher.runs.annual import annual_reports
from publisher.site.build import build_site
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.leaks import MARKERS, SECRET_VALUES


def test_every_shown_record_has_its_page(sample_site):
    added = sample_site.items("add")
    assert len(added) > 140
    for item in added:
        html = sample_site.page(f"/{item.type}/{item.slug}/")
        assert "<h1>" in html and 'lang="zh-CN"' in html


def test_a_withdrawn_record_shows_the_notice_at_its_own_address(sample_site):
    withdrawn = sample_site.items("withdraw")
    assert {i.key for i in withdrawn} >= {"示林罚决字〔2025〕第16号", "示林许字〔2025〕第12号"}
    for item in withdrawn:
        html = sample_site.page(f"/{item.type}/{item.slug}/")
        assert "已撤回" in html and "撤回原因类别" in html and 'href="/about/withdrawal/"' in html
        assert item.key not in html and "<table" not in html


def test_records_not_shown_are_absent_from_lists_feeds_and_sitemap(sample_site):
    hidden_urls = {f"/{i.type}/{i.slug}/" for i in sample_site.plan.items if i.action.value == "withdraw"}
    assert hidden_urls
    lists = [p for p in sample_site.output.rglob("index.html") if "/page/" in str(p) or p.parent.name in
             ("penalties", "permits", "inspections") or "/year/" in str(p) or "/dept/" in str(p)]
    public = lists + list((sample_site.output / "feeds").glob("*.xml")) + [sample_site.output / "sitemap.xml",
                                                                          sample_site.output / "index.html"]
    for path in public:
        text = path.read_text(encoding="utf-8")
        for url in hidden_urls:
            assert url not in text, f"{url} listed in {path}"


def test_no_planted_marker_or_unmasked_value_appears_in_any_output_file(sample_site):
    files = [p for p in sample_site.output.rglob("*") if p.is_file()]
    assert len(files) > 200
    for path in files:
        data = path.read_bytes()
        for marker in MARKERS:
            assert marker.encode() not in data, f"{marker} leaked into {path}"


def test_the_masked_person_is_shown_masked(sample_site):
    [item] = [i for i in sample_site.plan.items if i.key == "示林罚决字〔2026〕第999号"]
    html = sample_site.page(f"/penalties/{item.slug}/")
    assert "990101********0014" in html and "钱" + "*" * len(SECRET_VALUES["given_name"]) in html


@pytest.mark.parametrize("cert,words", [
    ("LY2022-000123", "证件有效"),
])
def test_an_officer_page_says_at_the_top_whether_the_certificate_is_valid_today(sample_site, cert, words):
    officers = {r.value("cert_no"): r for r in load_published(sample_site.config.paths.content)["officers"]}
    html = sample_site.page(officers[cert].url)
    banner = re.search(r'<p class="validity[^"]*" data-validity="(\w[\w-]*)"[^>]*>(.*?)</p>', html, re.S)
    assert banner and words in banner[2]
    assert html.index('class="validity') < html.index("<h1>")


def test_officer_validity_covers_expired_suspended_and_revoked_certificates(sample_site):
    states = {}
    for r in load_published(sample_site.config.paths.content)["officers"]:
        html = sample_site.page(r.url)
        states[re.search(r'data-validity="([\w-]+)"', html)[1]] = (r, html)
    assert {"valid", "expired", "revoked", "suspended"} <= set(states)
    r, html = states["expired"]
    assert f"证件已于 <span class=\"date\">{r.value('valid_to')}</span> 过期" in html and "✖" in html
    assert "证件已注销" in states["revoked"][1]


def test_year_and_department_filters_are_plain_links_with_their_own_pages(sample_site):
    html = sample_site.page("/penalties/")
    assert 'href="/penalties/year/2025/"' in html and "/penalties/dept/" in html
    year_page = sample_site.page("/penalties/year/2025/")
    assert 'aria-current="page">2025年' in year_page
    assert not re.search(r'<td data-label="处罚决定日期" class="date">202[46]-\d\d-\d\d</td>', year_page)


def column(html: str, label: str) -> list[str]:
    return re.findall(rf'<td data-label="{label}"[^>]*>(?:<a [^>]*>)?([^<]*)<', html)


def test_lists_are_newest_first_full_pages_numbered_from_the_oldest_and_labelled_by_date(sample_site):
    front, oldest = sample_site.page("/penalties/"), sample_site.page("/penalties/page/1/")
    total = sum(r.live for r in load_published(sample_site.config.paths.content)["penalties"])
    assert 40 <= total < 60  # one full archive page; the front page holds the other 20 to 39
    shown = column(front, "公开日期")
    assert shown == sorted(shown, reverse=True) and len(shown) == total - 20
    archived = column(oldest, "公开日期")
    assert archived == sorted(archived, reverse=True) and len(archived) == 20 and max(archived) <= min(shown)
    assert not set(column(front, "行政处罚决定书文号")) & set(column(oldest, "行政处罚决定书文号"))
    assert not (sample_site.output / "penalties" / "page" / "2").exists()
    # Each page says what it holds; the pager reads 1 … 最新 and names the dates behind its links.
    dates = f'<span class="date">{min(shown)}</span> 至 <span class="date">{max(shown)}</span>'
    assert f"最新 {total - 20} 条，共 {total} 条：公开日期 {dates}" in front
    assert f"第 1 页（共 20 条）：公开日期 <span class=\"date\">{min(archived)}</span>" in oldest
    pager = re.search(r'<nav class="pagination".*?</nav>', front, re.S)[0]
    assert re.findall(r">(\d+|最新)</a>", pager) == ["1", "最新"]
    assert f'<span class="date">{min(archived)}</span> 至 <span class="date">{max(archived)}</span>' in pager
    assert "较新的记录" not in pager and 'href="/penalties/page/1/" rel="next"' in pager
    older_pager = re.search(r'<nav class="pagination".*?</nav>', oldest, re.S)[0]
    assert 'href="/penalties/" rel="prev">较新的记录' in older_pager and "较早的记录" not in older_pager


def test_every_page_has_a_skip_link_landmarks_and_a_current_navigation_item(sample_site):
    for url in ("/", "/penalties/", "/after/", "/officers/verify/"):
        html = sample_site.page(url)
        assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
        assert "<header" in html and "<footer" in html and 'aria-label="主导航"' in html
        assert "aria-current=" in html


def test_the_footer_carries_the_government_site_identifiers_and_the_sample_notice(sample_site):
    html = sample_site.page("/")
    for text in ("主办单位", "网站标识码", "9900000001", "ICP备案号", "公安机关备案号", "监督电话", "演示数据"):
        assert text in html


def test_a_detail_page_with_its_css_and_qr_code_is_under_40_kb(sample_site):
    css = next((sample_site.output / "theme" / "css").glob("portal.*.css")).stat().st_size
    for item in sample_site.items("add")[:40]:
        html = (sample_site.output / item.type / item.slug / "index.html").stat().st_size
        assert html + css < 40_000
    assert "<script" not in sample_site.page("/penalties/").split("</main>")[0]


def test_a_second_build_rewrites_no_page(sample_site):
    pages = [p for p in sample_site.output.rglob("*.html")]
    before = {p: p.stat().st_mtime_ns for p in pages}
    result = build_site(sample_site.config, SAMPLE_NOW, annual=annual_reports(sample_site.config, SAMPLE_NOW))
    assert result.files_written == 0
    assert {p: p.stat().st_mtime_ns for p in pages} == before


def test_a_build_for_publication_refuses_a_localhost_siteurl(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    toml = config.path.read_text(encoding="utf-8").replace("https://lyj.example.gov.cn", "http://localhost:8000")
    config.path.write_text(toml, encoding="utf-8")
    from publisher.core.config import load_config

    with pytest.raises(ValueError, match="localhost"):
        build_site(load_config(config.path), SAMPLE_NOW)
    assert not (config.paths.output / "index.html").exists()


def test_a_template_typo_fails_the_build(tmp_path):
    import shutil

    from publisher.site import build as site

    config = make_sample_portal(tmp_path, planted=False)
    theme = tmp_path / "theme"
    shutil.copytree(Path(site.PROJECT_ROOT) / "theme", theme)
    about = theme / "templates" / "about.html"
    about.write_text(about.read_text(encoding="utf-8").replace("本站由", "{{ site.agnecy }}本站由"), "utf-8")
    settings_theme = site.pelican_settings
    try:
        site.pelican_settings = lambda *a, **k: {**settings_theme(*a, **k), "THEME": str(theme)}
        with pytest.raises(Exception, match="agnecy"):
            build_site(config, SAMPLE_NOW)
    finally:
        site.pelican_settings = settings_theme


def test_feeds_parse_and_every_entry_links_to_a_built_page(sample_site):
    import feedparser

    base = sample_site.config.site.url
    feeds = sorted((sample_site.output / "feeds").glob("*.xml"))
    assert len(feeds) == 2 * (len(RECORD_TYPES) + 1)  # each type and "all", as RSS and Atom
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert "示例县林业和草原局" in feed.feed.title
        for entry in feed.entries:
            assert entry.link.startswith(base + "/")
            page = sample_site.output / entry.link.removeprefix(base + "/") / "index.html"
            assert page.exists() and "已撤回" not in page.read_text(encoding="utf-8")
    html = sample_site.page("/penalties/")
    assert 'type="application/rss+xml"' in html and 'href="/feeds/penalties.rss.xml"' in html


def qr_codes_on(html: str) -> list[str]:
    import io

    import cairosvg
    import zxingcpp
    from PIL import Image

    found = []
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        png = cairosvg.svg2png(bytestring=svg.encode(), output_width=400, output_height=400)
        found += [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    return found


def test_each_qr_code_decodes_to_its_pages_canonical_url(sample_site):
    item = sample_site.items("add")[0]
    window = next(r for r in load_published(sample_site.config.paths.content)["windows"] if r.live)
    for url in (f"/{item.type}/{item.slug}/", "/penalties/", "/penalties/year/2025/", "/"):
        html = sample_site.page(url)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)[1]
        assert canonical == sample_site.config.site.url + url
        assert qr_codes_on(html) == [canonical]
        assert "扫描二维码在手机打开此页" in html
    poster = qr_codes_on(sample_site.page(f"{window.url}poster/"))
    assert poster[0] == sample_site.config.site.url + window.url
    assert len(poster) == 1 + len(window.value("guides"))


def _with_workers(settings: dict, workers: int) -> dict:
    """Pelican settings whose build context renders on `workers` processes, forking even for the sample."""
    from publisher.site.context import BUILD_SETTING

    return {**settings, BUILD_SETTING: dataclasses.replace(settings[BUILD_SETTING], workers=workers, parallel_min=1)}


def test_a_build_on_every_core_is_byte_identical_to_one_on_a_single_core(tmp_path, monkeypatch):
    from publisher.pull.plan import make_plan, write_plan
    from publisher.site import build as site

    config = make_sample_portal(tmp_path / "portal")
    write_plan(make_plan(config, SAMPLE_NOW))
    outputs = {}
    original = site.pelican_settings
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        monkeypatch.setattr(site, "pelican_settings",
                            lambda *a, _w=workers, **k: _with_workers(original(*a, **k), _w))
        result = build_site(config, SAMPLE_NOW, output=out)
        outputs[workers] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
                            and "_search" not in p.parts and "search" not in p.parts}
        assert result.files_written > 400
    assert outputs[1] == outputs[2]


def test_work_done_beside_the_build_returns_its_result_or_fails_the_build_clearly():
    from publisher.site.background import Background

    assert Background(sorted, [3, 1, 2]).result() == [1, 2, 3]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        Background(divmod, 1, 0).result()


def test_work_beside_a_build_ends_when_the_build_is_killed(tmp_path):
    """A run killed mid-build (a power cut, a SIGKILL) leaves no job writing into the folder the next run deletes."""
    import signal
    import subprocess
    import sys
    import time

    late = tmp_path / "written-after-the-kill"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from publisher.site.background import Background\n"
        "job = Background(lambda: time.sleep(3) or Path(sys.argv[1]).write_text('late'))\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    build = subprocess.Popen([sys.executable, "-c", script, str(late)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parent.parent)
    assert build.stdout is not None and build.stdout.readline().strip() == "started"
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    time.sleep(4)
    assert not late.exists()
