"""Check characters of 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999)."""

from __future__ import annotations

from datetime import date

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid unified social credit code, or None when it is."""
    if len(code) != 18:
        return f"应为18位，实为{len(code)}位"
    bad = sorted({c for c in code if c not in CREDIT_CHARSET})
    if bad:
        return f"含不允许的字符 {''.join(bad)}（不使用 I、O、S、V、Z）"
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    expected = CREDIT_CHARSET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"校验码错误：末位应为 {expected}，实为 {code[17]}"
    return None


def id_number_problem(number: str) -> str | None:
    """Why `number` is not a valid resident ID number, or None when it is."""
    if len(number) != 18:
        return f"应为18位，实为{len(number)}位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "前17位应为数字，末位为数字或 X"
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return f"出生日期 {number[6:14]} 不是真实日期"
    expected = _ID_CHECK[sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        return f"校验码错误：末位应为 {expected}，实为 {number[17]}"
    return None


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def org_code_problem(code: str) -> str | None:
    """Why `code` is not a valid 组织机构代码 (GB 11714-1997: 8 characters and a check character), or None."""
    if len(code) != 9:
        return f"应为9位（8位本体代码和1位校验码），实为{len(code)}位"
    if any(c not in _ORG_CHARSET for c in code[:8]):
        return "前8位应为数字或大写字母"
    remainder = 11 - sum(_ORG_CHARSET.index(c) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True)) % 11
    expected = {10: "X", 11: "0"}.get(remainder, str(remainder))
    if code[8] != expected:
        return f"校验码错误：末位应为 {expected}，实为 {code[8]}"
    return None


def reg_no_problem(number: str) -> str | None:
    """Why `number` is not a 工商注册号 (15 digits), or None."""
    if len(number) != 15 or not number.isdigit():
        return f"应为15位数字，实为{len(number)}位" + ("" if number.isdigit() else "且含非数字字符")
    return None


def tax_no_problem(number: str) -> str | None:
    """Why `number` is not a 税务登记号 (15, 18 or 20 digits or capital letters), or None."""
    if len(number) not in (15, 18, 20):
        return f"应为15位、18位或20位，实为{len(number)}位"
    if not all(c.isdigit() or "A" <= c <= "Z" for c in number):
        return "应只含数字和大写字母"
    return None
