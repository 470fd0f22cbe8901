"""What the last pull found, kept so the next one does only the work a change needs (issue 7).

Two caches in the state folder, each checking itself, so a wrong entry is never used:

- the content scan: each content/ file's metadata and SHA-256, reused while the file's size and
  modification time are the same (a 100k-record site is not read again on every run);
- the plan memo: for each source row (by a hash of its cells), what the rules made of it. A row is
  taken from the memo, on any later run of any day, only when the same configuration and code judged
  it, the clock was not set back since the last run, the judgement's horizon has not come, no embargo
  (公示日期) fell due since, its key and slug are shared with no other row, and its page in content/
  is exactly the one that judgement wrote (same SHA-256) or, for a row not shown, the page is in the
  same state. Anything else is judged afresh, as if there were no memo.

The horizon is the earliest moment time alone could change the judgement (`Decision.until`: an embargo
falling due, a display period or a granted 信用修复 taking effect, a held record becoming overdue or
one more working day overdue), and never past the next 1 January, when the working-day calendar's
coverage of the new year is reported anew. Validation needs none: a row valid today stays valid (its
dates are not in the future), and rejected rows are never kept. What a page shows of today (its first
publication or withdrawal date) is covered by the page's SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from publisher.core.content import ContentPage, content_files, read_summary
from publisher.core.schema import RECORD_TYPES
from publisher.pull.cachedb import open_cache
from publisher.pull.items import Action
from publisher.pull.rows import RawRow

FORMAT = 3
_PUBLISHER = Path(__file__).resolve().parents[1]
_JUDGING_CODE = ("core", "pull")  # what a judgement or a content/ page is made by; not the site or the runs


@functools.cache  # read once per process: the code does not change while it runs
def code_version() -> str:
    """The publisher's own code: a change to a rule, a mask or the Markdown makes every memo stale."""
    digest = hashlib.blake2b(str(FORMAT).encode(), digest_size=16)
    for path in sorted(p for folder in _JUDGING_CODE for p in (_PUBLISHER / folder).rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def row_hash(raw: RawRow) -> str:
    """A row's type, column names and cells, hashed.

    marshal's version 2 is exact for strings, has no back-references (equal rows, equal bytes) and, unlike
    pickle, leaves no cached UTF-8 copy in every cell: 35 MB a 20k first import held until its plan was done."""
    row = (raw.type, tuple(raw.values.items()))
    try:
        data = marshal.dumps(row, 2)
    except ValueError:  # a cell marshal cannot write (no source gives one): pickle, exact for anything
        data = pickle.dumps(row, protocol=5)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def scan_content(content_dir: Path) -> dict[str, dict[str, ContentPage]]:
    """Every page already in content/, by type and key hash, with each file's SHA-256, read from the files
    themselves: the reference content/'s catalog (publisher.core.catalog) is tested against."""
    pages: dict[str, dict[str, ContentPage]] = {t: {} for t in RECORD_TYPES}
    for type_key, entry in content_files(content_dir):
        page = read_summary(entry.path, type_key)
        if page is not None:
            pages[type_key][page.key_hash] = page
    return pages


class Judgement(NamedTuple):
    """What the rules made of one valid row, without where the row was (rows move in a file)."""

    type: str
    key: str
    slug: str  # the record's own slug (duplicates are judged on it too)
    # action, slug, field, rule, reason, kept, masked ((kind, count) pairs)
    item: tuple[str, str | None, str | None, str, str, bool, tuple[tuple[str, int], ...]]
    flags: tuple[tuple[str, str | None, str], ...]  # (kind, field, reason) as for an unchanged page
    text: str | None  # SHA-256 of the page the judgement writes; None for a row not shown
    page_state: str | None  # for a row not shown: the state of its page then ("" for no page)
    publish_at: datetime | None
    until: datetime | None  # the horizon: reused only before it (None: time alone never changes it)
    gaps: tuple[int, ...]  # years its deadline was counted in without holiday data (the run report says so)


# A stored judgement as a run reads it, in plain columns (no object made per row): digest, usable now (1/0), type,
# key, key hash, own slug, page SHA-256 (None: not shown), page state (not shown), report slug, outcome (pickled
# action, field, rule, reason, kept, masked, flags, gaps: one value shared by many rows, decoded once by `outcome`).
Remembered = tuple[str, int, str, str, str, str, str | None, str | None, str | None, bytes]


class PlanMemo:
    """Judgements valid for the same configuration and code until their horizon, in SQLite: each run reads
    the rows SQL finds still within their horizon, in plain columns (no object unpickled per row), and
    writes only the rows it judged afresh.

    Each judgement keeps the time it was made, so one reused on a later run is checked against the
    embargoes that fell due since it was made, not since the last run.
    """

    def __init__(self, path: Path, config_bytes: bytes, now: datetime) -> None:
        self.path = path
        self.now = now
        self.version = hashlib.blake2b(config_bytes + code_version().encode(), digest_size=16).hexdigest()
        self._db = open_cache(path, _MEMO_SCHEMA, "plan-memo")
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        then = datetime.fromisoformat(meta["now"]) if meta.get("now") else None
        usable = meta.get("version") == self.version and then is not None and then <= now
        if not usable:  # another portal.toml or code, or a clock set back: nothing holds
            self._db.execute("DELETE FROM judgements")
        # SQL drops what time alone may have changed: a horizon come, an embargo fallen due since judged.
        rows = self._db.execute(
            "SELECT digest, (until IS NULL OR until > :now) AND NOT (publish_at IS NOT NULL AND "
            "judged_at < publish_at AND publish_at <= :now), type, key, key_hash, slug, text, page_state, "
            "item_slug, outcome FROM judgements", {"now": _instant(now)}).fetchall() if usable else []
        self._stored = [r[0] for r in rows]  # every digest stored, to drop those this run no longer has
        self._before: dict[str, Remembered] = {r[0]: r for r in rows if r[1]}
        # What was judged of the row with this hash, if it still holds at this run's time (a dict's own get:
        # asked once per row, 100k times a run).
        self.get: Callable[[str], Remembered | None] = self._before.get
        self._outcomes: dict[bytes, tuple] = {}
        self._kept: list[str] = []  # what this run reused as it was: stays stored, nothing to write
        self._kept_outcomes: set[bytes] = set()
        self._after: dict[str, tuple] = {}
        # The first of January after this run: the calendar's coverage of a new year is judged anew.
        self._new_year = datetime(now.year + 1, 1, 1, tzinfo=now.tzinfo)

    def outcome(self, data: bytes) -> tuple:
        """A stored outcome: (Action, field, rule, reason, kept, masked, flags, gaps), decoded once per value."""
        found = self._outcomes.get(data)
        if found is None:
            action, *rest = pickle.loads(data)
            found = self._outcomes[data] = (Action(action), *rest)
        return found

    def reused(self) -> int:
        """How many judgements this run took as they were, not judged again."""
        return len(self._kept)

    def reused_gaps(self) -> set[int]:
        """The years without holiday data that the reused judgements counted deadlines in."""
        return {year for data in self._kept_outcomes for year in self.outcome(data)[-1]}

    def horizon(self, until: datetime | None) -> datetime:
        """A decision's horizon as the memo keeps it: never past the next new year."""
        return self._new_year if until is None else min(until, self._new_year)

    def still_true(self, judged: Remembered, page: ContentPage | None) -> bool:
        """The page in content/ is the one this judgement left: the same bytes, or the same state."""
        if judged[6] is not None:
            return page is not None and page.digest == judged[6]
        return (page.state if page else "") == judged[7]

    def reuse(self, judged: list[Remembered]) -> None:
        """Stored judgements this run took as they were: they stay stored, nothing to write."""
        self._kept.extend([j[0] for j in judged])
        self._kept_outcomes.update([j[9] for j in judged])

    def keep(self, digest: str, judged: Judgement, key_hash: str) -> None:
        """Remember a judgement made now: written at save."""
        action, item_slug, field_name, rule, reason, kept, masked = judged.item
        outcome = pickle.dumps((action, field_name, rule, reason, kept, masked, judged.flags, judged.gaps),
                               protocol=pickle.HIGHEST_PROTOCOL)
        self._after[digest] = (
            digest, _instant(self.now), None if judged.until is None else _instant(judged.until),
            None if judged.publish_at is None else _instant(judged.publish_at), judged.type, judged.key,
            key_hash, judged.slug, judged.text, judged.page_state, item_slug, outcome)

    def save(self) -> None:
        """Write the new judgements and drop those of rows this run no longer has (the table would only grow)."""
        gone = [(d,) for d in set(self._stored).difference(self._kept, self._after)]
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM judgements WHERE digest = ?", gone)
            self._db.executemany(f"INSERT OR REPLACE INTO judgements VALUES ({', '.join('?' * 12)})",
                                 self._after.values())
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                ("version", self.version), ("now", self.now.isoformat())])
        self._db.close()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _instant(moment: datetime) -> int:
    """A moment as whole microseconds since 1970 (UTC for an aware one, as read for a naive one): SQL compares it."""
    return (moment - (_EPOCH if moment.tzinfo is not None else _NAIVE_EPOCH)) // _MICROSECOND


_MEMO_SCHEMA = """
CREATE TABLE judgements (
    digest TEXT PRIMARY KEY,     -- the row's hash (row_hash of its cells past the intake)
    judged_at INTEGER NOT NULL,  -- when it was judged, in microseconds (_instant)
    until INTEGER,               -- its horizon: reused only before it
    publish_at INTEGER,          -- its embargo (公示日期): judged afresh once it fell due after judged_at
    type TEXT NOT NULL, key TEXT NOT NULL, key_hash TEXT NOT NULL, slug TEXT NOT NULL,
    text TEXT,                   -- SHA-256 of the page it writes; NULL for a row not shown
    page_state TEXT,             -- for a row not shown: the state of its page then ("" for none)
    item_slug TEXT,              -- the slug its report line names
    outcome BLOB NOT NULL        -- pickled (action, field, rule, reason, kept, masked, flags, gaps): shared by many
) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
