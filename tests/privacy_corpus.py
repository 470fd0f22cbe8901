"""A labelled corpus of personal information as clerks type it, and a detector that finds it in any output.

DESIGN §3 rule 7 and §6: no unmasked ID number, phone number, bank account, home address or other person's
name of a natural person or 个体工商户 may appear anywhere the public can see, however it was typed and in
whichever text field. This module generates the cases that prove it (tests/test_privacy.py runs them):

- `Case`: one secret typed one way (`spelling`) into one text field of one record (type × party type), with
  the `Secret`s that must never be shown: for an ID number its birth date digits and the whole number (its
  first 17 digits: the check character may be X), for a 15-digit one its first 11 and last 9 digits, for a
  phone or card the full digit string (a landline's also without its trunk 0, and its local number), for an
  e-mail the local part, for an address the street and house number, for a name the given-name characters
  (what `surname` masking hides).
- `Innocent`: text that is public and must stay exactly as typed, each in three fields (文号, credit codes,
  permit numbers, dates, amounts, law articles, tree counts, coordinates, the agency's own phone numbers from
  portal.toml).
- `Detector`: finds every secret in text or bytes, whatever the spelling: NFKC, zero-width and bidi
  characters dropped, separators between digits removed, spaces and middle dots removed for names.

Every value is distinctive (generated, checked against every other value), so a hit is unambiguous. Each
record carries two spellings in every one of its text fields (a few hundred records for thousands of cases).

Choices a reader should know:
- "Every text field" is every public TEXT or LIST field of the type but its natural key (decision number or
  inspection id: the record's identity and URL), the party's name and the ID number (cases of their own).
- A 个体工商户's name and its operator's name (法定代表人) are public; the operator's ID number is not.
- Inspections have no 行政相对人类别 in today's schema. Their rows carry `party_type` anyway (ignored, with a
  note, until the schema has it); a natural person's inspection names him in 检查对象名称, expected masked.
- The private columns (phone, address, bank_account) are cases too: they must never be written at all.
"""

from __future__ import annotations

import functools
import gzip
import html
import io
import json
import random
import re
import tomllib
import unicodedata
import urllib.parse
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from publisher.core.checkcodes import CREDIT_CHARSET, credit_code_problem, id_number_problem
from publisher.core.schema import DECISION_TYPES, RECORD_TYPES, Kind
from tests.factories import BUREAU_CODE, COMPANY_CODE

ROOT = Path(__file__).resolve().parent.parent
TYPES = DECISION_TYPES  # every type that names citizens is scanned
NATURAL, BUSINESS = "自然人", "个体工商户"
PARTIES = (NATURAL, BUSINESS)
DECIDED = "2026-11-16"  # before tests.conftest.SAMPLE_NOW: every record is due and live

# ---------------------------------------------------------------- the detector

_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\ufe00-\ufe0f\ufeff]")
# Between two digits: spaces (U+3000 is a space after NFKC), hyphens and dashes (－ is - after NFKC), dots
# (． is .), brackets (（） are ()), plus signs (＋ is +).
_DIGIT_SEPARATORS = re.compile(r"(?<=[0-9])[\s\-\u2010-\u2015\u2212.()+]+(?=[0-9])")
_DIGIT_RUN = re.compile(r"[0-9]{8,}")
# A content digest (blake2b, SHA-256) is a long lower-case hex run: its digits are no one's phone number.
_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])(?=[0-9]*[a-f])[0-9a-f]{16,}(?![0-9A-Za-z])")
# Spaces and middle dots inside a name (孙 小七, 买买提•艾力, 买买提・艾力, 买买提‧艾力, full-width space).
_NAME_SEPARATORS = re.compile(r"[\s.\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65]+")
_EMAIL_LOCAL = re.compile(r"[a-z]+([0-9]{4})(?![0-9])")
# Runs of valid UTF-8 in a binary file (search engines' index files): each scanned apart from the others.
_UTF8_STRETCH = re.compile(rb"(?:[\t\n\r\x20-\x7e]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                           rb"|[\xf0-\xf4][\x80-\xbf]{3}){2,}")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


@dataclass(frozen=True, order=True)
class Secret:
    """A string that must never be shown. `channel`: digits (matched across separators), text (names and
    addresses: matched without spaces and middle dots) or email (a local part, case-insensitive)."""

    channel: str
    value: str

    def __str__(self) -> str:
        return self.value


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters, ＠, U+3000), with zero-width and bidi characters dropped."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def digit_channel(text: str) -> str:
    """The normalised text with every separator between two digits removed."""
    return _DIGIT_SEPARATORS.sub("", _HEX_RUN.sub("#", normalise(text)))


def name_channel(text: str) -> str:
    """The normalised text without spaces and middle dots."""
    return _NAME_SEPARATORS.sub("", normalise(text))


def unescape(text: str) -> str:
    """Text as a reader sees it: JSON \\u escapes, HTML entities and %-escapes decoded."""
    if "\\u" in text:
        text = _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    if "&" in text:
        text = html.unescape(text)
    if _PERCENT.search(text):
        text = urllib.parse.unquote(text)
    return text


class Detector:
    """Finds any of `secrets` in text or bytes, in any spelling the cases use (and more)."""

    def __init__(self, secrets: Iterable[Secret]) -> None:
        self.secrets = frozenset(secrets)
        self._digits: dict[str, list[str]] = defaultdict(list)  # first 8 digits -> secrets
        self._text: dict[str, list[str]] = defaultdict(list)  # first character -> secrets
        self._email: dict[str, list[str]] = defaultdict(list)  # last 4 digits -> local parts
        for s in self.secrets:
            if s.channel == "digits":
                assert len(s.value) >= 8 and s.value.isdigit(), s
                self._digits[s.value[:8]].append(s.value)
            elif s.channel == "text":
                assert len(s.value) >= 2 and not _NAME_SEPARATORS.search(s.value), s
                self._text[s.value[0]].append(s.value)
            else:
                assert s.channel == "email" and _EMAIL_LOCAL.fullmatch(s.value), s
                self._email[s.value[-4:]].append(s.value)
        chars = "".join(sorted(self._text))
        self._anchor = re.compile("[" + re.escape(chars) + "]") if chars else None

    def find(self, text: str) -> set[Secret]:
        text = normalise(text)
        found: set[Secret] = set()
        digits = _DIGIT_SEPARATORS.sub("", _HEX_RUN.sub("#", text))
        for m in _DIGIT_RUN.finditer(digits):
            run = m[0]
            for i in range(len(run) - 7):
                for s in self._digits.get(run[i:i + 8], ()):
                    if run.startswith(s, i):
                        found.add(Secret("digits", s))
        compact = _NAME_SEPARATORS.sub("", text)
        if self._anchor is not None:
            for m in self._anchor.finditer(compact):
                for s in self._text[m[0]]:
                    if compact.startswith(s, m.start()):
                        found.add(Secret("text", s))
        if self._email:
            for m in _EMAIL_LOCAL.finditer(compact.lower()):
                for s in self._email.get(m[1], ()):
                    if m[0].endswith(s):
                        found.add(Secret("email", s))
        return found

    def find_bytes(self, data: bytes) -> set[Secret]:
        """Text files whole; binary files (index segments) by their runs of valid UTF-8, each apart."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = "\x00".join(m.decode("utf-8", "replace") for m in _UTF8_STRETCH.findall(data))
        return self.find(unescape(text))


def members(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """A file, and what it holds: a .gz decompressed, every member of a zip (an XLSX is one) unzipped."""
    yield name, data
    if name.endswith(".gz"):
        yield name + "!gunzip", gzip.decompress(data)
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                yield from members(f"{name}!{info.filename}", z.read(info))


def scan_tree(root: Path, detector: Detector) -> dict[Secret, set[str]]:
    """Every secret found under `root` (every file, every member of an archive), with where."""
    hits: dict[Secret, set[str]] = defaultdict(set)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            for name, blob in members(path.relative_to(root).as_posix(), path.read_bytes()):
                for s in detector.find_bytes(blob):
                    hits[s].add(name)
    return dict(hits)


# ---------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Case:
    id: int
    record: str  # the record's natural key (decision number, or inspection id)
    type: str
    party: str  # 自然人 | 个体工商户
    field: str
    kind: str
    spelling: str
    typed: str  # what the clerk typed, as it sits in the field
    secrets: tuple[Secret, ...]
    private: bool = False  # a workflow column (phone, address, bank_account): never written at all


@dataclass(frozen=True)
class Innocent:
    category: str
    text: str


@dataclass(frozen=True)
class Placement:
    innocent: Innocent
    record: str
    type: str
    party: str
    field: str


@dataclass
class CorpusRecord:
    type: str
    party: str
    key: str
    row: dict[str, str]
    cases: list[Case] = field(default_factory=list)


@dataclass
class Corpus:
    records: list[CorpusRecord]
    cases: list[Case]
    innocents: list[Innocent]
    placements: list[Placement]

    @functools.cached_property
    def secrets(self) -> frozenset[Secret]:
        return frozenset(s for c in self.cases for s in c.secrets)

    @functools.cached_property
    def detector(self) -> Detector:
        return Detector(self.secrets)

    @functools.cached_property
    def cases_by_secret(self) -> dict[Secret, list[Case]]:
        out: dict[Secret, list[Case]] = defaultdict(list)
        for c in self.cases:
            for s in c.secrets:
                out[s].append(c)
        return dict(out)

    def rows_by_type(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {t: [] for t in TYPES}
        for r in self.records:
            out[r.type].append(r.row)
        return out


def text_fields(type_key: str) -> list[str]:
    """Every public text field of a type that a clerk types, but its natural key (the record's identity, in
    its URL), the party's name and ID number (cases of their own, as columns) and the coded fields."""
    rtype = RECORD_TYPES[type_key]
    return [f.name for f in rtype.public_fields if f.kind in (Kind.TEXT, Kind.LIST)
            and f.name not in (rtype.natural_key, "party_name", "id_number")]


PRIVATE_COLUMNS = ("phone", "address", "bank_account")

# What a field says before the clerk's aside; a list field's items are separated by ；.
BASE: dict[str, dict[str, str]] = {
    "penalties": {
        "legal_rep": "", "institution_no": "", "social_org_no": "", "violation_type": "滥伐林木",
        "facts": "当事人于2026年10月在示例县某某镇某某村滥伐杉木12株，蓄积3.2立方米",
        "basis": "《中华人民共和国森林法》第七十六条第二款",
        "content": "责令补种滥伐株数三倍的树木36株，并处罚款人民币0.5万元",
        "license_action": "暂扣林木采伐许可证", "authority": "示例县林业和草原局", "source_unit": "示例县林业和草原局",
        "remarks": "已履行", "department": "林政资源管理股",
    },
    "permits": {
        "legal_rep": "", "institution_no": "", "social_org_no": "", "decision_doc_name": "准予行政许可决定书",
        "certificate_name": "林木采伐许可证",
        "permit_no": "示林采证〔2026〕第{n}号", "content": "准予在示例县某某林场采伐杉木人工林，采伐蓄积120立方米",
        "authority": "示例县林业和草原局", "source_unit": "示例县林业和草原局", "remarks": "无",
        "department": "行政审批股",
    },
    "inspections": {
        "task_name": "2026年度林木采伐双随机抽查", "target_name": "{party}", "item": "林木采伐许可证执行情况检查",
        "result": "发现问题：超出许可范围采伐", "handling": "责令限期整改", "authority": "示例县林业和草原局",
        "officer_certs": "LY2023-000138", "department": "营造林股",
    },
    "coercions": {
        "legal_rep": "", "institution_no": "", "social_org_no": "",
        "reason": "涉嫌运输滥伐的林木，为防止证据损毁", "basis": "《中华人民共和国森林法》第六十七条",
        "content": "扣押杉木原木6.2立方米，扣押期限30日", "authority": "示例县林业和草原局",
        "source_unit": "示例县林业和草原局", "remarks": "无", "department": "示例县木材检查站",
    },
    "checks": {
        "legal_rep": "", "institution_no": "", "social_org_no": "",
        "item": "林木采伐作业现场检查", "basis": "《中华人民共和国森林法》第六十六条",
        "result": "采伐地点、面积与许可一致", "handling": "无", "officer_certs": "LY2023-000138",
        "authority": "示例县林业和草原局", "source_unit": "示例县林业和草原局", "remarks": "无",
        "department": "林政资源管理股",
    },
    "levies": {
        "legal_rep": "", "institution_no": "", "social_org_no": "",
        "item": "森林植被恢复费", "basis": "《中华人民共和国森林法》第三十七条",
        "content": "经审核同意使用林地0.05公顷，按每平方米10元征收", "authority": "示例县林业和草原局",
        "source_unit": "示例县林业和草原局", "remarks": "无", "department": "行政审批股",
    },
    "requisitions": {
        "legal_rep": "", "institution_no": "", "social_org_no": "",
        "reason": "扑救森林火灾需开设防火隔离带", "basis": "《森林防火条例》第三十二条",
        "content": "征用林地600平方米开设防火隔离带", "compensation": "已按评估价值补偿",
        "authority": "示例县林业和草原局", "source_unit": "示例县林业和草原局", "remarks": "无",
        "department": "示例县森林派出所",
    },
}
# The coded fields a record of the newer types needs to be valid.
CODED: dict[str, dict[str, str]] = {
    "coercions": {"coercion_kind": "强制措施", "coercion_class": "扣押", "status": "正常"},
    "checks": {"check_class": "日常检查", "status": "正常"},
    "levies": {"levy_class": "行政事业性收费", "amount": "0.5", "status": "正常"},
    "requisitions": {"requisition_class": "林地", "amount": "0.2", "status": "正常"},
}
OPERATOR = "李守业"  # a 个体工商户's operator: on its business licence, public

# Rare characters for given names and street names: none is in the sample data, the theme or the code
# (tests/test_privacy.py checks), so any of them in the output came from a case.
POOL = ("燚堃淼焱垚犇骉喆翀翚彧玥琰瑀璟珝瓅婳妘姞翾翯赟颢頔锘镕铖珺琤珣昶暄炅焓煊熠燊旻昀甡晞曜沨泷潇湉滢濛霂霈"
        "霏雯靓韫韬骞鹂鹓麟黛煦煜珩璇瑾瑶琛琪琳琅璞玮珏钰铮锦镛")
SURNAMES = "周郑孙吴王李赵钱陈刘杨黄何高罗马梁宋唐许韩冯邓曹彭"
# Uyghur and Kazakh names written with a middle dot: the parts are common characters, the pairs are not.
DOTTED_FIRST = ("买买提", "阿依努尔", "古丽米拉", "热依汗", "帕尔哈提", "迪力夏提", "麦麦提敏", "阿卜杜拉", "努尔兰",
                "吐尔洪")
DOTTED_SECOND = ("艾力", "依明", "卡德尔", "托合提", "买合木提", "司马义", "玉素甫", "肉孜", "吾斯曼", "哈力克")
REGIONS = ("230103", "110105", "350102", "510107", "420106", "330106", "440304", "610113")
AREA_CODES = ("0451", "0431", "0571", "0591", "0898", "0731", "0871", "0931", "010", "020")
CARD_BINS = ("622202", "621700", "622848", "621483", "436742", "625965", "622588")
SYLLABLES = ("zhou", "zheng", "sun", "wu", "zhao", "qian", "chen", "liu", "yang", "huang", "xu", "han", "song",
             "tang", "luo", "qiu", "xiong", "zhu", "hou", "shi")
RELATIONS = ("同案人", "其子", "其女", "其妻", "其夫", "其父", "其母", "证人", "雇工", "代理人", "委托代理人", "同伙",
             "共同违法人", "举报人", "受雇人")
ADDRESS_WORDS = ("住址：", "家住", "住所：", "现住", "户籍地：", "户籍所在地：", "居住地：", "暂住", "家庭住址：",
                 "现住址：", "住", "地址：", "经常居住地：")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_check(body: str) -> str:
    """GB 11643 check character of the first 17 digits."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def credit_code(body: str) -> str:
    """A unified social credit code (GB 32100) from its first 17 characters."""
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    code = body + CREDIT_CHARSET[(31 - total % 31) % 31]
    assert credit_code_problem(code) is None, code
    return code


def luhn(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def fullwidth(text: str) -> str:
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def agency_phones() -> tuple[str, str]:
    """The agency's contact and supervision numbers (portal.toml [footer]): public, never masked."""
    footer = tomllib.loads((ROOT / "portal.toml").read_text(encoding="utf-8"))["footer"]
    return footer["contact"], footer["supervision_phone"]


# ---------------------------------------------------------------- innocent strings


def innocents() -> list[Innocent]:
    contact, supervision = agency_phones()
    out: list[tuple[str, str]] = []
    out += [("文号", t) for t in (
        "示林罚决字〔2025〕第37号", "示林罚决字(2025)第38号", "示林罚决字（2025）第39号", "示林罚决字[2025]第40号",
        "示林罚决字【2025】41号", "示林许字〔2026〕第12号", "林罚书字〔2024〕0012号", "示林林政罚字〔2026〕第0007号",
        "示林不许字〔2026〕第3号", "示林审批〔2026〕123号", "(2026)示林罚字第15号", "示林罚先告字〔2026〕第9号",
        "示林立〔2026〕第5号", "示林听告字〔2026〕第2号", "示林责改〔2026〕第18号", "示林采字〔2026〕第350100号")]
    out += [("统一社会信用代码", t) for t in (
        BUREAU_CODE, COMPANY_CODE, "91990101MA2024H873", "92990101MAB0FAC04R", "91990101MACFCGD6AC",
        "11990101002002977U", credit_code("91350100" + "101434128"), credit_code("91110108" + "700059357"),
        credit_code("92350102" + "MA8U5T2K3"), credit_code("52350100" + "507654321"),
        credit_code("12350000" + "488001234"), credit_code("93350100" + "MA34XKF1Q"))]
    out += [("许可编号", t) for t in (
        "示林采证〔2026〕第0012号", "林采许准〔2026〕第35号", "示林猎证〔2024〕第1号", "示林临地〔2024〕第2号",
        "D(闽)农种许字(2026)第0012号", "LY-CF-2026-000123", "采伐证号350100-2026-000045",
        "B(示)林种许字(2026)第3号", "植物检疫证书编号3501002026001", "示林运证字〔2026〕第000318号",
        "木材运输证号350100202600031", "林草种子生产经营许可证编号(2026)示林种许字第7号")]
    out += [("日期", t) for t in (
        "2026-11-16", "2026年11月16日", "2026.11.16", "2026/11/16", "20261116", "2026年11月16日9时30分",
        "2026-11-16 09:30", "二〇二六年十一月十六日", "自2026年11月16日至2027年11月15日", "2026-11-16至2027-11-15",
        "2026年10月")]
    out += [("金额", t) for t in (
        "0.5万元", "5000元", "人民币伍仟元整", "¥5,000.00", "12,345.67元", "罚款人民币2万元", "1,234,567.89元",
        "没收违法所得3600元", "0.368万元", "人民币壹万贰仟元（¥12,000）", "罚款13,800元", "2.35万元")]
    out += [("法律条文", t) for t in (
        "《中华人民共和国森林法》第七十六条第二款", "《中华人民共和国森林法实施条例》第三十九条",
        "《中华人民共和国行政处罚法》第三十二条第（一）项", "《森林防火条例》第五十条",
        "依据《中华人民共和国森林法》第74条第1款", "《中华人民共和国野生动物保护法》第四十八条第一款第（二）项",
        "《林木种子生产经营许可证管理办法》第十八条", "《中华人民共和国行政许可法》第三十八条第一款",
        "《中华人民共和国种子法》第七十七条", "《建设项目使用林地审核审批管理办法》第七条",
        "《森林法》第七十八条")]
    out += [("株数蓄积", t) for t in (
        "杉木12株", "蓄积3.2立方米", "立木蓄积12.345立方米", "胸径18厘米", "面积0.35公顷", "5.6亩", "补种树木36株",
        "林地1234.5平方米", "毁坏苗木3000株", "马尾松原木1.00立方米", "出材量8.6立方米", "树高12米",
        "采伐蓄积120立方米（出材量86立方米）")]
    out += [("坐标", t) for t in (
        "东经119°18′25″、北纬26°04′38″", "E119.306832°，N26.077652°", "（119.3068，26.0777）",
        "X=3412345.67，Y=39512345.12", "北纬26.077652度", "东经119度18分25秒", "GPS坐标26.07765,119.30683",
        "第3林班12小班", "坐标点J1(3412345.671,39512345.128)")]
    out += [("机关电话", t) for t in (
        contact, supervision, f"监督电话：{supervision}", f"咨询电话：{contact}", f"联系电话{contact}",
        f"投诉举报电话{supervision}", "12345政务服务便民热线", "森林火警电话12119", "110")]
    out += [("其他公开信息", t) for t in (
        "执法证号LY2022-000123", "LY2023-000138", "GB/T 15776-2023", "LY/T 1646-2005", "9时30分", "98.5%",
        "1:10000地形图", "国家二级保护野生植物", "案件编号SL-2026-0042")]
    return [Innocent(c, t) for c, t in out]


# ---------------------------------------------------------------- distinctive values


class _Values:
    """Every value a case needs, each distinctive: no secret is part of any other value or of any innocent."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.rng = random.Random(20261124)
        self.taken: set[str] = set()  # every 8+ digit window of every value (and of the reserved text)
        self.digit_secrets: set[str] = set()
        for text in reserved:
            for m in _DIGIT_RUN.finditer(digit_channel(text)):
                self.taken |= self._windows(m[0])
        self.birth18 = date(1940, 1, 3)
        self.birth_rep = date(1900, 1, 2)  # legal representatives: births of their own, clear of every other date
        self.birth15 = date(1960, 1, 5)
        pairs = [a + b for a in POOL for b in POOL if a != b]
        self.rng.shuffle(pairs)
        self.pairs = iter(pairs)
        self.email_numbers = iter(self.rng.sample(range(1000, 10000), 9000))
        dotted = [f"{a}·{b}" for a in DOTTED_FIRST for b in DOTTED_SECOND]
        self.rng.shuffle(dotted)
        self.dotted = iter(dotted)
        self.n = 0

    @staticmethod
    def _windows(digits: str) -> set[str]:
        return {digits[i:j] for i in range(len(digits)) for j in range(i + 8, len(digits) + 1)}

    def _claim(self, canonical: str, secrets: list[str]) -> bool:
        windows = self._windows(canonical)
        if any(s in self.taken for s in secrets) or windows & self.digit_secrets:
            return False
        self.taken |= windows
        self.digit_secrets |= set(secrets)
        return True

    def id18(self, check: str | None = None, valid: bool = True, rep: bool = False) -> tuple[str, list[Secret]]:
        while True:
            if rep:
                self.birth_rep += timedelta(days=1)
            else:
                self.birth18 += timedelta(days=1)
            born = self.birth_rep if rep else self.birth18
            body = self.rng.choice(REGIONS) + born.strftime("%Y%m%d") + f"{self.rng.randrange(1000):03d}"
            c = id_check(body)
            if check is not None and c != check:
                continue
            number = body + (c if valid else "0123456789"[(int(c) + 1) % 10 if c != "X" else 0])
            assert (id_number_problem(number) is None) == valid, number
            if self._claim(number[:17], [number[:17], number[6:14]]):
                return number, [Secret("digits", number[:17]), Secret("digits", number[6:14])]

    def id15(self) -> tuple[str, list[Secret]]:
        while True:
            self.birth15 += timedelta(days=13)
            number = self.rng.choice(REGIONS) + self.birth15.strftime("%y%m%d") + f"{self.rng.randrange(1000):03d}"
            secrets = [number, number[:11], number[6:]]
            if self._claim(number, secrets):
                return number, [Secret("digits", s) for s in secrets]

    def mobile(self) -> tuple[str, list[Secret]]:
        while True:
            number = f"1{self.rng.choice('35789')}{self.rng.randrange(10 ** 9):09d}"
            if self._claim(number, [number]):
                return number, [Secret("digits", number)]

    def landline(self, area: str | None = None) -> tuple[str, str, list[Secret]]:
        while True:
            code = area or self.rng.choice(AREA_CODES[:8])
            local = f"{self.rng.randrange(2, 9)}{self.rng.randrange(10 ** 7):07d}"
            secrets = [code[1:] + local, local]
            if self._claim(code + local, secrets):
                return code, local, [Secret("digits", s) for s in secrets]

    def card(self, length: int) -> tuple[str, list[Secret]]:
        while True:
            prefix = self.rng.choice(CARD_BINS)
            number = luhn(prefix + "".join(str(self.rng.randrange(10)) for _ in range(length - len(prefix) - 1)))
            if self._claim(number, [number]):
                return number, [Secret("digits", number)]

    def qq(self) -> tuple[str, list[Secret]]:
        while True:
            number = f"{self.rng.randrange(1, 4)}{self.rng.randrange(10 ** 9):09d}"
            if self._claim(number, [number]):
                return number, [Secret("digits", number)]

    def email_local(self) -> tuple[str, list[Secret]]:
        local = self.rng.choice(SYLLABLES) + self.rng.choice(SYLLABLES) + str(next(self.email_numbers))
        return local, [Secret("email", local)]

    def pair(self) -> str:
        return next(self.pairs)

    def surname(self) -> str:
        self.n += 1
        return "欧阳" if self.n % 11 == 0 else SURNAMES[self.n % len(SURNAMES)]

    def house(self) -> int:
        return self.rng.randrange(2, 300)

    def dotted_name(self) -> str:
        return next(self.dotted)


# ---------------------------------------------------------------- spellings


@dataclass
class Party:
    """The record's own party: a natural person's name is a secret (its given name), a 个体工商户's is not."""

    name: str
    secret: Secret | None
    dotted: bool = False


Render = Callable[[_Values, Party], tuple[str, list[Secret]]]


@dataclass(frozen=True)
class Spelling:
    kind: str
    name: str
    render: Render
    party: str = ""  # "han" or "dotted": a way of writing the natural person's own name


def _sep(number: str, cuts: Iterable[int], sep: str) -> str:
    bounds = [0, *cuts, len(number)]
    return sep.join(number[a:b] for a, b in zip(bounds, bounds[1:], strict=False))


def _id18(label: str, spell: Callable[[str], str], check: str | None = None, valid: bool = True) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        number, secrets = v.id18(check, valid)
        return label + spell(number), secrets
    return render


def _id15(spell: Callable[[str], str]) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        number, secrets = v.id15()
        return "身份证号" + spell(number), secrets
    return render


def _mobile(label: str, spell: Callable[[str], str]) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        number, secrets = v.mobile()
        return label + spell(number), secrets
    return render


def _landline(spell: Callable[[str, str], str], area: str | None = None) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        code, local, secrets = v.landline(area)
        return "联系电话" + spell(code, local), secrets
    return render


def _card(length: int, spell: Callable[[str], str]) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        number, secrets = v.card(length)
        return "收款账户" + spell(number), secrets
    return render


def _email(spell: Callable[[str], str]) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        local, secrets = v.email_local()
        return "电子邮箱：" + spell(local), secrets
    return render


def _qq_mail(v: _Values, _: Party) -> tuple[str, list[Secret]]:
    number, secrets = v.qq()
    return f"邮箱{number}@qq.com", secrets


def _address(word: str, spell: Callable[[str, int], tuple[str, str]] | None = None) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        street, n = v.pair(), v.house()
        typed, secret = spell(street, n) if spell else (f"示例县城关镇{street}路{n}号", f"{street}路{n}号")
        return word + typed, [Secret("text", secret)]
    return render


def _other(relation: str, spell: Callable[[str, str], str] = lambda s, g: s + g) -> Render:
    def render(v: _Values, _: Party) -> tuple[str, list[Secret]]:
        given = v.pair()
        return relation + spell(v.surname(), given), [Secret("text", given)]
    return render


def _own(spell: Callable[[str], str]) -> Render:
    def render(_: _Values, party: Party) -> tuple[str, list[Secret]]:
        assert party.secret is not None
        return "当事人" + spell(party.name), [party.secret]
    return render


def _dot(mark: str) -> Callable[[str], str]:
    return lambda name: name.replace("·", mark)


SPELLINGS: tuple[Spelling, ...] = (
    Spelling("id18", "plain", _id18("身份证号码：", str)),
    Spelling("id18", "spaces 6-8-4", _id18("身份证号码 ", lambda n: _sep(n, (6, 14), " "))),
    Spelling("id18", "hyphens 6-8-4, X", _id18("身份证号", lambda n: _sep(n, (6, 14), "-"), check="X")),
    Spelling("id18", "dots 6-8-4", _id18("公民身份号码", lambda n: _sep(n, (6, 14), "."))),
    Spelling("id18", "full-width digits", _id18("身份证号码", fullwidth)),
    Spelling("id18", "full-width spaces", _id18("身份证号码", lambda n: _sep(n, (6, 14), "\u3000"))),
    Spelling("id18", "lower-case x", _id18("身份证号码", str.lower, check="X")),
    Spelling("id18", "groups of 4", _id18("身份证号码", lambda n: _sep(n, (4, 8, 12, 16), " "))),
    Spelling("id18", "zero-width space inside", _id18("身份证号码", lambda n: n[:6] + "\u200b" + n[6:])),
    Spelling("id18", "no-break spaces", _id18("身份证号码", lambda n: _sep(n, (6, 14), "\u00a0"))),
    Spelling("id18", "wrong check digit", _id18("身份证号码", str, valid=False)),
    Spelling("id18", "after latin label", _id18("ID", str)),
    Spelling("id15", "plain", _id15(str)),
    Spelling("id15", "spaces 6-6-3", _id15(lambda n: _sep(n, (6, 12), " "))),
    Spelling("id15", "hyphens 6-6-3", _id15(lambda n: _sep(n, (6, 12), "-"))),
    Spelling("id15", "full-width digits", _id15(fullwidth)),
    Spelling("mobile", "plain", _mobile("手机", str)),
    Spelling("mobile", "spaces 3-4-4", _mobile("手机", lambda n: _sep(n, (3, 7), " "))),
    Spelling("mobile", "hyphens 3-4-4", _mobile("电话", lambda n: _sep(n, (3, 7), "-"))),
    Spelling("mobile", "dots 3-4-4", _mobile("电话", lambda n: _sep(n, (3, 7), "."))),
    Spelling("mobile", "full-width digits", _mobile("电话", fullwidth)),
    Spelling("mobile", "+86 space", _mobile("电话", lambda n: "+86 " + n)),
    Spelling("mobile", "+86", _mobile("电话", lambda n: "+86" + n)),
    Spelling("mobile", "full-width ＋８６", _mobile("电话", lambda n: fullwidth("+86 " + n))),
    Spelling("mobile", "+86(138)", _mobile("电话", lambda n: f"+86({n[:3]}){n[3:7]}-{n[7:]}")),
    Spelling("mobile", "0086", _mobile("电话", lambda n: "0086 " + n)),
    Spelling("mobile", "86-", _mobile("电话", lambda n: "86-" + n)),
    Spelling("mobile", "full-width spaces 3-4-4", _mobile("手机", lambda n: _sep(n, (3, 7), "\u3000"))),
    Spelling("mobile", "zero-width spaces", _mobile("手机", lambda n: _sep(n, (3, 7), "\u200b"))),
    Spelling("mobile", "groups 4-4-3", _mobile("手机", lambda n: _sep(n, (4, 8), " "))),
    Spelling("mobile", "full-width hyphens", _mobile("手机", lambda n: _sep(n, (3, 7), "－"))),
    Spelling("mobile", "after Tel:", _mobile("Tel:", str)),
    Spelling("landline", "hyphen", _landline(lambda a, n: f"{a}-{n}")),
    Spelling("landline", "(0451)", _landline(lambda a, n: f"({a}){n}")),
    Spelling("landline", "（0451）", _landline(lambda a, n: f"（{a}）{n}")),
    Spelling("landline", "space", _landline(lambda a, n: f"{a} {n}")),
    Spelling("landline", "full-width hyphen", _landline(lambda a, n: f"{a}－{n}")),
    Spelling("landline", "no separator", _landline(lambda a, n: a + n)),
    Spelling("landline", "+86-451-", _landline(lambda a, n: f"+86-{a[1:]}-{n}")),
    Spelling("landline", "em dash", _landline(lambda a, n: f"{a}—{n}")),
    Spelling("landline", "full-width digits", _landline(lambda a, n: fullwidth(f"{a}-{n}"))),
    Spelling("landline", "with extension", _landline(lambda a, n: f"{a}-{n}转803")),
    Spelling("landline", "3-digit area code", _landline(lambda a, n: f"{a}-{n}", area="010")),
    Spelling("bank_card", "19 digits", _card(19, str)),
    Spelling("bank_card", "16 digits", _card(16, str)),
    Spelling("bank_card", "hyphens 4-4-4-4", _card(16, lambda n: _sep(n, (4, 8, 12), "-"))),
    Spelling("bank_card", "spaces, 19 digits", _card(19, lambda n: _sep(n, (4, 8, 12, 16), " "))),
    Spelling("bank_card", "spaces, 16 digits", _card(16, lambda n: _sep(n, (4, 8, 12), " "))),
    Spelling("bank_card", "full-width digits", _card(19, fullwidth)),
    Spelling("bank_card", "full-width spaces", _card(16, lambda n: _sep(n, (4, 8, 12), "\u3000"))),
    Spelling("bank_card", "split 6-13", _card(19, lambda n: _sep(n, (6,), " "))),
    Spelling("email", "plain", _email(lambda lp: lp + "@163.com")),
    Spelling("email", "upper case", _email(lambda lp: (lp + "@163.com").upper())),
    Spelling("email", "full-width ＠", _email(lambda lp: lp + "＠qq.com")),
    Spelling("email", "full-width", _email(lambda lp: fullwidth(lp + "@126.com"))),
    Spelling("email", "spaces around @", _email(lambda lp: lp + " @ sina.com")),
    Spelling("email", "[at]", _email(lambda lp: lp + "[at]163.com")),
    Spelling("email", "(at) (dot)", _email(lambda lp: lp + "(at)126(dot)com")),
    Spelling("email", "mailto <>", _email(lambda lp: f"<mailto:{lp}@example.cn>")),
    Spelling("email", "QQ number", _qq_mail),
    *(Spelling("address", word.rstrip("："), _address(word)) for word in ADDRESS_WORDS),
    Spelling("address", "家住…村…组",
             _address("家住", lambda s, n: (f"示例县青岗乡{s}村五组{n}号", f"{s}村五组{n}号"))),
    Spelling("address", "full-width number",
             _address("住址：", lambda s, n: (f"示例县城关镇{s}路{fullwidth(str(n))}号", f"{s}路{n}号"))),
    Spelling("address", "spaces inside",
             _address("住址：", lambda s, n: (f"示例县城关镇 {s}路 {n} 号", f"{s}路{n}号"))),
    *(Spelling("other_name", relation, _other(relation)) for relation in RELATIONS),
    Spelling("other_name", "同案人, spaced", _other("同案人", lambda s, g: f"{s} {g}")),
    Spelling("other_name", "证人, colon", _other("证人：", lambda s, g: s + g)),
    Spelling("party_name", "as in 行政相对人名称", _own(str), party="han"),
    Spelling("party_name", "space inside", _own(lambda n: n[0] + " " + n[1:]), party="han"),
    Spelling("party_name", "full-width space", _own(lambda n: n[0] + "\u3000" + n[1:]), party="han"),
    Spelling("party_name", "spaces between all", _own(" ".join), party="han"),
    Spelling("party_name", "zero-width space", _own(lambda n: n[0] + "\u200b" + n[1:]), party="han"),
    Spelling("party_name", "dotted, as in 行政相对人名称", _own(str), party="dotted"),
    Spelling("party_name", "dotted •", _own(_dot("•")), party="dotted"),
    Spelling("party_name", "dotted ・", _own(_dot("・")), party="dotted"),
    Spelling("party_name", "dotted ‧", _own(_dot("‧")), party="dotted"),
    Spelling("party_name", "dotted ･", _own(_dot("･")), party="dotted"),
    Spelling("party_name", "dotted .", _own(_dot(".")), party="dotted"),
    Spelling("party_name", "dotted as space", _own(_dot(" ")), party="dotted"),
)
# Cases that are columns rather than spellings typed into a text field.
COLUMN = "column"


# ---------------------------------------------------------------- building the corpus


class _Builder:
    def __init__(self, reserved: Iterable[str]) -> None:
        self.values = _Values(reserved)
        self.records: list[CorpusRecord] = []
        self.cases: list[Case] = []
        self.business_codes = [credit_code(f"92{r}MA{i:02d}P{i}K5T") for i, r in enumerate(REGIONS)]

    def case(self, record: CorpusRecord, field_name: str, kind: str, spelling: str, typed: str,
             secrets: list[Secret], private: bool = False) -> None:
        c = Case(len(self.cases), record.key, record.type, record.party, field_name, kind, spelling, typed,
                 tuple(secrets), private)
        self.cases.append(c)
        record.cases.append(c)

    def party(self, party_type: str, style: str) -> Party:
        if party_type == BUSINESS:
            return Party(f"示例县{self.values.surname()}守业木材经营部", None)
        if style == "dotted":
            name = self.values.dotted_name()
            return Party(name, Secret("text", name_channel(name)[1:]), dotted=True)
        given = self.values.pair()
        return Party(self.values.surname() + given, Secret("text", given))

    def record(self, type_key: str, party_type: str, style: str = "han") -> tuple[CorpusRecord, Party]:
        n = 8000 + len(self.records)
        key = {"penalties": f"示林罚决字〔2026〕第{n}号", "permits": f"示林许字〔2026〕第{n}号",
               "inspections": f"SJ-PRIV-{n}", "coercions": f"示林强字〔2026〕第{n}号",
               "checks": f"示林检字〔2026〕第{n}号", "levies": f"示林征字〔2026〕第{n}号",
               "requisitions": f"示林用字〔2026〕第{n}号"}[type_key]
        party = self.party(party_type, style)
        record = CorpusRecord(type_key, party_type, key, {})
        row = record.row
        if type_key == "inspections":
            row.update(id=key, inspection_date=DECIDED, party_type=party_type)  # party_type: not in today's schema
        else:
            row.update(decision_no=key, party_name=party.name, party_type=party_type, decision_date=DECIDED,
                       authority_code=BUREAU_CODE, source_unit_code=BUREAU_CODE, id_type="身份证")
        if type_key == "penalties":
            row.update(penalty_class="罚款", fine="0.5", status="正常", procedure="普通", valid_until=DECIDED)
        if type_key == "permits":
            row.update(permit_class="普通", valid_from=DECIDED, valid_to="2027-11-15", status="有效")
        row.update(CODED.get(type_key, {}))
        row["review_status"] = "已审核"
        if party_type == BUSINESS:
            row["credit_code"] = self.business_codes[len(self.records) % len(self.business_codes)]
        for name in text_fields(type_key):
            base = BASE[type_key][name].format(n=n, party=party.name)
            if name == "legal_rep" and party_type == BUSINESS:
                base = OPERATOR
            row[name] = base
        self._columns(record, party)
        self.records.append(record)
        return record, party

    def _columns(self, record: CorpusRecord, party: Party) -> None:
        """The party's own name and ID number, and the private columns: cases of their own."""
        v, row = self.values, record.row
        if party.secret is not None:
            name_field = "target_name" if record.type == "inspections" else "party_name"
            self.case(record, name_field, "party_name", COLUMN, party.name, [party.secret])
        if record.type != "inspections":
            number, secrets = v.id18()
            row["id_number"] = number
            self.case(record, "id_number", "id18", COLUMN, number, secrets)
            # The legal representative's (a 个体工商户's operator's) document: a person's, whatever the party.
            number, secrets = v.id18(rep=True)
            row.update(legal_rep_id_type="01", legal_rep_id_number=number)
            self.case(record, "legal_rep_id_number", "id18", COLUMN, number, secrets)
        phone, secrets = v.mobile()
        row["phone"] = phone
        self.case(record, "phone", "mobile", COLUMN, phone, secrets, private=True)
        street, n = v.pair(), v.house()
        row["address"] = f"示例县城关镇{street}路{n}号"
        self.case(record, "address", "address", COLUMN, row["address"], [Secret("text", f"{street}路{n}号")],
                  private=True)
        card, secrets = v.card(19)
        row["bank_account"] = card
        self.case(record, "bank_account", "bank_card", COLUMN, card, secrets, private=True)

    def add_spellings(self, record: CorpusRecord, party: Party, spellings: list[Spelling]) -> None:
        for name in text_fields(record.type):
            parts = [record.row[name]] if record.row[name] else []
            for s in spellings:
                typed, secrets = s.render(self.values, party)
                self.case(record, name, s.kind, s.name, typed, secrets)
                parts.append(typed)
            record.row[name] = "；".join(parts)


def _groups(spellings: list[Spelling]) -> list[list[Spelling]]:
    """Two spellings to a record, at most one of them the party's own name."""
    own = [s for s in spellings if s.party]
    rest = [s for s in spellings if not s.party]
    groups = [[s, rest.pop()] for s in own]
    groups += [rest[i:i + 2] for i in range(0, len(rest), 2)]
    return groups


def sample_values() -> list[str]:
    """Every value of the bundled sample data: no secret may be part of one (its legal representatives' ID
    numbers carry birth dates a generated secret could otherwise repeat, and the sample must raise no alarm)."""
    from publisher.core.config import SourceConfig
    from publisher.pull.sources.files import read

    source = SourceConfig(kind="files", label="files:sample", path=ROOT / "data" / "sample")
    return [v for row in read(source).rows for v in row.values.values() if v]


@functools.cache
def build_corpus() -> Corpus:
    inn = innocents()
    reserved = [i.text for i in inn] + [t for fields in BASE.values() for t in fields.values()] + sample_values()
    b = _Builder(reserved)
    for party_type in PARTIES:
        for type_key in TYPES:
            spellings = [s for s in SPELLINGS if not s.party or party_type == NATURAL]
            for group in _groups(spellings):
                style = next((s.party for s in group if s.party), "han")
                record, party = b.record(type_key, party_type, style)
                b.add_spellings(record, party, group)
    placements = _place_innocents(b, inn)
    return Corpus(b.records, b.cases, inn, placements)


MAIN_FIELD = {"penalties": "facts", "permits": "content", "inspections": "result", "coercions": "content",
              "checks": "result", "levies": "content", "requisitions": "content"}
INNOCENTS_PER_FIELD = 3


def _place_innocents(b: _Builder, inn: list[Innocent]) -> list[Placement]:
    """Each innocent string three times: in a natural person's and a 个体工商户's record, every text field taken
    in turn, and in the main free-text field of a natural person's record; at most three to a field."""
    combos = [(t, p) for p in PARTIES for t in TYPES]
    records: dict[tuple[str, str], list[CorpusRecord]] = defaultdict(list)
    used: Counter[tuple[str, str]] = Counter()  # (record key, field) -> innocent strings in it
    turn: Counter[tuple[str, str]] = Counter()
    placements = []

    def place(innocent: Innocent, type_key: str, party: str, name: str) -> None:
        record = next((r for r in records[(type_key, party)] if used[(r.key, name)] < INNOCENTS_PER_FIELD), None)
        if record is None:
            record = b.record(type_key, party)[0]
            records[(type_key, party)].append(record)
        used[(record.key, name)] += 1
        record.row[name] = "；".join(p for p in (record.row[name], innocent.text) if p)
        placements.append(Placement(innocent, record.key, type_key, party, name))

    for i, innocent in enumerate(inn):
        for type_key, party in (combos[i % 6], combos[(i + 3) % 6]):
            # A natural person has no legal representative: that field is never shown for one.
            fields = [f for f in text_fields(type_key) if not (f == "legal_rep" and party == NATURAL)]
            place(innocent, type_key, party, fields[turn[(type_key, party)] % len(fields)])
            turn[(type_key, party)] += 1
        place(innocent, TYPES[i % len(TYPES)], NATURAL, MAIN_FIELD[TYPES[i % len(TYPES)]])
    return placements


def write_corpus_rows(folder: Path) -> None:
    """The corpus as a `files` source would find it: one JSON file per type, typed by its name."""
    for type_key, rows in build_corpus().rows_by_type().items():
        (folder / f"{type_key}-privacy.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")


# ---------------------------------------------------------------- reports


@dataclass(frozen=True)
class Score:
    cases: int
    leaked: int
    innocents: int
    changed: int

    @property
    def recall(self) -> float:
        return (self.cases - self.leaked) / self.cases if self.cases else 1.0

    @property
    def precision(self) -> float:
        masked = self.cases - self.leaked
        return masked / (masked + self.changed) if masked + self.changed else 1.0

    def line(self) -> str:
        return (f"cases {self.cases}, masked {self.cases - self.leaked} (true positives), leaked {self.leaked} "
                f"(false negatives); innocent strings {self.innocents}, changed {self.changed} (false positives); "
                f"recall {self.recall:.3f}, precision {self.precision:.3f}")


def table(cases: Iterable[Case], leaked: set[int], by: Callable[[Case], tuple[str, ...]],
          headers: tuple[str, ...]) -> str:
    """Cases and leaks grouped by `by`, one row each, with the recall of the group."""
    total: Counter[tuple[str, ...]] = Counter()
    bad: Counter[tuple[str, ...]] = Counter()
    for c in cases:
        total[by(c)] += 1
        bad[by(c)] += c.id in leaked
    rows = [(*k, str(total[k]), str(bad[k]), f"{(total[k] - bad[k]) / total[k]:.2f}") for k in total]
    rows.sort(key=lambda r: (r[:-3]))
    head = (*headers, "cases", "leaked", "recall")
    widths = [max(_width(x) for x in col) for col in zip(head, *rows, strict=True)]
    return "\n".join("  ".join(_pad(x, w) for x, w in zip(r, widths, strict=True)) for r in (head, *rows))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


if __name__ == "__main__":  # a summary of the corpus: python -m tests.privacy_corpus
    corpus = build_corpus()
    print(f"{len(corpus.records)} records, {len(corpus.cases)} cases, {len(corpus.secrets)} secrets, "
          f"{len(corpus.innocents)} innocent strings in {len(corpus.placements)} places")
    print(table(corpus.cases, set(), lambda c: (c.kind, c.spelling), ("kind", "spelling")))
