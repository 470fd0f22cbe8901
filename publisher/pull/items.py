"""What a run does, as plain data: one item per record (or rejected row), the watches' flags, the plan."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from publisher.core.agencies import AgencyStatus
from publisher.core.content import ContentPage
from publisher.pull.rows import Origin, SourceFailure, SourceNote


class Action(StrEnum):
    ADD = "add"
    CHANGE = "change"
    WITHDRAW = "withdraw"
    HOLD = "hold"
    BLOCK = "block"
    EXCLUDE = "exclude"
    REJECT = "reject"
    UNCHANGED = "unchanged"


VANISHED = "已从数据源删除"


@dataclass
class Item:
    """One line of the report: what happens to one record (or one rejected row) and why."""

    action: Action
    type: str
    key: str | None
    slug: str | None
    origin: Origin | None
    field: str | None = None
    rule: str = ""
    reason: str = ""
    kept_page: bool = False  # an existing page stays as it is although this row cannot be shown
    masked: tuple[tuple[str, int], ...] = ()  # what rule 7 masked in this record: (kind, count), by kind
    text: str | Spooled | None = dataclasses.field(default=None, repr=False)  # the Markdown to write


class Spool:
    """Rendered pages kept in a temporary file between the plan and their writing, not in memory:
    a first import's 100k pages would otherwise all be held at once (issue 18)."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(dir=folder)  # in the state folder: a 100k import's pages are big
        self._end = 0
        weakref.finalize(self, self._file.close)  # closed (and gone) with the last item that points here

    def put(self, text: str) -> Spooled:
        data = text.encode("utf-8")
        self._file.write(data)
        start, self._end = self._end, self._end + len(data)
        return Spooled(self, start, len(data))

    def read(self, start: int, length: int) -> bytes:
        self._file.flush()
        return os.pread(self._file.fileno(), length, start)


class Spooled:
    """A page's Markdown in a Spool: its UTF-8 bytes, read back when written."""

    __slots__ = ("_spool", "_start", "_length")

    def __init__(self, spool: Spool, start: int, length: int) -> None:
        self._spool, self._start, self._length = spool, start, length

    def data(self) -> bytes:
        return self._spool.read(self._start, self._length)

    def __eq__(self, other: object) -> bool:  # items compare by their text, wherever it is kept
        return isinstance(other, Spooled) and self.data() == other.data()

    __hash__ = None  # type: ignore[assignment]


def markdown(text: str | Spooled) -> str | bytes:
    """What to write of an item's text: the string itself, or a spooled page's bytes."""
    return text.data() if isinstance(text, Spooled) else text


@dataclass(frozen=True)
class Flag:
    """A watch's finding for staff: overdue, published late, or outside the discretion range."""

    kind: str  # overdue | late | discretion
    type: str
    key: str
    origin: Origin
    field: str | None
    reason: str


@dataclass
class Plan:
    now: datetime
    content_dir: Path
    items: list[Item] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    stopped: dict[str, str] = field(default_factory=dict)  # type -> why nothing of it is written
    failures: list[SourceFailure] = field(default_factory=list)
    notes: list[SourceNote] = field(default_factory=list)
    calendar_gaps: list[int] = field(default_factory=list)  # years without holiday data
    reused: int = 0  # rows whose judgement the memo kept, not judged again
    fingerprints: dict[str, str] = field(default_factory=dict)  # source -> SHA-256 of what it returned
    state_dir: Path | None = None  # where content/'s catalog lives, which write_plan keeps in step
    agencies: list[AgencyStatus] = field(default_factory=list)  # a unified platform's agencies, for agencies.json
    seen_heads: dict[str, dict] = field(default_factory=dict)  # their verified heads, kept by write_plan
    # content/'s pages as the plan compared with, then (write_plan) as written: what Catalog.pages would answer
    pages: dict[str, dict[str, ContentPage]] | None = field(default=None, repr=False)

    def counts(self) -> Counter[str]:
        return Counter(i.action.value for i in self.items)

    @property
    def exit_code(self) -> int:
        """0 when nothing is rejected, blocked or stopped; 1 otherwise (a scheduler can act on it)."""
        bad = any(i.action in (Action.REJECT, Action.BLOCK) for i in self.items)
        return 1 if bad or self.stopped else 0
