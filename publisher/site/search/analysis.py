"""The one text analysis every search mode shares: CJK bigrams, whole Latin/digit runs, one-character queries.

Documents and queries go through the same functions; theme/static/js/search.js mirrors them line by line
for the static fallback, and a browser test checks that both give the same tokens.

- Text is NFKC-normalised and lower-cased, so full-width ９１３５… and Ｍ match 9135… and m.
- A run of Han characters becomes overlapping bigrams (Lucene CJKAnalyzer style); a run of one
  character becomes that character. Punctuation and spaces *between two Han characters* do not
  break the run, so 森林法第七十六条 finds 《中华人民共和国森林法》第七十六条.
- A run of letters and digits stays one token (credit codes, certificate numbers, years).
- Every Han character of a document is also recorded on its own (`chars`), for one-character
  queries and for a lone character at the edge of a query, which a longer run in the document may
  have swallowed into a bigram (`第12号` against `第12号令`).
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from dataclasses import dataclass, field

ANALYZER_VERSION = "2"  # part of every index hash: a change here rebuilds every index
MAX_WORD = 64  # characters; a longer letter/digit run is cut, so one value cannot make a giant token


_HAN_CLASS = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U000323af\u3007"  # is_han, as a regex class
# One match per run: a Han run (anything but letters/digits may sit between its characters) or a letter/digit
# run; [^\W_] is exactly str.isalnum. The regex does in C what the character loop of search.js does.
# Written as Han+ (gap+ Han+)* so the regex engine loops once per gap, not once per character (~2x faster).
_RUN = re.compile(f"([{_HAN_CLASS}]+(?:[\\W_]+[{_HAN_CLASS}]+)*)|([^\\W_{_HAN_CLASS}]+)")
_NOT_HAN = re.compile(f"[^{_HAN_CLASS}]+")  # the gaps inside a Han run (unassigned Han code points are not \w)
_NOT_KEY = re.compile(f"[^\\w{_HAN_CLASS}]|_")  # what compact() drops: neither Han nor str.isalnum
# Full-width ASCII and the ideographic space are most of what NFKC changes in Chinese text; mapped first,
# most records are then already NFKC and skip the slow full normalisation (same result, ~5x faster).
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x323AF or ch == "〇")


def _kind(ch: str) -> str:
    if is_han(ch):
        return "han"
    return "word" if ch.isalnum() else ""


def _halfwidth(match: re.Match[str]) -> str:
    ch = match[0]
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


def normalize(text: str) -> str:
    text = _FULLWIDTH.sub(_halfwidth, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def _han(run: str) -> str:
    """A Han run without the punctuation inside it; a run of letters only (no gap: gaps are never alphabetic) is
    returned as it is, without a regex pass."""
    return run if run.isalpha() else _NOT_HAN.sub("", run)


def _runs(norm: str) -> list[tuple[str, str]]:
    return [("han", _han(han)) if han else ("word", word) for han, word in _RUN.findall(norm)]


def runs(text: str) -> list[tuple[str, str]]:
    """(kind, text) runs of normalised text: 'han' runs join across punctuation, 'word' runs do not."""
    return _runs(normalize(text))


def run_tokens(kind: str, text: str) -> list[str]:
    if kind == "word":
        return [text[:MAX_WORD]]
    if len(text) == 1:
        return [text]
    return list(map(operator.add, text[:-1], text[1:]))  # overlapping bigrams, built in C


def tokens(text: str) -> list[str]:
    """A document's tokens in order; token i sits at position i (phrase queries rely on it)."""
    return [t for kind, run in runs(text) for t in run_tokens(kind, run)]


def analyze(text: str) -> tuple[list[str], set[str]]:
    """`tokens(text)` and `han_chars(text)` with one normalisation: what an index build needs per record."""
    parts = _runs(normalize(text))
    toks = [t for kind, run in parts for t in run_tokens(kind, run)]
    return toks, set("".join(run for kind, run in parts if kind == "han"))


def index_keys(text: str) -> set[str]:
    """A document's text keys for matching.doc_terms, from one pass over its runs: every token except a lone Han
    character, every Han character, and the joint of each two neighbouring runs (see `joints`)."""
    keys: set[str] = set()
    update = keys.update
    ends: list[str] = []  # first and last token of each run, in order
    for han, word in _RUN.findall(normalize(text)):
        if han:
            if len(han) > 1:
                chars = list(_han(han))  # one str a character, shared by the characters and the bigrams
                update(chars)
                update(map(operator.add, chars, chars[1:]))  # overlapping bigrams, built in C
                ends += (chars[0] + chars[1], chars[-2] + chars[-1])
            else:
                keys.add(han)
                ends += (han, han)
        else:
            word = word[:MAX_WORD]
            keys.add(word)
            ends += (word, word)
    update(map("{}_{}".format, ends[1:-1:2], ends[2::2]))  # last token of run i, first of run i+1
    return keys


def joints(text: str) -> list[str]:
    """Last token of a run + first token of the next, for the static index, which has no positions."""
    parts = [run_tokens(k, r) for k, r in runs(text)]
    return [f"{a[-1]}_{b[0]}" for a, b in zip(parts, parts[1:], strict=False)]


def han_chars(text: str) -> set[str]:
    return set("".join(run for kind, run in runs(text) if kind == "han"))


def compact(text: str) -> str:
    """The exact-match form of a value: letters, digits, Han (抚林罚决字〔2024〕第12号 → 抚林罚决字2024第12号)."""
    return _NOT_KEY.sub("", normalize(text))


# 第 before and 号 after the number of a 文号 are left out by many who type one (示林罚决字[2026]18号).
_NUMBER_WORDS = re.compile("第(?=[0-9])|(?<=[0-9])号")
CODE_GRAM = 8  # a partial credit code is found from this many characters on
CODE_MAX = 18  # a 统一社会信用代码's length
_CODE_LIKE = re.compile(f"[0-9a-z]{{{CODE_GRAM},{CODE_MAX}}}")


def match_key(text: str) -> str:
    """The exact-match form of a 文号, code or name, the same for the index and a query: letters, digits and Han
    only, and no 第/号 around a number, so 示林罚决字〔2026〕第18号, 示林罚决字[2026]18号 and 示林罚决字２０２６18
    are one key. theme/static/js/search.js matchKey() is the same function."""
    return _NUMBER_WORDS.sub("", compact(text))


@functools.lru_cache(maxsize=4096)  # a party's code is in its profile and in each of its records
def code_grams(code: str) -> tuple[str, ...]:
    """Every CODE_GRAM-character piece of a credit code's compact form: what a partial code is matched on."""
    key = compact(code)
    return tuple("~" + key[i:i + CODE_GRAM] for i in range(len(key) - CODE_GRAM + 1))


def partial_code_keys(text: str) -> tuple[str, ...]:
    """For a query that looks like part of a credit code (8-18 letters and digits), the pieces that cover it.

    Pieces at 0, 8, 16… and the last one: every character is covered by few keys (3 for a whole code)."""
    key = compact(text)
    if not _CODE_LIKE.fullmatch(key):
        return ()
    starts = [*range(0, len(key) - CODE_GRAM + 1, CODE_GRAM), len(key) - CODE_GRAM]
    return tuple(dict.fromkeys("~" + key[i:i + CODE_GRAM] for i in starts))


@dataclass(frozen=True)
class Term:
    """One space-separated part of a query: a phrase of tokens, plus characters matched anywhere."""

    phrase: tuple[str, ...]
    joints: tuple[str, ...]
    chars: tuple[str, ...]
    source: str  # the normalised text, for highlighting


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = field(default_factory=tuple)
    exact: str = ""  # match_key of the whole query, for decision numbers, codes and names
    partial: tuple[str, ...] = ()  # partial_code_keys of the whole query

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def cost(self) -> int:
        """A rough price: one-character terms walk long posting lists; a long phrase checks many positions.

        A 100-character sentence found in every penalty costs ~1 s at a million records (bench.search_scale),
        so phrases of 64+ tokens count as expensive; a decision number or a law article (~20) does not.
        """
        return sum(1 + 4 * (not t.phrase) + len(t.phrase) // 16 for t in self.terms)


def parse_query(text: str) -> Query:
    """Split on spaces (all parts must match); each part is a phrase of the same tokens documents get."""
    terms = []
    for part in normalize(text).split():
        parts = runs(part)
        if not parts:
            continue
        chars: list[str] = []
        # A lone Han character at either edge may sit inside a longer run in the document.
        if parts[-1][0] == "han" and len(parts[-1][1]) == 1:
            chars.append(parts.pop()[1])
        if parts and parts[0][0] == "han" and len(parts[0][1]) == 1:
            chars.insert(0, parts.pop(0)[1])
        toks = [run_tokens(k, r) for k, r in parts]
        phrase = tuple(t for ts in toks for t in ts)
        joint = tuple(f"{a[-1]}_{b[0]}" for a, b in zip(toks, toks[1:], strict=False))
        terms.append(Term(phrase, joint, tuple(dict.fromkeys(chars)), "".join(r for _, r in runs(part))))
    return Query(tuple(dict.fromkeys(terms)), match_key(text), partial_code_keys(text))


def highlight_pattern(query: Query) -> re.Pattern[str] | None:
    """A regex over normalised text that finds each term, letting punctuation sit between its characters."""
    alternatives = []
    for term in query.terms:
        chars = [re.escape(ch) for ch in term.source]
        if chars:
            alternatives.append(r"[^\w]*".join(chars))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)
    return re.compile("|".join(alternatives))
