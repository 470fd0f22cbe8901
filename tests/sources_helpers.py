"""Shared helpers for the source tests: a valid penalty row, file writers, a throwaway JSON server."""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from publisher.core.schema import RECORD_TYPES

PENALTY = {
    "party_name": "青山林业有限公司",
    "party_type": "法人及非法人组织",
    "credit_code": "91330100MA27XXXX0X",
    "decision_no": "青林罚〔2024〕1号",
    "violation_type": "滥伐林木",
    "facts": "未经许可采伐林木 3 立方米",
    "basis": "《中华人民共和国森林法》第七十六条",
    "penalty_class": "罚款",
    "content": "罚款人民币五千元",
    "fine": "0.5",
    "decision_date": "2024-03-05",
    "authority": "青山县林业局",
    "authority_code": "11330100002500000X",
}
PERMIT = {
    "party_name": "张三",
    "party_type": "自然人",
    "decision_no": "青林许〔2024〕7号",
    "content": "林木采伐许可",
    "decision_date": "2024-04-01",
    "authority": "青山县林业局",
    "authority_code": "11330100002500000X",
    "permit_class": "普通",
}


def zh(rtype: str, name: str) -> str:
    """The Chinese template header of a field, as staff type it."""
    return RECORD_TYPES[rtype].field(name).zh


def penalty(n: int = 1, **changes: str) -> dict[str, str]:
    row = dict(PENALTY, decision_no=f"青林罚〔2024〕{n}号")
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8",
              headers: list[str] | None = None, delimiter: str = ",") -> Path:
    headers = headers or list(rows[0])
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"[]"
    content_type: str = "application/json; charset=utf-8"
    delay: float = 0.0


@contextmanager
def json_server(routes: dict[str, Reply]) -> Iterator[str]:
    """Serve fixed replies on 127.0.0.1 on a free port; yields the base URL and shuts down after."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server API)
            reply = routes.get(self.path, Reply(404, b"not found", "text/plain"))
            time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:  # the client gave up (timeout test)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
