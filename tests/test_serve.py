"""`portal serve` faces the public on some installations: it answers every request, hides what is not a
page, and cannot be tied up by idle connections."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from publisher.site import serve
from publisher.site.serve import make_server
from tests.conftest import serve_site


@pytest.fixture
def server(sample_site, monkeypatch):
    monkeypatch.setattr(serve._Handler, "timeout", 1)  # idle seconds, shortened for the test
    yield from serve_site(make_server(sample_site.output, port=0, workers=2))


def get(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_every_answer_carries_the_security_headers(server):
    for path in ("/", "/penalties/", "/api/search?q=%E6%9E%97", "/nope/"):
        status, headers, _ = get(server, path)
        assert headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"


def test_a_folder_without_a_page_is_not_listed(server):
    status, _, body = get(server, "/theme/")
    assert status == 404 and b"Directory listing" not in body


@pytest.mark.parametrize("path", ["/_search/CURRENT", "/./_search/CURRENT", "/x/../_search/CURRENT",
                                  "/%2e/_search/CURRENT", "/_search/", "//_search/CURRENT"])
def test_the_search_index_files_are_never_served_however_the_path_is_spelt(server, path):
    status, _, _ = get(server, path)
    assert status == 404


@pytest.mark.parametrize("path", ["/a%00b/", "/api/search?" + "&".join(f"p{i}=1" for i in range(25)),
                                  "/search/?" + "&".join(f"q{i}=1" for i in range(21))])
def test_a_malformed_request_is_answered_400_not_dropped(server, path):
    status, _, _ = get(server, path)
    assert status == 400


def test_idle_connections_are_closed_and_never_hold_the_site(server):
    host, port = server.removeprefix("http://").split(":")
    before = threading.active_count()
    idle = [socket.create_connection((host, int(port))) for _ in range(8)]
    started = time.monotonic()
    status, _, _ = get(server, "/")  # 2 workers, 8 idle connections of 1 s each: served within seconds
    assert status == 200 and time.monotonic() - started < 8
    assert threading.active_count() <= before + 2
    for s in idle:
        s.settimeout(5)
        assert s.recv(1) == b""  # the server closed it
        s.close()
