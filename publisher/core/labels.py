"""The Chinese words staff read for the codes a run uses: one table each, shared by every report."""

from __future__ import annotations

# What a run does with a record (publisher.pull.plan.Action values).
ACTION_LABELS = {
    "add": "新增", "change": "更新", "withdraw": "撤回", "hold": "暂缓", "block": "阻止", "exclude": "不予公开",
    "reject": "拒绝", "unchanged": "未变",
}
# The watches' findings for staff.
FLAG_LABELS = {"overdue": "逾期未公示", "late": "超期公示", "discretion": "超出裁量基准",
               "repair_refused": "信用修复不予提前撤下"}
# What a publication changed on the public site, per record, as the ledger records it.
CHANGE_LABELS = {"added": "新增", "changed": "更新", "withdrawn": "撤回", "removed": "回退后不再显示"}
# What rule 7 masks (publisher.pull.personal kinds), as the run report counts it per record.
MASK_LABELS = {"name": "姓名", "id_number": "证件号码", "phone": "电话号码", "bank_card": "银行账号",
               "email": "电子邮箱", "address": "住址", "plate": "车牌号"}
# The stages of a publication run, timed in its report.
STAGE_LABELS = {"lock": "等待运行锁", "pull": "读取数据源并写入内容", "changes": "核对账本", "link": "准备版本目录",
                "build": "生成网站", "verify": "核验版本", "manifest": "计算文件哈希", "switch": "记入账本并切换"}
# The rules a record passes (publisher.pull.rules, validation and intake), as staff read them.
RULE_LABELS = {
    "approved": "审核", "legally_reviewed": "法制审核", "due": "公示日期", "not_excluded": "不予公开情形",
    "live": "公示期与当前状态", "deadline": "公示时限", "discretion": "裁量基准", "required": "必填",
    "valid": "格式与取值", "unique": "不得重复", "size": "长度上限", "reserved": "网址冲突", "shown": "符合公开条件",
}
