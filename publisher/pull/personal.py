"""Personal information in text as clerks type it: found on a normalised view, masked on the original.

The view drops format characters (zero-width, bidi) and applies NFKC (full-width digits and
brackets become ASCII), keeping for every character of the view the character of the original it
came from. Detectors run on the view with separators allowed inside digit runs; each finding is
mapped back onto the original span, so the rest of the value stays exactly as typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date

from publisher.core.checkcodes import credit_code_problem, id_number_problem

REMOVED = "［已隐去］"

# Kinds a run report counts (Chinese for staff in publisher.core.labels.MASK_LABELS).
ID_NUMBER, PHONE, BANK_CARD, EMAIL, ADDRESS, NAME, PLATE = "id_number", "phone", "bank_card", "email", "address", \
    "name", "plate"

_SEP = r"[ \-.\u2010-\u2015\u2212]"  # what a clerk types inside a number (after NFKC: full-width → ASCII)
_NO_DIGIT_BEFORE = r"(?<![0-9])"  # a label may touch the number (ID330106…), a digit may not
_NO_DIGIT_AFTER = r"(?![0-9A-Za-z])"
_ID18 = re.compile(_NO_DIGIT_BEFORE + rf"(\d(?:{_SEP}?\d){{16}}{_SEP}?[\dXx])" + _NO_DIGIT_AFTER)
_ID15 = re.compile(_NO_DIGIT_BEFORE + rf"(\d(?:{_SEP}?\d){{14}})" + _NO_DIGIT_AFTER)
# Cards: one run, groups of four (the last shorter), or the 6-digit bank prefix set apart.
_CARD = re.compile(_NO_DIGIT_BEFORE + rf"(\d{{4}}(?:{_SEP}?\d{{4}}){{2,3}}(?:{_SEP}?\d{{1,4}})?"
                   rf"|\d{{6}}{_SEP}\d{{10,13}})" + _NO_DIGIT_AFTER)
_MOBILE = re.compile(r"(?<![\d])((?:(?:\+|00) ?86|86)?[ \-]?\(?1[3-9]\d\)?(?:" + _SEP + r"?\d){8})(?![\d])")
_LANDLINE = re.compile(r"(?<![\d])((?:(?:\+|00) ?86[ \-]?\(?[1-9]\d{1,2}\)?|\(0\d{2,3}\)|0\d{2,3})" + _SEP
                       + r"?\d{3,4}" + _SEP + r"?\d{4}(?:(?:转|-|ext\.?)\d{1,5})?)(?![\d])")
_AT = r"(?: ?@ ?|\s?[\[(]at[\])]\s?| at )"
_DOT = r"(?:\.|\s?[\[(]dot[\])]\s?| dot )"
_EMAIL = re.compile(rf"[A-Za-z0-9._%+\-]+{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*{_DOT}[A-Za-z]{{2,}}")
_PLATE = re.compile("[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·•・‧ \\-]?"
                    "[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])")
_END = "，,。；;、）)\n|"
# Words after which a clerk writes where a person lives; the address runs to the next pause.
_HOME_WORDS = ("家庭住址|家庭地址|户籍所在地|户籍地址|户籍地|户口所在地|现住址|现居住地|现住|"
               "居住地|居住在|家住|住在|暂住地|暂住")
_ANY_PARTY_HOME = re.compile(rf"(?:{_HOME_WORDS})[:：为是 ]*([^{_END}]{{2,40}})")
_OWN_HOME = re.compile(rf"(?:住址|住所地|住所|地址|经常居住地|"
                       rf"(?<![居暂家现户入])住(?=[^{_END}]{{0,8}}?[省市县区乡镇村路街巷]))"
                       rf"[:：为是 ]*([^{_END}]{{2,40}})")
# An address down to the dwelling: places (省 … 村, 路, 巷) then a number and 号/栋/单元/室.
_PLACE = "省|自治区|市|自治州|州|盟|县|区|旗|乡|镇|街道|村|社区|屯|路|街|大道|巷|弄|胡同|小区|花园|苑"
_STOP = "在于到住的是为和与及向从自往对将把被给让由经因其系"
_DWELLING = re.compile(rf"(?:[^\W\d_{_STOP}]{{1,6}}?(?:{_PLACE}))+(?:[^\W_{_STOP}]{{0,6}}?(?:组|队))?"
                       r"\d+(?:-\d+)?(?:号|栋|幢|单元|室|户)(?:\d+(?:-\d+)?(?:号|栋|幢|楼|单元|室|户))*")
# Words that introduce another natural person in a decision's text (DOMAIN: their names are hidden).
_RELATIONS = ("同案人|同案犯|同伙|共同违法人|受雇人|被雇人|合伙人|同行人|介绍人|担保人|承包人|见证人|"
              "其妻子|其丈夫|其儿子|其女儿|其妻|其夫|其子|其女|"
              "其父亲|其母亲|其父|其母|其兄|其弟|其姐|其妹|其家属|证人|雇工|雇员|帮工|代理人|"
              "委托代理人|监护人|亲属|邻居|举报人|受害人|被害人|知情人|驾驶员|司机|买受人|出卖人|收购人")
_NAME_STOP = set("证称等于在因的和与及将已未均也都向对把被说供述作亦系是为到从经所并就则即")
_HAN_NAME = r"([\u4e00-\u9fff](?:[\s·•・‧.]?[\u4e00-\u9fff]){1,3})"  # spaced or dotted as typed
_RELATED = re.compile(rf"(?:{_RELATIONS})[:：为是 ]?{_HAN_NAME}")
_MORE_NAMES = re.compile(rf"[、和及与]{_HAN_NAME}")
# Compound surnames keep both characters when masked (欧阳某 -> 欧阳*), and take a longer name.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 南宫 西门 "
    "独孤 澹台 公冶 申屠".split()
)


# Unicode's format characters (category Cf): zero-width, bidi controls, BOM, soft hyphen, tags.
_FORMAT_CHARS = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
                           "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                           "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
                           "\U000e0020-\U000e007f]")
_GAP_CHARS = frozenset(" \t\n\u3000·•・‧.-\u00a0")  # what may stand between a name's characters

# Cheap necessary conditions, so most texts skip the dear patterns (each is implied by every match of them).
# Every number pattern above holds ten digits or more, at most two separators or brackets apart.
_NUMBER_LIKE = re.compile(r"\d(?:[ \-.\u2010-\u2015\u2212()]{0,2}\d){9}")
# A dwelling's address ends in a place word, then a number and 号/栋/单元/室 (the tail of _DWELLING).
_DWELLING_TAIL = re.compile(rf"(?:{_PLACE})(?:[^\W_{_STOP}]{{0,6}}?(?:组|队))?\d+(?:-\d+)?(?:号|栋|幢|单元|室|户)")
_HOME_MARKS = ("住", "户", "地址")  # every word of _HOME_WORDS and _OWN_HOME holds one of these


_MAY_CHANGE = re.compile("[^\t\n\r -~\u4e00-\u9fff]")  # ASCII text and CJK ideographs are their own view


@functools.lru_cache(maxsize=4096)
def _view_of(ch: str) -> str:
    """One character as detectors read it: format characters dropped, the rest NFKC."""
    return "" if unicodedata.category(ch) == "Cf" else unicodedata.normalize("NFKC", ch)


# Chinese punctuation a clerk types in every sentence, each with its compatibility decomposition (，→ ,).
_FULL_WIDTH = tuple((c, unicodedata.normalize("NFKD", c)) for c in "，；：（）！？")


def quick_view(text: str) -> str:
    """The view's text without the map back: NFKC, format characters dropped."""
    if not unicodedata.is_normalized("NFKC", text):
        plain = text
        for wide, narrow in _FULL_WIDTH:  # NFKD char by char leaves NFKC the same; cheaper than NFKC of it all
            if wide in plain:
                plain = plain.replace(wide, narrow)
        text = plain if unicodedata.is_normalized("NFKC", plain) else unicodedata.normalize("NFKC", text)
    return _FORMAT_CHARS.sub("", text) if _FORMAT_CHARS.search(text) else text


class NormalView:
    """The text as detectors read it, and where each of its characters came from."""

    def __init__(self, text: str) -> None:
        self.source = text
        if unicodedata.is_normalized("NFKC", text) and not _FORMAT_CHARS.search(text):
            self.text, self._origin = text, None  # the common case: nothing to map
            return
        pieces: list[str] = []
        origin: list[int] = []
        last = 0
        for m in _MAY_CHANGE.finditer(text):
            i, ch = m.start(), m[0]
            if (seen := _view_of(ch)) == ch:
                continue
            pieces += [text[last:i], seen]  # zero-width and bidi controls are dropped: they hide nothing
            origin += [*range(last, i), *[i] * len(seen)]
            last = i + 1
        pieces.append(text[last:])
        origin += range(last, len(text))
        self.text, self._origin = "".join(pieces), origin

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters behind the view's [start, end)."""
        if self._origin is None:
            return start, end
        return self._origin[start], self._origin[end - 1] + 1


def digits_of(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit() or c in "Xx").upper()


def mask_id_number(number: str) -> str:
    """Keep the first 6 and last 4 characters (DOMAIN: masking convention)."""
    if len(number) >= 14:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return "*" * max(len(number) - 2, 0) + number[-2:]


def _real_date(text: str) -> bool:
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return 1900 <= int(text[:4]) <= 2100


# First two digits of a resident ID: the province (GB/T 2260); 91/92/93 begin a business's credit code.
_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
                       "71 81 82 83".split())


_ID_LABEL = re.compile(r"身份证|证件|身份号码|公民身份|ID|id")


def _looks_like_id18(digits: str, labelled: bool = False) -> bool:
    """An ID number: a province, a real birth date, and its check digit, or a label saying so, or not a credit code."""
    if len(digits) != 18 or not digits[:17].isdigit() or not _real_date(digits[6:14]):
        return False
    if id_number_problem(digits) is None or labelled:
        return True
    return digits[:2] in _PROVINCES and credit_code_problem(digits) is not None  # a typo'd ID, not a code


def _looks_like_id15(digits: str) -> bool:
    return len(digits) == 15 and digits.isdigit() and digits[:2] in _PROVINCES and _real_date("19" + digits[6:12])


class Scrubber:
    """Finds personal information in one record's texts and masks it; counts what it masked by kind."""

    def __init__(self, name_rule: str, mask_name: Callable[[str, str], str], natural: bool,
                 names: Iterable[str] = (), literals: Iterable[str] = (), public_numbers: Iterable[str] = ()) -> None:
        self.name_rule = name_rule
        self.mask_name = mask_name
        self.natural = natural  # the record's party is a natural person: addresses and plates are theirs
        self.public_numbers = {digits_of(n) for n in public_numbers if digits_of(n)}
        self.counts: Counter[str] = Counter()
        self._names = [c for n in names if len(c := _core(n)) >= 2]
        self._literals = [c for v in literals if len(c := _core(v)) >= 4]

    def scrub(self, text: str) -> str:
        if not text:
            return text
        # Most texts hold nothing personal: look on a quick normal form first, map characters only if needed.
        if not self._detect(quick_view(text)):
            return text
        view = NormalView(text)
        return self._apply(view, self._detect(view.text))

    def _detect(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every finding in a normalised text: (start, end, kind, replacement)."""
        found: list[tuple[int, int, str, str]] = []
        if _NUMBER_LIKE.search(text):
            found += self._numbers(text)
        if "@" in text or "at" in text:
            found += [(m.start(), m.end(), EMAIL, REMOVED) for m in _EMAIL.finditer(text)]
        return found + self._texts(text)

    def _numbers(self, text: str) -> list[tuple[int, int, str, str]]:
        out = []
        for m in _ID18.finditer(text):
            digits = digits_of(m[1])
            if _looks_like_id18(digits, _ID_LABEL.search(text, max(0, m.start(1) - 12), m.start(1)) is not None):
                out.append((m.start(1), m.end(1), ID_NUMBER, mask_id_number(digits)))
        for m in _CARD.finditer(text):
            digits = digits_of(m[1])
            if 16 <= len(digits) <= 19 and not (len(digits) == 18 and credit_code_problem(digits) is None):
                out.append((m.start(1), m.end(1), BANK_CARD, REMOVED))
        for m in _ID15.finditer(text):
            digits = digits_of(m[1])
            if _looks_like_id15(digits):
                out.append((m.start(1), m.end(1), ID_NUMBER, mask_id_number(digits)))
        for pattern in (_MOBILE, _LANDLINE):
            for m in pattern.finditer(text):
                if digits_of(m[1]) not in self.public_numbers:
                    out.append((m.start(1), m.end(1), PHONE, REMOVED))
        return out

    def _texts(self, text: str) -> list[tuple[int, int, str, str]]:
        out = []
        literals = [core for core in self._literals if _has_all(text, core)]
        names = [core for core in self._names if _has_all(text, core)]
        if literals or names:
            compact, where = _compact(text)
            for core in literals:
                out += [(start, end, ADDRESS, REMOVED) for start, end in _occurrences(compact, where, core)]
            for core in names:
                out += [(start, end, NAME, self._masked(text[start:end]))
                        for start, end in _occurrences(compact, where, core)]
        if any(mark in text for mark in _HOME_MARKS):
            for pattern in [_ANY_PARTY_HOME] + ([_OWN_HOME] if self.natural else []):
                out += [(m.start(1), m.end(1), ADDRESS, REMOVED) for m in pattern.finditer(text)]
        if self.natural:
            if _DWELLING_TAIL.search(text):
                out += [(m.start(), m.end(), ADDRESS, REMOVED) for m in _DWELLING.finditer(text)]
            out += [(m.start(), m.end(), PLATE, REMOVED) for m in _PLATE.finditer(text)]
        for m in _RELATED.finditer(text):
            out += self._related(text, m)
        return out

    def _related(self, text: str, m: re.Match[str]) -> list[tuple[int, int, str, str]]:
        """The name after a relation word, and the names listed after it (周某某、吴某某)."""
        out = []
        start, name = m.start(1), _trim_name(m[1])
        while name:
            out.append((start, start + len(name), NAME, self._masked(name)))
            more = _MORE_NAMES.match(text, start + len(name))
            if more is None:
                break
            start, name = more.start(1), _trim_name(more[1])
        return out

    def _masked(self, name: str) -> str:
        return self.mask_name(_core(name), self.name_rule)

    def _apply(self, view: NormalView, found: list[tuple[int, int, str, str]]) -> str:
        """Replace the original spans, longest first where findings overlap."""
        chosen: list[tuple[int, int, str, str]] = []
        for start, end, kind, replacement in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
            if chosen and start < chosen[-1][1]:
                continue
            chosen.append((start, end, kind, replacement))
        if not chosen:
            return view.source
        out, last = [], 0
        for start, end, kind, replacement in chosen:
            o_start, o_end = view.span(start, end)
            if view.source[o_start:o_end] == replacement:
                continue  # already masked (a name rule of "none", or text masked before)
            out += [view.source[last:o_start], replacement]
            last = o_end
            self.counts[kind] += 1
        out.append(view.source[last:])
        return "".join(out)


def _core(text: str) -> str:
    """A name or value without the spaces and dots a clerk may type inside it."""
    return re.sub(r"[\s·•・‧.\-]", "", unicodedata.normalize("NFKC", text))


def _has_all(text: str, core: str) -> bool:
    """Whether every character of `core` is in the text: without this it cannot be written there."""
    return all(c in text for c in core)


def _compact(text: str) -> tuple[str, list[int]]:
    """The text without the spaces and dots a clerk may type inside a name, and where each character was."""
    where = [i for i, c in enumerate(text) if c not in _GAP_CHARS]
    return "".join(text[i] for i in where), where


def _occurrences(compact: str, where: list[int], core: str) -> list[tuple[int, int]]:
    """Each place `core` is written in the text, spaced or dotted as typed: (start, end) in the text."""
    found, start = [], compact.find(core)
    while start >= 0:
        found.append((where[start], where[start + len(core) - 1] + 1))
        start = compact.find(core, start + len(core))
    return found


def _trim_name(name: str) -> str:
    """A name: two or three characters (four after a compound surname); a last one that begins the next
    word is dropped (郑某某证实 → 郑某某, 欧阳霏铖称 → 欧阳霏铖)."""
    core = _core(name)
    longest = 4 if core[:2] in COMPOUND_SURNAMES else 3
    keep = min(len(core), longest)
    if keep == longest and core[keep - 1] in _NAME_STOP:
        keep -= 1
    if keep == len(core):
        return name
    cut, seen = 0, 0
    for i, c in enumerate(name):  # the original span of the first `keep` characters, as typed
        if "\u4e00" <= c <= "\u9fff":
            seen += 1
            if seen == keep:
                cut = i + 1
                break
    return name[:cut]
