"""Build the bundled sample data of 示例县林业和草原局: data/sample/* and data/sample.sqlite.

Every person, company, place and number is invented (示例县, 张某丙, 示例县鑫达源林业开发有限公司…);
credit codes and ID numbers are synthetic but pass their check characters (GB 32100, GB 11643).
Deterministic: a fixed seed and no use of today's date, so two runs give byte-identical files.
Run: .venv/bin/python scripts/make_sample_data.py

Records that exercise the rules of DESIGN §3 at the test clock 2026-11-24 (the same list goes into
data/sample/README.md); every other permit, penalty and inspection is expected to be shown:
  示林罚决字〔2024〕第15号  withdrawn 公示期满: display_until 2025-06-30 has passed
  示林罚决字〔2025〕第6号   withdrawn 公示期满: only 通报批评 (2025-03-10), 3-month default period ended
  示林罚决字〔2025〕第9号   excluded 不予公开: penalty_class only 警告, fine empty
  示林罚决字〔2025〕第14号  excluded 不予公开: withheld 是, withheld_reason 涉及未成年人
  示林罚决字〔2025〕第16号  withdrawn 撤销: status 撤销
  示林罚决字〔2025〕第20号  shown: major by catalogue (citizen fine 2.4 万元), legal review 通过
  示林罚决字〔2026〕第5号   excluded 不予公开: procedure 简易, fine 0.02 万元
  示林罚决字〔2026〕第10号  shown + discretion flag: fine 0.1 万元 below 0.2–2 (major 是, review 通过)
  示林罚决字〔2026〕第13号  shown + discretion flag: fine 9.5 万元 far above 0.3–3 (major 是, review 通过)
  示林罚决字〔2026〕第18号  shown: major (organisation fine 36 万元, hearing 是), legal review 通过
  示林罚决字〔2026〕第30号  held + overdue 逾期: decided 2026-11-02, review_status 待审核
  示林罚决字〔2026〕第31号  blocked: major by catalogue (citizen fine 1.8 万元), no legal_review_result
  示林罚决字〔2026〕第32号  blocked: major, legal_review_result 不通过
  示林罚决字〔2026〕第33号  held: review_status 退回
  示林罚决字〔2026〕第34号  held: review_status 待审核 (个体工商户)
  示林罚决字〔2026〕第35号  held: review_status 待审核
  示林罚决字〔2026〕第36号  held: embargoed, publish_at 2027-03-01
  示林罚决字〔2026〕第37号  shown: decided 2026-11-20, still within its 7 working days
  示林许字〔2025〕第12号    withdrawn 无效: permit status 无效
  示林许字〔2026〕第20号    shown: major 是, legal review 通过 (示例县鑫达源林业开发有限公司)
  示林许字〔2026〕第40号    held + overdue 逾期: decided 2026-11-02, review_status 待审核
  示林许字〔2026〕第41号    held: review_status 待审核
  示林许字〔2026〕第42号    held: embargoed, publish_at 2027-03-01
  示林许字〔2026〕第43号    shown: decided 2026-11-20, still within its 7 working days
  SJ-2026-007               held: inspection review_status 待审核 (inspected 2026-11-12, not yet overdue)
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import sqlite3
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import chinese_calendar
from openpyxl import Workbook
from openpyxl.styles import Font

from publisher.core.schema import INSPECTIONS, PENALTIES, PERMITS, RecordType
from publisher.core.workingdays import WorkingDayCalendar

ROOT = Path(__file__).resolve().parent.parent
OUT, DB = ROOT / "data" / "sample", ROOT / "data" / "sample.sqlite"
rng = random.Random(20261124)
D = date.fromisoformat
RULES = dict(re.findall(r"^  (\S+) +(.+)$", __doc__, re.M))  # record key -> the rule it exercises
SHORT_BEFORE = D("2026-08-24")  # 3 months before the clock: an older small fine would have expired


def table(block: str) -> list[list[str]]:
    """Rows of a `|`-separated block; a line that starts with spaces continues the row above."""
    rows: list[str] = []
    for line in block.strip("\n").splitlines():
        if line.startswith(" "):
            rows[-1] += line.strip()
        else:
            rows.append(line)
    return [r.split("|") for r in rows]


# ---- check characters (DOMAIN.md) ---------------------------------------------------------------
CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cc_check(body: str) -> str:
    return CC_CHARS[(31 - sum(CC_CHARS.index(c) * w for c, w in zip(body, CC_W, strict=True)) % 31) % 31]


def cc_valid(code: str) -> bool:
    return len(code) == 18 and all(c in CC_CHARS for c in code) and code[17] == cc_check(code[:17])


def id_check(body: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_W, strict=True)) % 11]


def id_valid(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and number[17] == id_check(number[:17])


assert all(map(cc_valid, ("91350100M000100Y43", "11230500001755309F")))
assert all(map(id_valid, ("11010519491231002X", "34052419800101001X")))
_bodies: set[str] = set()


def credit_code(prefix: str) -> str:
    """登记部门, 机构类别 and 区划 990101 (prefix), a 9-character organisation code, the check."""
    while True:
        chars = "0123456789ABCDEFGH" if prefix[0] == "9" else "0123456789"
        body = prefix + ("MA" if prefix[0] == "9" else "00") + "".join(rng.choice(chars) for _ in range(7))
        if body not in _bodies:
            _bodies.add(body)
            return body + cc_check(body)


# ---- the agency, its units and officers ---------------------------------------------------------
BUREAU, POLICE, SQUAD = "示例县林业和草原局", "示例县森林派出所", "示例县林政稽查大队"
CODES = {BUREAU: credit_code("11990101"), POLICE: credit_code("11990101"), SQUAD: credit_code("12990101")}
BUREAU_CODE = CODES[BUREAU]
COMMON = {"authority": BUREAU, "authority_code": BUREAU_CODE, "source_unit": BUREAU,
          "source_unit_code": BUREAU_CODE, "review_status": "已审核", "procedure": "普通"}
OFFICES = ("办公室", "林政资源管理股", "营造林股", "野生动植物保护股", "行政审批股")  # 局机关
OFFICERS = [dict(zip(("name", "cert_no", "unit", "field", "valid_from", "valid_to", "cert_status"), r.split(),
                     strict=True)) for r in """
张示范 LY2021-000101 林政资源管理股 林业行政执法 2021-06-01 2026-05-31 有效
王样例 LY2022-000123 林政资源管理股 林业行政执法 2022-03-01 2027-02-28 有效
李某甲 LY2023-000135 营造林股 林草种苗执法 2023-04-01 2028-03-31 有效
赵某乙 LY2022-000128 野生动植物保护股 野生动植物保护 2022-09-01 2027-08-31 有效
刘示范 LY2024-000156 行政审批股 林业行政执法 2024-01-15 2029-01-14 有效
陈样例 LY2020-000087 办公室 林业行政执法 2020-11-01 2025-10-31 有效
陈示范 LY2022-000131 示例县森林派出所 森林公安执法 2022-05-01 2027-04-30 有效
刘样例 LY2023-000142 示例县森林派出所 森林公安执法 2023-07-01 2028-06-30 有效
王某甲 LY2021-000109 示例县森林派出所 森林公安执法 2021-03-01 2026-02-28 有效
赵示范 LY2023-000147 示例县森林派出所 森林公安执法 2023-09-01 2028-08-31 注销
张样例 LY2022-000119 示例县林政稽查大队 林业行政执法 2022-01-10 2027-01-09 有效
李示范 LY2024-000161 示例县林政稽查大队 林业行政执法 2024-03-01 2029-02-28 有效
王示范 LY2023-000150 示例县林政稽查大队 林业行政执法 2023-11-01 2028-10-31 暂扣
张某乙 LY2023-000138 示例县木材检查站 木材运输检查 2023-02-01 2028-01-31 有效
李样例 LY2024-000170 示例县木材检查站 木材运输检查 2024-06-01 2029-05-31 有效""".strip().splitlines()]
for _o in OFFICERS:
    _o.update(unit=BUREAU + _o["unit"] if _o["unit"] in OFFICES else _o["unit"], region="示例县",
              valid_from=D(_o["valid_from"]), valid_to=D(_o["valid_to"]), review_status="已审核")
REVIEWERS = ("陈示范", "刘样例")  # 法制审核 is done at 示例县森林派出所

# ---- invented parties ---------------------------------------------------------------------------
SURNAMES = "张王李赵刘陈"
GIVEN = ("某丙", "某丁", "某戊", "某己", "某庚", "某辛", "某壬", "某癸", "某子", "某丑", "某寅", "某卯")
TOWNS = ("青石镇", "白云乡", "松岭镇", "柳河乡", "东坡镇", "样板乡")
VILLAGES = ("上坪村", "下河村", "石门村", "杉木村", "竹园村", "示范村", "新桥村")
SPECIES = ("杉木", "马尾松", "湿地松", "杨树", "桉树", "柏木")
FIRMS = [f"示例县{n}" for n in (
    "鑫达源林业开发有限公司", "青山样板木业有限公司", "绿野示范苗木专业合作社", "松涛样例建材有限公司",
    "恒盛虚构矿业有限公司", "长林模拟生态农业有限公司", "翠谷示例旅游开发有限公司", "金穗样本种业有限公司",
    "远山虚拟交通工程有限公司", "禾丰示范农牧专业合作社", "林海样板林场有限公司")]
SHOPS = ["示例县张样本木材加工厂", "示例县李模拟苗木经营部", "示例县王范例种子经营店"]
REP_GIVEN = ("样本", "模拟", "范例", "虚拟")  # 法定代表人 are public: never a citizen party's name
ORGS = {n: {"party_name": n, "party_type": "法人及非法人组织", "credit_code": credit_code("91990101"),
            "legal_rep": rng.choice(SURNAMES) + rng.choice(REP_GIVEN)} for n in FIRMS}
ORGS |= {n: {"party_name": n, "party_type": "个体工商户", "credit_code": credit_code("92990101"),
             "legal_rep": n[3:6]} for n in SHOPS}
PEOPLE: dict[str, dict] = {}


def party(kind: str) -> dict:
    """kind: nat (a citizen), firm, shop (个体工商户) or a company's name."""
    if kind != "nat":
        return dict(ORGS[kind if kind in ORGS else rng.choice(FIRMS if kind == "firm" else SHOPS)])
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    if name not in PEOPLE:  # the same invented person always has the same ID, phone and address
        born = D("1958-01-01") + timedelta(days=rng.randrange(15000))
        body = f"990101{born:%Y%m%d}{rng.randrange(1000):03d}"
        PEOPLE[name] = {"party_name": name, "party_type": "自然人", "id_type": "身份证",
                        "id_number": body + id_check(body), "phone": f"139{rng.randrange(10 ** 8):08d}",
                        "address": f"{place()}{rng.randint(1, 9)}组{rng.randint(1, 60)}号"}
    return dict(PEOPLE[name])


def workday(lo: date, hi: date) -> date:
    while True:
        day = lo + timedelta(days=rng.randrange((hi - lo).days + 1))
        if chinese_calendar.is_workday(day) and day.weekday() < 5:
            return day


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def place() -> str:
    return f"示例县{rng.choice(TOWNS)}{rng.choice(VILLAGES)}"


def wan(yuan: int | None) -> Decimal | None:
    return None if yuan is None else (Decimal(yuan) / 10000).quantize(Decimal("0.000001")).normalize()


# ---- penalties ----------------------------------------------------------------------------------
# type|basis|range 万元 (未经批准野外用火: organisations)|承办科室|multipliers (fine = value × m)|classes|
# confiscated|acts|facts|content
CASES = {r[0]: r[1:] for r in table("""
盗伐林木|《中华人民共和国森林法》第七十六条第一款|0.2|50|示例县森林派出所|5 6 8 10|罚款；没收违法所得|gain|-
  |未取得林木采伐许可证，擅自在{at}集体林地内采伐{sp}{n}株，立木蓄积{vol}立方米，林木价值人民币{value}元；
  所伐林木已出售，获利人民币{gain}元。|责令在原地补种盗伐株数{r}倍的树木共计{nr}株，没收违法所得人民币{gain}元，
  并处盗伐林木价值{m}倍的罚款人民币{fine}元。
滥伐林木|《中华人民共和国森林法》第七十六条第二款|0.1|20|林政资源管理股|3 4 5|罚款|-
  |未申请林木采伐许可证；超出林木采伐许可证核定的范围|{act}，在{at}林地内采伐{sp}{n}株，蓄积{vol}立方米，
  林木价值人民币{value}元。|责令在原地补种滥伐株数{r}倍的树木共计{nr}株，并处滥伐林木价值{m}倍的罚款人民币{fine}元。
非法占用林地|《中华人民共和国森林法》第七十三条第一款|0.5|100|示例县林政稽查大队|1 1.5 2 2.5 3|罚款|-
  |修建简易厂房；堆放砂石；开挖施工便道；建设养殖棚舍|未经林业主管部门审核同意，擅自在{at}占用林地{a}平方米
  用于{act}，改变林地用途；经测算，恢复植被和林业生产条件所需费用为人民币{value}元。|责令限期恢复植被和林业
  生产条件，并处恢复所需费用{m}倍的罚款人民币{fine}元。
毁坏林木|《中华人民共和国森林法》第七十四条第一款|0.05|10|示例县林政稽查大队|1 2 3 4 5|罚款|-
  |采石；采砂；取土；修建便道|在{at}进行{act}作业，毁坏{sp}林木{n}株，经鉴定林木价值人民币{value}元。
  |责令停止违法行为，限期在原地补种毁坏株数{r}倍的树木共计{nr}株，并处毁坏林木价值{m}倍的罚款人民币{fine}元。
收购运输盗伐滥伐的林木|《中华人民共和国森林法》第七十八条|0.05|10|示例县木材检查站|1 2 3|罚款；没收非法财物
  |value|-|使用货车运输{sp}原木{vol}立方米，在示例县木材检查站不能提供合法来源证明；经查，该批木材系当事人
  明知为滥伐所得而以人民币{value}元收购。|没收违法运输的{sp}原木{vol}立方米，并处违法收购林木价款{m}倍的
  罚款人民币{fine}元。
无证生产经营林草种子|《中华人民共和国种子法》第七十六条|0.3|3|营造林股|1|罚款；没收违法所得；没收非法财物|gain|-
  |未取得林草种子生产经营许可证，在{at}经营{sp}苗木，共销售{k}00株，违法所得人民币{gain}元。
  |责令改正，没收违法所得人民币{gain}元和未售出的{sp}苗木{k}0株，并处罚款人民币{fine}元。
非法猎捕野生动物|《中华人民共和国野生动物保护法》第四十九条|0.2|2|野生动植物保护股|1|罚款；没收非法财物|gain
  |铁夹；猎套；粘网|在{at}山林中使用{act}非法猎捕野兔、环颈雉等野生动物{k}只，经鉴定猎获物价值人民币{gain}元。
  |没收猎获物{k}只及{act}等猎捕工具，并处罚款人民币{fine}元。
未经批准野外用火|《森林防火条例》第五十条|1|5|示例县森林派出所|1|警告；罚款|-
  |焚烧田埂杂草；焚烧秸秆；祭祀烧纸；焚烧施工垃圾|未经批准在{at}林缘地带{act}，引燃周边杂草，过火面积约{a}
  平方米，经及时扑救未造成森林火灾。|给予警告，并处罚款人民币{fine}元。
非法开垦草原|《中华人民共和国草原法》第六十六条|0|5|林政资源管理股|1 1.5 2|罚款；没收违法所得|value
  |玉米；马铃薯；中药材|未经批准擅自在{at}天然草原开垦{mu}亩种植{act}，违法所得人民币{value}元。
  |责令停止违法行为，限期恢复植被，没收违法所得人民币{value}元，并处违法所得{m}倍的罚款人民币{fine}元。
""")}
PROOF = "上述事实有现场勘验笔录、询问笔录和鉴定意见等证据证实。"


def penalty(vt: str, who: str, day: date, amount: int, **over) -> dict:
    """One penalty of about `amount` 元; fines at the catalogue threshold get a passed legal review."""
    basis, _, _, dept, mults, classes, confiscated, acts, facts, content = CASES[vt]
    m = rng.choice([float(x) for x in mults.split()])
    value = max(10, round(amount / m / 10) * 10)
    vol = (Decimal(value) / rng.choice((800, 900, 1000, 1200))).quantize(Decimal("0.01"))
    n, r = max(3, round(float(vol) / rng.uniform(0.12, 0.3))), rng.randint(1, 3)
    v = {"at": place(), "sp": rng.choice(SPECIES), "act": rng.choice(acts.split("；")), "m": f"{m:g}",
         "value": value, "fine": int(value * m), "gain": round(value * rng.uniform(0.4, 0.8) / 10) * 10,
         "vol": vol, "n": n, "r": r, "nr": n * r, "a": max(20, value // rng.randint(15, 40)),
         "k": rng.randint(3, 20), "mu": rng.randint(3, 40)}
    ev = cn(day - timedelta(days=rng.randint(25, 90)))
    row = party(who) | {
        "violation_type": vt, "facts": f"{ev}，当事人{facts.format(**v)}{PROOF}", "basis": basis,
        "penalty_class": classes.split("；"), "content": content.format(**v), "fine": wan(v["fine"]),
        "confiscation": wan(v.get(confiscated)), "decision_date": day, "status": "正常", "department": dept,
        **COMMON} | over
    threshold = 10 if row["party_type"] == "法人及非法人组织" else 1
    if (row["fine"] or 0) >= threshold and "legal_review_result" not in over:
        review(row)
    return row


def review(row: dict, result: str = "通过") -> None:
    row.update(major=True, legal_review_result=result, legal_review_by=rng.choice(REVIEWERS),
               legal_review_date=row["decision_date"] - timedelta(days=rng.randint(2, 6)))


def numbered(rows: list[dict], fmt: str) -> list[dict]:
    """Number rows per year in date order, skipping the fixed numbers of the rule-exercising rows."""
    rows.sort(key=lambda r: (r["decision_date"], r.get("_n", 0)))
    used, nxt = {(r["decision_date"].year, r["_n"]) for r in rows if "_n" in r}, {}
    for r in rows:
        y = r["decision_date"].year
        if "_n" not in r:
            r["_n"] = nxt.get(y, 1)
            while (y, r["_n"]) in used:
                r["_n"] += 1
            nxt[y] = r["_n"] + 1
        r["decision_no"] = fmt.format(y=y, n=r.pop("_n"))
    return rows


FIRE, HUNT, TAKE = "未经批准野外用火", "非法猎捕野生动物", "非法占用林地"
E_PEN = [  # number, date, violation, party, about 元, overrides (_review: major 是, 通过); rules: see the top
    (15, "2024-06-10", "盗伐林木", FIRMS[1], 30000, {"display_until": D("2025-06-30")}),
    (6, "2025-03-10", FIRE, FIRMS[6], 0, {"penalty_class": ["通报批评"], "content": "予以通报批评。"}),
    (9, "2025-05-20", FIRE, "nat", 0, {"penalty_class": ["警告"], "content": "给予警告。"}),
    (14, "2025-08-12", HUNT, "nat", 3000, {"withheld": True, "withheld_reason": "涉及未成年人"}),
    (16, "2025-09-08", TAKE, FIRMS[3], 40000, {"status": "撤销", "remarks": "该决定已经行政复议撤销"}),
    (20, "2025-11-05", "盗伐林木", "nat", 24000, {}),
    (5, "2026-03-16", FIRE, "nat", 200, {"procedure": "简易"}),
    (10, "2026-06-18", HUNT, "nat", 1000, {"_review": True}),
    (13, "2026-07-22", "无证生产经营林草种子", FIRMS[7], 95000, {"_review": True}),
    (18, "2026-09-15", TAKE, FIRMS[0], 360000, {"hearing": True, "_review": True}),
    (30, "2026-11-02", "毁坏林木", "nat", 4000, {"review_status": "待审核"}),
    (31, "2026-11-16", "滥伐林木", "nat", 18000, {"legal_review_result": None}),
    (32, "2026-11-17", TAKE, FIRMS[4], 300000, {"legal_review_result": "不通过"}),
    (33, "2026-11-17", "盗伐林木", "nat", 6000, {"review_status": "退回"}),
    (34, "2026-11-18", "收购运输盗伐滥伐的林木", SHOPS[0], 5000, {"review_status": "待审核"}),
    (35, "2026-11-19", "非法开垦草原", FIRMS[9], 20000, {"review_status": "待审核"}),
    (36, "2026-11-19", "盗伐林木", "nat", 8000, {"publish_at": D("2027-03-01")}),
    (37, "2026-11-20", "滥伐林木", FIRMS[10], 15000, {}),
]


def make_penalties() -> list[dict]:
    rows, types = [], list(CASES)
    for i in range(36):
        vt, day = types[i % len(types)], workday(D("2024-01-02"), D("2026-11-10"))
        lo, hi = (float(x) * 10000 for x in CASES[vt][1:3])
        roll, fine_only = rng.random(), set(CASES[vt][5].split("；")) <= {"警告", "罚款"}
        who = "nat" if roll < 0.58 else "shop" if roll < 0.7 and not fine_only else "firm"
        if vt == FIRE and who == "nat":  # a citizen's fire fine is small: keep those recent
            who, lo, hi = ("firm", lo, hi) if day < SHORT_BEFORE else ("nat", 200, 3000)
        if who == "nat" and i % 9 == 1 and i < 20:  # a few citizens fined over 1 万元: major, reviewed
            lo, hi = 12000, 40000
        elif who != "firm":  # citizens and 个体工商户 below the 1 万元 catalogue threshold
            lo, hi = max(lo, 3500 if fine_only and day < SHORT_BEFORE else 0), min(hi, 9000)
        else:
            lo, hi = max(lo, 3500), min(hi, 90000)
        fine = max(int(round(rng.uniform(lo + 200, hi - 200), -2)), 100)
        rows.append(penalty(vt, FIRMS[0] if i == 2 else who, day, fine))
    for n, day, vt, who, amount, over in E_PEN:
        row = penalty(vt, who, D(day), amount, **{k: v for k, v in over.items() if k != "_review"})
        if over.get("_review") or over.get("legal_review_result"):
            review(row, over.get("legal_review_result") or "通过")
        if row.get("legal_review_result", "") is None:
            del row["legal_review_result"]
        if not amount:  # 警告 or 通报批评 only
            row.update(fine=None, confiscation=None)
        rows.append(row | {"_n": n})
    return numbered(rows, "示林罚决字〔{y}〕第{n}号")


# ---- permits ------------------------------------------------------------------------------------
# kind|decision document|certificate|class|abbreviation|承办科室|valid days (0: months)|parties|acts|content
PERMIT_KINDS = {r[0]: r[1:] for r in table("""
林木采伐许可证核发|准予行政许可决定书|林木采伐许可证|普通|采证|林政资源管理股|300|nat firm|皆伐；择伐；间伐
  |准予在{at}（林班{k}、小班{j}）采伐{sp}人工商品林，采伐方式{act}，面积{area}公顷，蓄积{vol}立方米，
  出材量{out}立方米。
使用林地审核|使用林地审核同意书|使用林地审核同意书|核准|地审|行政审批股|730|firm
  |乡村道路改建工程；光伏发电项目；输变电线路工程；旅游服务设施建设
  |同意使用{at}集体林地{area}公顷（其中{sp}林地{half}公顷），用于{act}。
临时使用林地|准予临时使用林地决定书|临时使用林地批准书|普通|临地|行政审批股|0|firm|架设施工便道；设置材料堆场
  |同意临时使用{at}林地{area}公顷用于{act}，使用期限{months}个月，期满后恢复林业生产条件。
林草种子生产经营许可证|准予行政许可决定书|林草种子生产经营许可证|普通|种证|营造林股|1826|firm shop
  |生产、批发、零售；批发、零售|准予从事林木种子（苗）生产经营，种类：{sp}苗木；生产经营范围：示例县；
  生产经营方式：{act}。
植物检疫证书|植物检疫证书|植物检疫证书|核准|检证|营造林股|10|nat firm shop|原木；锯材|经检疫，调运的{sp}{act}
  {k}0立方米（起运地：{at}，到达地：示例省样例市）未发现检疫性有害生物，准予调运。
狩猎证|准予行政许可决定书|狩猎证|特许|猎证|野生动植物保护股|90|nat firm|枪猎；围猎|准予在{at}周边山林开展野猪
  种群调控猎捕，猎捕数量不超过{k}头，猎捕方式为{act}，期限自{start}起90日。
临时占用草原|准予临时占用草原决定书|临时占用草原批准书|普通|草占|林政资源管理股|0|firm|架设输电线路；勘探作业
  |同意临时占用{at}天然草原{area}公顷用于{act}，占用期限{months}个月，期满恢复草原植被。
野外用火审批|野外用火审批决定书|野外用火许可证|普通|火批|行政审批股|3|nat firm|炼山造林；计划烧除
  |准予于{start}在{at}进行{act}，用火面积{area}公顷，须开设防火隔离带并安排扑火人员现场看守。
""")}


def permit(kind: str, who: str, day: date, **over) -> dict:
    doc, cert, cls, abbr, dept, days, kinds, acts, content = PERMIT_KINDS[kind]
    area, months, vol = Decimal(rng.randint(3, 60)) / 10, rng.choice((6, 12, 18, 24)), rng.randint(20, 400)
    text = content.format(at=place(), sp=rng.choice(SPECIES), act=rng.choice(acts.split("；")), area=area,
                          half=area / 2, vol=vol, out=vol * 6 // 10, k=rng.randint(5, 30),
                          j=rng.randint(1, 20), months=months, start=cn(day + timedelta(days=1)))
    ym = day.year * 12 + day.month - 1 + months
    end = day + timedelta(days=int(days) - 1) if int(days) else date(ym // 12, ym % 12 + 1, min(day.day, 28))
    row = party(who if who != "any" else rng.choice(kinds.split())) | {
        "decision_doc_name": doc, "permit_class": cls, "certificate_name": cert, "permit_no": abbr,
        "content": text, "decision_date": day, "valid_from": day, "valid_to": end, "status": "有效",
        "department": dept, **COMMON}
    if over.pop("_review", False) or kind == "使用林地审核" and area >= 2:  # 重大: large land use
        review(row)
    return row | over


E_PER = [  # number, date, kind, party, overrides; rules: see the top
    (12, "2025-04-15", "林草种子生产经营许可证", SHOPS[1], {"status": "无效", "remarks": "被许可人申请注销"}),
    (20, "2026-05-12", "使用林地审核", FIRMS[0], {"_review": True}),
    (40, "2026-11-02", "林木采伐许可证核发", "nat", {"review_status": "待审核"}),
    (41, "2026-11-18", "使用林地审核", FIRMS[8], {"review_status": "待审核"}),
    (42, "2026-11-19", "临时使用林地", FIRMS[4], {"publish_at": D("2027-03-01")}),
    (43, "2026-11-20", "植物检疫证书", FIRMS[1], {}),
]


def make_permits() -> list[dict]:
    kinds = list(PERMIT_KINDS)
    rows = [permit(kinds[i % len(kinds)], FIRMS[0] if i == 0 else "any",
                   workday(D("2024-01-02"), D("2026-11-10"))) for i in range(44)]
    rows += [permit(kind, who, D(day), **over) | {"_n": n} for n, day, kind, who, over in E_PER]
    seq: dict[tuple[str, int], int] = {}
    for r in numbered(rows, "示林许字〔{y}〕第{n}号"):
        key = (r["permit_no"], r["decision_date"].year)
        seq[key] = seq.get(key, 0) + 1
        r["permit_no"] = f"示林{key[0]}〔{key[1]}〕第{seq[key]}号"
    return rows


# ---- inspections --------------------------------------------------------------------------------
TASKS = table("""
林木采伐双随机抽查|林木采伐许可证执行情况检查|林政资源管理股
林草种子生产经营双随机抽查|林草种子生产经营许可证持证及生产经营档案检查|营造林股
使用林地双随机抽查|使用林地审核同意书执行情况检查|示例县林政稽查大队
木材经营加工双随机抽查|木材经营加工原料来源合法性检查|示例县木材检查站""")
RESULTS = table("""
未发现问题|无
未发现问题|无
发现问题：生产经营档案不完整|责令限期整改，已整改到位
发现问题：超出许可范围使用林地|移交示例县林政稽查大队立案查处""")


def make_inspections() -> list[dict]:
    rows = []
    for y in (2024, 2025, 2026):
        for k, day in enumerate(sorted(workday(D(f"{y}-03-01"), D(f"{y}-11-06")) for _ in range(7)), 1):
            pending = (y, k) == (2026, 7)  # SJ-2026-007: inspected recently, within its 20 working days
            day = D("2026-11-12") if pending else day
            task, item, dept = TASKS[(k + y) % len(TASKS)]
            target = ORGS[rng.choice(FIRMS + SHOPS)]
            valid = [o["cert_no"] for o in OFFICERS if o["cert_status"] == "有效" and o["valid_from"] <= day
                     and day <= o["valid_to"]]
            result, handling = rng.choice(RESULTS)
            rows.append({"id": f"SJ-{y}-{k:03d}", "task_name": f"{y}年度{task}",
                         "target_name": target["party_name"], "credit_code": target["credit_code"],
                         "item": item,
                         "inspection_date": day, "result": result, "handling": handling, "authority": BUREAU,
                         "officer_certs": rng.sample(valid, 2), "department": dept,
                         "review_status": "待审核" if pending else "已审核"})
    return rows


# ---- parties with a profile of several record types (issue 15) ----------------------------------
# Fixed codes (check character computed), so adding them draws nothing from the shared stream.
SHOWCASE = {
    "renamed": {"party_name": "示例县森茂样板木业有限公司", "party_type": "法人及非法人组织",
                "credit_code": "91990101MA7D2K3L1" + cc_check("91990101MA7D2K3L1"), "legal_rep": "周样本"},
    "shop": {"party_name": "示例县周模拟竹木经营部", "party_type": "个体工商户",
             "credit_code": "92990101MA8E4F5G2" + cc_check("92990101MA8E4F5G2"), "legal_rep": "周模拟"},
    "firm": {"party_name": "示例县联创示范林业科技有限公司", "party_type": "法人及非法人组织",
             "credit_code": "91990101MA9H6J7K3" + cc_check("91990101MA9H6J7K3"), "legal_rep": "吴范例"},
}
OLD_NAME = "示例县森茂样板木材加工厂"  # the renamed company's name on its older records


def make_profiles() -> tuple[list[dict], list[dict], list[dict]]:
    """Penalties, permits and inspections of the SHOWCASE parties, numbered after every other record of the year."""
    who = {k: v["party_name"] for k, v in SHOWCASE.items()}
    ORGS.update({v["party_name"]: v for v in SHOWCASE.values()} | {OLD_NAME: SHOWCASE["renamed"] | {
        "party_name": OLD_NAME}})
    pens = [penalty("滥伐林木", OLD_NAME, D("2024-09-12"), 12000) | {"decision_no": "示林罚决字〔2024〕第61号"},
            penalty("毁坏林木", who["renamed"], D("2026-06-09"), 8000, status="异议",
                    remarks="当事人对公示内容提出异议，正在核实") | {"decision_no": "示林罚决字〔2026〕第61号"},
            penalty("收购运输盗伐滥伐的林木", who["shop"], D("2026-04-14"), 6000)
            | {"decision_no": "示林罚决字〔2026〕第62号"},
            penalty("非法占用林地", who["firm"], D("2025-10-21"), 30000) | {"decision_no": "示林罚决字〔2025〕第61号"}]
    pers = [permit("林木采伐许可证核发", OLD_NAME, D("2024-03-05")) | {"_n": 61},
            permit("植物检疫证书", who["renamed"], D("2026-08-18")) | {"_n": 61},
            permit("林草种子生产经营许可证", who["shop"], D("2025-02-24")) | {"_n": 61},
            permit("使用林地审核", who["firm"], D("2025-06-16")) | {"_n": 62}]
    for r in pers:
        y, n = r["decision_date"].year, r.pop("_n")
        r["decision_no"] = f"示林许字〔{y}〕第{n}号"
        r["permit_no"] = f"示林{r['permit_no']}〔{y}〕第{n}号"
    inss = []
    for k, (key, day, task) in enumerate((("renamed", "2025-05-13", 0), ("renamed", "2026-09-22", 3),
                                          ("shop", "2026-05-19", 1), ("firm", "2026-03-17", 2)), 1):
        name, item, dept = TASKS[task]
        valid = [o["cert_no"] for o in OFFICERS if o["cert_status"] == "有效" and o["valid_from"] <= D(day)
                 and D(day) <= o["valid_to"]]
        inss.append({"id": f"SJ-{day[:4]}-{60 + k:03d}", "task_name": f"{day[:4]}年度{name}",
                     "target_name": who[key], "credit_code": SHOWCASE[key]["credit_code"], "item": item,
                     "inspection_date": D(day), "result": RESULTS[2 * (k % 2)][0], "handling": RESULTS[2 * (k % 2)][1],
                     "authority": BUREAU, "officer_certs": valid[:2], "department": dept, "review_status": "已审核"})
    return pens, pers, inss


# ---- subjects, matters, guides, windows ---------------------------------------------------------
COMPLAINT = "0123-4567800；12345"
HOURS = "周一至周五 上午8:30—12:00，下午14:30—17:30（法定节假日除外）"
SUBJECT_FIELDS = ("name", "nature", "head", "address", "phone", "region", "duties", "basis")
SUBJECTS = [dict(zip(SUBJECT_FIELDS, r, strict=True), credit_code=CODES[r[0]], supervision_phone=COMPLAINT)
            for r in table("""
示例县林业和草原局|法定行政机关|陈某乙|示例县示范大道66号|0123-4567802|示例县行政区域|负责全县林业和草原及其
  生态保护修复的监督管理，依法实施林草行政许可、行政处罚、行政检查和行政强制。|《中华人民共和国森林法》第九条；
  《中华人民共和国草原法》第八条；本局职能配置、内设机构和人员编制规定
示例县森林派出所|法律法规授权组织|刘某甲|示例县示范大道66号附1号|0123-4567803|示例县林区|在法定授权范围内查处
  盗伐林木、未经批准野外用火等林业行政案件，承担本局重大执法决定的法制审核。|《中华人民共和国行政处罚法》
  第十九条；省人民代表大会常务委员会有关授权规定
示例县林政稽查大队|受委托组织|赵某甲|示例县林业路8号|0123-4567804|示例县行政区域|受示例县林业和草原局委托，
  以委托机关名义查处非法占用林地、毁坏林木等林业行政违法行为。|《中华人民共和国行政处罚法》第二十条；
  示例县林业和草原局行政处罚委托书（示林委〔2024〕1号）""")]
OTHER = "其他违反法律法规规章的情形。"
DUTIES = {r[0]: (r[1], r[2] + OTHER) for r in table("""
行政许可|1.受理责任：公示条件、材料和程序，一次性告知补正；2.审查责任：审查材料，组织现场核查；3.决定责任：
  作出准予或不予许可决定并说明理由；4.送达责任：送达决定书和证件并公开；5.事后监管责任。|对符合法定条件的申请
  不予受理、不予许可或者超期未作决定的；对不符合法定条件的申请准予许可的；
行政处罚|1.立案责任；2.调查取证责任：两名以上执法人员出示执法证件；3.审查责任：重大案件经法制审核；4.告知责任：
  告知陈述、申辩和听证权利；5.决定责任；6.送达责任；7.执行责任；8.公示责任。|没有法律依据或者违反法定程序实施
  处罚的；擅自改变处罚种类、幅度的；应当移送司法机关而未移送的；
行政检查|1.检查责任：按双随机抽查计划实施检查，出示执法证件；2.处置责任：发现违法行为依法处理；3.公示责任：在
  20个工作日内公示抽查结果。|未按规定开展检查或者检查中徇私舞弊的；发现违法行为不予处理的；
行政强制|1.审批责任：实施前报告负责人并经批准；2.实施责任：通知当事人到场，制作现场笔录和清单；3.处理责任：在
  法定期限内作出处理决定；4.保管责任：妥善保管查封、扣押的财物。|没有法律依据或者违反法定程序实施强制措施的；
  使用或者损毁查封、扣押财物的；""")}
MATTERS = [{"code": c, "name": n, "kind": k, "basis": re.sub(r"《(\w+法)》", r"《中华人民共和国\1》", b),
            "implementer": BUREAU,
            "responsibility": DUTIES[k][0], "accountability": DUTIES[k][1], "random_inspection": r == "是",
            "department": BUREAU + dep if dep in OFFICES else dep} for c, n, k, r, dep, b in table("""
LY-XK-001|林木采伐许可证核发|行政许可|否|林政资源管理股|《森林法》第五十六条、第五十七条、第五十八条
LY-XK-002|使用林地审核|行政许可|否|行政审批股|《森林法》第三十七条
LY-XK-003|临时使用林地审批|行政许可|否|行政审批股|《森林法》第三十八条
LY-XK-004|林草种子生产经营许可证核发|行政许可|否|营造林股|《种子法》第三十一条
LY-XK-005|植物检疫证书核发|行政许可|否|营造林股|《植物检疫条例》第七条、第八条
LY-XK-006|野外用火审批|行政许可|否|行政审批股|《森林防火条例》第二十五条
LY-XK-007|临时占用草原审批|行政许可|否|林政资源管理股|《草原法》第四十条
LY-XK-008|狩猎证核发|行政许可|否|野生动植物保护股|《野生动物保护法》第二十二条
LY-CF-001|对盗伐、滥伐林木的行政处罚|行政处罚|否|示例县林政稽查大队|《森林法》第七十六条
LY-CF-002|对非法占用林地的行政处罚|行政处罚|否|示例县林政稽查大队|《森林法》第七十三条
LY-JC-001|对森林资源保护利用和林木采伐的监督检查|行政检查|是|林政资源管理股|《森林法》第六十六条、第六十七条
LY-QZ-001|查封、扣押与破坏森林资源违法行为有关的林木、工具和设备|行政强制|否|示例县林政稽查大队
  |《森林法》第六十七条第一款第四项；《行政强制法》第九条""")]
WINDOWS = [{"code": c, "name": n, "location": loc, "staff": s.split("；"), "guides": g.split("；"),
            "hours": HOURS} for c, n, loc, s, g in table("""
CK-01|林业审批综合窗口|示例县政务服务中心二楼23号窗口|刘示范（首席代表）；王某乙（受理岗）|ZN-001；ZN-004；ZN-005
CK-02|林地草原审批窗口|示例县政务服务中心二楼24号窗口|张某甲（受理岗）；陈某甲（审核岗）|ZN-002；ZN-003；ZN-007
CK-03|森林防火用火审批窗口|示例县林业和草原局一楼服务大厅3号窗口|赵样例（受理岗）；刘某乙（审核岗）|ZN-006""")]
_MATTER = {m["code"]: m for m in MATTERS}
_WINDOW = {g: w for w in WINDOWS for g in w["guides"]}
GUIDES = [{"code": code, "name": _MATTER[mc]["name"], "matter_code": mc, "conditions": cond,
           "materials": mats.replace("{ID}", "申请人身份证明（身份证或营业执照）").split("；"),
           "steps": steps.replace("{S}", "申请人提交申请材料；窗口受理并出具受理通知书").split("；"),
           "legal_time_limit": legal, "promised_time_limit": promised, "fee": "不收费",
           "location": _WINDOW[code]["location"], "window": "{code} {name}".format(**_WINDOW[code]),
           "hours": HOURS, "phone": "0123-4567801", "complaint_phone": COMPLAINT,
           "basis": _MATTER[mc]["basis"]}
          for code, mc, legal, promised, cond, mats, steps in table("""
ZN-001|LY-XK-001|20个工作日|5个工作日|采伐林地上的林木（农村居民采伐自留地和房前屋后个人所有的零星林木除外）；
  林木权属清楚、无争议；符合年森林采伐限额和森林采伐技术规程。|林木采伐申请表；林木权属证明（不动产权证书或
  林权证）；采伐地点、面积、树种、株数、蓄积量说明；{ID}|{S}；林政资源管理股现场核查；审查并作出决定；核发林木采伐许可证
ZN-002|LY-XK-002|20个工作日|15个工作日|建设项目符合国土空间规划和林地保护利用规划；已与林地权利人达成补偿
  协议。|使用林地申请表；{ID}；建设项目有关批准文件；被占用林地的权属证明材料；使用林地现状调查表；林地补偿协议
  |{S}；现场查验；集体研究审查（重大项目经法制审核）；作出审核决定；送达审核同意书
ZN-003|LY-XK-003|20个工作日|10个工作日|因工程建设施工、勘查需要临时使用林地，期限不超过两年，不修建永久性
  建筑物。|临时使用林地申请表；{ID}；临时使用林地现状调查表；林地权利人同意使用的证明；恢复林业生产条件方案
  |{S}；现场查验；审查并作出决定；送达批准书
ZN-004|LY-XK-004|20个工作日|10个工作日|具有与林木种子生产经营相适应的场所、设施设备及专业技术人员。
  |林草种子生产经营许可证申请表；{ID}；生产经营场所及设施设备证明；种子检验、贮藏技术人员证明
  |{S}；营造林股实地核查；审查并作出决定；核发许可证
ZN-005|LY-XK-005|20个工作日|1个工作日|调运的植物和植物产品属于应施检疫范围，来自非疫区或者经检疫合格。
  |植物检疫申请书；产地检疫合格证或者复检材料；调运植物及植物产品清单
  |申请人提交申请；窗口受理；现场检疫或者核查产地检疫合格证；签发植物检疫证书
ZN-006|LY-XK-006|10个工作日|1个工作日|森林防火期内因防治病虫鼠害、冻害或者炼山造林等特殊情况确需野外用火，
  并落实防火措施。|野外用火申请表；{ID}；用火地点示意图；防火措施及扑救预案
  |申请人提交申请；窗口受理；审查防火措施并现场核查；作出审批决定并通知乡镇林业站
ZN-007|LY-XK-007|20个工作日|10个工作日|因建设项目施工、地质勘查等需要临时占用草原，期限不超过两年，不修建
  永久性建筑物。|临时占用草原申请表；{ID}；项目批准文件；草原权属证明及补偿协议；草原植被恢复方案
  |{S}；现场查验；审查并作出决定；送达批准书""")]


# ---- writers ------------------------------------------------------------------------------------
def text(v) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return "；".join(v)
    if isinstance(v, Decimal):
        return format(v, "f")
    return "" if v is None else v.isoformat() if isinstance(v, date) else str(v)


def columns(rtype: RecordType | None, rows: list[dict]) -> list[str]:
    names = [f.name for f in rtype.fields] if rtype else list(dict.fromkeys(k for r in rows for k in r))
    return [n for n in names if any(r.get(n) not in (None, "", []) for r in rows)]


def write_csv(path: Path, rows: list[dict], cols: list[str], headers: list[str], encoding: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([text(r.get(c)) for c in cols] for r in rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(path: Path, rows: list[dict], cols: list[str], headers: list[str]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title, ws.freeze_panes = "行政许可", "A2"
    ws.append(headers)
    for r in rows:  # dates as date cells, amounts as numbers
        ws.append([v if isinstance(v := r.get(c), date | Decimal) else text(v) or None for c in cols])
    for cell in (c for row in ws.iter_rows() for c in row):
        if cell.row == 1:
            cell.font = Font(bold=True)
        elif isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    wb.properties.creator = BUREAU
    wb.properties.created = datetime(2026, 11, 20)
    raw, out = io.BytesIO(), io.BytesIO()
    wb.save(raw)  # openpyxl stamps the save time: rewrite the archive with fixed times
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-20T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (2026, 11, 20, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def write_sqlite(tables: dict[str, tuple[list[dict], list[str]]]) -> None:
    DB.unlink(missing_ok=True)
    con = sqlite3.connect(DB)
    for name, (rows, cols) in tables.items():
        defs = ", ".join(f'"{c}" TEXT' for c in cols)
        con.execute(f'CREATE TABLE "{name}" ({defs})')
        con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(cols))})',
                        [[text(r.get(c)) or None for c in cols] for r in rows])
    con.commit()
    con.close()


def check(penalties: list[dict], permits: list[dict], inspections: list[dict]) -> None:
    """The sample's own promises: valid codes, unique keys, and no rule outcome but the noted ones."""
    for rows in (penalties, permits):
        assert len({r["decision_no"] for r in rows}) == len(rows)
        assert all(cc_valid(r["credit_code"]) if r["party_type"] != "自然人" else id_valid(r["id_number"])
                   for r in rows)
    assert len({o["cert_no"] for o in OFFICERS}) == len(OFFICERS)
    assert all(cc_valid(r["credit_code"]) for r in inspections + SUBJECTS)
    keys = {r["decision_no"] for r in penalties + permits} | {r["id"] for r in inspections}
    assert set(RULES) <= keys and len(RULES) == len(E_PEN) + len(E_PER) + 1, set(RULES) - keys
    for r in penalties:
        if r["decision_no"] in RULES:
            continue
        lo, hi = (Decimal(x) for x in CASES[r["violation_type"]][1:3])
        if r["violation_type"] == FIRE and r["party_type"] == "自然人":
            lo, hi = Decimal("0.02"), Decimal("0.3")
        assert lo <= r["fine"] <= hi, (r["decision_no"], r["fine"])  # inside the discretion range
        short = set(r["penalty_class"]) <= {"警告", "罚款"} and r["fine"] <= Decimal("0.3")
        assert not (short and r["decision_date"] < SHORT_BEFORE), r["decision_no"]  # would expire quietly
        threshold = 10 if r["party_type"] == "法人及非法人组织" else 1
        assert r.get("legal_review_result") == "通过" or r["fine"] < threshold, r["decision_no"]


README = """# 示例数据 / Sample data

虚构机关“示例县林业和草原局”的示例数据，由 `scripts/make_sample_data.py` 生成（可重复生成），
同样的数据也在 `../sample.sqlite` 中。所有人名、单位、地名、代码、证件号码和电话号码均为虚构，
代码和证件号码能通过校验位检查。

Synthetic data of the invented 示例县林业和草原局, generated deterministically by
`scripts/make_sample_data.py` (also in `../sample.sqlite`, one table per type). Every name, place, code,
ID and phone number is invented; codes and ID numbers pass their check characters.

| 类型 type | 文件 file | 条数 rows |
|---|---|---|
{files}

## 规则覆盖 / Records that exercise the rules (clock 2026-11-24)

其余记录均应公示。Every other permit, penalty and inspection is expected to be shown; several other
penalties are major (citizen fine ≥ 1 万元) with legal review 通过, and every 使用林地审核 of 2 公顷
or more is marked major with legal review 通过.

| 文号 / 编号 key | 规则 rule |
|---|---|
{notes}
"""
FORMATS = {"penalties": "penalties.csv (GBK, 中文表头)", "permits": "permits.xlsx (中文表头)",
           "inspections": "inspections.csv (UTF-8, 中文表头)",
           "officers": "officers.csv (UTF-8 BOM, English)"}


def first_published(rows: list[dict], date_field: str) -> None:
    """History from the bureau's earlier disclosure site: most shown within the statutory days, a few late."""
    when = random.Random(date_field)  # its own stream, so the other data stay as they were
    calendar = WorkingDayCalendar()
    for r in rows:
        decided = r[date_field]
        if r.get("review_status") != "已审核" or r.get("publish_at") or decided >= date(2026, 11, 10):
            continue
        days = when.choice((1, 2, 2, 3, 3, 4, 5, 5, 6, 7)) if when.random() > 0.1 else when.randint(9, 15)
        r["first_published"] = calendar.due_on(decided, days)


def main() -> None:
    penalties, permits, inspections = make_penalties(), make_permits(), make_inspections()
    for rows, extra in zip((penalties, permits, inspections), make_profiles(), strict=True):
        rows += extra  # after the others: the shared random stream gives them the same values as before
    first_published(penalties, "decision_date")
    first_published(permits, "decision_date")
    first_published(inspections, "inspection_date")
    for r in SUBJECTS + MATTERS + GUIDES + WINDOWS:
        r["review_status"] = "已审核"
    check(penalties, permits, inspections)
    OUT.mkdir(parents=True, exist_ok=True)
    tables = {}
    for key, rtype, rows in (("penalties", PENALTIES, penalties), ("permits", PERMITS, permits),
                             ("inspections", INSPECTIONS, inspections), ("officers", None, OFFICERS)):
        cols = tables.setdefault(key, (rows, columns(rtype, rows)))[1]
        zh = [rtype.field(c).zh for c in cols] if rtype else cols
        if key == "permits":
            write_xlsx(OUT / "permits.xlsx", rows, cols, zh)
        else:
            write_csv(OUT / f"{key}.csv", rows, cols, zh,
                      {"penalties": "gbk", "inspections": "utf-8", "officers": "utf-8-sig"}[key])
    for key, rows in (("subjects", SUBJECTS), ("matters", MATTERS), ("guides", GUIDES), ("windows", WINDOWS)):
        data = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        (OUT / f"{key}.json").write_text(data, encoding="utf-8")
        tables[key] = (rows, columns(None, rows))
    write_sqlite(tables)
    files = [f"| {k} | {FORMATS.get(k, k + '.json')} | {len(rows)} |" for k, (rows, _) in tables.items()]
    (OUT / "README.md").write_text(README.format(
        files="\n".join(files),
        notes="\n".join(f"| {k} | {rule} |" for k, rule in RULES.items())), encoding="utf-8")
    for key, (rows, cols) in tables.items():
        print(f"{key}: {len(rows)} rows; columns: {', '.join(cols)}")


if __name__ == "__main__":
    main()
