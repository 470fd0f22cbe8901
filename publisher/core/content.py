"""Markdown files in content/: writing a record or a withdrawal notice, and reading what is there.

A content file is Pelican-style Markdown: `Key: value` metadata, a blank line, a body.
The `Fields` line holds the record's public fields, in template order, as one line of JSON
with every character that could become markup (`< > & { } [ ]`) written as a \\u escape;
the body is the same fields as a Markdown table with every value escaped, so that neither
our theme nor a plain Pelican theme can turn a value from a record into markup.
Files are written only when their bytes change, atomically, so mtimes stay untouched.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from publisher.core.schema import RecordType

_JSON_UNSAFE = {c: f"\\u{ord(c):04x}" for c in "<>&{}[]"}
_JSON_UNSAFE_RE = re.compile("[<>&{}\\[\\]]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#+!|~-])")
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z-]*):\s?(.*)$")


@dataclass(frozen=True)
class ContentPage:
    """What pull needs to know of a file already in content/."""

    type: str
    slug: str
    name: str  # the file's name in content/<type>/ (a str: 100k Path objects cost seconds to unpickle)
    key_hash: str
    state: str  # live | withdrawn
    published: str  # first day shown, kept across runs
    withdrawn: str = ""
    reason: str = ""
    digest: str = ""  # SHA-256 of the file


def public_value(value: Any) -> str | list[str] | None:
    """A parsed value as the text the site shows."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != 0 else "0"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def _json_text(value: str) -> str:
    return '"' + _JSON_UNSAFE_RE.sub(lambda m: _JSON_UNSAFE[m[0]], json.dumps(value, ensure_ascii=False)[1:-1]) + '"'


def fields_json(fields: list[tuple[str, str | list[str]]]) -> str:
    """Fields as one line of JSON in which no record text can form markup."""
    parts = []
    for name, value in fields:
        shown = "[" + ", ".join(_json_text(v) for v in value) + "]" if isinstance(value, list) else _json_text(value)
        parts.append(f'["{name}", {shown}]')
    return "[" + ", ".join(parts) + "]"


def md_text(value: str) -> str:
    """Escape text for Markdown and HTML: it renders as itself, never as markup."""
    escaped = html.escape(_MD_SPECIAL.sub(r"\\\1", value), quote=False)
    escaped = escaped.replace("{", "&#123;").replace("}", "&#125;")
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def meta_text(value: str) -> str:
    """A single-line metadata value: HTML-escaped, since Pelican renders titles unescaped."""
    escaped = html.escape(" ".join(value.split()), quote=False)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def title_of(rtype: RecordType, fields: dict[str, Any]) -> str:
    parts = [str(fields[f]) for f in rtype.title_fields if fields.get(f)]
    return " ".join(parts) or rtype.zh


def render_record(rtype: RecordType, slug: str, key_hash: str, values: dict[str, Any],
                  published: str, page_date: str) -> str:
    """The Markdown of a shown record; `values` must already be redacted."""
    fields = [(f.name, shown) for f in rtype.public_fields
              if (shown := public_value(values.get(f.name))) is not None]
    shown_by_name = dict(fields)
    lines = [
        f"Title: {meta_text(title_of(rtype, shown_by_name))}",
        f"Date: {page_date}",
        f"Slug: {slug}",
        f"Record-Type: {rtype.key}",
        "State: live",
        f"Published: {published}",
        f"Key-Hash: {key_hash}",
        f"Fields: {fields_json(fields)}",
        "",
        "| 项目 | 内容 |",
        "| --- | --- |",
    ]
    for name, shown in fields:
        text = "；".join(shown) if isinstance(shown, list) else shown
        lines.append(f"| {rtype.field(name).zh} | {md_text(text)} |")
    return "\n".join(lines) + "\n"


def render_notice(rtype: RecordType, slug: str, key_hash: str, published: str,
                  withdrawn: str, reason: str) -> str:
    """A withdrawal notice: the record's URL stays, its data does not."""
    lines = [
        f"Title: 已撤回的{rtype.zh}信息",
        f"Date: {withdrawn}",
        f"Slug: {slug}",
        f"Record-Type: {rtype.key}",
        "State: withdrawn",
        f"Published: {published}",
        f"Withdrawn: {withdrawn}",
        f"Withdrawal-Reason: {reason}",
        f"Key-Hash: {key_hash}",
        "",
        f"此条{rtype.zh}信息已于 {withdrawn} 撤回，撤回原因类别：{reason}。",
    ]
    return "\n".join(lines) + "\n"


def read_metadata(path: Path) -> dict[str, str]:
    """The metadata block of a content file (up to the first blank line)."""
    with path.open(encoding="utf-8") as fh:
        return parse_metadata(fh)


def parse_metadata(lines: Iterable[str]) -> dict[str, str]:
    """The metadata block of a content file's lines (up to the first blank line)."""
    meta: dict[str, str] = {}
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            break
        m = _META_LINE.match(line)
        if m:
            meta[m[1].lower()] = m[2]
    return meta


def read_fields(meta: dict[str, str]) -> list[tuple[str, str | list[str]]]:
    """The public fields of a content file, for templates and tests."""
    return [(name, value) for name, value in json.loads(meta.get("fields", "[]"))]


def write_if_changed(path: Path, text: str | bytes, new_in_place: bool = False,
                     known_dirs: set[Path] | None = None) -> bool:
    """Write atomically when the bytes differ; return whether the file was written.

    `new_in_place`: a file that does not exist yet is written directly, without a temporary file
    and a rename (a site build into a fresh release, which nobody reads until the switch).
    `known_dirs` remembers folders already made, saving a mkdir per file on large builds.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with open(path, "rb") as fh:
            if fh.read() == data:
                return False
        exists = True
    except FileNotFoundError:
        exists = False
    parent = path.parent
    if known_dirs is None or parent not in known_dirs:
        parent.mkdir(parents=True, exist_ok=True)
        if known_dirs is not None:
            known_dirs.add(parent)
    if new_in_place and not exists:
        with open(path, "xb") as fh:
            fh.write(data)
        return True
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
