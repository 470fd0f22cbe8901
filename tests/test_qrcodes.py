from __future__ import annotations

import io
import multiprocessing
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import cairosvg
import pytest
import zxingcpp
from PIL import Image

from publisher.site.qrcodes import QrCache, qr_matrix, qr_svg, require_public_url

URL = "https://lyj.example.gov.cn/penalties/3fa9c1e2ab01/"
SVG_NS = "{http://www.w3.org/2000/svg}"


def decode(svg: str) -> list[str]:
    """Rasterise the SVG as a browser would and read it back with a real QR decoder (ZXing)."""
    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=410, output_height=410)
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_svg_decodes_to_the_exact_url() -> None:
    assert decode(qr_svg(URL)) == [URL]


def test_url_with_query_characters_round_trips() -> None:
    url = "https://lyj.example.gov.cn/search/?q=a&type=penalties"
    assert decode(qr_svg(url)) == [url]


def test_svg_is_inline_html5_markup() -> None:
    svg = qr_svg(URL)
    assert svg.startswith("<svg") and "<?xml" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 41 41"
    assert root.get("role") == "img"
    assert root.get("aria-label") == f"二维码：{URL}"
    assert root.get("focusable") == "false"
    assert all(el.get("id") is None for el in root.iter())  # several codes may share a page
    rect, path = list(root)
    assert rect.tag == f"{SVG_NS}rect" and rect.get("fill") == "white"  # scannable in dark/high-contrast themes
    assert path.tag == f"{SVG_NS}path" and path.get("fill") == "#000000"


def test_svg_fits_the_detail_page_budget() -> None:
    assert len(qr_svg(URL).encode("utf-8")) < 12 * 1024


# Short and long, ASCII and Chinese, and one qrcode splits into a numeric segment (20+ digits in a row).
ODD_URLS = [
    "https://a.cn/",
    "https://lyj.example.gov.cn/parties/91330100MA2B3C4D5E/",
    "https://县林业局.example.gov.cn/事项/" + "森林" * 12 + "/",
    "https://lyj.example.gov.cn/guides/" + "a-b/" * 60,  # version 14: a 16-bit length field
    "https://lyj.example.gov.cn/x/12345678901234567890123/",
]


@pytest.mark.parametrize("url", ODD_URLS)
def test_codes_of_any_length_decode_to_the_exact_url(url: str) -> None:
    assert decode(qr_svg(url)) == [url]


def test_codes_are_the_ones_qrcode_draws() -> None:
    """Same modules as qrcode's own drawing (ECC M, mask 0), so codes already printed on posters stay valid."""
    import qrcode
    import qrcode.constants

    urls = ODD_URLS + [f"https://lyj.example.gov.cn/penalties/{n * 7919:012x}/" for n in range(40)]
    for url in urls:
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=0)
        qr.add_data(url)
        qr.make(fit=True)
        assert qr_matrix(url) == ["".join("1" if m else "0" for m in row) for row in qr.get_matrix()], url


def test_relative_url_is_refused() -> None:
    with pytest.raises(ValueError, match="absolute"):
        qr_svg("/penalties/3fa9c1e2ab01/")


def test_cache_is_written_then_used_without_redrawing(tmp_path: Path) -> None:
    cache = QrCache(tmp_path)
    first = qr_svg(URL, cache)
    cache.flush()
    with sqlite3.connect(cache.path) as db:
        assert db.execute("SELECT url, svg FROM qr").fetchall() == [(URL, first)]
        # A changed cached code comes back: proof that the next call does not draw.
        db.execute("UPDATE qr SET svg = ?", ('<svg data-cached="yes"></svg>',))
    assert qr_svg(URL, QrCache(tmp_path)) == '<svg data-cached="yes"></svg>'
    assert qr_svg(URL) == first


def test_cache_is_keyed_by_url(tmp_path: Path) -> None:
    other = "https://lyj.example.gov.cn/permits/0b1c2d3e4f50/"
    cache = QrCache(tmp_path)
    assert decode(qr_svg(other, cache)) == [other]
    assert decode(qr_svg(URL, cache)) == [URL]
    cache.flush()
    assert decode(qr_svg(URL, QrCache(tmp_path))) == [URL]


def test_damaged_cache_is_drawn_again(tmp_path: Path) -> None:
    cache = QrCache(tmp_path)
    cache.path.write_bytes(b"not a database")
    assert decode(qr_svg(URL, cache)) == [URL]
    cache.flush()  # the damaged file was replaced by a new cache
    with sqlite3.connect(cache.path) as db:
        assert [u for u, in db.execute("SELECT url FROM qr")] == [URL]
        db.execute("UPDATE qr SET svg = ''")  # an empty code is drawn again
    assert decode(qr_svg(URL, QrCache(tmp_path))) == [URL]


def test_a_forked_worker_stores_its_own_codes(tmp_path: Path) -> None:
    cache = QrCache(tmp_path)
    qr_svg(URL, cache)  # pending in the parent when the worker forks
    other = "https://lyj.example.gov.cn/permits/0b1c2d3e4f50/"
    worker = multiprocessing.get_context("fork").Process(target=lambda: (qr_svg(other, cache), cache.flush()))
    worker.start()
    worker.join()
    assert worker.exitcode == 0
    cache.flush()
    with sqlite3.connect(cache.path) as db:
        assert sorted(u for u, in db.execute("SELECT url FROM qr")) == sorted([URL, other])


def test_old_cache_folder_is_removed(tmp_path: Path) -> None:
    (tmp_path / "qr").mkdir()
    (tmp_path / "qr" / "0a.svg").write_text("<svg></svg>")
    (tmp_path / "qr-svg-1.sqlite").write_bytes(b"")
    cache = QrCache(tmp_path)
    cache.path.write_bytes(b"")
    cache.prune()
    assert [p.name for p in tmp_path.iterdir()] == [cache.path.name]


@pytest.mark.parametrize("url", [
    "https://lyj.example.gov.cn",
    "http://lyj.example.gov.cn",
    "https://www.example.gov.cn/lyj",
    "https://lyj.example.gov.cn:8443",
    "https://114.114.114.114",
])
def test_public_site_urls_are_accepted(url: str) -> None:
    require_public_url(url)


@pytest.mark.parametrize("url", [
    "http://localhost:8000",
    "http://LOCALHOST",
    "http://127.0.0.1:8000",
    "http://127.1.2.3",
    "http://0.0.0.0:8000",
    "http://[::1]:8000",
    "http://portal.local",
    "http://portal.localhost",
    "http://192.168.1.10",
    "http://intranet",
    "ftp://lyj.example.gov.cn",
    "lyj.example.gov.cn",
    "",
])
def test_local_site_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="不是公网地址") as info:
        require_public_url(url)
    assert "not a public URL" in str(info.value)
