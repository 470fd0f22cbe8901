"""The boundary between the source readers and validation: every value is hostile until cleaned here.

Control characters and every Unicode line or paragraph separator, bidi override and zero-width
character are taken out of a value (a line separator becomes a plain line break, which list cells
use); each change is reported per cell, so staff can correct the source. A cell, or a row, over its
size limit rejects the row with file, row and field; the other rows go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from publisher.core.config import IntakeConfig
from publisher.core.schema import RECORD_TYPES
from publisher.core.text import INVISIBLE
from publisher.pull.rows import Problem, RawRow, SourceNote, SourceResult

# Line and paragraph separators a clerk's tools insert (Word's soft return, U+2028/2029, NEL …).
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Other C0/C1 controls (NUL, backspace, escape …); tab and line feed are plain text.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


@dataclass
class Intake:
    """The rows that passed, the rows refused with their problems, and what was cleaned per cell."""

    rows: list[RawRow] = field(default_factory=list)
    refused: list[tuple[RawRow, list[Problem]]] = field(default_factory=list)
    notes: list[SourceNote] = field(default_factory=list)


def clean_value(text: str) -> tuple[str, list[str]]:
    """The value without hidden characters, and what was taken out (in Chinese, for the report)."""
    changes = []
    if _LINE_BREAKS.search(text):
        if any(c in text for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"):
            changes.append("换行符（如 Word 软回车、U+2028）已改为普通换行")
        text = _LINE_BREAKS.sub("\n", text)
    if _CONTROLS.search(text):
        changes.append("控制字符已删除")
        text = _CONTROLS.sub("", text)
    if INVISIBLE.search(text):
        changes.append("不可见字符（零宽字符、双向文字控制符）已删除")
        text = INVISIBLE.sub("", text)
    return text, changes


def take_in(result: SourceResult, limits: IntakeConfig) -> Intake:
    """Clean every row of a source result; refuse the rows over a size limit."""
    intake = Intake()
    for raw in result.rows:
        cleaned_row, problems, changed = take_in_row(raw, limits)
        intake.notes.extend(cell_notes(raw, changed))
        if problems:
            intake.refused.append((cleaned_row, problems))
        else:
            intake.rows.append(cleaned_row)
    return intake


NoteParts = tuple[tuple[str, str], ...]  # (column label, what was taken out) per cleaned cell


def take_in_row(raw: RawRow, limits: IntakeConfig) -> tuple[RawRow, list[Problem], NoteParts]:
    """One row cleaned, the problems that refuse it, and what was cleaned per cell (for `cell_notes`)."""
    values: dict[str, str] = {}
    problems: list[Problem] = []
    changed: list[tuple[str, str]] = []
    total = 0
    for name, text in raw.values.items():
        cleaned, changes = clean_value(text) if isinstance(text, str) else (text, [])
        values[name] = cleaned
        if changes:
            changed.append((_label(raw.type, name), "；".join(changes)))
        total += len(cleaned or "")
        if cleaned and len(cleaned) > limits.max_cell_chars:
            label = _label(raw.type, name)
            problems.append(Problem(name, "size", f"“{label}”有{len(cleaned)}个字符，超过每个单元格"
                                    f"{limits.max_cell_chars}个字符的上限（intake.max_cell_chars）"))
    if total > limits.max_row_chars:
        problems.append(Problem(None, "size", f"这一行共有{total}个字符，超过每行{limits.max_row_chars}"
                                "个字符的上限（intake.max_row_chars）"))
    return RawRow(raw.type, values, raw.origin), problems, tuple(changed)


def cell_notes(raw: RawRow, changed: NoteParts) -> list[SourceNote]:
    """The notes for staff of what was cleaned in a row's cells, at the row's place."""
    return [SourceNote(raw.origin.source, f"{raw.origin} “{label}”", what) for label, what in changed]


def _label(type_key: str, name: str) -> str:
    rtype = RECORD_TYPES.get(type_key)
    try:
        return rtype.field(name).zh if rtype else name
    except KeyError:
        return name
