"""Records planted with unique markers: every one that may not be shown, and every value that must be masked.

The site test builds the sample portal with these rows added, then reads every output file as
bytes looking for the markers (DESIGN §6: none of them may appear anywhere).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.factories import BUREAU_CODE, COMPANY_CODE

# A natural person's values that must only ever appear masked.
SECRET_ID = "990101191111110014"  # valid check digit; masked it is 990101********0014
# A company's legal representative's 身份证 (法定代表人证件号码): a person's number, masked like any other.
SECRET_REP_ID = "990101195003070017"
SECRET_VALUES = {
    "id_number": "99010119111111",  # the first 14 characters: present only if unmasked
    "legal_rep_id_number": SECRET_REP_ID[:14],
    "given_name": "LEAKGIVENNAME",
    "phone": "13700137000",
    "address": "LEAKHOMEADDRESS",
    "bank": "6222020200112233445",
}


def _penalty(marker: str, n: int, **extra: str) -> dict:
    row = {
        "decision_no": f"示林罚决字〔2026〕第{900 + n}号{marker}",
        "party_name": f"{marker}样板公司", "party_type": "法人及非法人组织", "credit_code": COMPANY_CODE,
        "violation_type": "滥伐林木", "facts": f"{marker} 滥伐杉木10株。",
        "basis": "《中华人民共和国森林法》第七十六条第二款",
        "penalty_class": "罚款", "content": f"{marker} 罚款0.5万元", "fine": "0.5", "decision_date": "2026-11-16",
        "valid_until": "2026-12-01",
        "authority": "示例县林业和草原局", "authority_code": BUREAU_CODE, "remarks": marker,
        "review_status": "已审核", "procedure": "普通",
    }
    row.update(extra)
    return row


HIDDEN_PENALTIES = {
    "LEAKPENDING": {"review_status": "待审核"},
    "LEAKRETURNED": {"review_status": "退回"},
    "LEAKBLOCKED": {"fine": "15"},
    "LEAKREVIEWFAILED": {"major": "是", "legal_review_result": "不通过"},
    "LEAKEMBARGO": {"publish_at": "2027-03-01 09:00"},
    "LEAKWITHHELD": {"withheld": "是", "withheld_reason": "涉及商业秘密"},
    "LEAKWARNING": {"penalty_class": "警告", "fine": "", "content": "LEAKWARNING 给予警告"},
    "LEAKSIMPLE": {"procedure": "简易", "fine": "0.02"},
    "LEAKREVOKED": {"status": "撤销"},
    "LEAKEXPIRED": {"display_until": "2026-11-20"},
}
HIDDEN_OTHER = {
    "LEAKPERMITPENDING": ("permits", {
        "decision_no": "示林许字〔2026〕第990号LEAKPERMITPENDING", "party_name": "LEAKPERMITPENDING林场",
        "party_type": "法人及非法人组织", "credit_code": COMPANY_CODE, "content": "LEAKPERMITPENDING 采伐",
        "decision_date": "2026-11-16", "authority": "示例县林业和草原局", "authority_code": BUREAU_CODE,
        "status": "有效", "review_status": "待审核"}),
    "LEAKPERMITVOID": ("permits", {
        "decision_no": "示林许字〔2026〕第991号LEAKPERMITVOID", "party_name": "LEAKPERMITVOID林场",
        "party_type": "法人及非法人组织", "credit_code": COMPANY_CODE, "content": "LEAKPERMITVOID 采伐",
        "decision_date": "2026-11-16", "authority": "示例县林业和草原局", "authority_code": BUREAU_CODE,
        "status": "无效", "review_status": "已审核"}),
    "LEAKINSPECTION": ("inspections", {
        "id": "SJ-LEAK-001", "task_name": "LEAKINSPECTION 抽查", "target_name": "LEAKINSPECTION 对象",
        "item": "林木采伐", "inspection_date": "2026-11-16", "result": "LEAKINSPECTION 未发现问题",
        "authority": "示例县林业和草原局", "review_status": "待审核"}),
    "LEAKOFFICER": ("officers", {
        "name": "LEAKOFFICER", "cert_no": "LY2026-LEAK01", "unit": "示例县林政稽查大队", "cert_status": "有效",
        "review_status": "待审核"}),
}
MASKED_PERSON = _penalty("", 99, **{
    "decision_no": "示林罚决字〔2026〕第999号", "party_name": f"钱{SECRET_VALUES['given_name']}",
    "party_type": "自然人", "credit_code": "", "id_type": "身份证", "id_number": SECRET_ID,
    "phone": SECRET_VALUES["phone"], "address": SECRET_VALUES["address"], "bank_account": SECRET_VALUES["bank"],
    "facts": (f"当事人钱{SECRET_VALUES['given_name']}（身份证号{SECRET_ID}，住{SECRET_VALUES['address']}，"
              f"电话{SECRET_VALUES['phone']}，账户{SECRET_VALUES['bank']}）滥伐杉木10株。"),
    "content": "罚款0.5万元", "remarks": "",
})
SHOWN_COMPANY = _penalty("", 98, **{
    "decision_no": "示林罚决字〔2026〕第998号", "party_name": "示例县样本法代木业有限公司", "legal_rep": "王样本",
    "legal_rep_id_type": "居民身份证", "legal_rep_id_number": SECRET_REP_ID, "remarks": "",
})
MARKERS = [*HIDDEN_PENALTIES, *HIDDEN_OTHER, *SECRET_VALUES.values()]


def write_leak_rows(folder: Path) -> None:
    """Add the planted rows to a `files` source folder, as JSON files typed by their names."""
    penalties = [_penalty(m, i, **extra) for i, (m, extra) in enumerate(HIDDEN_PENALTIES.items())] + [MASKED_PERSON,
                                                                                                SHOWN_COMPANY]
    by_type: dict[str, list[dict]] = {"penalties": penalties}
    for type_key, row in HIDDEN_OTHER.values():
        by_type.setdefault(type_key, []).append(row)
    for type_key, rows in by_type.items():
        (folder / f"{type_key}-planted.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")
