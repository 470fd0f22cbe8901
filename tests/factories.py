"""Valid rows of each kind, to be spoiled one field at a time by the tests."""

from __future__ import annotations

from publisher.pull.rows import Origin, RawRow

BUREAU_CODE = "11230500001755309F"  # a valid 统一社会信用代码 (DOMAIN.md example)
COMPANY_CODE = "91350100M000100Y43"
ID_NUMBER = "11010519491231002X"  # a valid 身份证 number (DOMAIN.md example)


def penalty(row: int = 2, **values: str) -> RawRow:
    base = {
        "decision_no": f"示林罚决字〔2026〕第{row}号",
        "party_name": "示例县青山样板木业有限公司",
        "party_type": "法人及非法人组织",
        "credit_code": COMPANY_CODE,
        "legal_rep": "王样例",
        "violation_type": "滥伐林木",
        "facts": "当事人未经许可在示例县某某镇某某村滥伐杉木12株，蓄积3.2立方米。",
        "basis": "《中华人民共和国森林法》第七十六条第二款",
        "penalty_class": "罚款",
        "content": "责令补种滥伐株数三倍的树木36株，并处罚款人民币0.5万元",
        "fine": "0.5",
        "decision_date": "2026-11-10",
        "authority": "示例县林业和草原局",
        "authority_code": BUREAU_CODE,
        "status": "正常",
        "review_status": "已审核",
        "procedure": "普通",
        "department": "林政资源管理股",
    }
    base.update(values)
    return RawRow("penalties", base, Origin("files:test", "penalties.csv", row))


def person_penalty(row: int = 2, **values: str) -> RawRow:
    person = {
        "party_name": "张某甲",
        "party_type": "自然人",
        "credit_code": "",
        "legal_rep": "",
        "id_type": "身份证",
        "id_number": ID_NUMBER,
        "phone": "13912345678",
        "address": "示例县某某镇某某村3组12号",
        "fine": "0.2",
        "content": "责令补种树木36株，并处罚款人民币0.2万元",
    }
    person.update(values)
    return penalty(row, **person)


def permit(row: int = 2, **values: str) -> RawRow:
    base = {
        "decision_no": f"示林许字〔2026〕第{row}号",
        "decision_doc_name": "林木采伐许可证",
        "party_name": "示例县鑫达源林业开发有限公司",
        "party_type": "法人及非法人组织",
        "credit_code": COMPANY_CODE,
        "legal_rep": "李示范",
        "permit_class": "普通",
        "content": "准予在示例县某某林场采伐杉木人工林，采伐蓄积120立方米",
        "decision_date": "2026-11-10",
        "valid_from": "2026-11-10",
        "valid_to": "2027-11-09",
        "authority": "示例县林业和草原局",
        "authority_code": BUREAU_CODE,
        "status": "有效",
        "review_status": "已审核",
    }
    base.update(values)
    return RawRow("permits", base, Origin("files:test", "permits.xlsx", row))


def officer(row: int = 2, **values: str) -> RawRow:
    base = {
        "name": "赵样例",
        "cert_no": f"LY2024-{row:06d}",
        "unit": "示例县林政稽查大队",
        "field": "林业",
        "region": "示例县",
        "valid_from": "2024-01-01",
        "valid_to": "2029-12-31",
        "cert_status": "有效",
        "review_status": "已审核",
    }
    base.update(values)
    return RawRow("officers", base, Origin("files:test", "officers.csv", row))


def inspection(row: int = 2, **values: str) -> RawRow:
    base = {
        "id": f"SJ-2026-{row:04d}",
        "task_name": "2026年度林木采伐双随机抽查",
        "target_name": "示例县青山样板木业有限公司",
        "credit_code": COMPANY_CODE,
        "item": "林木采伐",
        "inspection_date": "2026-11-10",
        "result": "未发现问题",
        "authority": "示例县林业和草原局",
        "review_status": "已审核",
    }
    base.update(values)
    return RawRow("inspections", base, Origin("files:test", "inspections.csv", row))


def matter(row: int = 2, **values: str) -> RawRow:
    base = {
        "code": f"LY-XK-{row:04d}",
        "name": "林木采伐许可",
        "kind": "行政许可",
        "basis": "《中华人民共和国森林法》第五十六条",
        "review_status": "已审核",
    }
    base.update(values)
    return RawRow("matters", base, Origin("files:test", "matters.csv", row))
