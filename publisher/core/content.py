"""content/, the one gate between pull and site (DESIGN §6): its file format, written and read here only.

A content file is Pelican-style Markdown: `Key: value` metadata, a blank line, a body.
The `Fields` line holds the record's public fields, in template order, as one line of JSON
with every character that could become markup (`< > & { } [ ]`), end a line or hide text
(controls, Unicode line breaks, bidi and zero-width characters) written as a \\u escape;
the body is the same fields as a Markdown table with every value escaped, so that neither
our theme nor a plain Pelican theme can turn a value from a record into markup.
Lines are separated by "\\n" alone and read back split on "\\n" alone: no value can start a line of its own
(`str.splitlines` would also split on \\r \\v \\f \\x1c-\\x1e \\x85 U+2028 U+2029, which a value may hold).
Files are written only when their bytes change, atomically, so mtimes stay untouched.
Readers: `scan_pages` (what pull compares with, metadata and SHA-256), `load_published` (what the
site shows, with fields); both list files through `content_files`.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import compress
from operator import methodcaller
from pathlib import Path
from typing import Any

from publisher.core.files import write_if_changed
from publisher.core.schema import RECORD_TYPES, RecordType
from publisher.core.urls import record_url

# Invisible characters that reorder or hide text (bidi controls, zero-width, BOM, soft hyphen): written as escapes.
_INVISIBLE = "\\xad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb"
# json.dumps already escapes C0 controls; DEL, C1 controls (U+0085 among them) and U+2028/9 it leaves raw.
_JSON_UNSAFE_RE = re.compile("[<>&{}\\[\\]\\x7f-\\x9f\\u2028\\u2029" + _INVISIBLE + "]")
# Controls str.split does not take for whitespace (it does \t-\r, \x1c-\x1f, \x85): dropped from shown text.
_CONTROLS = re.compile("[\\x00-\\x08\\x0e-\\x1b\\x7f-\\x84\\x86-\\x9f]")
_INVISIBLE_RE = re.compile("[" + _INVISIBLE + "]")
_LINE_BREAKS = re.compile("\\r\\n|[\\n\\r\\v\\f\\x1c-\\x1e\\x85\\u2028\\u2029]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#+!|~-])")
# Any character md_text or _json_text would change: most values have none and are taken as they are.
_MD_WORK = re.compile("[\\\\`*_\\[\\]()#+!|~\\-&<>{}\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029" + _INVISIBLE + "]")
_JSON_WORK = re.compile('["\\\\<>&{}\\[\\]\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029' + _INVISIBLE + "]")
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z-]*):\s?(.*)$")


@dataclass(frozen=True)
class Origin:
    """Where a record on a unified platform comes from: the agency portal that published it (issue 19).

    A single agency's portal writes no origin; a `kind = "portal"` source writes one for every record.
    """

    agency: str  # the agency's name, as its own portal states it
    key: str  # the agency's short key: in URLs, filters and slugs on the unified platform
    url: str  # the record's page on the agency's own portal: the authoritative (canonical) copy
    published: str  # the day the agency first showed the record


def _origin_lines(origin: Origin | None) -> list[str]:
    if origin is None:
        return []
    agency, key, url, published = (one_line(v) for v in (origin.agency, origin.key, origin.url, origin.published))
    return [f"Agency: {meta_text(agency)}", f"Agency-Key: {key}", f"Canonical: {url}", f"Agency-Published: {published}"]


def _origin_of(meta: dict[str, str]) -> Origin | None:
    if "agency-key" not in meta:
        return None
    return Origin(html.unescape(meta.get("agency", "")), meta["agency-key"], meta.get("canonical", ""),
                  meta.get("agency-published", ""))


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
    record_date: str = ""  # the record's own date: a live page's Date, a notice's Record-Date ("" if it has none)


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


def _json_escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m[0]):04x}"


def _json_text(value: str) -> str:
    if not _JSON_WORK.search(value):
        return '"' + value + '"'
    return '"' + _JSON_UNSAFE_RE.sub(_json_escape, json.dumps(value, ensure_ascii=False)[1:-1]) + '"'


def fields_json(fields: list[tuple[str, str | list[str]]]) -> str:
    """Fields as one line of JSON in which no record text can form markup."""
    parts = []
    for name, value in fields:
        shown = "[" + ", ".join(_json_text(v) for v in value) + "]" if isinstance(value, list) else _json_text(value)
        parts.append(f'["{name}", {shown}]')
    return "[" + ", ".join(parts) + "]"


def _char_ref(m: re.Match[str]) -> str:
    return f"&#x{ord(m[0]):x};"


def md_text(value: str) -> str:
    """Escape text for Markdown and HTML: it renders as itself, never as markup, on one line of the table."""
    if not _MD_WORK.search(value):
        return value
    escaped = html.escape(_MD_SPECIAL.sub(r"\\\1", _CONTROLS.sub("", value)), quote=False)
    escaped = _INVISIBLE_RE.sub(_char_ref, escaped.replace("{", "&#123;").replace("}", "&#125;"))
    return _LINE_BREAKS.sub("<br>", escaped)


def _collapse(value: str) -> str:
    return " ".join(_CONTROLS.sub("", value).split())


def one_line(value: str) -> str:
    """A plain metadata value on one line: controls and invisible characters dropped, whitespace runs one space."""
    return _collapse(_INVISIBLE_RE.sub("", value))


def meta_text(value: str) -> str:
    """A single-line metadata value: HTML-escaped, since Pelican renders titles unescaped.

    Invisible characters are character references (html.unescape gives them back); controls, which
    a reference cannot carry (`&#1;` reads as nothing), are dropped."""
    escaped = html.escape(_collapse(value), quote=False)
    return _INVISIBLE_RE.sub(_char_ref, escaped.replace("{", "&#123;").replace("}", "&#125;"))


def title_of(rtype: RecordType, fields: dict[str, Any]) -> str:
    parts = [str(fields[f]) for f in rtype.title_fields if fields.get(f)]
    return " ".join(parts) or rtype.zh


def render_record(rtype: RecordType, slug: str, key_hash: str, values: dict[str, Any],
                  published: str, page_date: str, origin: Origin | None = None) -> str:
    """The Markdown of a shown record; `values` must already be redacted."""
    fields = [(f.name, shown) for f in rtype.public_fields
              if (shown := public_value(values.get(f.name))) is not None]
    shown_by_name = dict(fields)
    # Ours, not a record's, but the format holds whatever it is handed: each on its one line.
    slug, key_hash, published, page_date = map(one_line, (slug, key_hash, published, page_date))
    lines = [
        f"Title: {meta_text(title_of(rtype, shown_by_name))}",
        f"Date: {page_date}",
        f"Slug: {slug}",
        f"Record-Type: {rtype.key}",
        "State: live",
        f"Published: {published}",
        f"Key-Hash: {key_hash}",
        *_origin_lines(origin),
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
                  withdrawn: str, reason: str, origin: Origin | None = None, record_date: str = "") -> str:
    """A withdrawal notice: the record's URL stays, its data does not.

    `record_date`, the record's own date, is not shown: it keeps the record's place in the static search
    index, so no other record's id moves when it is withdrawn (publisher/site/search/static.py).
    """
    slug, key_hash, published, withdrawn, reason, record_date = map(
        one_line, (slug, key_hash, published, withdrawn, reason, record_date))
    lines = [
        f"Title: 已撤回的{rtype.zh}信息",
        f"Date: {withdrawn}",
        f"Slug: {slug}",
        f"Record-Type: {rtype.key}",
        "State: withdrawn",
        f"Published: {published}",
        f"Withdrawn: {withdrawn}",
        f"Withdrawal-Reason: {reason}",
        *([f"Record-Date: {record_date}"] if record_date else []),
        f"Key-Hash: {key_hash}",
        *_origin_lines(origin),
        "",
        f"此条{rtype.zh}信息已于 {withdrawn} 撤回，撤回原因类别：{reason}。",
    ]
    return "\n".join(lines) + "\n"


def read_metadata(path: Path) -> dict[str, str]:
    """The metadata block of a content file (up to the first blank line)."""
    with path.open(encoding="utf-8", newline="\n") as fh:  # lines end at "\n" only, untranslated
        return parse_metadata(fh)


def read_origin(path: Path) -> Origin | None:
    """The agency a content file's record comes from (a unified platform's page), else None."""
    return _origin_of(read_metadata(path))


def split_lines(text: str) -> list[str]:
    """A content file's lines: split on "\\n" only, the format's one separator (never `str.splitlines`)."""
    return text.split("\n")


def parse_metadata(lines: Iterable[str]) -> dict[str, str]:
    """The metadata block of a content file's lines (up to the first blank line); lines split on "\\n" only."""
    meta: dict[str, str] = {}
    for line in lines:
        line = line.removesuffix("\n").removesuffix("\r")  # a file saved with CRLF: our writer never puts \r in a line
        if not line:
            break
        m = _META_LINE.match(line)
        if m:
            meta[m[1].lower()] = m[2]
    return meta


def read_fields(meta: dict[str, str]) -> list[tuple[str, str | list[str]]]:
    """The public fields of a content file, for templates and tests."""
    return [(name, value) for name, value in json.loads(meta.get("fields", "[]"))]


FieldValue = str | tuple[str, ...]


class LazyFields:
    """A record's fields as stored (content/'s catalog), made into pairs only when something reads them."""

    __slots__ = ("decode", "data", "flag")

    def __init__(self, decode: Callable[[bytes, int], tuple[tuple[str, FieldValue], ...]], data: bytes,
                 flag: int) -> None:
        self.decode, self.data, self.flag = decode, data, flag

    def __reduce__(self) -> tuple:
        return LazyFields, (self.decode, self.data, self.flag)


@functools.lru_cache(maxsize=1024)
def _decoded(lazy: LazyFields) -> tuple[tuple[str, FieldValue], ...]:
    return lazy.decode(lazy.data, lazy.flag)


@functools.lru_cache(maxsize=1024)
def _decoded_values(lazy: LazyFields) -> dict[str, FieldValue]:
    return dict(_decoded(lazy))


class _Fields:
    """`PublishedRecord.fields`: pairs, given as such or as `LazyFields` decoded when read (same value).

    Decoded pairs are not kept on the record, only for the last records read (a page reads its record's
    fields many times, one after another): a build's 100k records decoded at once took 90 MB per 20k."""

    def __get__(self, obj: Any, owner: Any = None) -> tuple[tuple[str, FieldValue], ...]:
        if obj is None:
            raise AttributeError("fields")  # no class-level default: the dataclass keeps `fields` required
        value = obj.__dict__["_fields"]
        if value.__class__ is LazyFields:
            return _decoded(value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["_fields"] = value  # only the dataclass's __init__ gets here: frozen otherwise


@dataclass(frozen=True)
class PublishedRecord:
    """One page of content/: a shown record, or the notice that replaced a withdrawn one."""

    type: str
    slug: str
    title: str  # plain text: templates escape it
    date: str  # the record's own date (decision, inspection) or its first publication
    published: str
    state: str  # live | withdrawn
    fields: tuple[tuple[str, FieldValue], ...] = _Fields()  # type: ignore[assignment]
    withdrawn: str = ""
    withdrawal_reason: str = ""
    digest: str = ""  # of the content file's bytes: what a page built from this record depends on
    origin: Origin | None = None  # on a unified platform: the agency that published it
    record_date: str = ""  # a notice's Record-Date: the withdrawn record's own date, not shown

    @classmethod
    def stored(cls, type: str, slug: str, title: str, date: str, published: str, state: str,  # noqa: A002
               fields: LazyFields, withdrawn: str, withdrawal_reason: str, digest: str,
               origin: Origin | None, record_date: str = "", department: str | None = None) -> PublishedRecord:
        """The same record as the constructor makes, without its per-field checks (content/'s catalog: 100k)."""
        record = object.__new__(cls)
        record.__dict__.update(type=type, slug=slug, title=title, date=date, published=published, state=state,
                               _fields=fields, withdrawn=withdrawn, withdrawal_reason=withdrawal_reason,
                               digest=digest, origin=origin, record_date=record_date)
        if department is not None:
            record.__dict__["department"] = department
        return record

    # Kept once read: a 100k build asks each record's state, URL and year millions of times between its plugins.
    @cached_property
    def live(self) -> bool:
        return self.state == "live"

    @property
    def rtype(self) -> RecordType:
        return RECORD_TYPES[self.type]

    @cached_property
    def url(self) -> str:
        """Site-relative URL (DESIGN §2): /<type>/<slug>/."""
        return record_url(self.type, self.slug)

    @property
    def values(self) -> dict[str, FieldValue]:
        fields = self.__dict__["_fields"]
        if fields.__class__ is LazyFields:
            return _decoded_values(fields)  # not kept on the record either
        found = self.__dict__.get("_values")
        if found is None:
            found = self.__dict__["_values"] = dict(fields)
        return found

    def value(self, name: str, default: str = "") -> FieldValue:
        return self.values.get(name, default)

    @cached_property
    def year(self) -> str:
        return self.date[:4]

    @cached_property  # content/'s catalog sets it from its own column: a list's filters decode no fields
    def department(self) -> str:
        return department_of(self.values)

    def labelled_fields(self) -> list[tuple[str, str, FieldValue]]:
        """(field name, Chinese template label, value) in template order."""
        return [(name, self.rtype.field(name).zh, value) for name, value in self.fields]


def department_of(values: dict[str, Any]) -> str:
    """The department a list filters a record by: its department, else its unit (a list's names joined)."""
    value = values.get("department") or values.get("unit") or ""
    if isinstance(value, str):
        return value
    return "；".join(v for v in value if isinstance(v, str)) if isinstance(value, (list, tuple)) else ""


def digest_of(records: list[PublishedRecord]) -> str:
    """One digest for a list of records, in order: the key of a page or file made from all of them."""
    return hashlib.blake2b("".join(r.digest for r in records).encode(), digest_size=16).hexdigest()


def load_record(path: Path | str, type_key: str) -> PublishedRecord | None:
    with open(path, "rb") as fh:
        data = fh.read()
    meta = parse_metadata(split_lines(data.decode("utf-8")))
    if meta.get("record-type") != type_key or "slug" not in meta:
        return None  # not a page the publisher wrote
    return PublishedRecord(
        type=type_key,
        slug=meta["slug"],
        title=html.unescape(meta.get("title", "")),
        date=meta.get("date", ""),
        published=meta.get("published", ""),
        state=meta.get("state", "live"),
        fields=tuple((n, tuple(v) if isinstance(v, list) else v) for n, v in read_fields(meta)),
        withdrawn=meta.get("withdrawn", ""),
        withdrawal_reason=meta.get("withdrawal-reason", ""),
        digest=hashlib.blake2b(data, digest_size=16).hexdigest(),
        origin=_origin_of(meta),
        record_date=meta.get("record-date", ""),
    )


def load_published(content_dir: Path) -> dict[str, list[PublishedRecord]]:
    """Every page of content/ by type, newest first (by date, then slug for a stable order)."""
    out: dict[str, list[PublishedRecord]] = {t: [] for t in RECORD_TYPES}
    for type_key, entry in content_files(content_dir):
        if (record := load_record(entry.path, type_key)) is not None:
            out[type_key].append(record)
    for records in out.values():
        records.sort(key=lambda r: (r.date, r.slug), reverse=True)
    return out


def content_files(content_dir: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Every Markdown file of content/, by record type, in name order: the one listing of content/."""
    for type_key in RECORD_TYPES:
        folder = content_dir / type_key
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            found = sorted((e.name, e) for e in entries if e.name.endswith(".md") and e.is_file())
        for _, entry in found:
            yield type_key, entry


def markdown_names(content_dir: Path, type_key: str) -> list[str]:
    """The names ending in .md in content/<type>/, as listed and not stat-ed: for passes over 100k names by C
    iterators. Where a name is used it is checked to be a file, as `content_files` judges."""
    try:
        listing = os.listdir(content_dir / type_key)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return list(compress(listing, map(methodcaller("endswith", ".md"), listing)))


def read_summary(path: Path | str, type_key: str) -> ContentPage | None:
    """What pull compares a record with: the file's metadata and SHA-256; None for a page not ours."""
    with open(path, "rb") as fh:
        data = fh.read()
    meta = parse_metadata(split_lines(data.decode("utf-8", "replace")))
    key = meta.get("key-hash")
    if not key:
        return None  # not ours: a hand-written page is left alone
    return ContentPage(type_key, meta.get("slug", Path(path).stem), Path(path).name, key, meta.get("state", "live"),
                       meta.get("published", ""), meta.get("withdrawn", ""), meta.get("withdrawal-reason", ""),
                       hashlib.sha256(data).hexdigest(), own_date(meta))


def own_date(meta: dict[str, str]) -> str:
    """A page's record's own date: a notice's Record-Date, a live page's Date."""
    return meta.get("record-date") or (meta.get("date", "") if meta.get("state", "live") == "live" else "")


def text_digest(text: str) -> str:
    """The SHA-256 a content file of this text has: what `read_summary` reports as its digest."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_page(content_dir: Path, type_key: str, slug: str, text: str | bytes,
               known_dirs: set[Path] | None = None) -> Path | None:
    """Write one record's page into content/ if its bytes changed; the path written, else None."""
    path = content_dir / type_key / f"{slug}.md"
    return path if write_if_changed(path, text, known_dirs=known_dirs) else None
