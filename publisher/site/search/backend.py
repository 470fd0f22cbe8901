"""The interface a search engine implements, so a faster one (tantivy) can replace whoosh without touching the rest."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .analysis import Query, highlight_pattern, match_key, normalize
from .documents import SearchDoc

if TYPE_CHECKING:
    from .matching import KnownTerms

SNIPPET_BEFORE = 30  # characters of context before the first match
SNIPPET_LENGTH = 120


@dataclass(frozen=True)
class Hit:
    url: str
    title: str
    type: str
    date: str
    snippet: str  # HTML: escaped text with <mark> around matches, nothing else
    field: str = ""  # the label of the field the snippet shows: the one that matched


@dataclass(frozen=True)
class Results:
    total: int
    hits: tuple[Hit, ...] = ()
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {"type": {}, "year": {}})


class SearchIndex(Protocol):
    """An open index; must be safe to call from several threads."""

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10,
               agency: str = "") -> Results:
        ...

    def close(self) -> None:
        ...


class SearchBackend(Protocol):
    name: str

    def build(self, docs: Iterable[SearchDoc], path: Path, known: KnownTerms | None = None) -> None:
        """Write a complete index of `docs` into the new, empty directory `path`; `known` may give a document's
        keys already analysed (matching.joined_terms)."""
        ...

    def open(self, path: Path) -> SearchIndex:
        ...


class _CharNorm(dict):
    """normalize() of one character by code point, computed once per character: a table for str.translate."""

    def __missing__(self, cp: int) -> str:
        value = self[cp] = normalize(chr(cp))
        return value


_CHAR_NORM = _CharNorm()


def snippet(text: str, query: Query) -> str:
    """A window of `text` around the first match, HTML-escaped, matches wrapped in <mark>."""
    # Normalise character by character so offsets in the normalised text map back to the original.
    norm = text.translate(_CHAR_NORM)
    origin: Sequence[int] = range(len(text))  # no character maps to "", so equal lengths mean one to one
    if len(norm) != len(text):
        origin = [i for i, ch in enumerate(text) for _ in _CHAR_NORM[ord(ch)]]
    pattern = highlight_pattern(query)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(norm) if m.end() > m.start()] \
        if pattern else []
    start = max(0, spans[0][0] - SNIPPET_BEFORE) if spans else 0
    end = min(len(text), start + SNIPPET_LENGTH)
    out, pos = [], start
    for a, b in spans:
        if a < pos or a >= end:
            continue
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    if pos < end:
        out.append(html.escape(text[pos:end]))
    body = "".join(out).replace("\n", " · ")
    return ("…" if start else "") + body + ("…" if end < len(text) else "")


def field_snippet(shown: Sequence[Sequence[str]], query: Query) -> tuple[str, str]:
    """(label, snippet) of the field that matched: the one equal to the query's exact key, else the first
    where a term is found, else the first field unmarked. search.js fieldSnippet() is the same function."""
    if not shown:
        return "", ""
    if query.exact:
        for label, value in shown:
            if match_key(value) == query.exact:
                return label, f"<mark>{html.escape(value)}</mark>"
    for label, value in shown:
        marked = snippet(value, query)
        if "<mark>" in marked:
            return label, marked
    label, value = shown[0]
    return label, snippet(value, query)
