"""A unified platform's content/, written directly with the content format's own writers (issue 19).

Three agencies' records, as the `portal` sources write them: 林草局 and 市场监管局 have each penalised the
same company (one credit code); 市场监管局 and 生态环境局 have each published a decision under the same
decision number; 生态环境局 was unreachable at the last run and one of its records is withdrawn.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from publisher.core.agencies import AgencyStatus, write_agencies
from publisher.core.content import Origin, render_notice, render_record, write_page
from publisher.core.schema import RECORD_TYPES
from tests.factories import COMPANY_CODE, credit_code, inspection, penalty, permit

SHARED_NUMBER = "示县罚决字〔2026〕第8号"  # the decision number two agencies both use
COMPANY = "示例县青山样板木业有限公司"


@dataclass(frozen=True)
class Agency:
    key: str
    name: str
    url: str


FORESTRY = Agency("lcj", "示例县林业和草原局", "https://lyj.example.gov.cn")
MARKET = Agency("scjg", "示例县市场监督管理局", "https://scjg.example.gov.cn")
ECOLOGY = Agency("hbj", "示例县生态环境局", "https://hbj.example.gov.cn")
AGENCIES = (FORESTRY, MARKET, ECOLOGY)


@dataclass(frozen=True)
class Written:
    """A record the factory wrote: where the unified site shows it and its authoritative page."""

    agency: Agency
    type: str
    slug: str
    decision_no: str
    canonical: str
    agency_published: str

    @property
    def url(self) -> str:
        return f"/{self.type}/{self.slug}/"


def _authority(agency: Agency) -> dict[str, str]:
    return {"authority": agency.name, "source_unit": agency.name}


def _write(content: Path, agency: Agency, row, own_slug: str, published: str, agency_published: str,
           withdrawn: str = "") -> Written:
    rtype = RECORD_TYPES[row.type]
    slug = f"{agency.key}-{own_slug}"
    canonical = f"{agency.url}/{row.type}/{own_slug}/"
    origin = Origin(agency.name, agency.key, canonical, agency_published)
    key_hash = hashlib.blake2b(f"{agency.key}/{row.type}/{own_slug}".encode(), digest_size=8).hexdigest()
    if withdrawn:
        text = render_notice(rtype, slug, key_hash, published, withdrawn, "决定被撤销", origin=origin)
    else:
        date = row.values.get(rtype.date_field or "", "") or published
        text = render_record(rtype, slug, key_hash, dict(row.values), published, date, origin=origin)
    write_page(content, row.type, slug, text)
    return Written(agency, row.type, slug, row.values.get("decision_no", ""), canonical, agency_published)


def write_unified_content(content: Path) -> dict[str, Written]:
    """Three agencies' records and agencies.json into `content`; the records by a name the tests use."""
    out: dict[str, Written] = {}
    f = FORESTRY
    out["forestry_penalty"] = _write(content, f, penalty(3, **_authority(f), decision_date="2026-11-02"), "p3",
                                     "2026-11-06", "2026-11-05")
    out["forestry_penalty_late"] = _write(
        content, f, penalty(4, **_authority(f), decision_date="2026-09-01", party_name="示例县绿野苗木合作社",
                            credit_code=credit_code("93350100M000200Y4")), "p4", "2026-11-06", "2026-10-20")
    out["forestry_permit"] = _write(content, f, permit(5, **_authority(f)), "l5", "2026-11-12", "2026-11-11")
    out["forestry_inspection"] = _write(content, f, inspection(6, **_authority(f)), "i6", "2026-11-12", "2026-11-11")
    m = MARKET
    out["market_penalty"] = _write(content, m, penalty(
        8, **_authority(m), decision_no=SHARED_NUMBER, violation_type="未按规定公示年度报告",
        department="信用监督管理股", decision_date="2026-11-03"), "p8", "2026-11-07", "2026-11-04")
    out["market_penalty_2"] = _write(content, m, penalty(
        9, **_authority(m), decision_no="示市监罚〔2026〕第9号", violation_type="虚假宣传", department="广告监督管理股",
        decision_date="2026-11-05"), "p9", "2026-11-09", "2026-11-06")
    e = ECOLOGY
    out["ecology_penalty"] = _write(content, e, penalty(
        8, **_authority(e), decision_no=SHARED_NUMBER, party_name="示例县清水造纸有限公司",
        credit_code=credit_code("91350100M000300Y0"), violation_type="超标排放水污染物", department="执法大队",
        decision_date="2026-10-28"), "p8", "2026-11-03", "2026-11-02")
    out["ecology_withdrawn"] = _write(content, e, penalty(10, **_authority(e)), "p10", "2026-10-20", "2026-10-19",
                                      withdrawn="2026-11-10")
    write_agencies(content, [
        AgencyStatus(f.key, f.name, f.url, "ok", "2026-11-24T09:00:00+08:00", "2026-11-24T08:58:00+08:00",
                     "a" * 64, 4),
        AgencyStatus(m.key, m.name, m.url, "ok", "2026-11-24T09:00:00+08:00", "2026-11-24T08:30:00+08:00",
                     "b" * 64, 2),
        AgencyStatus(e.key, e.name, e.url, "unreachable", "2026-11-24T09:00:00+08:00", "2026-11-20T17:05:00+08:00",
                     "c" * 64, 1, "连接超时（30 秒）"),
    ])
    return out


__all__ = ["AGENCIES", "COMPANY", "COMPANY_CODE", "SHARED_NUMBER", "Written", "write_unified_content"]
