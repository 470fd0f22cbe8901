"""The `http` source: one JSON endpoint, read with a GET in the shapes a JSON file may have.

Any error reaching or reading the endpoint stops every type it is configured to provide.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from decimal import Decimal

from publisher.core.config import SourceConfig
from publisher.pull.rows import SourceFailure, SourceNote, SourceResult
from publisher.pull.sources.tables import ShapeError, add_json

USER_AGENT = "enforcement-portal-publisher"


def read(config: SourceConfig) -> SourceResult:
    """GET the endpoint once; records without a "type" belong to the only configured type, if there is one."""
    result = SourceResult()
    url = config.url or ""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:
            body = response.read()
            charset = response.headers.get_content_charset() or "utf-8"
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        return _failed(config, f"服务器返回 HTTP {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return _failed(config, f"{config.timeout:g} 秒内没有应答（超时）")
        return _failed(config, f"无法连接接口（{_why(exc.reason)}）")
    except TimeoutError:
        return _failed(config, f"{config.timeout:g} 秒内没有应答（超时）")
    except Exception as exc:  # broken connections, bad status lines, unsupported URLs
        return _failed(config, f"请求失败（{_why(exc)}）")
    try:
        # A UTF-8 body may start with a BOM; any other declared charset is taken as declared.
        utf8 = charset.lower().replace("_", "-") in ("utf-8", "utf8")
        document = body.decode("utf-8-sig" if utf8 else charset)
    except (LookupError, UnicodeDecodeError):
        return _failed(config, f"应答不是 {charset} 编码的文本")
    try:
        data = json.loads(document, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        return _failed(config, f"应答不是 JSON（Content-Type {content_type}；{exc}）")
    default = config.types[0] if len(config.types) == 1 else None
    try:
        add_json(result, config.label, url, data, default)
    except ShapeError as exc:
        return _failed(config, f"JSON 的结构不对：{exc}")
    for rtype in dict.fromkeys(row.type for row in result.rows):
        if config.types and rtype not in config.types:
            result.notes.append(SourceNote(config.label, url, (
                f"{url}：返回了 {rtype} 记录，但 types = {list(config.types)} 中没有 {rtype}；"
                f"请加上，这样接口出错时 {rtype} 也会停止更新")))
    return result


def _failed(config: SourceConfig, reason: str) -> SourceResult:
    url = config.url or ""
    message = f"{url}: {reason}"
    types: tuple[str | None, ...] = config.types or (None,)
    return SourceResult(failures=[SourceFailure(config.label, rtype, url, message) for rtype in types])


def _why(reason: object) -> str:
    return f"{type(reason).__name__}: {reason}" if isinstance(reason, BaseException) else str(reason)
