"""Sample 行政强制, 行政检查, 行政征收 and 行政征用 decisions of 示例县林业和草原局.

Called by scripts/make_sample_data.py after its own tables, with that script's module as `h`
(its parties, random stream and helpers), so the earlier tables stay byte-identical.
Each type has natural persons (masked when shown) and records that exercise the rules; NOTES
lists those, and make_sample_data.py adds them to data/sample/README.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import ModuleType

D = date.fromisoformat

# Records that exercise the rules of DESIGN §3 at the sample clock 2026-11-24; every other one is shown.
NOTES = {
    "示林强字〔2025〕第4号": "withdrawn 撤销: coercion status 撤销",
    "示林强字〔2026〕第9号": "held + overdue 逾期: decided 2026-10-16, review_status 待审核 (20 working days)",
    "示林强字〔2026〕第10号": "blocked: 查封 marked major 是, no legal_review_result",
    "示林检字〔2026〕第12号": "held: review_status 待审核",
    "示林征字〔2026〕第8号": "held: embargoed, publish_at 2027-03-01",
    "示林用字〔2026〕第3号": "excluded 不予公开: withheld 是, withheld_reason 涉及国家秘密",
}

# coercion class|kind|承办科室|reason|content (format: sp, vol, n, at, days, wan)
COERCION_CASES = (
    ("扣押", "强制措施", "示例县木材检查站",
     "当事人运输的{sp}原木{vol}立方米不能提供合法来源证明，涉嫌运输盗伐、滥伐的林木，为防止证据损毁、转移",
     "扣押{sp}原木{vol}立方米及运输车辆一辆，扣押期限{days}日，存放于示例县木材检查站"),
    ("查封", "强制措施", "示例县林政稽查大队",
     "当事人木材加工场所内堆放的{sp}原木{vol}立方米涉嫌来源于滥伐林木，为防止证据损毁、转移",
     "查封当事人位于{at}的木材加工场所及带锯机两台、{sp}原木{vol}立方米，查封期限{days}日"),
    ("代履行", "强制执行", "示例县林政稽查大队",
     "当事人逾期未履行恢复植被的行政决定，经催告仍不履行，其后果已危害生态安全",
     "代履行恢复{at}被非法占用林地{n}平方米的植被，补植{sp}苗木{k}株，代履行费用人民币{yuan}元由当事人承担"),
    ("加处罚款或者滞纳金", "强制执行", "林政资源管理股",
     "当事人逾期未缴纳罚款，经催告仍不缴纳",
     "自缴纳期限届满之日起每日按罚款数额的百分之三加处罚款，共计人民币{yuan}元"),
    ("排除妨碍或者恢复原状", "强制执行", "示例县林政稽查大队",
     "当事人在{at}林地内违法修建的简易棚舍，经责令限期拆除后逾期不拆除",
     "依法强制拆除违法建设的简易棚舍{n}平方米，恢复林地原状"),
)
COERCION_BASIS = {
    "强制措施": "《中华人民共和国森林法》第六十七条；《中华人民共和国行政强制法》第二十四条",
    "强制执行": "《中华人民共和国行政强制法》第三十七条、第四十五条、第五十条",
}
CHECK_CASES = (
    ("日常检查", "林木采伐作业现场检查", "《中华人民共和国森林法》第六十六条", "林政资源管理股",
     ("采伐地点、面积、株数与林木采伐许可证一致，伐区清理符合要求", "无"),
     ("实际采伐面积超出林木采伐许可证核定面积{n}平方米", "责令停止超范围采伐，移交示例县林政稽查大队立案查处")),
    ("专项检查", "木材经营加工企业原料来源检查", "《中华人民共和国森林法》第六十五条", "示例县木材检查站",
     ("原料进出台账齐全，来源合法", "无"),
     ("进货台账记录不完整，缺少{k}批次原木来源证明", "责令限期补齐台账，已整改到位")),
    ("投诉举报核查", "群众举报林地内违法建设核查", "《中华人民共和国森林法》第六十六条", "示例县林政稽查大队",
     ("经现场核查，举报所指建筑位于林地范围以外", "无"),
     ("经现场核查，当事人在{at}林地内修建简易棚舍{n}平方米", "责令停止违法行为，移交立案查处")),
)
LEVY_CASES = (
    ("行政事业性收费", "森林植被恢复费", "《中华人民共和国森林法》第三十七条；《森林植被恢复费征收使用管理暂行办法》",
     "经审核同意使用{at}林地{ha}公顷用于{use}，按每平方米{rate}元的标准征收森林植被恢复费"),
    ("行政事业性收费", "草原植被恢复费", "《中华人民共和国草原法》第三十九条",
     "经审核同意使用{at}草原{ha}公顷用于{use}，按每平方米{rate}元的标准征收草原植被恢复费"),
)
USES = ("修建林区道路", "建设通信基站", "修建农村饮水工程", "建设光伏电站配套设施", "个人建房")
REQUISITION_CASES = (
    ("林地", "{at}发生森林火情，需紧急开设防火隔离带", "《中华人民共和国森林法》第三十四条；《森林防火条例》第三十二条",
     "征用{at}林地{n}平方米开设防火隔离带"),
    ("设施设备", "{at}森林火灾扑救需要运输物资和开设隔离带", "《森林防火条例》第三十二条",
     "征用挖掘机一台、运输车辆两辆用于森林火灾扑救"),
    ("土地", "森林火灾扑救需要设置临时指挥部和物资存放点", "《中华人民共和国突发事件应对法》第十二条",
     "征用{at}空地{n}平方米作为临时指挥部和物资存放点"),
)


def _finish(h: ModuleType, rows: list[dict], fmt: str) -> list[dict]:
    """Number, date the earlier site's publication, and check each row like the script's own tables."""
    rows = h.numbered(rows, fmt)
    h.first_published(rows, "decision_date")
    for r in rows:
        assert h.cc_valid(r["credit_code"]) if r["party_type"] != "自然人" else h.id_valid(r["id_number"])
    assert len({r["decision_no"] for r in rows}) == len(rows)
    return rows


def _who(h: ModuleType, i: int) -> dict:
    """A natural person every third record, else a company or a 个体工商户."""
    return h.party("nat" if i % 3 == 1 else "shop" if i % 3 == 2 else "firm")


def make_coercions(h: ModuleType) -> list[dict]:
    rows = []
    for i in range(10):
        cls, kind, dept, reason, content = COERCION_CASES[i % len(COERCION_CASES)]
        day = h.workday(D("2024-02-01"), D("2026-10-30"))
        v = {"sp": h.rng.choice(h.SPECIES), "vol": f"{h.rng.uniform(3, 40):.2f}", "n": h.rng.randint(50, 900),
             "at": h.place(), "days": 30, "k": h.rng.randint(100, 900), "yuan": h.rng.randint(20, 300) * 100}
        row = _who(h, i) | {
            "coercion_kind": kind, "coercion_class": [cls], "reason": reason.format(**v),
            "basis": COERCION_BASIS[kind], "content": content.format(**v), "decision_date": day,
            "amount": h.wan(v["yuan"]) if kind == "强制执行" and "元" in content else None,
            "status": "已解除" if kind == "强制措施" and i < 6 else "正常", "department": dept, **h.COMMON}
        if kind == "强制措施":
            row.update(period_from=day, period_to=day + timedelta(days=29))
        if cls == "查封":
            h.review(row)  # a 查封 of a business is a major decision: legally reviewed
        rows.append(row)
    seized = COERCION_CASES[1]
    rows += [
        _who(h, 2) | {"coercion_kind": "强制措施", "coercion_class": ["扣押"], "reason": "涉嫌运输滥伐的林木",
                      "basis": COERCION_BASIS["强制措施"], "content": "扣押杉木原木12.5立方米", "decision_date":
                      D("2025-04-15"), "status": "撤销", "remarks": "该决定已经行政复议撤销", "department":
                      "示例县木材检查站", "_n": 4, **h.COMMON},
        h.party("nat") | {"coercion_kind": "强制措施", "coercion_class": ["扣押"], "reason": "涉嫌盗伐林木，"
                          "为防止证据损毁", "basis": COERCION_BASIS["强制措施"], "content": "扣押油锯一台、杉木原木"
                          "6.2立方米", "decision_date": D("2026-10-16"), "status": "正常", "department":
                          "示例县森林派出所", "_n": 9, **h.COMMON, "review_status": "待审核"},
        h.party("示例县张样本木材加工厂") | {"coercion_kind": "强制措施", "coercion_class": [seized[0]],
                                           "reason": "涉嫌加工滥伐林木", "basis": COERCION_BASIS["强制措施"],
                                           "content": "查封木材加工场所及带锯机一台", "decision_date":
                                           D("2026-11-13"), "status": "正常", "department": seized[2], "_n": 10,
                                           "major": True, **h.COMMON},
    ]
    return _finish(h, rows, "示林强字〔{y}〕第{n}号")


def make_checks(h: ModuleType) -> list[dict]:
    rows = []
    valid = [o["cert_no"] for o in h.OFFICERS if o["cert_status"] == "有效" and o["valid_to"] >= D("2026-11-30")]
    for i in range(12):
        cls, item, basis, dept, fine, found = CHECK_CASES[i % len(CHECK_CASES)]
        result, handling = found if i % 4 == 3 else fine
        v = {"n": h.rng.randint(30, 800), "k": h.rng.randint(2, 9), "at": h.place()}
        rows.append(_who(h, i) | {
            "check_class": cls, "item": item, "basis": basis, "decision_date": h.workday(D("2024-03-01"),
                                                                                         D("2026-10-30")),
            "result": result.format(**v), "handling": handling, "officer_certs": h.rng.sample(valid, 2),
            "status": "正常", "department": dept, **h.COMMON, "authority": h.BUREAU})
    rows.append(h.party("nat") | {"check_class": "日常检查", "item": "林木采伐作业现场检查", "basis": CHECK_CASES[0][2],
                                  "decision_date": D("2026-11-16"), "result": "采伐作业符合许可要求",
                                  "handling": "无", "status": "正常", "department": "林政资源管理股", "_n": 12,
                                  **h.COMMON, "review_status": "待审核"})
    return _finish(h, rows, "示林检字〔{y}〕第{n}号")


def make_levies(h: ModuleType) -> list[dict]:
    rows = []
    for i in range(10):
        cls, item, basis, content = LEVY_CASES[0 if i % 4 else 1]
        use = USES[4] if i % 3 == 1 else h.rng.choice(USES[:4])
        ha = h.rng.choice(("0.05", "0.12", "0.3", "0.8", "1.5", "2.4")) if use != USES[4] else "0.02"
        rate = h.rng.choice((6, 10)) if item == "森林植被恢复费" else 6
        day = h.workday(D("2024-01-15"), D("2026-10-30"))
        rows.append(_who(h, i) | {
            "levy_class": cls, "item": item, "basis": basis, "decision_date": day,
            "content": content.format(at=h.place(), ha=ha, use=use, rate=rate),
            "amount": h.wan(int(float(ha) * 10000 * rate)), "payment_due": day + timedelta(days=30),
            "status": "正常", "department": "行政审批股", **h.COMMON})
    rows.append(h.party("firm") | {
        "levy_class": "行政事业性收费", "item": "森林植被恢复费", "basis": LEVY_CASES[0][2], "decision_date":
        D("2026-11-18"), "content": "经审核同意使用林地0.5公顷，按每平方米10元征收", "amount": h.wan(50000),
        "status": "正常", "department": "行政审批股", "_n": 8, **h.COMMON, "publish_at": D("2027-03-01")})
    return _finish(h, rows, "示林征字〔{y}〕第{n}号")


def make_requisitions(h: ModuleType) -> list[dict]:
    rows = []
    for i in range(6):
        cls, reason, basis, content = REQUISITION_CASES[i % len(REQUISITION_CASES)]
        day = h.workday(D("2024-03-01"), D("2026-10-30"))
        at, n = h.place(), h.rng.randint(500, 5000)
        rows.append(_who(h, i) | {
            "requisition_class": cls, "reason": reason.format(at=at), "basis": basis,
            "content": content.format(at=at, n=n), "decision_date": day, "period_from": day,
            "period_to": day + timedelta(days=h.rng.randint(3, 20)), "amount": h.wan(h.rng.randint(10, 200) * 100),
            "compensation": "使用完毕已返还，并按评估价值给予补偿", "status": "正常", "department": "示例县森林派出所",
            **h.COMMON})
    rows.append(h.party("firm") | {
        "requisition_class": "物资", "reason": "森林防火应急储备", "basis": REQUISITION_CASES[0][2],
        "content": "征用灭火物资一批", "decision_date": D("2026-05-12"), "status": "正常",
        "department": "示例县森林派出所", "_n": 3, **h.COMMON, "withheld": True, "withheld_reason": "涉及国家秘密"})
    return _finish(h, rows, "示林用字〔{y}〕第{n}号")


def make_all(h: ModuleType) -> dict[str, list[dict]]:
    """The four types' rows, by type key."""
    return {"coercions": make_coercions(h), "checks": make_checks(h), "levies": make_levies(h),
            "requisitions": make_requisitions(h)}
