"""A unified platform's agencies as the site shows them (issue 19): who published what, and how fresh it is.

Pure functions of content/: `content/agencies.json` (publisher.core.agencies) says which agencies take part
and how each one's last run went; each record's `Origin` says which agency published it. A single agency's
portal has neither, and every function here then gives nothing, so its site is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from publisher.core.agencies import AgencyStatus
from publisher.core.content import PublishedRecord
from publisher.core.schema import RECORD_TYPES

AGENCIES_URL = "/agencies/"
# A key goes into URLs and file names: anything else in agencies.json or a record is shown, never linked.
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
STATE_ZH = {"ok": "正常", "unreachable": "无法访问", "refused": "校验未通过", "empty": "未返回数据"}
# Why the platform still shows older data, in words for a citizen (the staff's message stays in the report).
KEPT_ZH = {
    "unreachable": "最近一次获取时该机关网站无法访问",
    "refused": "最近一次获取的数据未通过签名或历史校验",
    "empty": "最近一次获取时该机关网站未返回任何数据",
}


def agency_key_ok(key: str) -> bool:
    return bool(_KEY.match(key or ""))


def origin_href(url: str) -> str:
    """An agency page's URL fit for href and rel=canonical: http(s) only, else ""."""
    url = (url or "").strip()
    return url if url.startswith(("https://", "http://")) and not any(c.isspace() for c in url) else ""


@dataclass(frozen=True)
class SiteAgency:
    """One agency as the site shows it: its last run's status and its live records here, by type."""

    status: AgencyStatus
    counts: dict[str, int] = field(default_factory=dict)  # live records by type

    @property
    def key(self) -> str:
        return self.status.key

    @property
    def name(self) -> str:
        return self.status.name

    @property
    def url(self) -> str:
        """Its page on this site; "" for a key unfit for a URL (listed, never linked)."""
        return f"{AGENCIES_URL}{self.key}/" if agency_key_ok(self.key) else ""

    @property
    def portal(self) -> str:
        return origin_href(self.status.url)

    @property
    def state_zh(self) -> str:
        return STATE_ZH.get(self.status.state, "状态不明")

    @property
    def kept_older(self) -> str:
        """Why the platform shows this agency's older data ("" when its last run went well)."""
        return KEPT_ZH.get(self.status.state, "")

    @property
    def present(self) -> tuple[str, ...]:
        """The record types it has live records of."""
        return tuple(t for t, n in self.counts.items() if n)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def updated(self) -> str:
        return _shown_time(self.status.updated)

    @property
    def checked(self) -> str:
        return _shown_time(self.status.checked)


def _shown_time(iso: str) -> str:
    """An ISO time as a reader reads it: `2026-11-24 09:00` ("—" when unknown)."""
    text = (iso or "").replace("T", " ")
    return text[:16] if len(text) >= 10 else "—"


def site_agencies(statuses: Sequence[AgencyStatus], published: Mapping[str, Sequence[PublishedRecord]]
                  ) -> list[SiteAgency]:
    """The agencies of agencies.json, and any agency a record names that the file does not, by name then key."""
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for type_key, records in published.items():
        for r in records:
            if r.origin is not None and agency_key_ok(r.origin.key):  # a withdrawal notice links its agency too
                by_type = counts.setdefault(r.origin.key, dict.fromkeys(RECORD_TYPES, 0))
                by_type[type_key] += r.live
                names.setdefault(r.origin.key, r.origin.agency)
    known = {s.key: s for s in statuses}
    for key, name in names.items():
        if key not in known:  # records kept from an agency no longer listed: still shown, still findable
            known[key] = AgencyStatus(key, name or key, "", "", "", "")
    agencies = [SiteAgency(s, counts.get(k, dict.fromkeys(RECORD_TYPES, 0))) for k, s in known.items()]
    return sorted(agencies, key=lambda a: (a.name, a.key))


def agency_name(record: PublishedRecord) -> str:
    """The name of the agency that published a record ("" on a single agency's portal)."""
    return record.origin.agency if record.origin is not None else ""


def agency_filter_key(record: PublishedRecord) -> str:
    """The agency a record is filtered under ("" when it has none fit for a URL)."""
    return record.origin.key if record.origin is not None and agency_key_ok(record.origin.key) else ""


def origin_object(record: PublishedRecord) -> dict[str, Any]:
    """A record's agency for its JSON (twins, datasets, profiles): as its page shows it; {} on one agency's portal."""
    origin = record.origin
    if origin is None:
        return {}
    return {"origin": {"agency": origin.agency, "agency_key": origin.key, "canonical": origin_href(origin.url),
                       "agency_published": origin.published}}
