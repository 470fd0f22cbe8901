"""Valid rows of each kind, to be spoiled one field at a time by the tests."""

from __future__ import annotations

from datetime import date, timedelta

from publisher.core.checkcodes import CREDIT_CHARSET
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
        "source_unit": "示例县林业和草原局",
        "source_unit_code": BUREAU_CODE,
        "status": "正常",
        "review_status": "已审核",
        "procedure": "普通",
        "department": "林政资源管理股",
    }
    base.update(values)
    base.setdefault("valid_until", payment_due(base["decision_date"]))
    return RawRow("penalties", base, Origin("files:test", "penalties.csv", row))


def payment_due(decided: str) -> str:
    """处罚有效期 as the sample fills it: 15 days to pay a fine (行政处罚法 第六十七条), within the display period."""
    try:
        return (date.fromisoformat(decided) + timedelta(days=15)).isoformat()
    except (TypeError, ValueError):
        return "2026-11-25"  # a decision date a test spoils on purpose: the default decision's due day


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
        "source_unit": "示例县林业和草原局",
        "source_unit_code": BUREAU_CODE,
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


def credit_code(body: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters (GB 32100 check character appended)."""
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body, (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8,
                                                                    24, 10, 30, 28), strict=True))
    return body + CREDIT_CHARSET[(31 - total % 31) % 31]


def inspection(row: int = 2, **values: str) -> RawRow:
    base = {
        "id": f"SJ-2026-{row:03d}", "task_name": "2026年度林木采伐双随机抽查",
        "target_name": "示例县青山样板木业有限公司",
        "credit_code": COMPANY_CODE, "item": "林木采伐许可证执行情况检查", "inspection_date": "2026-11-10",
        "result": "未发现问题", "handling": "无", "authority": "示例县林业和草原局",
        "officer_certs": "LY2024-000001；LY2024-000002", "review_status": "已审核",
    }
    base.update(values)
    return RawRow("inspections", base, Origin("files:test", "inspections.csv", row))


def _decision(type_key: str, file: str, row: int, own: dict[str, str], values: dict[str, str]) -> RawRow:
    """A decision of the newer types: a company party, the bureau deciding, approved."""
    base = {
        "party_name": "示例县青山样板木业有限公司", "party_type": "法人及非法人组织", "credit_code": COMPANY_CODE,
        "legal_rep": "王样例", "decision_date": "2026-11-10", "authority": "示例县林业和草原局",
        "authority_code": BUREAU_CODE, "status": "正常", "review_status": "已审核", "department": "林政资源管理股",
        **own,
    }
    base.update(values)
    return RawRow(type_key, base, Origin("files:test", file, row))


def coercion(row: int = 2, **values: str) -> RawRow:
    return _decision("coercions", "coercions.csv", row, {
        "decision_no": f"示林强字〔2026〕第{row}号", "coercion_kind": "强制措施", "coercion_class": "扣押",
        "reason": "当事人运输的杉木原木不能提供合法来源证明，涉嫌运输滥伐的林木",
        "basis": "《中华人民共和国森林法》第六十七条", "content": "扣押杉木原木6.2立方米，扣押期限30日",
        "period_from": "2026-11-10", "period_to": "2026-12-09"}, values)


def check(row: int = 2, **values: str) -> RawRow:
    return _decision("checks", "checks.csv", row, {
        "decision_no": f"示林检字〔2026〕第{row}号", "check_class": "日常检查", "item": "林木采伐作业现场检查",
        "basis": "《中华人民共和国森林法》第六十六条", "result": "采伐地点、面积与林木采伐许可证一致",
        "handling": "无", "officer_certs": "LY2024-000001；LY2024-000002"}, values)


def levy(row: int = 2, **values: str) -> RawRow:
    return _decision("levies", "levies.csv", row, {
        "decision_no": f"示林征字〔2026〕第{row}号", "levy_class": "行政事业性收费", "item": "森林植被恢复费",
        "basis": "《中华人民共和国森林法》第三十七条", "content": "使用林地0.05公顷，按每平方米10元征收",
        "amount": "0.5", "payment_due": "2026-12-10"}, values)


def requisition(row: int = 2, **values: str) -> RawRow:
    return _decision("requisitions", "requisitions.csv", row, {
        "decision_no": f"示林用字〔2026〕第{row}号", "requisition_class": "林地",
        "reason": "扑救森林火灾需开设防火隔离带", "basis": "《森林防火条例》第三十二条",
        "content": "征用林地600平方米开设防火隔离带", "period_from": "2026-11-10", "period_to": "2026-11-15",
        "amount": "0.2", "compensation": "使用完毕已返还，并按评估价值补偿"}, values)


# A natural person as the party of any decision type: masked wherever the decision is shown.
PERSON = {"party_name": "张某甲", "party_type": "自然人", "credit_code": "", "legal_rep": "", "id_type": "身份证",
          "id_number": ID_NUMBER, "phone": "13912345678", "address": "示例县某某镇某某村3组12号"}


def subject(row: int = 2, **values: str) -> RawRow:
    base = {
        "name": "示例县林业和草原局", "credit_code": credit_code(f"1199010100{row:07d}"), "nature": "法定行政机关",
        "head": "陈某乙", "address": "示例县示范大道66号", "phone": "0123-4567802", "duties": "负责全县林业监督管理。",
        "basis": "《中华人民共和国森林法》第九条", "region": "示例县行政区域", "supervision_phone": "0123-4567800",
        "review_status": "已审核",
    }
    base.update(values)
    return RawRow("subjects", base, Origin("files:test", "subjects.json", row))


def matter(row: int = 2, **values: str) -> RawRow:
    base = {
        "code": f"LY-XK-{row:03d}", "name": "林木采伐许可证核发", "kind": "行政许可",
        "basis": "《中华人民共和国森林法》第五十六条", "implementer": "示例县林业和草原局",
        "responsibility": "受理、审查、决定、送达。", "accountability": "对符合法定条件的申请不予受理的。",
        "random_inspection": "否", "review_status": "已审核",
    }
    base.update(values)
    return RawRow("matters", base, Origin("files:test", "matters.json", row))


def guide(row: int = 2, **values: str) -> RawRow:
    base = {
        "code": f"ZN-{row:03d}", "name": "林木采伐许可证核发", "matter_code": "LY-XK-001",
        "conditions": "林木权属清楚。",
        "materials": "林木采伐申请表；林木权属证明", "steps": "申请；受理；决定", "legal_time_limit": "20个工作日",
        "promised_time_limit": "5个工作日", "fee": "不收费", "location": "示例县政务服务中心二楼23号窗口",
        "window": "CK-01", "hours": "周一至周五", "phone": "0123-4567801", "complaint_phone": "12345",
        "basis": "《中华人民共和国森林法》第五十六条", "review_status": "已审核",
    }
    base.update(values)
    return RawRow("guides", base, Origin("files:test", "guides.json", row))


def window(row: int = 2, **values: str) -> RawRow:
    base = {
        "code": f"CK-{row:02d}", "name": "林业审批综合窗口", "location": "示例县政务服务中心二楼23号窗口",
        "staff": "刘示范（首席代表）；王某乙（受理岗）", "guides": "ZN-001；ZN-002", "hours": "周一至周五",
        "review_status": "已审核",
    }
    base.update(values)
    return RawRow("windows", base, Origin("files:test", "windows.json", row))


FACTORIES = {"penalties": penalty, "permits": permit, "inspections": inspection, "coercions": coercion,
             "checks": check, "levies": levy, "requisitions": requisition, "officers": officer,
             "subjects": subject, "matters": matter, "guides": guide, "windows": window}
