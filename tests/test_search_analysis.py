"""The fast analysis (regexes, issue 7) gives exactly the tokens of the character loop that search.js mirrors.

`reference_*` below are the loop of issue 4 as it was, kept here as the specification: search.js does
the same steps, so any difference would make the static fallback and the service disagree.
"""

from __future__ import annotations

import random
import sys
import unicodedata

import pytest

from bench.generate import _Maker
from publisher.site.search import analysis
from publisher.site.search.analysis import (
    MAX_WORD,
    _kind,
    analyze,
    compact,
    han_chars,
    index_keys,
    joints,
    normalize,
    runs,
    tokens,
)


def reference_normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def reference_runs(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    kind, buf, gap = "", [], False
    for ch in reference_normalize(text):
        k = _kind(ch)
        if not k:
            gap = True
            continue
        if k == kind and not (gap and k == "word"):
            buf.append(ch)
        else:
            if buf:
                out.append((kind, "".join(buf)))
            kind, buf = k, [ch]
        gap = False
    if buf:
        out.append((kind, "".join(buf)))
    return out


def reference_run_tokens(kind: str, run: str) -> list[str]:
    if kind == "word":
        return [run[:MAX_WORD]]
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def reference_tokens(text: str) -> list[str]:
    return [t for kind, run in reference_runs(text) for t in reference_run_tokens(kind, run)]


def reference_han_chars(text: str) -> set[str]:
    return {ch for ch in reference_normalize(text) if analysis.is_han(ch)}


def reference_keys(text: str) -> set[str]:
    """matching.doc_terms' text keys as first written: tokens but a lone Han character, Han characters, joints."""
    per_run = [reference_run_tokens(kind, run) for kind, run in reference_runs(text)]
    keys = {t for toks in per_run for t in toks if not (len(t) == 1 and analysis.is_han(t))}
    keys |= reference_han_chars(text)
    return keys | {f"{a[-1]}_{b[0]}" for a, b in zip(per_run, per_run[1:], strict=False)}


def check(text: str) -> None:
    assert normalize(text) == reference_normalize(text), repr(text)
    assert runs(text) == reference_runs(text), repr(text)
    assert tokens(text) == reference_tokens(text), repr(text)
    assert han_chars(text) == reference_han_chars(text), repr(text)
    assert analyze(text) == (tokens(text), han_chars(text)), repr(text)
    assert index_keys(text) == reference_keys(text), repr(text)
    assert compact(text) == "".join(ch for ch in reference_normalize(text) if _kind(ch)), repr(text)


def test_every_code_point_is_classified_as_the_loop_does():
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp < 0xE000:
            continue  # surrogates cannot occur in text read from UTF-8
        ch = chr(cp)
        match = analysis._RUN.fullmatch(ch)
        kind = "" if not match else ("han" if match[1] else "word")
        assert kind == _kind(ch), hex(cp)


def test_full_width_forms_map_as_nfkc_does():
    for cp in [*range(0xFF01, 0xFF5F), 0x3000]:
        assert analysis._FULLWIDTH.sub(analysis._halfwidth, chr(cp)) == unicodedata.normalize("NFKC", chr(cp))


@pytest.mark.parametrize("seed", range(4))
def test_random_mixed_text_gives_the_same_tokens(seed):
    alphabet = ("林森法第七十六条号〇〔〕《》，。：；、（）abcXYZ０１２3４Ｍｍ 　\t\n_-*'\"\\\x00\u200b\u202e"
                "Ⅻⅻ①²½ßİé\u0301\u3099がﬁ㊀㍿豈\U00020000\U0002f800\U000323af\U00030000가각👍")
    rnd = random.Random(seed)
    for _ in range(5000):
        check("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))))


def test_generated_records_give_the_same_tokens():
    maker = _Maker(3)
    for values in [maker.penalty() for _ in range(30)] + [maker.permit() for _ in range(30)]:
        check("\n".join(values.values()))
    check("x" * 500 + "林")
    assert joints("抚林罚决字〔2024〕第12号") == ["决字_2024", "2024_第", "第_12", "12_号"]
