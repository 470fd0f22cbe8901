"""A4 posters as a window prints them: Chromium prints each poster to PDF, poppler rasterises it, and a
real QR decoder (ZXing) reads every code back from the paper, at its printed size."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import qrcode
import qrcode.constants
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, sync_playwright

from publisher.core.content import load_published
from publisher.site.build import build_site
from publisher.site.serve import make_server
from tests.conftest import SAMPLE_NOW, serve_site
from tests.factories import guide, matter, window

CHROMIUM = "/usr/bin/chromium"
DPI = 200
MM_PER_PX = 25.4 / DPI


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking",
                                                                     "--disable-gpu", "--no-first-run"])
        yield browser
        browser.close()


def print_poster(browser: Browser, site_url: str, url: str, pdf: Path) -> dict:
    """Print the poster as a clerk would (A4, the site's print CSS); return its caption sizes in points."""
    page = browser.new_page()
    try:
        page.goto(site_url + url, wait_until="networkidle")
        page.emulate_media(media="print")
        sizes = page.evaluate("""() => ({
            main: parseFloat(getComputedStyle(document.querySelector('.poster-main figcaption')).fontSize) * 0.75,
            guides: [...document.querySelectorAll('.poster-guides figcaption')].map(
                f => parseFloat(getComputedStyle(f).fontSize) * 0.75)})""")
        page.pdf(path=str(pdf), format="A4")
    finally:
        page.close()
    return sizes


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_text(pdf: Path, number: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def page_image(pdf: Path, number: int) -> Image.Image:
    prefix = pdf.with_name(f"{pdf.stem}-p{number}")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", "-f", str(number), "-l", str(number),
                    str(pdf), str(prefix)], check=True)
    return Image.open(prefix.with_suffix(".png")).convert("L")


def modules(url: str) -> int:
    """Modules across the symbol the site draws for `url` (publisher/site/qrcodes.py: level M, no border)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return len(code.get_matrix())


def read_codes(image: Image.Image) -> dict[str, float]:
    """Each decoded URL with its printed width in millimetres; asserts its 4-module quiet zone is blank."""
    found = {}
    for code in zxingcpp.read_barcodes(image):
        p = code.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        width_px = max(xs) - min(xs)
        module = width_px / modules(code.text)
        band = 4 * module - 2  # less two pixels of anti-aliasing at the symbol's edge
        left, top, right, bottom = min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1
        ring = [(left - band, top - band, right + band, top), (left - band, bottom, right + band, bottom + band),
                (left - band, top, left, bottom), (right, top, right + band, bottom)]
        darkest = min(image.crop(tuple(map(round, box))).getextrema()[0] for box in ring)
        assert darkest > 150, f"{code.text}: something printed inside the quiet zone"
        found[code.text] = width_px * MM_PER_PX
    return found


def check_poster(browser: Browser, site_url: str, base: str, record_url: str, guide_urls: list[str],
                 pdf: Path) -> int:
    sizes = print_poster(browser, site_url, f"{record_url}poster/", pdf)
    assert sizes["main"] >= 14 and all(s >= 11 for s in sizes["guides"]), sizes
    count = pdf_pages(pdf)
    decoded: dict[str, float] = {}
    for number in range(1, count + 1):
        on_page = read_codes(page_image(pdf, number))
        assert not set(on_page) & set(decoded), "a code printed twice"
        decoded.update(on_page)
    assert sorted(decoded) == sorted([base + record_url] + [base + u for u in guide_urls])
    assert min(decoded.values()) >= 30, decoded  # every symbol at least 3 cm across, quiet zone not counted
    return count


def test_every_sample_poster_prints_on_one_a4_sheet_and_every_code_scans(sample_site, browser, tmp_path):
    published = load_published(sample_site.config.paths.content)
    guides = {g.value("code"): g for g in published["guides"] if g.live}
    base = sample_site.config.site.url
    posters = [(w, [guides[c].url for c in w.value("guides") if c in guides])
               for w in published["windows"] if w.live] + [(g, []) for g in guides.values()]
    assert len(posters) >= 10
    for site_url in serve_site(make_server(sample_site.output, port=0)):
        for record, guide_urls in posters:
            pdf = tmp_path / f"{record.slug}.pdf"
            assert check_poster(browser, site_url, base, record.url, guide_urls, pdf) == 1, record.title
            first = page_text(pdf, 1)
            assert record.title in first and "请用手机扫描二维码" in first


@pytest.fixture(scope="module")
def busy_site(tmp_path_factory) -> Iterator[tuple]:
    """Two windows: one handling 12 matters (still one sheet), one handling 28 (two sheets)."""
    from publisher.core.config import load_config
    from tests.conftest import MINIMAL_TOML, Runner

    root = tmp_path_factory.mktemp("posters")
    (root / "data").mkdir()
    (root / "portal.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    config = load_config(root / "portal.toml")
    names = ["林木采伐许可证核发", "林草种子生产经营许可证核发（含进出口审批初审和跨省调运备案）", "野外用火审批"]
    rows = [matter(row=1, code="LY-XK-001")]
    rows += [guide(row=n, name=f"{names[n % 3]}第{n}项", window="CK-03" if n <= 12 else "CK-04")
             for n in range(1, 41)]
    rows += [window(row=3, name="综合受理窗口", guides="；".join(f"ZN-{n:03d}" for n in range(1, 13))),
             window(row=4, name="林业审批一窗通办窗口", guides="；".join(f"ZN-{n:03d}" for n in range(13, 41)))]
    Runner(config).pull(rows)
    build_site(config, SAMPLE_NOW)
    published = load_published(config.paths.content)
    for site_url in serve_site(make_server(config.paths.output, port=0)):
        yield config, published, site_url


def test_a_window_with_twelve_matters_still_fits_one_sheet(busy_site, browser, tmp_path):
    config, published, site_url = busy_site
    guides = {g.value("code"): g for g in published["guides"]}
    busy = next(w for w in published["windows"] if w.value("code") == "CK-03")
    urls = [guides[c].url for c in busy.value("guides")]
    assert check_poster(browser, site_url, config.site.url, busy.url, urls, tmp_path / "busy.pdf") == 1


def test_a_window_with_too_many_matters_continues_on_a_second_sheet_under_a_repeated_header(busy_site, browser,
                                                                                             tmp_path):
    config, published, site_url = busy_site
    guides = {g.value("code"): g for g in published["guides"]}
    long = next(w for w in published["windows"] if w.value("code") == "CK-04")
    assert len(long.value("guides")) == 28
    urls = [guides[c].url for c in long.value("guides")]
    pdf = tmp_path / "long.pdf"
    assert check_poster(browser, site_url, config.site.url, long.url, urls, pdf) == 2
    second = page_text(pdf, 2)
    assert "林业审批一窗通办窗口（续）" in second and "第 2 页，共 2 页" in second
    assert (config.site.agency or config.site.name) in second
    assert "第 1 页，共 2 页" in page_text(pdf, 1)
