"""What a person sees, in Debian's headless Chromium: no errors, no failed requests, no serious axe findings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from publisher.core.content import load_published
from publisher.site.serve import make_server
from tests.conftest import ROOT, serve_site

CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def site_url(sample_site) -> Iterator[str]:
    yield from serve_site(make_server(sample_site.output, port=0))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


def sample_urls(sample_site) -> dict[str, str]:
    published = load_published(sample_site.config.paths.content)
    penalty = next(r for r in published["penalties"] if r.live)
    officer = next(r for r in published["officers"] if r.live)
    window = next(r for r in published["windows"] if r.live)
    guide = next(r for r in published["guides"] if r.live)
    return {"home": "/", "list": "/penalties/", "penalty": penalty.url, "officer": officer.url,
            "poster": f"{window.url}poster/", "guide": guide.url, "verify": "/officers/verify/",
            "statistics": "/statistics/", "annual-report": "/statistics/annual/2025/", "opendata": "/opendata/",
            "discretion": "/about/discretion/",
            "ledger": "/ledger/"}


def open_page(browser: Browser, url: str, width: int, javascript: bool = True) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed request {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, problems


def axe_violations(page: Page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through the debugger: the site's CSP still binds the site
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def looks_clean(page: Page, width: int, folder: Path, name: str) -> None:
    """Screenshot the page into `folder`, then: nothing serious for axe, nothing wider than the screen."""
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert axe_violations(page) == []
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["home", "list", "penalty", "officer", "poster", "guide", "verify", "statistics",
                                  "annual-report", "discretion", "opendata", "ledger"])
def test_page_renders_cleanly_and_passes_axe(browser, sample_site, site_url, name, width):
    url = site_url + sample_urls(sample_site)[name]
    page, problems = open_page(browser, url, width)
    assert problems == []
    looks_clean(page, width, SCREENSHOTS, name)
    page.context.close()


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_the_content(browser, sample_site, site_url):
    page, _ = open_page(browser, site_url + "/penalties/", 375)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.context.close()


def font_size(page: Page) -> float:
    return float(page.evaluate("getComputedStyle(document.documentElement).fontSize").removesuffix("px"))


def test_care_mode_works_without_javascript(browser, sample_site, site_url):
    page, problems = open_page(browser, site_url + "/", 375, javascript=False)
    normal = font_size(page)
    page.get_by_role("link", name="长者模式（大字体 高对比）").click()
    assert font_size(page) >= normal * 1.2
    page.get_by_role("link", name="退出长者模式").click()
    assert font_size(page) == normal
    assert problems == []
    page.context.close()


def test_care_mode_persists_across_pages_with_javascript(browser, sample_site, site_url):
    page, _ = open_page(browser, site_url + "/", 1280)
    normal = font_size(page)
    page.get_by_role("link", name="长者模式（大字体 高对比）").click()
    page.goto(site_url + "/penalties/", wait_until="networkidle")
    assert font_size(page) >= normal * 1.2
    page.get_by_role("link", name="退出长者模式").click()
    page.goto(site_url + "/", wait_until="networkidle")
    assert font_size(page) == normal
    page.context.close()


def test_a_citizen_verifies_a_certificate_number(browser, sample_site, site_url):
    officer = next(r for r in load_published(sample_site.config.paths.content)["officers"] if r.live)
    page, _ = open_page(browser, site_url + "/officers/verify/", 375)
    page.get_by_role("textbox", name="执法证号").fill(str(officer.value("cert_no")).lower())
    page.get_by_role("button", name="核验").click()
    page.wait_for_url(f"**{officer.url}")
    assert page.locator(".validity").is_visible()
    page.goto(site_url + "/officers/verify/?cert=NO-SUCH-CERT", wait_until="networkidle")
    assert "未找到" in page.locator(".verify-result").inner_text()
    page.context.close()


def test_a_screen_reader_gets_a_labelled_qr_code_and_table_headers(browser, sample_site, site_url):
    page, _ = open_page(browser, site_url + sample_urls(sample_site)["penalty"], 1280)
    assert page.get_by_role("img", name="二维码").count() == 1 or page.locator("svg[role=img]").count() == 1
    assert page.get_by_role("rowheader", name="违法行为类型").count() == 1
    assert page.get_by_role("navigation", name="主导航").count() == 1
    page.context.close()


def test_a_certificate_that_expired_since_the_build_is_reported_expired_on_the_phone(browser, sample_site, site_url):
    officer = next(r for r in load_published(sample_site.config.paths.content)["officers"]
                   if r.value("cert_no") == "LY2022-000123")
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.clock.set_fixed_time(datetime(2027, 3, 1, 10, 0))
    page.goto(site_url + officer.url, wait_until="networkidle")
    assert "证件已于 2027-02-28 过期" in page.locator(".validity").inner_text()
    page.clock.set_fixed_time(datetime(2027, 2, 28, 10, 0))
    page.reload(wait_until="networkidle")
    assert "证件有效" in page.locator(".validity").inner_text()
    context.close()
