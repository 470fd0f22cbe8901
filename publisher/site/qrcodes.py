"""QR codes for detail pages and posters (DESIGN §5): inline SVG encoding a page's absolute URL.

Drawing one costs about 0.3–0.5 ms (qrcode itself: 1–5 ms, DESIGN §7); each SVG is still cached by URL
(QrCache, one SQLite file) and a rebuild reads it back.
The build refuses a SITEURL that is not public: a code printed on paper must work for years.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import logging
import operator
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import qrcode
import qrcode.base
import qrcode.constants
import qrcode.util

# Part of the cache's name: bump it when the markup below changes, so old cached SVGs are not reused.
FORMAT = "qr-svg-2"
log = logging.getLogger(__name__)

# Host suffixes that never resolve on the public internet (RFC 6761, RFC 6762, RFC 8375 and common LAN names).
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test", ".invalid")


def qr_svg(url: str, cache: QrCache | None = None) -> str:
    """Inline SVG markup (HTML5, no XML declaration) of a QR code for the absolute `url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"二维码只能编码完整网址 / a QR code needs an absolute http(s) URL, got {url!r}")
    cached = cache.get(url) if cache is not None else None
    if cached is not None:
        return cached
    svg = _draw(url)
    if cache is not None:
        cache.put(url, svg)
    return svg


class QrCache:
    """Drawn codes by URL in one SQLite file of the state folder (`qr-<FORMAT>.sqlite`), so a rebuild reads them.

    One file per code cost a cold build 20k file creations in one folder, the slowest thing a build does on
    this file system. New codes wait in memory and are stored BATCH at a time in one transaction, and by
    `flush()`; each process opens its own connection (forked page workers never use their parent's). The
    cache never fails a build: a damaged or locked file means codes are drawn again.
    """

    BATCH = 2000

    def __init__(self, folder: Path) -> None:
        self.path = folder / f"{FORMAT}.sqlite"
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._new: dict[str, str] = {}

    def prune(self) -> None:
        """Remove the caches of other formats and the file-per-code folder (`qr/`) this one replaced."""
        shutil.rmtree(self.path.parent / "qr", ignore_errors=True)
        for old in self.path.parent.glob("qr-*.sqlite*"):
            if not old.name.startswith(self.path.name):
                old.unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection | None:
        if self._pid != os.getpid():  # a forked worker: its parent's connection and pending codes are not its own
            self._db, self._pid, self._new = None, os.getpid(), {}
            try:
                self._db = self._open()
            except sqlite3.OperationalError as exc:  # locked, unreadable: draw this build's codes again
                log.warning("二维码缓存 %s 无法打开，二维码将重新绘制：%s", self.path, exc)
            except sqlite3.DatabaseError:  # not a database: a cache is rebuilt, never repaired
                for path in self.path.parent.glob(self.path.name + "*"):
                    path.unlink(missing_ok=True)
                self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")  # a worker reads while the other stores its batch
        db.execute("CREATE TABLE IF NOT EXISTS qr (url TEXT PRIMARY KEY, svg TEXT NOT NULL)")
        return db

    def get(self, url: str) -> str | None:
        db = self._connect()
        svg = self._new.get(url)
        if svg is None and db is not None:
            try:
                row = db.execute("SELECT svg FROM qr WHERE url = ?", (url,)).fetchone()
            except sqlite3.Error:
                row = None
            svg = row[0] if row else None
        return svg if isinstance(svg, str) and svg.startswith("<svg") else None

    def put(self, url: str, svg: str) -> None:
        self._connect()
        self._new[url] = svg
        if len(self._new) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Store the codes drawn since the last flush, in one transaction."""
        db = self._connect()
        new, self._new = self._new, {}
        if not new or db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO qr VALUES (?, ?)", new.items())
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            log.warning("二维码缓存 %s 无法写入：%s", self.path, exc)


def require_public_url(site_url: str) -> None:
    """Raise ValueError unless `site_url` is an http(s) URL on a public host (not localhost or a LAN)."""
    parts = urlsplit(site_url)
    host = (parts.hostname or "").rstrip(".").lower()
    problem = ""
    if parts.scheme not in ("http", "https"):
        problem = "scheme must be http or https / 协议必须是 http 或 https"
    elif not host:
        problem = "no host name / 缺少域名"
    elif parts.query or parts.fragment:
        problem = "must not contain ? or # / 不能包含 ? 或 #"
    elif host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        problem = f"{host} is a local host name / 是本机或局域网域名"
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if "." not in host:
                problem = f"{host} is not a public domain name / 不是公网域名"
        else:
            if not address.is_global:
                problem = f"{host} is not a public address / 不是公网地址"
    if problem:
        raise ValueError(
            f"站点网址 site.url = {site_url!r} 不是公网地址，打印的二维码将无法打开；"
            f"请在 portal.toml 的 [site] url 填写门户的正式 https 网址。"
            f" / site.url {site_url!r} is not a public URL ({problem}): QR codes would point at a page "
            f"phones cannot open; set [site] url in portal.toml to the portal's public https address."
        )


def _draw(url: str) -> str:
    # One path of horizontal runs is a third of the bytes of qrcode's module-by-module SVG.
    flat, size = _modules(url)
    # The quiet zone ends every row in light modules, so no run of the flat code crosses a row.
    runs = [_MOVE[x] + _ROW[y] + _RUN[end - start]
            for start, end in map(re.Match.span, _DARK_RUN.finditer(flat)) for y, x in (divmod(start, size),)]
    label = html.escape(f"二维码：{url}")
    # width/height are a no-CSS default size; the viewBox lets the theme's CSS scale it.
    return (f'<svg width="{size}mm" height="{size}mm" viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg" '
            f'role="img" aria-label="{label}" focusable="false"><rect fill="white" width="{size}" height="{size}"/>'
            f'<path fill="#000000" d="{"".join(runs)}"/></svg>')


_DARK_RUN = re.compile("1+")
_BORDER = 4
_MASK = 0  # a fixed mask skips the eight-way mask search (every decoder reads any mask)
_FAST_MAX_VERSION = 26  # byte mode's length field is 16 bits from version 10 to 26
_SIDE = 177 + 2 * _BORDER  # the widest code, version 40, with its quiet zone
# A run's path pieces by coordinate: looked up, not formatted, for the ~300 runs of every code.
_MOVE = [f"M{x} " for x in range(_SIDE)]
_ROW = [str(y) for y in range(_SIDE)]
_RUN = [f"h{w}v1h-{w}z" for w in range(_SIDE + 1)]


def qr_matrix(url: str) -> list[str]:
    """The code's rows as strings of "1" (dark) and "0", quiet zone included: ECC level M, mask 0.

    The same modules as qrcode's `QRCode(error_correction=M, mask_pattern=0).make(fit=True)`
    (tested), drawn about ten times faster: qrcode draws the function patterns and walks the data
    path again for every code, and computes Reed-Solomon with polynomial objects. Here a version's
    fixed modules and data path are worked out once; only the codewords are computed per URL.
    Anything qrcode would not encode as a single byte-mode segment goes through qrcode itself.
    """
    flat, width = _modules(url)
    return [flat[i:i + width] for i in range(0, len(flat), width)]


def _modules(url: str) -> tuple[str, int]:
    """Every module of the bordered code, row by row, in one string; and the code's width."""
    data = url.encode("utf-8")
    chunks = list(qrcode.util.optimal_data_chunks(data, minimum=20))  # qrcode's own segmentation
    version = _version_for(len(data))
    if len(chunks) != 1 or chunks[0].mode != qrcode.util.MODE_8BIT_BYTE or version > _FAST_MAX_VERSION:
        rows = _matrix_by_qrcode(url)
        return "".join(rows), len(rows)
    layout = _layout(version)
    codewords = _codewords(data, version, layout.blocks)
    bits = int.from_bytes(bytes(codewords), "big") << (layout.modules - 8 * len(codewords))  # + remainder bits
    masked = format(bits ^ layout.mask, f"0{layout.modules}b")  # the path's modules, masked
    return "".join(layout.place(masked + layout.fixed)), layout.width


def _matrix_by_qrcode(url: str) -> list[str]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=_BORDER, mask_pattern=_MASK)
    qr.add_data(url)
    qr.make(fit=True)
    return ["".join("1" if m else "0" for m in row) for row in qr.get_matrix()]


def _length_bits(version: int) -> int:
    return 8 if version < 10 else 16


def _version_for(length: int) -> int:
    """The smallest version whose ECC-M capacity holds a byte-mode segment of `length` bytes."""
    limits = qrcode.util.BIT_LIMIT_TABLE[qrcode.constants.ERROR_CORRECT_M]
    for version in range(1, 41):
        if 4 + _length_bits(version) + 8 * length <= limits[version]:
            return version
    return 41  # too long for any version: qrcode raises its own error


class _Layout(NamedTuple):
    modules: int  # data modules: the length of the path the codeword bits fill
    mask: int  # mask pattern 0 over the path, as bits ("1": the module is inverted)
    fixed: str  # the bordered code's other modules, row by row
    place: Callable[[str], tuple[str, ...]]  # masked path + fixed -> every module of the bordered code in order
    width: int
    blocks: list[tuple[int, int]]  # (total, data) codewords per Reed-Solomon block


@functools.cache
def _layout(version: int) -> _Layout:
    """A version's fixed modules and data path, taken from qrcode's own drawing with an empty data path."""

    class Blank(qrcode.QRCode):
        def map_data(self, data: object, mask_pattern: int) -> None:
            pass  # leave the data modules empty (None)

    qr = Blank(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=_MASK)
    qr.data_cache = []  # no codewords needed to draw the fixed patterns
    qr.makeImpl(False, _MASK)
    modules, size = qr.modules, qr.modules_count
    path: list[tuple[int, int]] = []
    row, step = size - 1, -1
    for col in range(size - 1, 0, -2):  # qrcode's map_data walk: column pairs from the right, up then down
        if col <= 6:
            col -= 1  # the vertical timing pattern takes column 6
        while 0 <= row < size:
            path.extend((row, c) for c in (col, col - 1) if modules[row][c] is None)
            row += step
        row -= step
        step = -step
    on_path = {cell: k for k, cell in enumerate(path)}
    width = size + 2 * _BORDER
    fixed, order = [], []
    for y in range(-_BORDER, size + _BORDER):
        for x in range(-_BORDER, size + _BORDER):
            if (y, x) in on_path:
                order.append(on_path[y, x])
            else:
                order.append(len(path) + len(fixed))
                fixed.append("1" if 0 <= y < size and 0 <= x < size and modules[y][x] else "0")
    mask = int("".join("1" if (y + x) % 2 == 0 else "0" for y, x in path), 2)  # mask pattern 0
    blocks = [(b.total_count, b.data_count)
              for b in qrcode.base.rs_blocks(version, qrcode.constants.ERROR_CORRECT_M)]
    return _Layout(len(path), mask, "".join(fixed), operator.itemgetter(*order), width, blocks)


def _codewords(data: bytes, version: int, blocks: list[tuple[int, int]]) -> list[int]:
    """Data and error-correction codewords, interleaved, as qrcode's create_data makes them."""
    capacity = sum(d for _, d in blocks) * 8
    bits = "0100" + format(len(data), f"0{_length_bits(version)}b") + "".join(map("{:08b}".format, data))
    bits += "0" * min(capacity - len(bits), 4)  # terminator
    bits += "0" * (-len(bits) % 8)
    stream = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    stream += [0xEC, 0x11] * ((capacity // 8 - len(stream)) // 2 + 1)
    stream = stream[:capacity // 8]
    data_blocks, ec_blocks, at = [], [], 0
    for total, count in blocks:
        block = stream[at:at + count]
        at += count
        data_blocks.append(block)
        ec_blocks.append(_rs_remainder(block, total - count))
    out = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(map(len, group))):
            out.extend(b[i] for b in group if i < len(b))
    return out


_EXP, _LOG = qrcode.base.EXP_TABLE, qrcode.base.LOG_TABLE


@functools.cache
def _generator_products(degree: int) -> tuple[int, ...]:
    """For each byte value f, f times the Reed-Solomon generator's coefficients after the leading 1,
    packed big-endian into one integer (so a step of the division is a shift and an XOR)."""
    poly = [1]
    for i in range(degree):  # multiply by (x - α^i)
        shifted = [0] + poly
        poly = [a ^ (_EXP[(_LOG[b] + i) % 255] if b else 0) for a, b in zip(poly + [0], shifted, strict=True)]
    logs = [_LOG[c] for c in poly[1:]]
    rows = [bytes(degree)] + [bytes(_EXP[(_LOG[f] + g) % 255] for g in logs) for f in range(1, 256)]
    return tuple(int.from_bytes(row, "big") for row in rows)


def _rs_remainder(block: list[int], degree: int) -> list[int]:
    products = _generator_products(degree)
    top, keep = 8 * (degree - 1), (1 << 8 * degree) - 1
    rest = 0
    for byte in block:
        rest = ((rest << 8) & keep) ^ products[byte ^ (rest >> top)]
    return list(rest.to_bytes(degree, "big"))
