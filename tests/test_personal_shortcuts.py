"""The scrub's shortcuts (cheap checks before the dear patterns) never change what it masks.

Each shortcut in publisher.pull.personal claims to be implied by every finding it lets a text skip. These
tests take the shortcuts away (every check passes, the view is computed the slow way) and compare the
public values of every record of the privacy corpus and of a fuzzed corpus, character for character.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

import publisher.pull.personal as personal
from publisher.pull.redaction import redact_counted
from tests.privacy_corpus import build_corpus

ALWAYS = re.compile("")  # a search that always finds: the shortcut taken away


def _slow_view(text: str) -> str:
    return personal._FORMAT_CHARS.sub("", unicodedata.normalize("NFKC", text))


class _SlowNormalView(personal.NormalView):
    """The view built a character at a time, as before the shortcut."""

    def __init__(self, text: str) -> None:
        self.source = text
        chars, origin = [], []
        for i, ch in enumerate(text):
            if unicodedata.category(ch) == "Cf":
                continue
            for c in unicodedata.normalize("NFKC", ch):
                chars.append(c)
                origin.append(i)
        self.text, self._origin = "".join(chars), origin


def _take_the_shortcuts_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(personal, "_NUMBER_LIKE", ALWAYS)
    monkeypatch.setattr(personal, "_DWELLING_TAIL", ALWAYS)
    monkeypatch.setattr(personal, "_HOME_MARKS", ("",))
    monkeypatch.setattr(personal, "_has_all", lambda text, core: True)
    monkeypatch.setattr(personal, "quick_view", _slow_view)
    monkeypatch.setattr(personal, "NormalView", _SlowNormalView)


def _fuzzed_rows(count: int) -> list[tuple[str, dict[str, str]]]:
    """Decisions whose texts mix what the shortcuts look for: digits and separators, place words, names."""
    rng = random.Random(20261201)
    pieces = ["0571", "138", "0013", "8000", "-", " ", "．", "（", "）", "(", ")", "+86", "转", "－", "\u200b",
              "\u202e", "１", "３", "５", "７", "９", "0", "X", "号", "栋", "单元", "室", "组", "村", "路", "省", "市",
              "镇", "住", "户", "地址", "：", "，", "；", "王", "小", "明", "王 小明", "王·小明", "证人", "其子", "、",
              "e\u0301", "Ａ\u0301", "，\u0338", "ｆｉ", "@", " at ", "qq", ".com", "浙A", "·", "12345", "3301061990",
              "0307", "1234", "2026年11月20日", "第10023号", "(0571) 8800 1234", "+86 (138) 0013 8000",
              "（０５７１）－８８００１２３４", "6222 0212 3456 7890", "330106 19900307 1234"]
    # Every word the patterns start from, so each shortcut meets texts where only its pattern finds something.
    pieces += personal._HOME_WORDS.split("|") + personal._RELATIONS.split("|") + personal._PLACE.split("|")
    pieces += ["住址", "住所地", "住所", "地址", "经常居住地", "：某某镇",
               "某某村3队12号", "红星村二组8号", "某某小区5栋2单元301室", "3-2号"]
    rows = []
    for n in range(count):
        def text() -> str:
            return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        party = rng.choice(["自然人", "个体工商户", "法人"])
        values = {"decision_no": f"示林罚决字〔2026〕第{n}号", "party_name": "王小明", "party_type": party,
                  "facts": text(), "content": text(), "remarks": text(), "basis": text(),
                  "address": rng.choice(["杭州市西湖区文三路88号", "某某村3组12号", ""]),
                  "phone": rng.choice(["13800138000", "0571-88001234", ""]), "bank_account": ""}
        rows.append(("penalties", values))
    return rows


def _public(rows: list[tuple[str, dict[str, str]]]) -> list:
    return [redact_counted(type_key, values, "surname", ["0571-87654321"]) for type_key, values in rows]


def _corpus_rows() -> list[tuple[str, dict[str, str]]]:
    return [(r.type, dict(r.row)) for r in build_corpus().records]


@pytest.mark.parametrize("rows", [_corpus_rows, lambda: _fuzzed_rows(1500)], ids=["privacy corpus", "fuzzed"])
def test_the_shortcuts_mask_exactly_what_the_full_scan_masks(rows, monkeypatch: pytest.MonkeyPatch) -> None:
    records = rows()
    fast = _public(records)
    with monkeypatch.context() as m:
        _take_the_shortcuts_away(m)
        slow = _public(records)
    masked = sum(sum(counts.values()) for _, counts in slow)
    assert masked > 100, "the corpus must give the scrub something to find"
    for (fast_values, fast_counts), (slow_values, slow_counts), (_, typed) in zip(fast, slow, records, strict=True):
        assert fast_values == slow_values, typed
        assert fast_counts == slow_counts, typed


def test_the_quick_view_is_the_view_for_every_mix_of_wide_punctuation_and_combining_marks() -> None:
    rng = random.Random(7)
    alphabet = "，；：（）！？Ａａ1１ 　\u0301\u0338\u20dd\u200b\u202e王e.-"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert personal.quick_view(text) == _slow_view(text), repr(text)
        view, slow = personal.NormalView(text), _SlowNormalView(text)
        assert view.text == slow.text, repr(text)
        spans = [view.span(i, i + 1) for i in range(len(view.text))]
        assert spans == [slow.span(i, i + 1) for i in range(len(slow.text))], repr(text)
