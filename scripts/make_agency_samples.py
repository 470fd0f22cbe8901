"""Build two more sample agencies for the unified platform (issue 19): 示例县市场监督管理局 and 示例县生态环境局.

Each gets data/agencies/<key>/data/*.csv (about 40-50 records: penalties, permits, inspections, officers,
its own subject) and data/agencies/<key>/portal.toml (the sample agency's settings with its own name,
address and URL). One company, 示例县松涛样例建材有限公司 (91990101MACFCGD6AC), also in 林草局's sample
permits, is penalised by both, so its party profile on the unified platform gathers three agencies.
Invented throughout; credit codes and ID numbers pass their check characters. Deterministic (fixed seed).
Run: .venv/bin/python scripts/make_agency_samples.py
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import _Maker  # noqa: E402 — the bench's makers of valid codes, names and days

SHARED_FIRM = {"party_name": "示例县松涛样例建材有限公司", "party_type": "法人及非法人组织",
               "credit_code": "91990101MACFCGD6AC", "legal_rep": "王模拟"}

AGENCIES = {
    "scjg": {
        "name": "示例县市场监督管理局", "short": "市监", "host": "scjg.example.gov.cn", "code_prefix": "11990101",
        "seed": 11, "officer_field": "市场监管综合执法",
        "departments": ("综合执法大队", "食品安全监管股", "特种设备安全监察股"),
        "cases": (
            ("销售不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条", "罚款；没收违法所得",
             "在其经营场所销售超过保质期的预包装食品{n}件，货值金额人民币{v}元。"),
            ("未经许可从事食品经营活动", "《中华人民共和国食品安全法》第一百二十二条", "罚款；没收违法所得",
             "未取得食品经营许可证，擅自在示例县{town}从事餐饮服务活动，违法所得人民币{v}元。"),
            ("使用未经检验的特种设备", "《中华人民共和国特种设备安全法》第八十四条", "罚款",
             "使用未经定期检验的电梯{n}台，检验有效期已届满{k}个月。"),
            ("发布虚假广告", "《中华人民共和国广告法》第五十五条", "罚款",
             "通过微信公众号发布含有虚假内容的商品广告{n}条，广告费用人民币{v}元。"),
        ),
        "permits": (("食品经营许可证", "普通"), ("特种设备使用登记证", "普通"), ("药品零售许可证", "普通")),
        "tasks": (("食品经营者双随机抽查", "食品经营许可及进货查验记录检查"),
                  ("特种设备使用单位双随机抽查", "特种设备使用登记及定期检验情况检查")),
    },
    "sthj": {
        "name": "示例县生态环境局", "short": "环", "host": "sthj.example.gov.cn", "code_prefix": "11990101",
        "seed": 23, "officer_field": "生态环境保护综合执法",
        "departments": ("生态环境保护综合行政执法大队", "环评与排污许可股"),
        "cases": (
            ("超标排放大气污染物", "《中华人民共和国大气污染防治法》第九十九条", "罚款",
             "生产车间废气排放口颗粒物排放浓度为{k}0毫克/立方米，超过排放标准。"),
            ("未批先建", "《中华人民共和国环境影响评价法》第三十一条", "罚款",
             "建设项目环境影响报告表未经批准，擅自于示例县{town}开工建设，项目总投资人民币{v}万元。"),
            ("违法贮存危险废物", "《中华人民共和国固体废物污染环境防治法》第一百一十二条", "罚款",
             "将废机油等危险废物{n}千克露天堆放于厂区，未设置危险废物识别标志。"),
            ("未按规定申领排污许可证排放污染物", "《排污许可管理条例》第三十三条", "罚款",
             "未取得排污许可证排放工业废水，日排放量约{n}吨。"),
        ),
        "permits": (("排污许可证", "普通"), ("建设项目环境影响报告表批复", "普通")),
        "tasks": (("重点排污单位双随机抽查", "污染物排放及污染防治设施运行情况检查"),
                  ("危险废物产生单位双随机抽查", "危险废物规范化管理情况检查")),
    },
}
TOWNS = ("青石镇", "白云乡", "松岭镇", "柳河乡", "东坡镇", "枫林镇")


def records(key: str, spec: dict) -> dict[str, list[dict[str, str]]]:
    maker = _Maker(spec["seed"])
    rng = maker.rng
    agency, short = spec["name"], spec["short"]
    code = maker.credit_code(spec["code_prefix"])
    officers = [{"name": maker.person_name(), "cert_no": f"{key.upper()}{2022 + i % 3}-{200 + i:06d}",
                 "unit": agency, "field": spec["officer_field"], "region": "示例县",
                 "valid_from": "2022-01-01", "valid_to": "2027-12-31", "cert_status": "有效", "review_status": "已审核"}
                for i in range(4)]
    unit = {"authority": agency, "authority_code": code, "source_unit": agency, "source_unit_code": code}
    penalties = []
    for n in range(1, 23):
        violation, basis, classes, facts = rng.choice(spec["cases"])
        day = maker.day()
        who = SHARED_FIRM if n == 3 else maker.citizen() if rng.random() < 0.3 else {
            "party_name": f"示例县{maker.person_name()}{rng.choice(('商贸有限公司', '实业有限公司', '餐饮店'))}",
            "party_type": "法人及非法人组织", "credit_code": maker.credit_code("91990101"),
            "legal_rep": maker.person_name()}
        fine = round(rng.uniform(0.3, 0.9 if who["party_type"] == "自然人" else 8), 2)
        text = facts.format(n=rng.randint(2, 60), v=rng.randint(500, 9000), k=rng.randint(2, 9), town=rng.choice(TOWNS))
        values = {k: v for k, v in who.items() if k not in ("phone", "address")} | unit | {
            "decision_no": f"示{short}罚字〔{day.year}〕第{n}号", "violation_type": violation,
            "facts": f"{maker.cn(day - timedelta(days=rng.randint(40, 90)))}，执法人员检查发现，当事人{text}"
                     "上述事实有现场检查笔录、询问笔录和现场照片等证据证实。",
            "basis": basis, "penalty_class": classes, "fine": f"{fine:g}",
            "content": f"责令改正违法行为，罚款人民币{int(fine * 10000)}元。", "decision_date": day.isoformat(),
            "valid_until": (day + timedelta(days=15)).isoformat(), "status": "正常", "procedure": "普通",
            "review_status": "已审核", "department": rng.choice(spec["departments"])}
        if "没收违法所得" in classes:
            values["confiscation"] = "0.05"
        penalties.append(values)
    permits = []
    for n in range(1, 16):
        cert, cls = rng.choice(spec["permits"])
        day = maker.day()
        kind = rng.choice(("商贸有限公司", "实业有限公司", "科技有限公司"))
        firm = {"party_name": f"示例县{maker.person_name()}{kind}",
                "party_type": "法人及非法人组织", "credit_code": maker.credit_code("91990101"),
                "legal_rep": maker.person_name()}
        permits.append(firm | unit | {
            "decision_doc_name": "准予行政许可决定书", "decision_no": f"示{short}许字〔{day.year}〕第{n}号",
            "permit_class": cls, "certificate_name": cert, "permit_no": f"示{short}证〔{day.year}〕{n:04d}",
            "content": f"准予核发{cert}，许可事项以证载内容为准。", "decision_date": day.isoformat(),
            "valid_from": day.isoformat(), "valid_to": (day + timedelta(days=5 * 365)).isoformat(),
            "status": "有效", "review_status": "已审核", "department": rng.choice(spec["departments"])})
    inspections = []
    for n in range(1, 9):
        task, item = rng.choice(spec["tasks"])
        day = maker.day()
        target = rng.choice(penalties[3:] + permits)
        inspections.append({
            "id": f"{key.upper()}-SJ-{day.year}-{n:03d}", "task_name": f"{day.year}年度{task}",
            "target_name": target["party_name"], "credit_code": target.get("credit_code", ""), "item": item,
            "inspection_date": day.isoformat(), "result": rng.choice(("未发现问题", "发现问题，已责令整改")),
            "handling": "无", "authority": agency, "officer_certs": "；".join(o["cert_no"] for o in officers[:2]),
            "review_status": "已审核", "department": spec["departments"][0]})
    subjects = [{"name": agency, "credit_code": code, "nature": "法定行政机关", "head": maker.person_name(),
                 "address": f"示例县人民路{rng.randint(2, 90)}号", "phone": "0999-7654321",
                 "duties": f"负责示例县{spec['officer_field']}工作，依法实施行政许可、行政处罚和行政检查。",
                 "basis": "《地方各级人民代表大会和地方各级人民政府组织法》", "region": "示例县",
                 "supervision_phone": "0999-12345", "review_status": "已审核"}]
    return {"penalties": penalties, "permits": permits, "inspections": inspections, "officers": officers,
            "subjects": subjects}


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    names = list(dict.fromkeys(k for row in rows for k in row))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([row.get(name, "") for name in names] for row in rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def portal_toml(spec: dict) -> str:
    """The sample agency's settings, renamed: its own site, name, code, footer and rights."""
    text = (ROOT / "portal.toml").read_text(encoding="utf-8")
    text = text.replace("# The sample agency's configuration.",
                        f"# Sample agency {spec['name']} (scripts/make_agency_samples.py).")
    text = text.replace("https://lyj.example.gov.cn", f"https://{spec['host']}")
    text = text.replace('path = "data/sample"', 'path = "data"')
    text = text.replace("示例县林业和草原局", spec["name"])
    return text.replace('agency_code = "11990101002002977U"', 'agency_code = ""')


def main() -> None:
    for key, spec in AGENCIES.items():
        folder = ROOT / "data" / "agencies" / key
        (folder / "data").mkdir(parents=True, exist_ok=True)
        for type_key, rows in records(key, spec).items():
            write_csv(folder / "data" / f"{type_key}.csv", rows)
        (folder / "portal.toml").write_text(portal_toml(spec), encoding="utf-8")
        print(f"{folder}：已生成")


if __name__ == "__main__":
    main()

