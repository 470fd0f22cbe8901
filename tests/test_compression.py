"""Gzip twins written by the build, gzip and cache lifetimes from `portal serve` (issue 17)."""

from __future__ import annotations

import gzip
import http.client
import re
import subprocess
import zlib

import pytest

from publisher.site.precompress import MIN_BYTES
from publisher.site.serve import make_server
from tests.conftest import serve_site


@pytest.fixture(scope="module")
def server(sample_site):
    yield from serve_site(make_server(sample_site.output, port=0, workers=2))


def fetch(base: str, path: str, gzip_ok: bool = True, **headers: str) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    if gzip_ok:
        conn.putheader("Accept-Encoding", "gzip, deflate, br")
    for name, value in headers.items():
        conn.putheader(name.replace("_", "-"), value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_every_text_file_over_a_kilobyte_has_a_gzip_twin_with_the_same_bytes(sample_site):
    out = sample_site.output
    # The search indexes are left out: the static one twins every file itself (publisher/site/search/static.py).
    texts = [p for suffix in ("html", "css", "js", "json", "xml") for p in out.rglob(f"*.{suffix}")
             if "_search" not in p.parts and not p.relative_to(out).as_posix().startswith("search/index/")]
    large = [p for p in texts if p.stat().st_size >= MIN_BYTES]
    assert len(large) > 300 and any(p.suffix == ".css" for p in large) and any(p.suffix == ".xml" for p in large)
    for path in large:
        twin = path.with_name(path.name + ".gz")
        assert twin.is_file(), path
        assert gzip.decompress(twin.read_bytes()) == path.read_bytes(), path
    small = [p for p in texts if p.stat().st_size < MIN_BYTES]
    assert small and not any(p.with_name(p.name + ".gz").exists() for p in small)


def test_a_browser_that_accepts_gzip_gets_the_precompressed_page(sample_site, server):
    twin = (sample_site.output / "index.html.gz").read_bytes()
    status, headers, body = fetch(server, "/")
    assert status == 200 and headers["content-encoding"] == "gzip" and body == twin
    assert headers["vary"] == "Accept-Encoding" and headers["content-type"].startswith("text/html")
    assert int(headers["content-length"]) == len(body) < len(gzip.decompress(body)) / 2


def test_a_client_without_gzip_gets_the_plain_bytes(sample_site, server):
    status, headers, body = fetch(server, "/penalties/", gzip_ok=False)
    assert status == 200 and "content-encoding" not in headers and headers["vary"] == "Accept-Encoding"
    assert body == (sample_site.output / "penalties" / "index.html").read_bytes()
    status, headers, _ = fetch(server, "/", gzip_ok=False, Accept_Encoding="gzip;q=0, identity")
    assert "content-encoding" not in headers


def test_search_results_rendered_by_the_server_are_compressed_too(server):
    status, headers, body = fetch(server, "/search/?q=%E6%9E%97")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "站内搜索" in gzip.decompress(body).decode("utf-8") and headers["cache-control"] == "no-store"


def test_theme_files_carry_their_hash_and_are_kept_a_year_pages_are_revalidated(sample_site, server):
    home = sample_site.page("/")
    assets = re.findall(r'(?:href|src)="(/theme/[^"]+)"', home)
    assert len(assets) == 3 and all(re.fullmatch(r"/theme/(css|js)/\w+\.[0-9a-f]{10}\.(css|js)", a) for a in assets)
    for asset in assets:
        status, headers, _ = fetch(server, asset)
        assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable", asset
    # The static search index: every file is named for good (static_files.py), its meta by its own bytes.
    meta = re.search(r'data-static-index="(/search/index/meta-[0-9a-f]{16}\.json)"', sample_site.page("/search/"))
    status, headers, _ = fetch(server, meta.group(1))
    assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable"
    status, headers, _ = fetch(server, "/")
    assert headers["cache-control"] == "no-cache" and "last-modified" in headers
    status, _, body = fetch(server, "/", If_Modified_Since=headers["last-modified"])
    assert status == 304 and body == b""
    status, headers, _ = fetch(server, "/feeds/all.rss.xml")
    assert status == 200 and headers["cache-control"] == "public, max-age=300"


def test_the_old_unhashed_theme_names_are_gone(sample_site, server):
    assert not (sample_site.output / "theme" / "css" / "portal.css").exists()
    status, _, _ = fetch(server, "/theme/css/portal.css")
    assert status == 404


def test_a_removed_page_takes_its_twin_with_it(sample_site, tmp_path):
    from plugins.pages.writer import PageWriter

    pages = PageWriter(lambda name: None, tmp_path, sample_site.config, {}, previous={"/gone/": ""})
    page = tmp_path / "gone" / "index.html"
    pages.write_text("/gone/", "<p>页面</p>" * 300)
    assert gzip.decompress(page.with_name("index.html.gz").read_bytes()) == page.read_bytes()
    pages.produced.clear()
    assert pages.finish(None) == ["/gone/"]
    assert not page.exists() and not page.with_name("index.html.gz").exists()


@pytest.mark.parametrize("size", [10, 5000, 9 << 20])  # no twin, a level-6 twin, a level-1 twin (BIG_BYTES)
def test_a_large_file_written_from_its_parts_equals_the_joined_file_and_its_twin(tmp_path, size):
    """A whole type's open data is written part by part (write_parts), never joined in memory: the file is the
    bytes the joined file gets, its gzip twin a valid gzip of them (parts deflated apart: not gzip.compress's
    bytes); an unchanged file is not rewritten; a release sharing the old file and twin by hard link keeps its
    bytes when they change."""
    import os
    import random

    from publisher.core.files import write_if_changed
    from publisher.site.precompress import twin_of, write_parts, write_twin

    rng = random.Random(size)
    words = [("罚款" * rng.randint(1, 9) + f"{rng.random()},").encode() for _ in range(200)]
    data = b"".join(rng.choice(words) for _ in range(size // 20 + 1))[:size]
    parts = [data[i:i + 777_777] for i in range(0, len(data), 777_777)]
    joined, streamed = tmp_path / "joined" / "penalties.json", tmp_path / "streamed" / "penalties.json"
    joined.parent.mkdir()
    write_twin(joined, data, write_if_changed(joined, data))
    assert write_parts(str(streamed), iter(parts)) is True
    assert streamed.read_bytes() == joined.read_bytes() == data
    assert os.path.exists(twin_of(joined)) == os.path.exists(twin_of(streamed)) == (size >= MIN_BYTES)
    if size >= MIN_BYTES:
        assert gzip.decompress(open(twin_of(streamed), "rb").read()) == data
        assert subprocess.run(["gzip", "-t", twin_of(streamed)]).returncode == 0
    before = streamed.stat().st_ino
    assert write_parts(str(streamed), iter(parts)) is False and streamed.stat().st_ino == before
    shared = tmp_path / "release-1.json"
    os.link(streamed, shared)
    if size >= MIN_BYTES:
        os.link(twin_of(streamed), twin_of(shared))
    assert write_parts(str(streamed), iter([*parts, b"!"])) is True
    assert streamed.read_bytes() == data + b"!" and shared.read_bytes() == data  # the old release keeps its file
    if size >= MIN_BYTES:
        assert gzip.decompress(open(twin_of(streamed), "rb").read()) == data + b"!"
        assert gzip.decompress(open(twin_of(shared), "rb").read()) == data
    assert write_parts(str(streamed), iter(parts)) is True  # the old file's bytes go on after the new: changed
    assert streamed.read_bytes() == data
    assert not [p for p in streamed.parent.iterdir() if p.name.startswith(".tmp-")]


def _pieces(cache: dict[str, bytes], months: list[bytes]) -> list[object]:
    """Months as pieces whose deflated blocks are kept in `cache` (what PartCache.get does), with loose bytes
    between them as a file's header and separators are."""
    from publisher.site.precompress import Piece

    def kept(name: str, encode):
        if name not in cache:
            cache[name] = encode()
        return cache[name]

    out: list[object] = [b"\xef\xbb\xbfheader\r\n"]
    for n, month in enumerate(months):
        out += [Piece(month, lambda encode, n=n: kept(f"m{n}", encode)), b",\n"]
    return out


def test_a_twin_joined_from_kept_deflated_months_equals_a_twin_made_afresh(tmp_path):
    """The gzip twin of a file written from months' pieces is made of each month's deflated blocks: a republish
    deflates only the month that changed, and its twin is byte for byte the twin a full build (nothing kept)
    makes, a single gzip member that gzip and Python read back."""
    import random

    from publisher.site.precompress import twin_of, write_parts

    rng = random.Random(7)
    months = [("，".join(f"罚款{rng.random()}" for _ in range(rng.randint(0, 900)))).encode() for _ in range(12)]
    months[3] = b""  # a month whose records were all withdrawn
    kept: dict[str, bytes] = {}
    incremental, full = tmp_path / "inc" / "penalties.csv", tmp_path / "full" / "penalties.csv"
    write_parts(str(incremental), _pieces(kept, months))
    deflated = {name: zlib.crc32(blocks) for name, blocks in kept.items()}
    months[5] = months[5] + "（经复核更正）".encode()
    kept.pop("m5")  # the changed month's rows are new: PartCache names them anew
    assert write_parts(str(incremental), _pieces(kept, months)) is True
    assert {n for n, blocks in kept.items() if deflated.get(n) != zlib.crc32(blocks)} == {"m5"}
    assert write_parts(str(full), _pieces({}, months)) is True
    data = b"\xef\xbb\xbfheader\r\n" + b"".join(m + b",\n" for m in months)
    assert incremental.read_bytes() == full.read_bytes() == data
    twin = open(twin_of(incremental), "rb").read()
    assert twin == open(twin_of(full), "rb").read()
    assert gzip.decompress(twin) == data
    assert subprocess.run(["gzip", "-t", twin_of(incremental)]).returncode == 0
    member = zlib.decompressobj(31)
    assert member.decompress(twin) == data and member.eof and member.unused_data == b""  # one member, nothing after
    # An unchanged file whose twin an older build compressed in one go gets the twin a full build makes.
    with open(twin_of(incremental), "wb") as fh:
        fh.write(gzip.compress(data, mtime=0))
    assert write_parts(str(incremental), _pieces(kept, months)) is False
    assert open(twin_of(incremental), "rb").read() == twin


def test_kept_deflated_blocks_of_other_bytes_are_never_used(tmp_path):
    """Blocks kept under a piece's name but made from other bytes (a damaged or stale cache) are deflated again:
    the twin still holds the file's bytes."""
    from publisher.site.precompress import deflated, twin_of, write_parts

    months = [(f"第{n}月，" * 400).encode() for n in range(4)]
    kept = {f"m{n}": deflated(b"other bytes " * 50) for n in range(4)}
    kept["m1"] = b"\x00"  # shorter than its header
    path = tmp_path / "penalties.json"
    write_parts(str(path), _pieces(kept, months))
    assert gzip.decompress(open(twin_of(path), "rb").read()) == path.read_bytes()
    assert path.read_bytes() == b"\xef\xbb\xbfheader\r\n" + b"".join(m + b",\n" for m in months)
