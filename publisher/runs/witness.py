"""Checking a portal from the outside: what a supervising body, a provincial platform or a citizen runs.

`portal witness` reads a published site (a URL, or a folder such as public/current), checks the
signed heads and the release's files against its manifest, and keeps the heads it has seen: a later
list that does not extend them (rewritten, truncated, forked) is reported. `portal ledger verify-page`
checks one page. Neither needs the agency's configuration, database or key.
"""

from __future__ import annotations

import hashlib
import json
import random
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from publisher.core.files import write_atomic
from publisher.runs.public_ledger import HEADS, MANIFEST, OWN_FILES, check_heads, extends, manifest_root

MAX_BYTES = 50_000_000  # one published file; anything larger is not a page of this portal
OK, FOUND, UNCHECKED = 0, 1, 2  # exit codes a scheduler can act on


class Unreadable(Exception):
    """The site, or a file it must have, could not be read."""


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    heads: list[dict[str, Any]] = field(default_factory=list)
    public_key: str = ""
    files: dict[str, str] = field(default_factory=dict)  # the signed manifest: path -> SHA-256
    files_checked: int = 0


def reader(source: str, timeout: float = 30) -> Callable[[str], bytes | None]:
    """Read a site-relative path from a URL or a folder; None when the file is not there."""
    if source.startswith(("http://", "https://")):
        base = source.rstrip("/") + "/"

        def fetch(path: str) -> bytes | None:
            try:
                with urllib.request.urlopen(base + path, timeout=timeout) as response:  # noqa: S310 — http(s) only
                    return response.read(MAX_BYTES + 1)[:MAX_BYTES]
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return None
                raise Unreadable(f"{base}{path}：HTTP {exc.code}") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise Unreadable(f"{base}{path}：{exc}") from None

        return fetch
    folder = Path(source)
    if not folder.is_dir():
        raise Unreadable(f"{source} 不是网址，也不是文件夹")

    def read(path: str) -> bytes | None:
        target = folder / path
        return target.read_bytes() if target.is_file() else None

    return read


def check_site(read: Callable[[str], bytes | None], sample: int | None = None,
               every_file: list[str] | None = None) -> Report:
    """The site's signed heads, its manifest against the newest head, and its files against the manifest."""
    report = Report()
    heads_doc, manifest = _json(read, HEADS), _json(read, MANIFEST)
    report.heads, report.public_key = list(heads_doc.get("heads", [])), str(heads_doc.get("public_key", ""))
    if not report.heads:
        raise Unreadable("网站上没有签名头（ledger/heads.json 为空）")
    if problem := check_heads(report.heads, report.public_key):
        report.problems.append(problem)
    files: dict[str, str] = manifest.get("files", {})
    report.files = files
    if manifest_root(files) != manifest.get("root"):
        report.problems.append("文件清单与其 Merkle 根不符：清单被改过")
    newest = report.heads[-1]
    if newest.get("release") != manifest.get("release") or newest.get("manifest_root") != manifest.get("root"):
        report.problems.append(f"文件清单（版本 {manifest.get('release')}）不是最新签名头"
                               f"（第{newest.get('seq')}个，版本 {newest.get('release')}）所签的清单")
    paths = sorted(files)
    if sample is not None and sample < len(paths):
        paths = sorted(random.Random(str(newest.get("seq"))).sample(paths, sample))
    for path in paths:
        data = read(path)
        report.files_checked += 1
        if data is None:
            report.problems.append(f"{path}：清单中有此文件，网站上没有")
        elif hashlib.sha256(data).hexdigest() != files[path]:
            report.problems.append(f"{path}：内容与签名的文件清单不符（文件被替换或篡改）")
    for path in every_file or []:
        if path not in files and path not in OWN_FILES:
            report.problems.append(f"{path}：网站上有此文件，签名的文件清单中没有")
    return report


def witness(source: str, state: Path, sample: int | None = None) -> tuple[int, list[str]]:
    """Check a site against itself and against the heads seen before; (exit code, lines to print)."""
    try:
        read = reader(source)
        folder = Path(source) if not source.startswith(("http://", "https://")) else None
        every = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()] if folder else None
        report = check_site(read, sample, every)
    except Unreadable as exc:
        return UNCHECKED, [f"无法核对：{exc}"]
    seen = load_seen(state)
    report.problems.extend(against_seen(seen, report))
    if report.problems:
        return FOUND, [f"发现问题：{p}" for p in report.problems]
    save_seen(state, source, report)
    newest = report.heads[-1]
    return OK, [f"一致：{len(report.heads)} 个签名头（最新第{newest['seq']}个，{newest['time']}，"
                f"版本 {newest['release']}），{report.files_checked} 个文件与签名的清单相符"
                + (f"；此前见过 {len(seen.get('heads', []))} 个，均未改变" if seen else "；首次见到，已记下")]


def verify_page(url: str) -> tuple[int, list[str]]:
    """One page against the signed manifest of the site that serves it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return UNCHECKED, ["应为 http(s) 网址"]
    path = parts.path.lstrip("/")
    path = path + "index.html" if not path or path.endswith("/") else path
    try:
        read = reader(f"{parts.scheme}://{parts.netloc}")
        report = check_site(read, sample=0)
        page = read(path)
        files = report.files
    except Unreadable as exc:
        return UNCHECKED, [f"无法核对：{exc}"]
    if page is None:
        report.problems.append(f"{url} 不存在")
    elif path not in files:
        report.problems.append(f"{path} 不在签名的文件清单中")
    elif hashlib.sha256(page).hexdigest() != files[path]:
        report.problems.append(f"{url} 的内容与签名的文件清单不符")
    if report.problems:
        return FOUND, [f"发现问题：{p}" for p in report.problems]
    newest = report.heads[-1]
    return OK, [f"一致：{url} 的 SHA-256 为 {files[path]}，列在版本 {newest['release']} 的文件清单中，"
                f"该清单由第{newest['seq']}个签名头（{newest['time']}）签署，签名有效"]


def _json(read: Callable[[str], bytes | None], path: str) -> dict[str, Any]:
    data = read(path)
    if data is None:
        raise Unreadable(f"网站上没有 {path}")
    return json_object(data, path, Unreadable)


def json_object(data: bytes, path: str, error: type[Exception]) -> dict[str, Any]:
    """A published file's JSON object; `error` (with a message for staff) if it is not one."""
    try:
        value = json.loads(data)
    except ValueError:
        raise error(f"{path} 不是有效的 JSON") from None
    if not isinstance(value, dict):
        raise error(f"{path} 的格式不对")
    return value


def against_seen(seen: dict[str, Any], report: Report) -> list[str]:
    """What is wrong with a site's heads and key against those a witness kept: rewritten, truncated, re-keyed."""
    problems = []
    if seen.get("public_key") and seen["public_key"] != report.public_key:
        problems.append("签名公钥与此前见到的不同：日志可能被整体替换")
    if problem := extends(seen.get("heads", []), report.heads):
        problems.append(problem)
    return problems


def save_seen(state: Path, source: str, report: Report) -> None:
    """Keep the heads and key a site showed: a later list must extend them."""
    write_atomic(state, json.dumps({"source": source, "public_key": report.public_key, "heads": report.heads},
                                   ensure_ascii=False, indent=1).encode())


def load_seen(state: Path) -> dict[str, Any]:
    """The heads and key kept by `save_seen`; {} when none were kept."""
    try:
        value = json.loads(state.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        return {"heads": [], "public_key": "", "unreadable": True}
    return value if isinstance(value, dict) else {}
