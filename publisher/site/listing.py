"""Which list pages the portal has, and what each holds. Pure functions of content/.

Shared by the plugins that render a list as HTML and those that give it a JSON twin.

How a list is paged (DESIGN §7: one new record should change few list pages):

- Records are ordered by the day they were first made public (then their own date, then slug),
  not by decision date: a decision dated last year but published today is the newest entry, so
  it joins the front page instead of pushing every older page's records along.
- Full pages of PAGE_SIZE records are numbered from the oldest: /penalties/page/1/ holds the first
  twenty records ever published, and keeps them while the list grows.
- The front page (the list's own URL) holds the newest records that do not fill an archive page plus
  the newest full page's worth: PAGE_SIZE to 2×PAGE_SIZE−1 records, so it is never short and no record
  appears on two pages. When it reaches 2×PAGE_SIZE, its oldest PAGE_SIZE records become the next
  numbered page.
- Each page is labelled with the publication dates it spans; an archive page links to page 1, its two
  older neighbours, the next newer page and the front page, never to the newest number, so it does not
  change as the list grows.

So a new record rewrites the front page, and at most two more when it completes a page: the new
archive page and the one before it (whose "newer" link now points there), for the list and for each
of its filters (year, department, and on a unified platform agency). A withdrawn record leaves a gap
that later pages close up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from publisher.core.content import PublishedRecord
from publisher.core.schema import DECISION_TYPES, RECORD_TYPES
from publisher.core.urls import LIST_AGENCY, LIST_DEPARTMENT, LIST_PAGE, LIST_YEAR
from publisher.site.agencies import agency_filter_key, agency_name

PAGE_SIZE = 20
# The feed of every type: its own title and every page's <link rel="alternate"> name it the same.
ALL_FEED_ZH = "全部公示信息"

# The three stages of disclosure (事前、事中、事后) and the record types each shows.
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("before", "事前公开", "执法主体、执法人员、权责清单、服务指南、服务窗口、随机抽查事项与重大执法决定目录",
     ("subjects", "officers", "matters", "guides", "windows")),
    ("during", "事中公示", "执法人员持证上岗，扫码或输入执法证号即可核验证件；服务窗口公示岗位信息",
     ("officers", "windows")),
    ("after", "事后公开", "行政许可、行政处罚决定自作出之日起7个工作日内公开；双随机抽查结果和行政强制、行政检查、"
     "行政征收、行政征用决定自作出之日起20个工作日内公开",
     DECISION_TYPES),
)
SECTION_OF_TYPE = {"subjects": "before", "officers": "during", "matters": "before", "guides": "before",
                   "windows": "during", **dict.fromkeys(DECISION_TYPES, "after")}
# The home page shows the newest of the most consulted decisions; the others are one click away in 事后公开.
HOME_LATEST = DECISION_TYPES[:3]

# Columns of each list, by field name; the first links to the record.
LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "penalties": ("decision_no", "party_name", "violation_type", "decision_date"),
    "permits": ("decision_no", "party_name", "decision_doc_name", "decision_date"),
    "inspections": ("task_name", "target_name", "result", "inspection_date"),
    "coercions": ("decision_no", "party_name", "coercion_class", "decision_date"),
    "checks": ("decision_no", "party_name", "item", "decision_date"),
    "levies": ("decision_no", "party_name", "item", "amount", "decision_date"),
    "requisitions": ("decision_no", "party_name", "requisition_class", "decision_date"),
    "officers": ("name", "cert_no", "unit", "cert_status"),
    "subjects": ("name", "nature", "head", "supervision_phone"),
    "matters": ("name", "code", "kind", "department"),
    "guides": ("name", "promised_time_limit", "location", "hours"),
    "windows": ("name", "location", "hours"),
}


class PageKey(str):
    """A page key kept as its repr (a cache of list pages): the writer's fingerprint of it equals that of the key."""

    def __repr__(self) -> str:
        return str(self)


@dataclass
class ListPage:
    """One page of a list: its records (newest first) and its place among the list's pages."""

    type: str
    url: str
    title: str
    records: list[PublishedRecord]
    base_url: str  # the list (or filtered list) this page belongs to
    number: int  # 0 for the list's front page, else 1.. from the oldest
    last: int  # the highest archive page number (0: the front page holds the whole list)
    total: int  # records in this list or filter
    filter_label: str = ""
    years: list[tuple[str, str]] = field(default_factory=list)  # (year, url)
    departments: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    agencies: list[tuple[str, str]] = field(default_factory=list)  # (agency name, url): a unified platform's
    older_span: tuple[str, str] | None = None  # publication dates of the next older page
    newer_span: tuple[str, str] | None = None  # of the next newer archive page (None: it is the front page)

    @property
    def key(self) -> tuple[object, ...]:
        """Everything this page shows, for the page writer's fingerprint (incremental builds).

        An archive page shows neither the list's total nor its newest page number, only whether a
        newer archive page follows it: a new record changes the front page and the newest two
        archive pages at most.
        """
        if self.number == 0:
            place: tuple[object, ...] = (self.total, self.last)
        else:
            place = (self.number < self.last,)
        return (self.url, self.base_url, self.number, *place, self.filter_label, self.older_span, self.newer_span,
                tuple(self.years), tuple(self.departments), tuple(r.digest for r in self.records),
                *((tuple(self.agencies),) if self.agencies else ()))

    def page_url(self, number: int) -> str:
        return self.base_url if number == 0 else f"{self.base_url}{LIST_PAGE}/{number}/"

    @property
    def span(self) -> tuple[str, str] | None:
        """The first and last publication dates of this page's records."""
        return publication_span(self.records)

    @property
    def newer(self) -> str | None:
        if self.number == 0:
            return None
        return self.page_url(self.number + 1) if self.number < self.last else self.base_url

    @property
    def older(self) -> str | None:
        if self.number == 0:
            return self.page_url(self.last) if self.last else None
        return self.page_url(self.number - 1) if self.number > 1 else None

    def nearby(self) -> list[tuple[int, str]]:
        """Archive page links, oldest first as numbered: (number, url). Page 1, two older neighbours and
        one newer; the front page links the newest archive page, an archive page never does."""
        centre = self.number or self.last + 1
        numbers = {1, *range(max(centre - 2, 1), min(centre + 1, self.last) + 1)}
        return [(n, self.page_url(n)) for n in sorted(numbers) if 1 <= n <= self.last]


def publication_key(record: PublishedRecord) -> tuple[str, str, str]:
    """The order of a list, oldest first: the day first made public, then the record's own date."""
    return (record.published or record.date, record.date, record.slug)


def publication_span(records: list[PublishedRecord]) -> tuple[str, str] | None:
    days = [r.published or r.date for r in records]
    return (min(days), max(days)) if days else None


def department_slug(name: str) -> str:
    return hashlib.blake2b(name.encode(), digest_size=4).hexdigest()


def list_filters(type_key: str, live: list[PublishedRecord]) -> tuple[list[tuple[str, str]], ...]:
    """A list's filters from its live records: (year, url) newest first, (department, url) by name, and on a
    unified platform (agency, url) by name."""
    base = f"/{type_key}/"
    has_year = RECORD_TYPES[type_key].date_field is not None
    years = sorted({r.year for r in live if r.year}, reverse=True) if has_year else []
    departments = sorted({r.department for r in live if r.department})
    return ([(y, f"{base}{LIST_YEAR}/{y}/") for y in years],
            [(d, f"{base}{LIST_DEPARTMENT}/{department_slug(d)}/") for d in departments],
            [(name, f"{base}{LIST_AGENCY}/{key}/") for key, name in _agencies(live)])


def _agencies(live: list[PublishedRecord]) -> list[tuple[str, str]]:
    """(key, name) of the agencies the records name, by name; [] on a single agency's portal."""
    names: dict[str, str] = {}
    for r in live:
        key = agency_filter_key(r)
        if key and key not in names:
            names[key] = agency_name(r) or key
    return sorted(names.items(), key=lambda kv: (kv[1], kv[0]))


def list_pages(type_key: str, records: list[PublishedRecord]) -> Iterator[ListPage]:
    """Every page of a type's list and of its per-year, per-department and per-agency filters."""
    # Sorted once, oldest first; a filter keeps that order (a stable sort of a subset gives the same).
    live = sorted((r for r in records if r.live), key=publication_key)
    base = f"/{type_key}/"
    zh = RECORD_TYPES[type_key].zh
    year_links, dept_links, agency_links = list_filters(type_key, live)
    by_year: dict[str, list[PublishedRecord]] = {}
    by_dept: dict[str, list[PublishedRecord]] = {}
    by_agency: dict[str, list[PublishedRecord]] = {}
    for r in live:
        by_year.setdefault(r.year, []).append(r)
        by_dept.setdefault(r.department, []).append(r)
        by_agency.setdefault(agency_filter_key(r), []).append(r)
    filters: list[tuple[str, str, list[PublishedRecord]]] = [(base, "", live)]
    filters += [(url, f"{y}年", by_year[y]) for y, url in year_links]
    filters += [(url, d, by_dept[d]) for d, url in dept_links]
    filters += [(url, name, by_agency[key]) for (key, _), (name, url) in zip(_agencies(live), agency_links,
                                                                           strict=True)]
    for url, label, items in filters:
        yield from _paginate(type_key, zh, url, label, items, year_links, dept_links, agency_links)


def _paginate(type_key: str, zh: str, base: str, label: str, oldest_first: list[PublishedRecord],
              years: list[tuple[str, str]], departments: list[tuple[str, str]],
              agencies: list[tuple[str, str]]) -> Iterator[ListPage]:
    last = max(len(oldest_first) // PAGE_SIZE - 1, 0)  # full archive pages; the front page keeps the rest
    chunks = [oldest_first[n * PAGE_SIZE:(n + 1) * PAGE_SIZE] for n in range(last)]
    spans = [publication_span(c) for c in chunks]
    title = f"{zh}（{label}）" if label else zh
    common = dict(type=type_key, base_url=base, last=last, total=len(oldest_first), filter_label=label, years=years,
                  departments=departments, agencies=agencies)
    yield ListPage(url=base, title=title, records=oldest_first[last * PAGE_SIZE:][::-1], number=0,
                   older_span=spans[-1] if spans else None, **common)
    for number in range(1, last + 1):
        yield ListPage(url=f"{base}{LIST_PAGE}/{number}/", title=f"{title} 第{number}页",
                       records=chunks[number - 1][::-1], number=number,
                       older_span=spans[number - 2] if number > 1 else None,
                       newer_span=spans[number] if number < last else None, **common)


def officer_validity(record: PublishedRecord, today: date) -> dict[str, Any]:
    """Whether an officer's certificate is valid today, in words a citizen can act on."""
    status = record.value("cert_status")
    valid_from, valid_to = record.value("valid_from"), record.value("valid_to")
    if status == "注销":
        return {"valid": False, "code": "revoked", "words": "证件已注销",
                "advice": "持证人不得从事行政执法活动，请拨打监督电话反映。"}
    if status == "暂扣":
        return {"valid": False, "code": "suspended", "words": "证件已暂扣", "advice": "持证人暂不得从事行政执法活动。"}
    if valid_to and str(valid_to) < today.isoformat():
        return {"valid": False, "code": "expired", "words": f"证件已于 {valid_to} 过期",
                "advice": "过期证件不能用于执法，请拨打监督电话反映。"}
    if valid_from and str(valid_from) > today.isoformat():
        return {"valid": False, "code": "not-yet", "words": f"证件自 {valid_from} 起生效，目前尚未生效",
                "advice": "尚未生效的证件不能用于执法。"}
    until = f"，有效期至 {valid_to}" if valid_to else ""
    return {"valid": True, "code": "valid", "words": f"证件有效{until}", "advice": "持证人可在执法区域内依法执法。",
            "valid_to": valid_to}
