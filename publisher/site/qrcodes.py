"""QR codes for detail pages and posters (DESIGN §5): inline SVG encoding a page's absolute URL.

Drawing one costs 3–5 ms (DESIGN §7), so each SVG is cached by URL and a rebuild reads it back.
The build refuses a SITEURL that is not public: a code printed on paper must work for years.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import qrcode
import qrcode.constants

from publisher.core.files import write_if_changed

# Part of the cache key: bump it when the markup below changes, so old cached SVGs are not reused.
FORMAT = "qr-svg-2"

# Host suffixes that never resolve on the public internet (RFC 6761, RFC 6762, RFC 8375 and common LAN names).
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test", ".invalid")


def qr_svg(url: str, cache_dir: Path | None = None) -> str:
    """Inline SVG markup (HTML5, no XML declaration) of a QR code for the absolute `url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"二维码只能编码完整网址 / a QR code needs an absolute http(s) URL, got {url!r}")
    path = cache_path(url, cache_dir) if cache_dir is not None else None
    if path is not None:
        try:
            cached = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            cached = ""
        if cached.startswith("<svg"):
            return cached
    svg = _draw(url)
    if path is not None:
        write_if_changed(path, svg)
    return svg


def cache_path(url: str, cache_dir: Path) -> Path:
    """Where the SVG for `url` is cached: `<cache_dir>/<sha256>.svg`."""
    digest = hashlib.sha256(f"{FORMAT}\n{url}".encode()).hexdigest()
    return cache_dir / f"{digest}.svg"


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
    # A fixed mask skips qrcode's eight-way mask search (half the cost; every decoder reads any mask),
    # and one path of horizontal runs is a third of the bytes of qrcode's module-by-module SVG.
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=0)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the quiet zone (border)
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    label = html.escape(f"二维码：{url}")
    # width/height are a no-CSS default size; the viewBox lets the theme's CSS scale it.
    return (f'<svg width="{size}mm" height="{size}mm" viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg" '
            f'role="img" aria-label="{label}" focusable="false"><rect fill="white" width="{size}" height="{size}"/>'
            f'<path fill="#000000" d="{"".join(runs)}"/></svg>')
