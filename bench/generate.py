"""Realistic synthetic disclosure records of every type, for the benchmark (`make bench`).

`generate_rows(count)` returns `count` RawRows: ~40 % penalties, ~40 % permits, ~15 % inspections and
the rest officers, matters, guides, windows and subjects. Penalties and permits carry ~850 Chinese
characters each, built from forestry phrases (DOMAIN.md cases), places and tree counts; credit codes and
ID numbers pass their check characters; natural keys are unique; decision dates spread over the three
years before 2026-11-20. Nearly every record is approved and shown; a few percent are held or revoked,
as in real data. Fines stay under the legal-review thresholds, or carry a passed review.
Deterministic for a given seed, so two runs measure the same content.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from publisher.core.checkcodes import CREDIT_CHARSET
from publisher.core.schema import RECORD_TYPES
from publisher.pull.rows import Origin, RawRow

LAST_DAY = date(2026, 11, 20)  # the newest decision; the bench runs at 2026-11-24 (tests' SAMPLE_NOW)
FIRST_DAY = LAST_DAY - timedelta(days=3 * 365 - 10)  # stays inside the 36-month display period
SOURCE = "files:data"
AUTHORITY = "示例县林业和草原局"
REVIEWERS = ("陈示范", "刘样例")

# Shares of the total; the remainder after rounding goes to penalties.
SHARES = {"permits": 0.40, "inspections": 0.15, "officers": 0.02, "matters": 0.0125, "guides": 0.01,
          "windows": 0.0025, "subjects": 0.005}

SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌海波宁春林山松柏杉"
TOWNS = ("青石镇", "白云乡", "松岭镇", "柳河乡", "东坡镇", "样板乡", "枫林镇", "石桥乡", "龙潭镇", "杉坪乡",
         "桃源镇", "竹溪乡", "云雾镇", "清水乡", "高岭镇", "南山乡")
VILLAGES = ("上坪村", "下河村", "石门村", "杉木村", "竹园村", "示范村", "新桥村", "黄泥村", "枫树村", "岭头村",
            "大坑村", "长冲村", "茶山村", "坳背村", "水口村", "田心村", "塘边村", "老屋村")
PLACES_SMALL = ("后龙山", "背夫坳", "大岭背", "牛角垄", "杉树窝", "松毛岭", "老虎冲", "石灰窑", "水口山", "樟树坪")
SPECIES = ("杉木", "马尾松", "湿地松", "杨树", "桉树", "柏木", "樟树", "楠木", "毛竹", "枫香", "木荷", "油茶")
FIRM_WORDS = ("鑫达", "青山", "绿野", "松涛", "恒盛", "长林", "翠谷", "金穗", "远山", "禾丰", "林海", "宏远",
              "华森", "嘉木", "森源", "锦绣", "永兴", "安泰", "润丰", "瑞祥", "天成", "众诚", "德信", "百川")
FIRM_KINDS = ("林业开发有限公司", "木业有限公司", "苗木专业合作社", "建材有限公司", "矿业有限公司",
              "生态农业有限公司", "旅游开发有限公司", "种业有限公司", "交通工程有限公司", "农牧专业合作社",
              "林场有限公司", "木材加工厂", "园林绿化工程有限公司", "油茶种植专业合作社")
DEPARTMENTS = ("林政资源管理股", "营造林股", "野生动植物保护股", "行政审批股", "示例县林政稽查大队",
               "示例县森林派出所", "示例县木材检查站")
EVIDENCE = ("现场勘验笔录", "询问笔录", "林木鉴定意见", "现场照片", "卫星遥感影像比对图", "伐桩检尺记录",
            "证人证言", "木材运输台账", "销售票据", "林权证复印件", "无人机航拍影像", "测量成果图")

# violation type: (basis, min 万元, max 万元, classes, acts, facts template, content template)
CASES: dict[str, tuple[str, float, float, tuple[str, ...], tuple[str, ...], str, str]] = {
    "盗伐林木": (
        "《中华人民共和国森林法》第七十六条第一款", 0.2, 50, ("罚款", "没收违法所得"), ("夜间", "雇工", "擅自"),
        "当事人未取得林木采伐许可证，{act}在{at}{spot}集体林地内采伐{sp}{n}株，立木蓄积{vol}立方米，"
        "经鉴定林木价值人民币{value}元；所伐林木已出售给他人，获利人民币{gain}元。",
        "责令在原地或者异地补种盗伐株数{r}倍的树木共计{nr}株，补种树木须于次年春季造林季节前完成并经验收合格；"
        "没收违法所得人民币{gain}元；并处盗伐林木价值{m}倍的罚款人民币{fine}元。"),
    "滥伐林木": (
        "《中华人民共和国森林法》第七十六条第二款", 0.1, 20, ("罚款",),
        ("未申请林木采伐许可证", "超出采伐许可证核定的范围"),
        "当事人{act}，在其承包经营的{at}{spot}林地内采伐{sp}{n}株，立木蓄积{vol}立方米，"
        "经鉴定林木价值人民币{value}元，采伐面积约{mu}亩。",
        "责令在原地补种滥伐株数{r}倍的树木共计{nr}株，成活率须达到百分之八十五以上；"
        "并处滥伐林木价值{m}倍的罚款人民币{fine}元。"),
    "非法占用林地": (
        "《中华人民共和国森林法》第七十三条第一款", 0.5, 100, ("罚款",), ("修建简易厂房", "堆放砂石", "开挖施工便道"),
        "当事人未经林业主管部门审核同意，擅自在{at}{spot}占用林地{a}平方米用于{act}，改变林地用途；"
        "经测算，恢复植被和林业生产条件所需费用为人民币{value}元。",
        "责令在三个月内恢复被改变用途林地的植被和林业生产条件；并处恢复植被和林业生产条件所需费用{m}倍的"
        "罚款人民币{fine}元。"),
    "毁坏林木": (
        "《中华人民共和国森林法》第七十四条第一款", 0.05, 10, ("罚款",), ("采石", "采砂", "取土", "修建便道"),
        "当事人在{at}{spot}进行{act}作业，毁坏{sp}林木{n}株，经鉴定林木价值人民币{value}元。",
        "责令停止违法行为，限期在原地补种毁坏株数{r}倍的树木共计{nr}株；并处毁坏林木价值{m}倍的罚款人民币{fine}元。"),
    "收购运输盗伐滥伐的林木": (
        "《中华人民共和国森林法》第七十八条", 0.05, 10, ("罚款", "没收非法财物"), ("货车", "农用车"),
        "当事人使用{act}运输{sp}原木{vol}立方米，途经示例县木材检查站时不能提供合法来源证明；"
        "经查，该批木材系当事人明知为{at}滥伐所得而以人民币{value}元收购。",
        "没收违法运输的{sp}原木{vol}立方米，由示例县木材检查站依法处置；并处违法收购林木价款{m}倍的罚款人民币{fine}元。"),
    "无证生产经营林草种子": (
        "《中华人民共和国种子法》第七十六条", 0.3, 3, ("罚款", "没收违法所得"), ("育苗基地", "门面"),
        "当事人未取得林草种子生产经营许可证，在{at}{act}生产、销售{sp}苗木共计{k}00株，违法所得人民币{gain}元。",
        "责令改正，没收违法所得人民币{gain}元和未售出的{sp}苗木{k}0株；并处罚款人民币{fine}元。"),
    "非法猎捕野生动物": (
        "《中华人民共和国野生动物保护法》第四十九条", 0.2, 2, ("罚款", "没收非法财物"), ("铁夹", "猎套", "粘网"),
        "当事人在{at}{spot}山林中使用{act}非法猎捕野兔、环颈雉等野生动物{k}只，经鉴定猎获物价值人民币{gain}元。",
        "没收猎获物{k}只及{act}等猎捕工具；并处罚款人民币{fine}元。"),
    "非法开垦草原": (
        "《中华人民共和国草原法》第六十六条", 0.35, 5, ("罚款", "没收违法所得"), ("玉米", "马铃薯", "中药材"),
        "当事人未经批准擅自在{at}{spot}天然草原开垦{mu}亩种植{act}，违法所得人民币{gain}元。",
        "责令停止违法行为，限期恢复植被，没收违法所得人民币{gain}元；并处罚款人民币{fine}元。"),
}
PROCESS = (
    "{found}，{dept}执法人员{o1}、{o2}（执法证号{c1}、{c2}）前往现场检查，出示执法证件，制作现场勘验笔录，"
    "使用全球定位系统测定违法地点坐标，对伐桩逐一检尺编号并拍照固定。经报局负责人批准，于{filed}立案调查。"
    "调查期间，执法人员依法询问了当事人及相关证人，调取了{ev1}、{ev2}和{ev3}等证据材料，"
    "委托示例县林业调查规划队对涉案林木的株数、蓄积和价值进行了鉴定。"
    "{told}，本局向当事人送达了行政处罚事先告知书，告知其拟作出行政处罚的事实、理由、依据以及依法享有的"
    "陈述、申辩权利；当事人{plea}。本局认为，当事人的上述行为违反了{law}的规定，事实清楚，证据确凿，"
    "鉴于当事人{attitude}，依据本局行政处罚裁量基准，决定在法定幅度内{degree}处罚。"
)
FOUND = ("接群众举报", "在日常巡护中发现", "根据卫星遥感图斑核查线索", "经护林员报告", "在森林督查中发现",
         "接乡镇林业工作站移交线索")
PLEAS = ("在规定期限内未提出陈述、申辩意见", "提出陈述、申辩，称对林地权属界线不清楚，经复核不予采纳",
         "提交了书面陈述材料，表示认识到错误并愿意积极补种", "未提出听证申请")
ATTITUDES = ("如实陈述违法事实、积极配合调查", "系初次违法且主动消除违法后果", "拒不配合调查，情节较重",
             "违法行为持续时间较短、危害后果较轻")
DEGREES = ("从轻", "一般", "从重")
PAYMENT = ("当事人应当自收到本决定书之日起十五日内，持本决定书到示例县农村商业银行各营业网点缴纳罚款。"
           "当事人对本决定不服的，可以在收到本决定书之日起六十日内向示例县人民政府申请行政复议，"
           "或者在六个月内向示例县人民法院提起行政诉讼。")

PERMIT_KINDS: dict[str, tuple[str, str, str, str, int, str]] = {
    # kind: (decision document, certificate, class, department, valid days, content template)
    "林木采伐许可证核发": (
        "准予行政许可决定书", "林木采伐许可证", "普通", "林政资源管理股", 300,
        "准予在{at}{spot}（林班{k}、小班{j}）采伐{sp}人工商品林，采伐类型为{act}，采伐面积{area}公顷，"
        "采伐株数{n}株，采伐蓄积{vol}立方米，出材量{out}立方米。"),
    "使用林地审核": (
        "使用林地审核同意书", "使用林地审核同意书", "核准", "行政审批股", 730,
        "同意{project}使用{at}集体林地{area}公顷（其中{sp}用材林地{half}公顷），用于项目建设，"
        "被使用林地不涉及公益林和天然林。"),
    "林草种子生产经营许可证": (
        "准予行政许可决定书", "林草种子生产经营许可证", "普通", "营造林股", 1826,
        "准予从事林木种子（苗）生产经营，生产经营种类为{sp}等{k}个树种苗木，生产地点为{at}{spot}育苗基地，"
        "育苗面积{mu}亩，年生产能力{n}株，生产经营范围为示例县行政区域。"),
    "植物检疫证书": (
        "植物检疫证书", "植物检疫证书", "核准", "营造林股", 10,
        "经检疫，调运的{sp}原木{vol}立方米（起运地：{at}，到达地：示例省样例市）未发现检疫性有害生物和"
        "补充检疫性有害生物，准予调运。"),
    "临时使用林地": (
        "准予临时使用林地决定书", "临时使用林地批准书", "普通", "行政审批股", 540,
        "同意临时使用{at}{spot}林地{area}公顷，用于{project}施工便道和材料堆场，使用期限十八个月，"
        "不得修建永久性建筑物，期满后一年内恢复林业生产条件。"),
    "野外用火审批": (
        "野外用火审批决定书", "野外用火许可证", "普通", "行政审批股", 3,
        "准予在{at}{spot}进行炼山造林用火，用火面积{area}公顷，须在用火前开设宽度不少于十米的防火隔离带。"),
}
PERMIT_CONDITIONS = (
    "被许可人应当严格按照许可的地点、范围、面积、数量和期限实施，不得擅自扩大或者变更；",
    "实施过程中应当落实森林防火、林业有害生物防治和水土保持措施，严禁在林区野外用火；",
    "应当保护好周边林木、野生动植物及其栖息地，不得随意丢弃垃圾和施工废料；",
    "采伐作业应当在{at}林业工作站技术人员指导下进行，伐区清理须在采伐结束后三十日内完成；",
    "被许可人应当在当年或者次年完成更新造林，更新造林面积不得少于采伐面积，成活率应当达到百分之八十五以上；",
    "许可有效期内如需延续，应当在有效期届满三十日前向本局提出申请；",
    "本局将依法对被许可人从事许可事项活动的情况进行监督检查，被许可人应当如实提供有关情况和材料；",
    "被许可人以欺骗、贿赂等不正当手段取得许可的，本局将依法撤销许可，并依法给予行政处罚；",
    "运输木材时应当随车携带合法来源证明，接受木材检查站的检查；",
    "发现林业有害生物疫情或者森林火情的，应当立即采取措施并向当地林业主管部门和乡镇人民政府报告；",
    "使用范围内涉及古树名木的，应当采取避让或者就地保护措施，不得擅自移植或者砍伐；",
)
PROJECTS = ("示例县乡村道路改建工程", "示例县{town}光伏发电项目", "示例县110千伏输变电线路工程",
            "示例县{town}旅游服务设施建设项目", "示例县农村饮水安全巩固提升工程")

TASKS = (("林木采伐双随机抽查", "林木采伐许可证执行情况检查", "林政资源管理股"),
         ("林草种子生产经营双随机抽查", "林草种子生产经营许可证持证及生产经营档案检查", "营造林股"),
         ("使用林地双随机抽查", "使用林地审核同意书执行情况检查", "示例县林政稽查大队"),
         ("木材经营加工双随机抽查", "木材经营加工原料来源合法性检查", "示例县木材检查站"),
         ("野生动物人工繁育双随机抽查", "野生动物人工繁育许可证持证及繁育档案检查", "野生动植物保护股"))
RESULTS = (("未发现问题", "无"), ("未发现问题", "无"), ("未发现问题", "无"),
           ("发现问题：生产经营档案不完整", "责令限期整改，已整改到位"),
           ("发现问题：超出许可范围使用林地", "移交示例县林政稽查大队立案查处"),
           ("发现问题：未按规定建立木材进出库台账", "责令限期整改，将跟踪复查"))
HOURS = "周一至周五 上午8:30—12:00，下午14:30—17:30（法定节假日除外）"


def credit_code_check(body: str) -> str:
    """The GB 32100 check character of a 17-character body."""
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body, weights, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def id_number_check(body: str) -> str:
    """The GB 11643 check character of a 17-digit body."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


class _Maker:
    """Holds the random state and the pools of parties, officers and numbers already used."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.codes: set[str] = set()
        self.numbers: Counter[tuple[str, int]] = Counter()  # (prefix, year) -> last number
        self.bureau_code = self.credit_code("11990101")
        rng = self.rng
        self.firms = [{"party_name": f"示例县{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_KINDS)}",
                       "party_type": "法人及非法人组织", "credit_code": self.credit_code("91990101"),
                       "legal_rep": self.person_name()} for _ in range(400)]
        shop_kinds = ("木材加工厂", "苗木经营部", "种子经营店")
        self.shops = [{"party_name": f"示例县{self.person_name()}{rng.choice(shop_kinds)}",
                       "party_type": "个体工商户", "credit_code": self.credit_code("92990101"),
                       "legal_rep": ""} for _ in range(150)]
        self.officers = [(self.person_name(), f"LY{rng.randint(2020, 2024)}-{100 + i:06d}") for i in range(60)]

    # -- parts -------------------------------------------------------------------------------
    def credit_code(self, prefix: str) -> str:
        chars = "0123456789ABCDEFGH" if prefix[0] == "9" else "0123456789"
        while True:
            body = prefix + ("MA" if prefix[0] == "9" else "00") + "".join(self.rng.choice(chars) for _ in range(7))
            if body not in self.codes:
                self.codes.add(body)
                return body + credit_code_check(body)

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def citizen(self) -> dict[str, str]:
        rng = self.rng
        born = date(1955, 1, 1) + timedelta(days=rng.randrange(16000))
        body = f"990101{born:%Y%m%d}{rng.randrange(1000):03d}"
        return {"party_name": self.person_name(), "party_type": "自然人", "id_type": "身份证",
                "id_number": body + id_number_check(body), "phone": f"139{rng.randrange(10 ** 8):08d}",
                "address": f"{self.place()}{rng.randint(1, 9)}组{rng.randint(1, 60)}号"}

    def place(self) -> str:
        return f"示例县{self.rng.choice(TOWNS)}{self.rng.choice(VILLAGES)}"

    def day(self) -> date:
        while True:  # decisions are made on weekdays
            d = FIRST_DAY + timedelta(days=self.rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
            if d.weekday() < 5:
                return d

    def number(self, prefix: str, year: int) -> str:
        self.numbers[(prefix, year)] += 1
        return f"{prefix}〔{year}〕第{self.numbers[(prefix, year)]}号"

    def workflow(self, rtype: str) -> dict[str, str]:
        """Approval and status: nearly all approved; ~2 % held for review, ~1 % revoked or invalid."""
        roll = self.rng.random()
        values = {"review_status": "已审核"}
        if roll < 0.01:
            values["review_status"] = self.rng.choice(("待审核", "退回"))
        elif roll < 0.02 and rtype in ("penalties", "permits"):
            values["status"] = "撤销" if rtype == "penalties" else "无效"
            values["remarks"] = "该决定已经行政复议撤销" if rtype == "penalties" else "被许可人申请注销"
        return values

    @staticmethod
    def cn(d: date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    # -- record types ------------------------------------------------------------------------
    def penalty(self) -> dict[str, str]:
        rng = self.rng
        vt = rng.choice(list(CASES))
        basis, lo, hi, classes, acts, facts, content = CASES[vt]
        roll = rng.random()
        who = self.citizen() if roll < 0.55 else dict(rng.choice(self.shops)) if roll < 0.7 else dict(
            rng.choice(self.firms))
        # Citizens and 个体工商户 stay below 1 万元, organisations below 10 万元 (no legal review needed).
        cap = 0.95 if who["party_type"] != "法人及非法人组织" else 9.5
        fine_wan = round(rng.uniform(max(lo, 0.35), max(min(hi, cap), max(lo, 0.35) + 0.05)), 2)
        m = rng.choice((1, 2, 3, 4, 5))
        value = max(100, int(fine_wan * 10000 / m))
        fine_yuan = int(fine_wan * 10000)
        n = rng.randint(8, 400)
        r = rng.randint(1, 3)
        dept = rng.choice(DEPARTMENTS)
        day = self.day()
        v = {"at": self.place(), "spot": rng.choice(PLACES_SMALL), "sp": rng.choice(SPECIES), "act": rng.choice(acts),
             "n": n, "vol": f"{n * rng.uniform(0.08, 0.3):.2f}", "value": value, "gain": value * 6 // 10,
             "m": m, "r": r, "nr": n * r, "fine": fine_yuan, "a": rng.randint(60, 3000), "mu": rng.randint(2, 40),
             "k": rng.randint(3, 30)}
        (o1, c1), (o2, c2) = rng.sample(self.officers, 2)
        ev = rng.sample(EVIDENCE, 3)
        process = PROCESS.format(
            found=self.cn(day - timedelta(days=rng.randint(60, 120))) + rng.choice(FOUND), dept=dept, o1=o1, o2=o2,
            c1=c1, c2=c2, filed=self.cn(day - timedelta(days=rng.randint(40, 59))), ev1=ev[0], ev2=ev[1], ev3=ev[2],
            told=self.cn(day - timedelta(days=rng.randint(8, 20))), plea=rng.choice(PLEAS), law=basis.split("第")[0],
            attitude=rng.choice(ATTITUDES), degree=rng.choice(DEGREES))
        values = who | {
            "decision_no": self.number("示林罚决字", day.year),
            "violation_type": vt,
            "facts": f"{self.cn(day - timedelta(days=rng.randint(90, 150)))}，{facts.format(**v)}{process}"
                     f"上述事实有{'、'.join(ev)}等证据证实。",
            "basis": basis, "penalty_class": "；".join(classes),
            "content": content.format(**v) + PAYMENT,
            "fine": f"{fine_wan:g}", "decision_date": day.isoformat(),
            "valid_until": (day + timedelta(days=15)).isoformat(),  # 处罚有效期: 15 days to pay, required nationally
            "authority": AUTHORITY,
            "authority_code": self.bureau_code, "source_unit": AUTHORITY, "source_unit_code": self.bureau_code,
            "status": "正常", "procedure": "普通", "department": dept,
        }
        if "没收违法所得" in classes:
            values["confiscation"] = f"{v['gain'] / 10000:g}"
        values |= self.workflow("penalties")
        return values

    def permit(self) -> dict[str, str]:
        rng = self.rng
        kind = rng.choice(list(PERMIT_KINDS))
        doc, cert, cls, dept, days, content = PERMIT_KINDS[kind]
        who = dict(rng.choice(self.firms)) if rng.random() < 0.6 else self.citizen()
        day = self.day()
        area = rng.randint(3, 60) / 10
        n = rng.randint(50, 3000)
        town = rng.choice(TOWNS)
        v = {"at": self.place(), "spot": rng.choice(PLACES_SMALL), "sp": rng.choice(SPECIES),
             "act": rng.choice(("皆伐", "择伐", "间伐")), "area": area, "half": round(area / 2, 2), "n": n,
             "vol": f"{n * rng.uniform(0.08, 0.3):.1f}", "out": f"{n * 0.1:.1f}", "k": rng.randint(1, 30),
             "j": rng.randint(1, 20), "mu": rng.randint(5, 80),
             "project": rng.choice(PROJECTS).format(town=town)}
        conditions = "".join(rng.sample(PERMIT_CONDITIONS, 10)).format(at=town)
        text = (f"经审查，申请人于{self.cn(day - timedelta(days=rng.randint(5, 18)))}提出的{kind}申请材料齐全、"
                f"符合法定形式，经{dept}现场核查，申请事项符合法定条件和标准。根据《中华人民共和国行政许可法》"
                f"第三十八条第一款的规定，决定如下：{content.format(**v)}许可条件及要求：{conditions}"
                f"被许可人对本决定不服的，可以在收到本决定书之日起六十日内向示例县人民政府申请行政复议，"
                f"或者在六个月内向示例县人民法院提起行政诉讼。")
        values = who | {
            "decision_doc_name": doc, "decision_no": self.number("示林许字", day.year), "permit_class": cls,
            "certificate_name": cert, "permit_no": self.number(f"示林{cert[:2]}", day.year), "content": text,
            "decision_date": day.isoformat(), "valid_from": day.isoformat(),
            "valid_to": (day + timedelta(days=days - 1)).isoformat(), "authority": AUTHORITY,
            "authority_code": self.bureau_code, "status": "有效", "department": dept, "source_unit": AUTHORITY,
            "source_unit_code": self.bureau_code,
        }
        values.pop("phone", None)
        values.pop("address", None)
        if kind == "使用林地审核" and area >= 2:  # 重大: large land use, reviewed and passed
            values |= {"major": "是", "legal_review_result": "通过", "legal_review_by": rng.choice(REVIEWERS),
                       "legal_review_date": (day - timedelta(days=3)).isoformat()}
        values |= self.workflow("permits")
        return values

    def inspection(self, n: int) -> dict[str, str]:
        rng = self.rng
        day = self.day()
        task, item, dept = rng.choice(TASKS)
        target = rng.choice(self.firms + self.shops)
        result, handling = rng.choice(RESULTS)
        return {"id": f"SJ-{day.year}-{n:05d}", "task_name": f"{day.year}年度{task}",
                "target_name": target["party_name"], "credit_code": target["credit_code"], "item": item,
                "inspection_date": day.isoformat(), "result": result, "handling": handling, "authority": AUTHORITY,
                "officer_certs": "；".join(c for _, c in rng.sample(self.officers, 2)), "department": dept,
                **self.workflow("inspections")}

    def officer(self, n: int) -> dict[str, str]:
        rng = self.rng
        year = rng.randint(2020, 2025)
        start = date(year, rng.randint(1, 12), 1)
        unit = AUTHORITY + rng.choice(DEPARTMENTS[:4]) if rng.random() < 0.5 else rng.choice(DEPARTMENTS[4:])
        end = start.replace(year=year + 5) - timedelta(days=1)
        return {"name": self.person_name(), "cert_no": f"LY{year}-{n + 1:06d}", "unit": unit,
                "field": rng.choice(("林业行政执法", "森林公安执法", "木材运输检查", "林草种苗执法")),
                "region": "示例县", "valid_from": start.isoformat(), "valid_to": end.isoformat(),
                "cert_status": rng.choices(("有效", "暂扣", "注销"), (96, 2, 2))[0], "review_status": "已审核"}

    def matter(self, n: int) -> dict[str, str]:
        rng = self.rng
        kind = rng.choice(("行政许可", "行政处罚", "行政检查", "行政强制"))
        abbr = {"行政许可": "XK", "行政处罚": "CF", "行政检查": "JC", "行政强制": "QZ"}[kind]
        name = {"行政许可": rng.choice(list(PERMIT_KINDS)), "行政处罚": f"对{rng.choice(list(CASES))}的行政处罚",
                "行政检查": "对森林资源保护利用的监督检查",
                "行政强制": "查封、扣押与破坏森林资源违法行为有关的工具和设备"}[kind]
        return {"code": f"LY-{abbr}-{n + 1:04d}", "name": name, "kind": kind,
                "basis": rng.choice([c[0] for c in CASES.values()]), "implementer": AUTHORITY,
                "responsibility": "1.受理责任；2.审查责任；3.决定责任；4.送达责任；5.事后监管责任。",
                "accountability": "对符合法定条件的申请不予受理的；违反法定程序实施的；其他违反法律法规规章的情形。",
                "random_inspection": "是" if kind == "行政检查" else "否", "department": rng.choice(DEPARTMENTS),
                "review_status": "已审核"}

    def guide(self, n: int, window: int) -> dict[str, str]:
        rng = self.rng
        kind = rng.choice(list(PERMIT_KINDS))
        return {"code": f"ZN-{n + 1:04d}", "name": kind, "matter_code": f"LY-XK-{n + 1:04d}",
                "conditions": "申请事项符合国土空间规划和林地保护利用规划；林木权属清楚、无争议。",
                "materials": "申请表；申请人身份证明（身份证或营业执照）；权属证明材料；现场调查表",
                "steps": "申请人提交申请材料；窗口受理并出具受理通知书；现场核查；审查并作出决定；送达决定书",
                "legal_time_limit": "20个工作日", "promised_time_limit": f"{rng.randint(1, 15)}个工作日",
                "fee": "不收费", "location": "示例县政务服务中心二楼", "window": f"CK-{window + 1:03d}",
                "hours": HOURS, "phone": "0999-4567801", "complaint_phone": "0999-12345",
                "basis": rng.choice([c[0] for c in CASES.values()]), "review_status": "已审核"}

    def window(self, n: int, guides: list[str]) -> dict[str, str]:
        return {"code": f"CK-{n + 1:03d}", "name": f"林业审批综合窗口{n + 1}号",
                "location": f"示例县政务服务中心二楼{20 + n}号窗口",
                "staff": f"{self.person_name()}（首席代表）；{self.person_name()}（受理岗）",
                "guides": "；".join(guides), "hours": HOURS, "review_status": "已审核"}

    def subject(self, n: int) -> dict[str, str]:
        rng = self.rng
        nature = rng.choice(("法定行政机关", "法律法规授权组织", "受委托组织"))
        return {"name": f"示例县{rng.choice(TOWNS)}林业工作站" if n else AUTHORITY,
                "credit_code": self.bureau_code if n == 0 else self.credit_code("12990101"), "nature": nature,
                "head": self.person_name(), "address": f"{self.place()}{n + 1}号", "phone": "0999-4567802",
                "duties": "负责辖区林业和草原的监督管理，依法实施林草行政许可、行政处罚和行政检查。",
                "basis": "《中华人民共和国森林法》第九条", "region": "示例县", "supervision_phone": "0999-12345",
                "review_status": "已审核"}


def type_counts(count: int) -> dict[str, int]:
    """How many records of each type make up `count` (at least one of each when count >= 8)."""
    counts = {t: max(1 if count >= len(RECORD_TYPES) else 0, round(count * share)) for t, share in SHARES.items()}
    counts["penalties"] = count - sum(counts.values())
    return counts


def generate_rows(count: int, seed: int = 1) -> list[RawRow]:
    """`count` realistic synthetic rows of every record type, deterministic for a seed."""
    maker = _Maker(seed)
    n = type_counts(count)
    by_type: dict[str, list[dict[str, str]]] = {
        "penalties": [maker.penalty() for _ in range(n["penalties"])],
        "permits": [maker.permit() for _ in range(n["permits"])],
        "inspections": [maker.inspection(i) for i in range(n["inspections"])],
        "officers": [maker.officer(i) for i in range(n["officers"])],
        "matters": [maker.matter(i) for i in range(n["matters"])],
        "subjects": [maker.subject(i) for i in range(n["subjects"])],
    }
    windows = max(n["windows"], 1) if n["guides"] else 0
    by_type["guides"] = [maker.guide(i, i % windows) for i in range(n["guides"])]
    by_type["windows"] = [maker.window(i, [g["code"] for g in by_type["guides"] if g["window"] == f"CK-{i + 1:03d}"])
                          for i in range(n["windows"])]
    rows = []
    for type_key, items in by_type.items():
        for i, values in enumerate(items):
            rows.append(RawRow(type_key, values, Origin(SOURCE, f"{type_key}.csv", i + 2)))
    return rows


def write_csv_files(rows: list[RawRow], folder: Path) -> dict[str, Path]:
    """Write the rows as one UTF-8 CSV per type (English headers), as a clerk's export would be."""
    folder.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[RawRow]] = {}
    for row in rows:
        by_type.setdefault(row.type, []).append(row)
    paths = {}
    for type_key, items in by_type.items():
        names = [f.name for f in RECORD_TYPES[type_key].fields if any(r.values.get(f.name) for r in items)]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([r.values.get(name, "") for name in names] for r in items)
        path = folder / f"{type_key}.csv"
        path.write_text(buf.getvalue(), encoding="utf-8")
        paths[type_key] = path
    return paths


def record_chars(row: RawRow) -> int:
    """Characters of text in a row's values (what '~850 characters per record' counts)."""
    return sum(len(v) for v in row.values.values())
