"""The `portal` source: another agency's *published* portal, gathered by a unified platform (issue 19).

Nothing of an agency is trusted before its public ledger checks (publisher.runs.public_ledger, through the
witness's own checks): every head signed by its key (and by the pinned key, if set), the list extending
the heads this platform kept last time, the manifest the newest head signs, and every file read here
matching that manifest. Then its open data (/opendata/<type>.json: the live records, already masked by
the agency's own gate) become rows for the normal pipeline, and a record this platform holds that the
agency no longer lists is looked up in its JSON twin (/<type>/<slug>/index.json): a withdrawal notice
there gives the agency's reason.

An agency that cannot be read (`unreachable`), does not verify (`refused`) or returns nothing (`empty`)
keeps its records here as they are: its pages are held, never withdrawn on a bad answer.

`fetch_agency` is a pure function of JSON values, so it runs the same in a thread or a Celery worker
(publisher.runs.federation); `gather` turns what it returned into one SourceResult, on the platform.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from publisher.core.agencies import AgencyStatus, read_agencies
from publisher.core.catalog import content_pages
from publisher.core.config import PathsConfig, SourceConfig
from publisher.core.schema import RECORD_TYPES
from publisher.pull.rows import (
    AGENCY_KEY,
    AGENCY_NAME,
    AGENCY_PUBLISHED,
    AGENCY_SLUG,
    AGENCY_URL,
    Origin,
    RawRow,
    SourceNote,
    SourceResult,
)
from publisher.pull.safeguards import AGENCY_GONE
from publisher.runs.public_ledger import head_hash
from publisher.runs.witness import Report, Unreadable, against_seen, check_site, json_object, load_seen, reader

STATE_FOLDER = "agencies"  # in the state folder: per agency, the heads and key seen (the witness's format)
GONE = AGENCY_GONE  # the reason when the agency's site has no notice for a record it dropped
_URL = re.compile(r"https?://[^\s\"'<>\\`]+")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_REASON = 60  # characters of an agency's withdrawal reason kept: a category, not a text


class Refused(Exception):
    """A file read does not match the signed manifest: the agency's answer is not taken."""


@dataclass
class AgencyFetch:
    """What one agency's published site gave, verified: JSON values only (it crosses to Celery workers)."""

    key: str
    name: str
    url: str  # where it was read: the URL or folder configured
    site: str = ""  # the agency's own portal, as its records' pages say (its site.url)
    state: str = "ok"  # agencies.STATES
    message: str = ""  # Chinese, for staff
    head: str = ""  # hash of the newest verified head
    updated: str = ""  # its time
    public_key: str = ""
    heads: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"type", "number", "values"}
    gone: dict[str, dict[str, str]] = field(default_factory=dict)  # type -> slug there -> the agency's reason
    held_types: list[str] = field(default_factory=list)  # kept as they are: no file, or none where we hold some
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    worker: str = ""  # who fetched it: the thread, or the Celery worker's name
    attempts: int = 1  # tries a Celery job took (it retries an agency it could not reach)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> AgencyFetch:
        return AgencyFetch(**{k: v for k, v in data.items() if k in AgencyFetch.__dataclass_fields__})


def spec_of(source: SourceConfig) -> dict[str, Any]:
    """A `portal` source as the JSON a job carries."""
    return {"key": source.key, "agency": source.agency, "url": source.url or "",
            "path": str(source.path) if source.path else "", "public_key": source.public_key,
            "timeout": source.timeout}


def fingerprint(public_pem: str) -> str:
    """SHA-256 of the key's DER encoding (SubjectPublicKeyInfo), in hex: what `public_key` may pin."""
    key = serialization.load_pem_public_key(public_pem.encode())
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _pin_problem(pinned: str, public_pem: str) -> list[str]:
    if not pinned:
        return []
    try:
        found = fingerprint(public_pem)
        wanted = fingerprint(pinned) if "BEGIN" in pinned else pinned.lower().removeprefix("sha256:")
    except (ValueError, TypeError):
        return ["签名公钥无法读取"]
    return [] if found == wanted else [f"签名公钥（指纹 {found[:16]}…）不是配置中固定的公钥"]


def fetch_agency(spec: dict[str, Any], seen: dict[str, Any], held: dict[str, list[str]]) -> dict[str, Any]:
    """Read and verify one agency's published site; `seen`: the heads kept last time; `held`: the slugs
    (on its site) of its records live on the platform, by type. Never raises for what the site holds."""
    started = time.perf_counter()
    fetch = AgencyFetch(spec["key"], spec["agency"], spec["url"] or spec["path"])
    try:
        read = reader(spec["url"] or spec["path"], float(spec.get("timeout") or 30))
        report = check_site(read, sample=0)
        problems = report.problems + _pin_problem(spec.get("public_key", ""), report.public_key)
        problems += against_seen(seen, report)
        if problems:
            raise Refused("；".join(problems[:3]))
        fetch.heads, fetch.public_key = report.heads, report.public_key
        fetch.head, fetch.updated = head_hash(report.heads[-1]), str(report.heads[-1].get("time", ""))
        _read_records(fetch, _verified(read, report), report.files, held)
        if not fetch.rows:
            fetch.state, fetch.message = "empty", "该机关网站的开放数据中没有任何记录：保留平台上它的现有记录，不撤回"
    except Unreadable as exc:
        fetch.state, fetch.message = "unreachable", f"无法读取该机关网站（{exc}）：保留平台上它的现有记录"
    except Refused as exc:
        fetch.state, fetch.message = "refused", f"未通过核验，本次不采用它的任何数据（{exc}）：保留上次核验通过的记录"
    except Exception as exc:  # anything else an agency's answer provokes: one agency never stops the others
        fetch.state = "unreachable"
        fetch.message = f"读取该机关网站时出错（{type(exc).__name__}: {exc}）：保留平台上它的现有记录"
    fetch.seconds = round(time.perf_counter() - started, 3)
    if fetch.state != "ok":
        fetch.rows, fetch.gone, fetch.heads = [], {}, []
    return fetch.as_dict()


def _verified(read: Callable[[str], bytes | None], report: Report) -> Callable[[str], bytes]:
    """A reader that returns a file only when its SHA-256 is the one the signed manifest lists."""
    def read_checked(path: str) -> bytes:
        data = read(path)
        if data is None:
            raise Refused(f"{path}：签名的文件清单中有此文件，网站上没有")
        if hashlib.sha256(data).hexdigest() != report.files.get(path):
            raise Refused(f"{path}：内容与签名的文件清单不符（文件被替换或篡改）")
        return data

    return read_checked


def _read_records(fetch: AgencyFetch, read: Callable[[str], bytes], files: dict[str, str],
                  held: dict[str, list[str]]) -> None:
    """Every type's open data as rows; the records held here that it no longer lists, with the agency's reason."""
    for type_key in RECORD_TYPES:
        path = f"opendata/{type_key}.json"
        if path not in files:
            fetch.held_types.append(type_key)
            if held.get(type_key):
                fetch.notes.append(f"网站上没有 {path}：它的{RECORD_TYPES[type_key].zh}保持不变")
            continue
        records = json_object(read(path), path, Refused).get("records")
        present: set[str] = set()
        for number, record in enumerate(records if isinstance(records, list) else [], 1):
            row = _row(fetch, type_key, number, record)
            if row is None:
                fetch.notes.append(f"{path} 第{number}条记录的格式不对，未读取")
                continue
            fetch.rows.append(row)
            present.add(row["values"][AGENCY_SLUG])
        if not present and held.get(type_key):  # none where we hold some: a bad export, not a withdrawal
            fetch.held_types.append(type_key)
            fetch.notes.append(f"{path} 中没有记录，而平台上有它的{len(held[type_key])}条{RECORD_TYPES[type_key].zh}"
                               "：本次不撤回")
            continue
        for slug in held.get(type_key, []):
            if slug not in present:
                fetch.gone.setdefault(type_key, {})[slug] = _reason(read, files, type_key, slug)


def _reason(read: Callable[[str], bytes], files: dict[str, str], type_key: str, slug: str) -> str:
    """Why a record left the agency's data: the reason on its withdrawal notice there, if it has one."""
    twin = f"{type_key}/{slug}/index.json"
    if twin not in files:
        return GONE
    notice = json_object(read(twin), twin, Refused)
    reason = notice.get("withdrawal_reason") if notice.get("state") == "withdrawn" else None
    return " ".join(reason.split())[:MAX_REASON] if isinstance(reason, str) and reason.strip() else GONE


def _row(fetch: AgencyFetch, type_key: str, number: int, record: Any) -> dict[str, Any] | None:
    """One open-data record as a row's values, with where it comes from; None for one not shaped as ours."""
    if not isinstance(record, dict) or not isinstance(record.get("fields"), dict):
        return None
    url = record.get("url")
    match = re.search(rf"/{type_key}/([A-Za-z0-9-]{{1,100}})/$", url) if isinstance(url, str) else None
    if match is None or not _URL.fullmatch(url):
        return None
    if not fetch.site:  # the agency's portal is where its records say they are
        fetch.site = url[: match.start()]
    values = {name: _text(value) for name, value in record["fields"].items() if isinstance(name, str)}
    published = record.get("published")
    day = published if isinstance(published, str) and _DAY.fullmatch(published) else ""
    if day:
        values["first_published"] = day  # timeliness is judged on the day the agency first showed it
    # Shown there, so approved and (if major) legally reviewed by the agency: its gate's private workflow fields.
    values |= {"review_status": "已审核", "legal_review_result": "通过"}
    values |= {AGENCY_NAME: fetch.name, AGENCY_KEY: fetch.key, AGENCY_URL: url, AGENCY_SLUG: match[1],
               AGENCY_PUBLISHED: day}
    return {"type": type_key, "number": number, "values": values}


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "；".join(_text(v) for v in value)
    return "" if value is None or isinstance(value, dict) else str(value)


# --- on the platform: what to ask each agency, and what its answers become -------------------------------


def portal_sources(sources: Iterable[SourceConfig]) -> list[SourceConfig]:
    return [s for s in sources if s.kind == "portal"]


def seen_path(paths: PathsConfig, key: str) -> Path:
    return paths.state / STATE_FOLDER / f"{key}.json"


def held_slugs(paths: PathsConfig, keys: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """Per agency key, the slugs on its own site of its records live here, by type."""
    wanted = set(keys)
    out: dict[str, dict[str, list[str]]] = {k: {} for k in wanted}
    for type_key, pages in content_pages(paths.content, paths.state).items():  # content/'s catalog
        for page in pages.values():
            key, _, slug = page.slug.partition("-")
            if page.state == "live" and key in wanted and slug:
                out[key].setdefault(type_key, []).append(slug)
    return out


def jobs(sources: list[SourceConfig], paths: PathsConfig) -> list[tuple[dict, dict, dict]]:
    """(spec, seen, held) for each agency: the arguments of `fetch_agency`."""
    held = held_slugs(paths, [s.key for s in sources])
    return [(spec_of(s), load_seen(seen_path(paths, s.key)), held[s.key]) for s in sources]


def read(sources: list[SourceConfig], paths: PathsConfig, now: datetime) -> SourceResult:
    """Every agency, one after another (`portal pull`); `portal federate` fetches them concurrently."""
    return gather(sources, [fetch_agency(*job) for job in jobs(sources, paths)], paths, now)


def gather(sources: list[SourceConfig], answers: list[dict[str, Any]], paths: PathsConfig,
           now: datetime) -> SourceResult:
    """The agencies' answers as one SourceResult: rows, held pages, the agencies' reasons, and statuses.

    The heads of each agency that verified are kept when the pull writes, so its next answer must extend them."""
    result = SourceResult()
    before = {a.key: a for a in read_agencies(paths.content)}
    checked = now.isoformat(timespec="seconds")
    for source, answer in zip(sources, answers, strict=True):
        fetch = AgencyFetch.from_dict(answer)
        label, prefix = source.label, f"{source.key}-"
        old = before.get(source.key)
        if fetch.state in ("ok", "empty"):  # kept when the pull writes (`portal check` writes nothing)
            result.seen_heads[str(seen_path(paths, source.key))] = {
                "source": source.url or str(source.path), "public_key": fetch.public_key, "heads": fetch.heads}
        if fetch.state == "ok":
            location = f"{fetch.url}/opendata"
            for row in fetch.rows:
                result.rows.append(RawRow(row["type"], row["values"], Origin(label, f"{location}/{row['type']}.json",
                                                                             row["number"])))
            result.held |= {(t, prefix) for t in fetch.held_types}
            for type_key, reasons in fetch.gone.items():
                result.gone_reasons |= {(type_key, prefix + slug): why for slug, why in reasons.items()}
            status = AgencyStatus(source.key, source.agency, fetch.site or source.url or "", "ok", checked,
                                  fetch.updated, fetch.head,
                                  message="；".join(fetch.notes[:3]))
        else:
            result.held |= {(t, prefix) for t in RECORD_TYPES}
            result.notes.append(SourceNote(label, source.agency, fetch.message))
            status = AgencyStatus(source.key, source.agency, old.url if old else source.url or "", fetch.state,
                                  checked, old.updated if old else "", old.head if old else "",
                                  message=fetch.message)
        result.notes.extend(SourceNote(label, source.agency, note) for note in fetch.notes)
        result.agencies.append(status)
    return result

