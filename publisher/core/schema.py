"""Record types of the disclosure portal (DESIGN §2): fields, Chinese headers, natural keys.

This module is data only. Sources map column headers to field names with it, validation
reads each field's kind, and the theme labels each value with its Chinese template name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class Kind(StrEnum):
    """How a field's cell is parsed and checked."""

    TEXT = "text"
    DATE = "date"
    MONEY = "money"  # 万元, up to six decimals
    ENUM = "enum"
    ENUM_LIST = "enum_list"  # several values from a code list, e.g. 处罚类别
    LIST = "list"  # items separated by `；` or a newline
    BOOL = "bool"
    CREDIT_CODE = "credit_code"  # GB 32100 check character
    REG_NO = "reg_no"  # 工商注册号: 15 digits
    ORG_CODE = "org_code"  # 组织机构代码: GB 11714 check character
    TAX_NO = "tax_no"  # 税务登记号: 15, 18 or 20 characters
    ID_NUMBER = "id_number"  # GB 11643 when 证件类型 is 身份证


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    # Codes that sources use instead of the words (e.g. status "1" for 撤销).
    codes: dict[str, str] = field(default_factory=dict)
    public: bool = True  # False: workflow fields, never written to content/


@dataclass(frozen=True)
class RecordType:
    key: str
    zh: str
    natural_key: str
    title_fields: tuple[str, ...]
    fields: tuple[Field, ...]
    date_field: str | None = None  # the decision/inspection date the deadline counts from
    deadline_days: int = 20  # working days to publish (DESIGN §1)
    # An enforcement decision published after the fact (事后公开): 索引号 block, masking, statistics, timeliness.
    decision: bool = False
    short: str = ""  # 简称 in statistics charts, e.g. 处罚

    def field(self, name: str) -> Field:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def public_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.public)

    @cached_property
    def public_names(self) -> tuple[str, ...]:
        """The names of the fields content/ shows, in template order."""
        return tuple(f.name for f in self.fields if f.public)


PARTY_TYPES = ("法人及非法人组织", "自然人", "个体工商户")
NATURAL_PERSON = "自然人"
ID_TYPES = (
    "身份证",
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "外国人永久居留身份证",
)
ID_TYPE_CODES = {"01": "身份证", "02": "护照", "03": "港澳居民来往内地通行证",
                 "04": "台湾居民来往大陆通行证", "05": "外国人永久居留身份证",
                 "居民身份证": "身份证"}
PENALTY_CLASSES = (
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
    "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他",
)
PERMIT_CLASSES = ("普通", "特许", "认可", "核准", "登记", "其他")
PERMIT_CLASS_CODES = {"01": "普通", "02": "特许", "03": "认可", "04": "核准", "05": "登记", "06": "其他"}
PENALTY_STATUS = ("正常", "撤销", "异议", "其他")
PENALTY_STATUS_CODES = {"0": "正常", "1": "撤销", "2": "异议", "3": "其他"}
PERMIT_STATUS = ("有效", "无效")
PERMIT_STATUS_CODES = {"1": "有效", "2": "无效"}
REVIEW_STATUS = ("已审核", "待审核", "退回")
PROCEDURES = ("普通", "简易")
LEGAL_REVIEW_RESULTS = ("通过", "不通过")
CERT_STATUS = ("有效", "暂扣", "注销")
SUBJECT_NATURES = ("法定行政机关", "法律法规授权组织", "受委托组织")
# 行政强制法 第九条 (强制措施) and 第十二条 (强制执行方式), in the law's order; named without `、`,
# which separates the items of a list cell.
COERCION_KINDS = ("强制措施", "强制执行")
COERCION_MEASURES = ("限制公民人身自由", "查封", "扣押", "冻结", "其他行政强制措施")
COERCION_EXECUTIONS = ("加处罚款或者滞纳金", "划拨存款或者汇款", "拍卖或者依法处理查封扣押的财物",
                       "排除妨碍或者恢复原状", "代履行", "其他强制执行方式")
COERCION_CLASSES = COERCION_MEASURES + COERCION_EXECUTIONS
# A measure can be lifted (解除, 第二十八条) and stays a public decision; 撤销 withdraws it.
COERCION_STATUS = ("正常", "已解除", "撤销", "异议", "其他")
CHECK_CLASSES = ("日常检查", "专项检查", "投诉举报核查", "上级交办", "其他")
LEVY_CLASSES = ("行政事业性收费", "政府性基金", "不动产征收", "其他")
REQUISITION_CLASSES = ("林地", "土地", "房屋", "设施设备", "交通工具", "物资", "其他")
MATTER_KINDS = ("行政许可", "行政处罚", "行政强制", "行政检查", "行政征收", "其他")

# Workflow fields (DESIGN §2): any type, used by the rules, never published.
WORKFLOW_FIELDS: tuple[Field, ...] = (
    Field("id", "编号"),
    Field("review_status", "审核状态", Kind.ENUM, choices=REVIEW_STATUS),
    Field("publish_at", "公示日期", Kind.DATE),
    # When a record migrated from an earlier disclosure system was first shown there (for timeliness).
    Field("first_published", "首次公开日期", Kind.DATE),
    Field("procedure", "程序", Kind.ENUM, choices=PROCEDURES, codes={"简易程序": "简易", "普通程序": "普通"}),
    Field("withheld", "不予公开", Kind.BOOL),
    Field("withheld_reason", "不予公开理由"),
    Field("major", "重大执法决定", Kind.BOOL),
    Field("hearing", "是否听证", Kind.BOOL),
    Field("legal_review_result", "法制审核结论", Kind.ENUM, choices=LEGAL_REVIEW_RESULTS),
    Field("legal_review_by", "法制审核人"),
    Field("legal_review_date", "法制审核日期", Kind.DATE),
    # The day a penalty's 信用修复 application was granted: it stops being shown (publisher.pull.rules.gates.live).
    Field("credit_repaired", "信用修复日期", Kind.DATE),
    Field("department", "承办科室"),
    Field("phone", "联系电话"),
    Field("address", "住址"),
    Field("bank_account", "银行账号"),
)
_WORKFLOW_PRIVATE = {"id", "review_status", "publish_at", "first_published", "procedure", "withheld", "withheld_reason",
                     "major", "hearing", "legal_review_result", "legal_review_by", "legal_review_date",
                     "credit_repaired", "phone", "address", "bank_account"}


def _party_fields() -> tuple[Field, ...]:
    return (
        Field("party_name", "行政相对人名称", required=True),
        Field("party_type", "行政相对人类别", Kind.ENUM, True, PARTY_TYPES,
              codes={"法人": "法人及非法人组织", "非法人组织": "法人及非法人组织"}),
        Field("credit_code", "统一社会信用代码", Kind.CREDIT_CODE),
        # 行政相对人代码_2 … _6: the codes older registrations carry, kept for the national template.
        Field("reg_no", "工商注册号", Kind.REG_NO),
        Field("org_code", "组织机构代码", Kind.ORG_CODE),
        Field("tax_no", "税务登记号", Kind.TAX_NO),
        Field("institution_no", "事业单位证书号"),
        Field("social_org_no", "社会组织登记证号"),
        Field("legal_rep", "法定代表人"),
        # Always a natural person's document: the number is masked like an ID number (publisher.pull.redaction).
        Field("legal_rep_id_type", "法定代表人证件类型", Kind.ENUM, choices=ID_TYPES, codes=ID_TYPE_CODES),
        Field("legal_rep_id_number", "法定代表人证件号码", Kind.ID_NUMBER),
        Field("id_type", "证件类型", Kind.ENUM, choices=ID_TYPES, codes=ID_TYPE_CODES),
        Field("id_number", "证件号码", Kind.ID_NUMBER),
    )


def _with_workflow(own: tuple[Field, ...]) -> tuple[Field, ...]:
    names = {f.name for f in own}
    extra = []
    for f in WORKFLOW_FIELDS:
        if f.name in names:
            continue
        public = f.name == "department"  # 承办科室 is shown and filtered on
        extra.append(Field(f.name, f.zh, f.kind, f.required, f.choices, f.codes, public=public))
    return own + tuple(extra)


PENALTIES = RecordType(
    key="penalties", zh="行政处罚", natural_key="decision_no", title_fields=("decision_no",),
    date_field="decision_date", deadline_days=7, decision=True, short="处罚",
    fields=_with_workflow(_party_fields() + (
        Field("decision_no", "行政处罚决定书文号", required=True),
        Field("violation_type", "违法行为类型", required=True),
        Field("facts", "违法事实", required=True),
        Field("basis", "处罚依据", required=True),
        Field("penalty_class", "处罚类别", Kind.ENUM_LIST, True, PENALTY_CLASSES),
        Field("content", "处罚内容", required=True),
        Field("fine", "罚款金额（万元）", Kind.MONEY),
        Field("confiscation", "没收违法所得、没收非法财物的金额（万元）", Kind.MONEY),
        Field("license_action", "暂扣或吊销证照名称及编号"),
        Field("decision_date", "处罚决定日期", Kind.DATE, True),
        Field("valid_until", "处罚有效期", Kind.DATE, True),  # the standard requires it; 2099-12-31 means 长期
        Field("display_until", "公示截止期", Kind.DATE),
        Field("authority", "处罚机关", required=True),
        Field("authority_code", "处罚机关统一社会信用代码", Kind.CREDIT_CODE, True),
        # Required by the standard; filled from portal.toml or the authority when blank (publisher.pull.validation).
        Field("source_unit", "数据来源单位", required=True),
        Field("source_unit_code", "数据来源单位统一社会信用代码", Kind.CREDIT_CODE, True),
        Field("status", "当前状态", Kind.ENUM, choices=PENALTY_STATUS, codes=PENALTY_STATUS_CODES),
        Field("remarks", "备注"),
    )),
)

PERMITS = RecordType(
    key="permits", zh="行政许可", natural_key="decision_no", title_fields=("decision_no",),
    date_field="decision_date", deadline_days=7, decision=True, short="许可",
    fields=_with_workflow(_party_fields() + (
        Field("decision_doc_name", "行政许可决定文书名称"),
        Field("decision_no", "行政许可决定文书号", required=True),
        Field("permit_class", "许可类别", Kind.ENUM, choices=PERMIT_CLASSES, codes=PERMIT_CLASS_CODES),
        Field("certificate_name", "许可证书名称"),
        Field("permit_no", "许可编号"),
        Field("content", "许可内容", required=True),
        Field("decision_date", "许可决定日期", Kind.DATE, True),
        Field("valid_from", "有效期自", Kind.DATE),
        Field("valid_to", "有效期至", Kind.DATE),
        Field("authority", "许可机关", required=True),
        Field("authority_code", "许可机关统一社会信用代码", Kind.CREDIT_CODE, True),
        Field("status", "当前状态", Kind.ENUM, choices=PERMIT_STATUS, codes=PERMIT_STATUS_CODES),
        # Required by the standard; filled from portal.toml or the authority when blank (publisher.pull.validation).
        Field("source_unit", "数据来源单位", required=True),
        Field("source_unit_code", "数据来源单位统一社会信用代码", Kind.CREDIT_CODE, True),
        Field("remarks", "备注"),
    )),
)

INSPECTIONS = RecordType(
    key="inspections", zh="双随机抽查结果", natural_key="id", title_fields=("task_name", "target_name"),
    date_field="inspection_date", deadline_days=20, decision=True, short="抽查",
    fields=_with_workflow((
        Field("id", "编号", required=True),
        Field("task_name", "抽查任务名称", required=True),
        Field("target_name", "检查对象名称", required=True),
        # Optional: a natural person inspected is masked like a penalty's (publisher.pull.redaction).
        Field("party_type", "检查对象类别", Kind.ENUM, choices=PARTY_TYPES,
              codes={"法人": "法人及非法人组织", "非法人组织": "法人及非法人组织"}),
        Field("credit_code", "统一社会信用代码", Kind.CREDIT_CODE),
        Field("item", "抽查事项", required=True),
        Field("inspection_date", "检查日期", Kind.DATE, True),
        Field("result", "检查结果", required=True),
        Field("handling", "处理情况"),
        Field("authority", "检查机关", required=True),
        Field("officer_certs", "检查人员执法证号", Kind.LIST),
    )),
)


def _decision_tail(authority: str) -> tuple[Field, ...]:
    """The deciding body and the fields every decision ends with (as in the 双公示 templates)."""
    return (
        Field("authority", authority, required=True),
        Field("authority_code", f"{authority}统一社会信用代码", Kind.CREDIT_CODE, True),
        Field("display_until", "公示截止期", Kind.DATE),
        Field("source_unit", "数据来源单位"),
        Field("source_unit_code", "数据来源单位统一社会信用代码", Kind.CREDIT_CODE),
    )


# 行政强制 (行政强制法 第二十四条 查封扣押决定书、第三十七条 强制执行决定书 的内容).
COERCIONS = RecordType(
    key="coercions", zh="行政强制", natural_key="decision_no", title_fields=("decision_no",),
    date_field="decision_date", decision=True, short="强制",
    fields=_with_workflow(_party_fields() + (
        Field("decision_no", "行政强制决定书文号", required=True),
        Field("coercion_kind", "行政强制种类", Kind.ENUM, True, COERCION_KINDS),
        Field("coercion_class", "行政强制类别", Kind.ENUM_LIST, True, COERCION_CLASSES),
        Field("reason", "行政强制理由", required=True),
        Field("basis", "行政强制依据", required=True),
        Field("content", "行政强制内容", required=True),
        Field("amount", "涉及金额（万元）", Kind.MONEY),
        Field("decision_date", "行政强制决定日期", Kind.DATE, True),
        Field("period_from", "行政强制期限自", Kind.DATE),
        Field("period_to", "行政强制期限至", Kind.DATE),
        *_decision_tail("实施机关"),
        Field("status", "当前状态", Kind.ENUM, choices=COERCION_STATUS, codes=PENALTY_STATUS_CODES),
        Field("remarks", "备注"),
    )),
)

# 行政检查 results beyond 双随机 (日常、专项、投诉举报核查): each check's own document.
CHECKS = RecordType(
    key="checks", zh="行政检查", natural_key="decision_no", title_fields=("decision_no",),
    date_field="decision_date", decision=True, short="检查",
    fields=_with_workflow(_party_fields() + (
        Field("decision_no", "行政检查文书号", required=True),
        Field("check_class", "检查类别", Kind.ENUM, True, CHECK_CLASSES),
        Field("item", "检查事项", required=True),
        Field("basis", "检查依据", required=True),
        Field("decision_date", "检查日期", Kind.DATE, True),
        Field("result", "检查结果", required=True),
        Field("handling", "处理情况"),
        Field("officer_certs", "检查人员执法证号", Kind.LIST),
        *_decision_tail("检查机关"),
        Field("status", "当前状态", Kind.ENUM, choices=PENALTY_STATUS, codes=PENALTY_STATUS_CODES),
        Field("remarks", "备注"),
    )),
)

# 行政征收: 征收项目、依据、标准和金额、缴纳期限.
LEVIES = RecordType(
    key="levies", zh="行政征收", natural_key="decision_no", title_fields=("decision_no",),
    date_field="decision_date", decision=True, short="征收",
    fields=_with_workflow(_party_fields() + (
        Field("decision_no", "行政征收决定书文号", required=True),
        Field("levy_class", "征收类别", Kind.ENUM, True, LEVY_CLASSES),
        Field("item", "征收项目", required=True),
        Field("basis", "征收依据", required=True),
        Field("content", "征收内容", required=True),
        Field("amount", "征收金额（万元）", Kind.MONEY),
        Field("decision_date", "征收决定日期", Kind.DATE, True),
        Field("payment_due", "缴纳期限", Kind.DATE),
        *_decision_tail("征收机关"),
        Field("status", "当前状态", Kind.ENUM, choices=PENALTY_STATUS, codes=PENALTY_STATUS_CODES),
        Field("remarks", "备注"),
    )),
)

# 行政征用: 征用的财产、事由、期限、补偿和返还.
REQUISITIONS = RecordType(
    key="requisitions", zh="行政征用", natural_key="decision_no", title_fields=("decision_no",),
    date_field="decision_date", decision=True, short="征用",
    fields=_with_workflow(_party_fields() + (
        Field("decision_no", "行政征用决定书文号", required=True),
        Field("requisition_class", "征用类别", Kind.ENUM, True, REQUISITION_CLASSES),
        Field("reason", "征用事由", required=True),
        Field("basis", "征用依据", required=True),
        Field("content", "征用内容", required=True),
        Field("decision_date", "征用决定日期", Kind.DATE, True),
        Field("period_from", "征用期限自", Kind.DATE),
        Field("period_to", "征用期限至", Kind.DATE),
        Field("amount", "补偿金额（万元）", Kind.MONEY),
        Field("compensation", "返还及补偿情况"),
        *_decision_tail("征用机关"),
        Field("status", "当前状态", Kind.ENUM, choices=PENALTY_STATUS, codes=PENALTY_STATUS_CODES),
        Field("remarks", "备注"),
    )),
)

OFFICERS = RecordType(
    key="officers", zh="执法人员", natural_key="cert_no", title_fields=("name",),
    fields=_with_workflow((
        Field("name", "姓名", required=True),
        Field("cert_no", "执法证号", required=True),
        Field("unit", "所属单位", required=True),
        Field("field", "执法类别"),
        Field("region", "执法区域"),
        Field("valid_from", "证件有效期自", Kind.DATE),
        Field("valid_to", "证件有效期至", Kind.DATE),
        Field("cert_status", "证件状态", Kind.ENUM, True, CERT_STATUS),
    )),
)

SUBJECTS = RecordType(
    key="subjects", zh="执法主体", natural_key="credit_code", title_fields=("name",),
    fields=_with_workflow((
        Field("name", "主体名称", required=True),
        Field("credit_code", "统一社会信用代码", Kind.CREDIT_CODE, True),
        Field("nature", "主体性质", Kind.ENUM, True, SUBJECT_NATURES),
        Field("head", "负责人"),
        Field("address", "地址"),
        Field("phone", "联系电话"),
        Field("duties", "职责"),
        Field("basis", "依据"),
        Field("region", "管辖区域"),
        Field("supervision_phone", "监督电话"),
    )),
)

MATTERS = RecordType(
    key="matters", zh="权责清单", natural_key="code", title_fields=("name",),
    fields=_with_workflow((
        Field("code", "事项编码", required=True),
        Field("name", "事项名称", required=True),
        Field("kind", "事项类型", Kind.ENUM, True, MATTER_KINDS),
        Field("basis", "设定依据", required=True),
        Field("implementer", "实施主体"),
        Field("responsibility", "责任事项"),
        Field("accountability", "追责情形"),
        Field("random_inspection", "是否列入随机抽查事项清单", Kind.BOOL),
    )),
)

GUIDES = RecordType(
    key="guides", zh="服务指南", natural_key="code", title_fields=("name",),
    fields=_with_workflow((
        Field("code", "事项编码", required=True),
        Field("name", "事项名称", required=True),
        Field("matter_code", "权责事项编码"),
        Field("conditions", "受理条件"),
        Field("materials", "申请材料", Kind.LIST),
        Field("steps", "办理流程", Kind.LIST),
        Field("legal_time_limit", "法定时限"),
        Field("promised_time_limit", "承诺时限"),
        Field("fee", "收费标准"),
        Field("location", "办理地点"),
        Field("window", "窗口"),
        Field("hours", "办公时间"),
        Field("phone", "咨询电话"),
        Field("complaint_phone", "监督投诉电话"),
        Field("basis", "设定依据"),
    )),
)

WINDOWS = RecordType(
    key="windows", zh="服务窗口", natural_key="code", title_fields=("name",),
    fields=_with_workflow((
        Field("code", "窗口编号", required=True),
        Field("name", "窗口名称", required=True),
        Field("location", "地点", required=True),
        Field("staff", "工作人员及岗位", Kind.LIST),
        Field("guides", "办理事项", Kind.LIST),
        Field("hours", "办公时间"),
    )),
)

RECORD_TYPES: dict[str, RecordType] = {
    t.key: t for t in (SUBJECTS, OFFICERS, MATTERS, GUIDES, WINDOWS, PERMITS, PENALTIES, INSPECTIONS,
                       COERCIONS, CHECKS, LEVIES, REQUISITIONS)
}

# Required by the 2021 template but absent from files made to the 2016 one: a file without the column is read,
# and each row is filled (数据来源单位) or rejected with its file, row and field (publisher.pull.validation).
COLUMN_OPTIONAL = frozenset({"valid_until", "source_unit", "source_unit_code"})
# The enforcement decisions (事后公开), in the order lists, statistics and open data show them.
DECISION_TYPES: tuple[str, ...] = tuple(k for k, t in RECORD_TYPES.items() if t.decision)

# Field names a record type shows publicly; workflow fields are for the rules only.
PRIVATE_FIELDS = frozenset(_WORKFLOW_PRIVATE)


# Headers of the national 双公示 templates (2016 and 2021) that differ from our field's Chinese name
# but mean the same thing. Only exact equivalents: a close-but-different meaning is left unmapped.
HEADER_ALIASES: dict[str, str] = {
    "行政相对人代码_1(统一社会信用代码)": "credit_code",
    "行政相对人代码_2(工商注册号)": "reg_no",
    "行政相对人代码_3(组织机构代码)": "org_code",
    "行政相对人代码_4(税务登记号)": "tax_no",
    "行政相对人代码_5(事业单位证书号)": "institution_no",
    "行政相对人代码_6(社会组织登记证号)": "social_org_no",
    # The 2016 template numbered the codes differently; its bracketed names say which is which.
    "行政相对人代码_2(组织机构代码)": "org_code",
    "行政相对人代码_3(工商登记码)": "reg_no",
    "工商登记码": "reg_no",
    "行政相对人代码_5(居民身份证号)": "id_number",
    "处罚截止期": "valid_until",  # 2016 name of 处罚有效期
    "法定代表人姓名": "legal_rep",
    "罚款金额(万元)": "fine",
    "罚款金额": "fine",
    "处罚事由": "facts",  # 2016 name of 违法事实
    "处罚结果": "content",  # 2016 name of 处罚内容
    "行政许可决定书文号": "decision_no",  # 2016 name of 行政许可决定文书号 (permits)
    "审批类别": "permit_class",  # 2016 name of 许可类别, same code list
    "许可生效期": "valid_from",  # 2016 name of 有效期自
    "许可截止期": "valid_to",  # 2016 name of 有效期至
}

# Template headers deliberately not mapped, with the reason a clerk is told.
UNMAPPED_HEADERS: dict[str, str] = {
    "行政相对人代码": "未说明是哪一种代码；如为统一社会信用代码，请将列名改为“统一社会信用代码”",
    "处罚名称": "与“违法行为类型”含义不同",
    "处罚类别1": "请合并为一列“处罚类别”，多个类别用“；”分隔",
    "处罚类别2": "请合并为一列“处罚类别”，多个类别用“；”分隔",
    "处罚生效期": "本平台只记录处罚决定日期和处罚有效期",
    "项目名称": "本平台没有对应字段",
    "地方编码": "系统字段，不公示",
    "数据更新时间戳": "系统字段，不公示",
}

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_MARKERS = re.compile(r"^\*+|\*+$|\((?:必填|必填项|选填|可选|非必填)\)$")


def normalise_header(text: str) -> str:
    """The form headers are compared in: NFKC, lower case, no spaces, `代码-1` = `代码_1`, no `*`/（必填）."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_BRACKETS)
    text = re.sub(r"\s+", "", text).lower()
    text = re.sub(r"[-_—–]+(?=\d)", "", text)  # 代码_1 = 代码-1 = 代码＿1 = 代码1
    previous = None
    while previous != text:  # "*行政相对人名称(必填)*"
        previous, text = text, _MARKERS.sub("", text)
    return text


def header_map(rtype: RecordType) -> dict[str, str]:
    """Map every accepted column header, in normalise_header form, to a field name.

    Accepted: the field's English key, its Chinese template name, and the national templates'
    other names for it (HEADER_ALIASES).
    """
    if rtype.key in _HEADER_MAPS:  # every table of every source asks; the answer never changes
        return _HEADER_MAPS[rtype.key]
    mapping: dict[str, str] = {}
    for f in rtype.fields:
        mapping[normalise_header(f.name)] = f.name
        mapping.setdefault(normalise_header(f.zh), f.name)
    for zh, name in HEADER_ALIASES.items():
        if name in rtype._by_name:
            mapping.setdefault(normalise_header(zh), name)
    _HEADER_MAPS[rtype.key] = mapping
    return mapping


_HEADER_MAPS: dict[str, dict[str, str]] = {}
UNMAPPED_BY_FORM = {normalise_header(h): why for h, why in UNMAPPED_HEADERS.items()}
