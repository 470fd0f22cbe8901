"""Guides, windows and officer pages as a citizen reads them: numbered steps, a flowchart that says where
and how long, names instead of codes, and every phone number one tap away."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import sync_playwright

from publisher.core.content import load_published
from publisher.site.inline import date_parts, phone_parts, tel_href
from publisher.site.serve import make_server
from tests.conftest import serve_site


def live(sample_site, type_key: str) -> list:
    return [r for r in load_published(sample_site.config.paths.content)[type_key] if r.live]


def by_code(sample_site, type_key: str, code: str):
    return next(r for r in live(sample_site, type_key) if r.value("code") == code)


@pytest.mark.parametrize("written, parts", [
    ("0999-1234567", [("0999-1234567", "tel:09991234567")]),
    ("0123-4567800；12345", [("0123-4567800", "tel:01234567800"), ("；", None), ("12345", "tel:12345")]),
    ("(0999) 1234567转801", [("(0999) 1234567转801", "tel:09991234567,801")]),
    ("138 0013 8000", [("138 0013 8000", "tel:13800138000")]),
    ("周一8:30开门", [("周一8:30开门", None)]),
    ("<b>0999-1234567</b>", [("<b>", None), ("0999-1234567", "tel:09991234567"), ("</b>", None)]),
])
def test_a_written_phone_number_becomes_a_tel_link_and_nothing_else_does(written, parts):
    assert phone_parts(written) == parts
    assert "".join(text for text, _ in parts) == written  # nothing dropped: the page shows what was written
    assert tel_href("123") is None


def test_dates_in_running_text_are_found_whole():
    assert date_parts("证件有效，有效期至 2027-01-09") == [("证件有效，有效期至 ", False), ("2027-01-09", True)]
    assert date_parts("无") == [("无", False)]


def test_a_guide_numbers_its_steps_and_names_its_window_and_matter(sample_site):
    guide = by_code(sample_site, "guides", "ZN-002")
    window, matter = by_code(sample_site, "windows", "CK-02"), by_code(sample_site, "matters", "LY-XK-002")
    html = sample_site.page(guide.url)
    table = re.search(r'<table class="fields">.*?</table>', html, re.S)[0]
    steps = re.search(r'<ol class="plain steps">(.*?)</ol>', table, re.S)[1]
    assert re.findall(r"<li>(.*?)</li>", steps) == list(guide.value("steps"))
    assert f'<a href="{window.url}">{window.title}</a> <span class="code">（CK-02）</span>' in table
    assert f'<a href="{matter.url}">{matter.title}</a> <span class="code">（LY-XK-002）</span>' in table
    assert '<a class="tel" href="tel:01234567801">0123-4567801</a>' in table


def test_the_flowchart_says_where_each_step_is_done_what_to_bring_and_how_long_it_takes(sample_site):
    guide = by_code(sample_site, "guides", "ZN-002")
    window = by_code(sample_site, "windows", "CK-02")
    chart = re.search(r'<section class="flowchart".*?</section>', sample_site.page(guide.url), re.S)[0]
    steps = re.findall(r'<li class="flow-step[^"]*">.*?</li>\s*(?=<li class="flow-step|</ol>)', chart, re.S)
    assert len(steps) == len(guide.value("steps")) == 6
    assert "承诺 <strong>15个工作日</strong> 内办结（法定时限 20个工作日）" in chart
    first, accepted, last = steps[0], steps[1], steps[-1]
    assert "到窗口" in first and f'href="{window.url}"' in first
    assert all(m in first for m in guide.value("materials")) and "带齐以下 6 项材料" in first
    assert "计时开始：承诺 15个工作日，法定 20个工作日" in accepted and "窗口受理" in accepted
    assert "承办机构办理" in steps[2] and "到窗口" not in steps[2]  # 现场查验 is the agency's own step
    assert "办结" in last and "tel:01234567801" in last
    assert chart.count("<li>") == 6  # the materials, once: the steps are not a second copy of the list


def test_a_window_lists_guides_by_name_and_links_its_staff_to_their_officer_pages(sample_site):
    window = by_code(sample_site, "windows", "CK-01")
    officer = next(o for o in live(sample_site, "officers") if o.value("name") == "刘示范")
    guide = by_code(sample_site, "guides", "ZN-001")
    html = sample_site.page(window.url)
    assert f'<a href="{officer.url}">刘示范（首席代表）</a>' in html
    assert f'<a href="{guide.url}">{guide.title}</a> <span class="code">（ZN-001）</span>' in html
    handled = re.search(r'<table class="list window-guides">.*?</table>', html, re.S)[0]
    guides = [by_code(sample_site, "guides", c) for c in window.value("guides")]
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', handled) == [g.title for g in guides]
    assert re.findall(r'data-label="承诺时限">([^<]+)<', handled) == [g.value("promised_time_limit") for g in guides]
    assert not re.search(r">ZN-\d+<", html)  # no bare code where a name belongs


def test_an_officer_page_gives_the_supervision_number_as_a_tel_link(sample_site):
    officer = live(sample_site, "officers")[0]
    html = sample_site.page(officer.url)
    supervision = re.search(r'<p class="supervision".*?</p>', html, re.S)[0]
    assert "监督电话" in supervision
    assert re.search(r'<a class="tel" href="tel:\d+">[\d-]+</a>', supervision)
    footer = re.search(r'<footer class="site-footer">.*?</footer>', html, re.S)[0]
    assert len(re.findall(r'href="tel:', footer)) == 2  # 联系电话 and 监督电话
    assert re.search(r'<td class="date">\d{4}-\d\d-\d\d</td>', html)


def test_on_a_phone_no_date_or_phone_number_breaks_across_lines(sample_site):
    officer = next(o for o in live(sample_site, "officers") if o.value("valid_to"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for site_url in serve_site(make_server(sample_site.output, port=0)):
            page = browser.new_page(viewport={"width": 375, "height": 800})
            for url in (officer.url, "/penalties/"):
                page.goto(site_url + url)
                lines = page.evaluate("""() => [...document.querySelectorAll('.date, .tel')].map(e => {
                    const r = document.createRange(); r.selectNodeContents(e);
                    const tops = new Set([...r.getClientRects()].map(q => Math.round(q.top)));
                    return [e.textContent, tops.size]; })""")
                assert lines and all(n == 1 for _, n in lines), [t for t, n in lines if n != 1]
        browser.close()


def test_a_changed_guide_rewrites_the_window_page_that_shows_its_time_limit(runner):
    from publisher.site.build import build_site
    from tests.conftest import SAMPLE_NOW
    from tests.factories import guide, window

    runner.pull([guide(row=1, promised_time_limit="5个工作日"), window(row=1, guides="ZN-001")])
    build_site(runner.config, SAMPLE_NOW)
    slug = next(iter(runner.pages("windows")))
    page = runner.config.paths.output / "windows" / slug / "index.html"
    assert 'data-label="承诺时限">5个工作日<' in page.read_text(encoding="utf-8")
    runner.pull([guide(row=1, promised_time_limit="3个工作日"), window(row=1, guides="ZN-001")])
    build_site(runner.config, SAMPLE_NOW)  # incremental: the window's own record did not change
    assert 'data-label="承诺时限">3个工作日<' in page.read_text(encoding="utf-8")


def _scanned_window(guide, windows):
    """The window a guide names, as the scan over every window found it before `Windows` (the reference)."""
    named = str(guide.value("window") or "").strip()
    code = named.split()[0] if named else ""
    for window in windows:
        if (code and window.value("code") == code) or (named and window.value("name") == named):
            return window
    listed = (w for w in windows if guide.value("code") in [str(v) for v in (w.value("guides") or ())])
    return next(listed, None)


def test_a_guide_finds_the_window_the_scan_over_every_window_found(sample_site):
    """Issue 18: a 100k republish spent 6.6 s looking up each window's staff among every officer and each guide's
    window among every window; the lookups now take one pass. The same window for every kind of naming: by code,
    by full name, by a name another window's code shares, listed only by the window, and none."""
    import random

    from publisher.core.content import PublishedRecord
    from publisher.site.guides import Windows, officers_by_name, window_links

    rng = random.Random(18)
    codes, names = ["CK-01", "CK-02", "CK-03", ""], ["综合窗口", "CK-02", "林业窗口", ""]

    def record(type_key: str, n: int, **fields) -> PublishedRecord:
        return PublishedRecord(type_key, f"{type_key}-{n}", f"{type_key} {n}", "2026-01-01", "2026-01-01", "live",
                               tuple(fields.items()))

    for _ in range(200):
        windows = [record("windows", n, code=rng.choice(codes), name=rng.choice(names),
                          guides=tuple(rng.sample(["ZN-1", "ZN-2", "ZN-3"], rng.randint(0, 2))))
                   for n in range(rng.randint(0, 5))]
        named = rng.choice(["", "CK-01", "CK-02 综合窗口", "综合窗口", "CK-02", "林业窗口", "CK-09 别处"])
        guide = record("guides", 0, code=rng.choice(["ZN-1", "ZN-2", "ZN-9"]), window=named)
        assert Windows(windows).of(guide) is _scanned_window(guide, windows), (named, windows)
    officers = [record("officers", n, name=name) for n, name in enumerate(["刘示范", "王示例", "王示例"])]
    window = record("windows", 9, staff=("刘示范（首席代表）", "王示例", "赵无名"))
    staff = window_links(window, {}, officers_by_name(officers))["staff"]
    assert [link.url for link in staff] == [officers[0].url, None, None]  # two of one name: linked to neither
