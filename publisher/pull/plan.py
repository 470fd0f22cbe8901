"""A run's plan: read the sources, apply the rules, compare with content/, say what changes.

`make_plan` writes nothing (it is `portal check`); `write_plan` writes what the plan says
(it is `portal pull`). Both share one computation, so check never disagrees with pull.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

from publisher.core.agencies import AgencyStatus, write_agencies
from publisher.core.catalog import content_pages, open_catalog
from publisher.core.config import Config
from publisher.core.content import ContentPage, read_origin, render_notice, render_record, text_digest, write_page
from publisher.core.schema import RECORD_TYPES
from publisher.pull.items import VANISHED, Action, Flag, Item, Plan, Spool, markdown
from publisher.pull.memo import Judgement, PlanMemo, Remembered, code_version
from publisher.pull.reading import ReadRow, SourceChanged, read_rows
from publisher.pull.redaction import redact_counted
from publisher.pull.rows import AgencyOrigin, Problem, RawRow, Record, SourceNote, SourceResult
from publisher.pull.rules import Decision, Outcome, RuleContext, decide
from publisher.pull.safeguards import (
    guard_agency_disappearances,
    guard_mass_withdrawal,
    stop_empty_types,
    stop_failed_types,
)
from publisher.pull.sources import read_sources
from publisher.pull.sources.snapshots import Snapshots
from publisher.pull.validation import (
    agency_of,
    complete_row,
    key_hash,
    legacy_key,
    normalise_key,
    parse_row,
    reject_duplicates,
    scoped_key,
)
from publisher.runs.witness import Report, save_seen

SHOWN = "符合公开条件"  # the reason a record shown by the rules is given


def make_plan(config: Config, now: datetime, allow_empty: bool = False,
              source_result: SourceResult | None = None, allow_mass_withdrawal: bool = False) -> Plan:
    """Everything a run would do, computed without writing anything (but the caches in the state folder).

    `source_result`: what the sources returned, when already read; its rows are used up (emptied)."""
    try:
        return _make_plan(config, now, allow_empty, source_result, allow_mass_withdrawal, remember_files=True)
    except SourceChanged:  # a file changed while the plan was made: read every file afresh
        return _make_plan(config, now, allow_empty, source_result, allow_mass_withdrawal, remember_files=False)


def _make_plan(config: Config, now: datetime, allow_empty: bool, source_result: SourceResult | None,
               allow_mass_withdrawal: bool, remember_files: bool) -> Plan:
    cache = config.paths.state / "cache"
    config_bytes = config.path.read_bytes()
    snapshots = None
    if source_result is None and remember_files:
        version = hashlib.blake2b(config_bytes + code_version().encode(), digest_size=16).hexdigest()
        snapshots = Snapshots(cache / "sources.sqlite", version)
    result = source_result if source_result is not None else read_sources(
        config.sources, config.intake.max_file_mb * 1024 * 1024, snapshots, config.paths, now)
    reading = read_rows(result, config.intake,
                        lambda raw: complete_row(raw, config.site.agency, config.site.agency_code), snapshots)
    plan = Plan(now=now, content_dir=config.paths.content, failures=reading.failures,
                notes=reading.notes, fingerprints=reading.fingerprints, state_dir=config.paths.state)
    existing = content_pages(config.paths.content, config.paths.state)  # from content/'s catalog
    _adopt_legacy_keys(existing, reading.key_cells)
    stop_failed_types(plan, reading.failures)
    stop_empty_types(plan, reading.types, existing, allow_empty)

    ctx = RuleContext(now=now, policy=config.policy)
    memo = PlanMemo(cache / "plan-memo.sqlite", config_bytes, now)
    spool = Spool(config.paths.state)
    records: list[Record] = []
    row_digest: dict[int, str] = {}  # id(record) -> hash of its row, to remember what it was judged
    remembered: list[tuple[ReadRow, Remembered]] = []
    unkeyed_rejects: set[str] = set()
    rejected_keys: dict[str, set[str]] = defaultdict(set)
    for raw, problems in reading.refused:
        _refuse(plan, raw, problems, existing, rejected_keys, unkeyed_rejects)
    rows, reading.rows = reading.rows, []
    rows.reverse()  # each row let go once parsed: its cells live on in its record
    while rows:
        row = rows.pop()
        judged = memo.get(row.digest)
        if judged is not None:
            remembered.append((row, judged))
            continue
        parsed = parse_row(row.raw(), now.date())
        if isinstance(parsed, Record):
            records.append(parsed)
            row_digest[id(parsed)] = row.digest
            continue
        _refuse(plan, row.raw(), parsed, existing, rejected_keys, unkeyed_rejects)
    seen: dict[str, set[str]] = defaultdict(set)
    _reuse_remembered(plan, memo, remembered, records, row_digest, existing, seen, ctx)
    records, duplicates = reject_duplicates(records)
    for rec, problem in duplicates:
        rejected_keys[rec.type].add(key_hash(rec.type, rec.key))
        plan.items.append(Item(Action.REJECT, rec.type, rec.key, rec.slug, rec.origin, problem.field,
                               problem.rule, problem.message, kept_page=_has_live(existing, rec)))

    records.reverse()  # judged in order, each let go once judged: a first import's records are not all held
    while records:
        record = records.pop()
        khash = key_hash(record.type, record.key)
        page = existing[record.type].get(khash)
        own_slug = record.slug
        if page is not None:
            record.slug = page.slug  # a published slug never changes: QR codes point at it
        seen[record.type].add(khash)
        decision = decide(record, ctx)
        item = _item_for(decision, page, config, now)
        _remember(memo, row_digest.pop(id(record)), record, own_slug, decision, item, page, khash)
        if record.type in plan.stopped and item.action in (Action.ADD, Action.CHANGE, Action.WITHDRAW):
            continue
        if item.text is not None:  # written later, kept on disk till then; an unchanged page's is not written
            item.text = None if item.action is Action.UNCHANGED else spool.put(item.text)
        plan.items.append(item)
        plan.flags.extend(_flags(decision, item))
    _withdraw_vanished(plan, existing, seen, rejected_keys, unkeyed_rejects, now, result)
    guard_agency_disappearances(plan, existing, config, result, allow_mass_withdrawal)
    guard_mass_withdrawal(plan, existing, config, allow_mass_withdrawal)
    plan.agencies = count_agency_records(plan, existing, result)
    plan.seen_heads = result.seen_heads
    _summarise_first_import(plan, existing)
    plan.reused = memo.reused()
    plan.pages = existing
    plan.calendar_gaps = sorted(set(ctx.calendar.uncovered_years) | memo.reused_gaps())
    memo.save()
    if snapshots is not None:
        snapshots.commit()
        snapshots.close()
    return plan


def _reuse_remembered(plan: Plan, memo: PlanMemo, remembered: list[tuple[ReadRow, Remembered]],
                      records: list[Record], row_digest: dict[int, str], existing: dict[str, dict[str, ContentPage]],
                      seen: dict[str, set[str]], ctx: RuleContext) -> None:
    """Rows the memo still vouches for become items unjudged; the others are parsed and join `records`."""
    # lists, not generators: counted in C, 100k rows each run
    keys = Counter([(j[2], j[3]) for _, j in remembered] + [(r.type, r.key) for r in records])
    slugs = Counter([(j[2], j[5]) for _, j in remembered] + [(r.type, r.slug) for r in records])
    items, flags = plan.items, plan.flags
    reused: list[Remembered] = []
    for row, judged in remembered:
        _, _, type_, key, khash, slug, text, _, item_slug, outcome = judged
        page = existing[type_].get(khash)
        if not (keys[(type_, key)] == 1 and slugs[(type_, slug)] == 1 and memo.still_true(judged, page)):
            parsed = parse_row(row.raw(), ctx.now.date())  # judged afresh, with the rows not remembered
            if isinstance(parsed, Record):
                records.append(parsed)
                row_digest[id(parsed)] = row.digest
            continue
        reused.append(judged)
        seen[type_].add(khash)
        action, field_name, rule, reason, kept, masked, found, _ = memo.outcome(outcome)
        if text is not None:
            action = Action.UNCHANGED
        elif type_ in plan.stopped and action in (Action.ADD, Action.CHANGE, Action.WITHDRAW):
            continue
        # an unchanged page at the row's current place
        items.append(Item(action, type_, key, page.slug if page is not None else item_slug, row.origin, field_name,
                          rule, reason, kept, masked))
        if found:
            flags.extend(Flag(kind, type_, key, row.origin, f, why) for kind, f, why in found)
    memo.reuse(reused)


def _remember(memo: PlanMemo, digest: str, record: Record, own_slug: str, decision: Decision, item: Item,
              page: ContentPage | None, khash: str) -> None:
    """Keep what the rules made of this row, for the next run to reuse while it stays true."""
    shown = item.text is not None
    as_unchanged = dataclasses.replace(item, action=Action.UNCHANGED) if shown else item
    if item.action is Action.ADD and item.rule == "due":  # the next run finds its page: no longer "due now"
        as_unchanged = dataclasses.replace(as_unchanged, field=None, rule="shown", reason=SHOWN)
    kept = as_unchanged  # what a later run reports of it
    memo.keep(digest, Judgement(
        record.type, record.key, own_slug,
        (item.action.value, kept.slug, kept.field, kept.rule, kept.reason, kept.kept_page, kept.masked),
        tuple((f.kind, f.field, f.reason) for f in _flags(decision, as_unchanged)),
        text_digest(item.text) if shown else None, None if shown else (page.state if page else ""),
        record.get("publish_at"), memo.horizon(decision.until), decision.gaps), khash)


def write_plan(plan: Plan) -> list[Path]:
    """Write every page the plan adds, changes or withdraws; return the paths written."""
    written = []
    by_type: dict[str, list[Path]] = defaultdict(list)
    folders: set[Path] = set()
    for item in plan.items:
        # UNCHANGED was judged by reading the file already: no second read to find it equal again.
        if item.text is None or item.type in plan.stopped or item.action is Action.UNCHANGED:
            continue
        path = write_page(plan.content_dir, item.type, item.slug, markdown(item.text), folders)
        if path is not None:
            written.append(path)
            by_type[item.type].append(path)
    if by_type and plan.state_dir is not None:  # content/'s catalog follows what was written, row by row
        with open_catalog(plan.content_dir, plan.state_dir, refresh=False) as catalog:
            for type_key, paths in by_type.items():
                noted = catalog.note_written(type_key, paths)
                if plan.pages is not None:
                    plan.pages = _with_written(plan.pages, type_key, noted)
    elif by_type:
        plan.pages = None  # no catalog to take the written pages from
    if plan.agencies and write_agencies(plan.content_dir, plan.agencies):
        written.append(plan.content_dir / "agencies.json")
    for path, seen in plan.seen_heads.items():  # an agency's next answer must extend what it showed now
        save_seen(Path(path), seen["source"], Report(heads=seen["heads"], public_key=seen["public_key"]))
    return written


def _with_written(pages: dict[str, dict[str, ContentPage]] | None, type_key: str,
                  written: list[ContentPage]) -> dict[str, dict[str, ContentPage]] | None:
    """The pages compared with, with the pages just written in place of their files' old ones: what the catalog
    answers now, so the ledger's changes need not ask it for 100k pages again. None when a written file's key or
    name is not simply its old page's (a key adopted from its legacy form, two files of one key): ask the catalog."""
    if pages is None:
        return None
    by_key = dict(pages[type_key])
    names = {p.name: k for k, p in by_key.items()}
    for page in written:
        old = by_key.get(page.key_hash)
        if names.get(page.name, page.key_hash) != page.key_hash or (old is not None and old.name != page.name):
            return None
        by_key[page.key_hash] = page
        names[page.name] = page.key_hash
    return {**pages, type_key: by_key}


def _refuse(plan: Plan, raw: RawRow, problems: list[Problem], existing: dict[str, dict[str, ContentPage]],
            rejected_keys: dict[str, set[str]], unkeyed: set[str]) -> None:
    """A row that cannot be used: reported per problem; the page already shown (or its notice) stays."""
    key = _raw_key(raw)
    if key is None:
        unkeyed.add(raw.type)
    else:
        rejected_keys[raw.type].add(key_hash(raw.type, key))
    for problem in problems:
        plan.items.append(_rejected(raw, key, problem.field, problem.rule, problem.message, existing))


def _adopt_legacy_keys(existing: dict[str, dict[str, ContentPage]], key_cells: list[tuple[str, str]]) -> None:
    """Pages published under a key's older identity form (示林罚决字(2024)…) are found under the new one."""
    for type_key, value in key_cells:
        if not value or (key := normalise_key(value)) == (old := legacy_key(value)):
            continue
        pages = existing[type_key]
        new_hash, old_hash = key_hash(type_key, key), key_hash(type_key, old)
        if new_hash not in pages and old_hash in pages:
            pages[new_hash] = pages.pop(old_hash)


def _raw_key(raw: RawRow) -> str | None:
    value = (raw.values.get(RECORD_TYPES[raw.type].natural_key) or "").strip()
    if not value:
        return None
    agency = agency_of(raw)
    return scoped_key(agency.key, normalise_key(value)) if agency else normalise_key(value)


def _has_live(existing: dict[str, dict[str, ContentPage]], record: Record) -> bool:
    page = existing[record.type].get(key_hash(record.type, record.key))
    return page is not None and page.state == "live"


def _rejected(raw: RawRow, key: str | None, field_name: str | None, rule: str, message: str,
              existing: dict[str, dict[str, ContentPage]]) -> Item:
    page = existing[raw.type].get(key_hash(raw.type, key)) if key else None
    if page is not None:  # the last good version, or the withdrawal notice, stays as it is
        message += "（网站上的现有版本保持不变）" if page.state == "live" else "（网站上的撤回说明保持不变）"
    return Item(Action.REJECT, raw.type, key, page.slug if page else None, raw.origin, field_name, rule,
                message, kept_page=page is not None)


def _item_for(decision: Decision, page: ContentPage | None, config: Config, now: datetime) -> Item:
    record = decision.record
    rtype = RECORD_TYPES[record.type]
    finding = decision.deciding
    today = now.date().isoformat()
    khash = page.key_hash if page is not None else key_hash(record.type, record.key)  # a page keeps its identity
    base = dict(type=record.type, key=record.key, slug=record.slug, origin=record.origin)
    live_page = page is not None and page.state == "live"
    if decision.outcome is Outcome.SHOW:
        first = record.get("first_published")  # history migrated from an earlier disclosure system
        published = page.published if page and page.published else (first.isoformat() if first else today)
        page_date = record.get(rtype.date_field) if rtype.date_field else None
        shown, counts = redact_counted(record.type, record.values, config.policy.name_mask,
                                       (config.footer.contact, config.footer.supervision_phone))
        masked = tuple(sorted(counts.items()))
        text = render_record(rtype, record.slug, khash, shown, published,
                             page_date.isoformat() if page_date else published, record.agency)
        action = Action.ADD if page is None else _changed(page, text)
        publish_at = record.get("publish_at")
        if publish_at and action is Action.ADD:  # staff see embargoes lifted by this run
            return Item(action, **base, field="publish_at", rule="due", text=text, masked=masked,
                        reason=f"公示日期 {publish_at:%Y-%m-%d %H:%M} 已到，本次首次公开")
        return Item(action, **base, rule="shown", reason=SHOWN, text=text, masked=masked)
    if decision.outcome is Outcome.WITHDRAW and page is None and not record.get("first_published"):
        assert finding is not None  # revoked or expired before this site ever showed it: nothing to withdraw
        return Item(Action.EXCLUDE, **base, field=finding.field, rule=finding.rule,
                    reason=finding.reason + "（从未公开，不生成撤回说明）")
    if decision.outcome is Outcome.WITHDRAW or (decision.outcome is Outcome.EXCLUDE and page is not None):
        assert finding is not None
        return _notice_item(rtype, record.slug, khash, page, finding.category, finding.reason,
                            finding.rule, finding.field, today, base, record.agency)
    assert finding is not None
    action = {Outcome.HOLD: Action.HOLD, Outcome.BLOCK: Action.BLOCK, Outcome.EXCLUDE: Action.EXCLUDE}[decision.outcome]
    kept = "（网站上的现有版本保持不变）" if live_page else "（网站上的撤回说明保持不变）" if page else ""
    reason = finding.reason + kept
    return Item(action, **base, field=finding.field, rule=finding.rule, reason=reason, kept_page=page is not None)


def _notice_item(rtype, slug: str, khash: str, page: ContentPage | None, category: str, reason: str,
                 rule: str, field_name: str | None, today: str, base: dict, origin: AgencyOrigin | None = None) -> Item:
    same = page is not None and page.state == "withdrawn" and page.reason == category
    withdrawn = page.withdrawn if same and page and page.withdrawn else today
    text = render_notice(rtype, slug, khash, page.published if page else "", withdrawn, category, origin,
                         page.record_date if page else "")
    action = Action.WITHDRAW if page is None or not same else _changed(page, text)
    return Item(action, **base, field=field_name, rule=rule, reason=reason, text=text)


def _changed(page: ContentPage, text: str) -> Action:
    if page.digest == text_digest(text):  # the scan's hash of the file: no second read
        return Action.UNCHANGED
    return Action.WITHDRAW if "State: withdrawn" in text else Action.CHANGE


def _flags(decision: Decision, item: Item) -> list[Flag]:
    record = decision.record
    flags = []
    for f in decision.findings:
        if f.outcome is not None:
            continue
        kind = f.category or f.rule
        if kind == "late" and item.action is not Action.ADD:
            continue  # lateness is judged once, when the record is first shown
        flags.append(Flag(kind, record.type, record.key, record.origin, f.field, f.reason))
    return flags


def count_agency_records(plan: Plan, existing: dict[str, dict[str, ContentPage]],
                         result: SourceResult) -> list[AgencyStatus]:
    """Each federated agency's status with the number of its records live on the platform after this run."""
    if not result.agencies:
        return []
    live = {(t, p.slug): p.state == "live" for t, pages in existing.items() for p in pages.values()}
    for item in plan.items:
        if item.slug and item.type not in plan.stopped and item.action in (Action.ADD, Action.CHANGE, Action.WITHDRAW):
            live[(item.type, item.slug)] = item.action is not Action.WITHDRAW
    counts = Counter(slug.split("-", 1)[0] for (_, slug), shown in live.items() if shown)
    return [dataclasses.replace(a, records=counts[a.key]) for a in result.agencies]


def _summarise_first_import(plan: Plan, existing: dict[str, dict[str, ContentPage]]) -> None:
    """A type's first import brings its history, all of it "late": one note, not a line per record."""
    for type_key, pages in existing.items():
        late = [f for f in plan.flags if f.type == type_key and f.kind == "late"]
        if pages or not late:
            continue
        plan.flags = [f for f in plan.flags if not (f.type == type_key and f.kind == "late")]
        message = (f"首次导入：{len(late)}条历史记录首次公开时已超过法定期限，不逐条提醒；"
                   "此后每次运行对新公开的超期记录逐条提醒")
        plan.notes.append(SourceNote("", RECORD_TYPES[type_key].zh, message))


def _withdraw_vanished(plan: Plan, existing: dict[str, dict[str, ContentPage]], seen: dict[str, set[str]],
                       rejected_keys: dict[str, set[str]], unkeyed: set[str], now: datetime,
                       result: SourceResult) -> None:
    """A live page whose record is gone from the source is withdrawn, unless that is unsafe to judge.

    A federated agency's page is kept while its agency is held; when it is withdrawn, the notice gives
    the agency's own reason and keeps naming the agency."""
    for type_key, pages in existing.items():
        if type_key in plan.stopped:
            continue
        gone = [p for k, p in pages.items() if p.state == "live" and k not in seen[type_key]
                and k not in rejected_keys[type_key] and not result.is_held(type_key, p.slug)]
        if not gone:
            continue
        if type_key in unkeyed:
            plan.notes.append(SourceNote("", type_key, f"有{RECORD_TYPES[type_key].zh}行因缺少或无效的"
                                         f"{RECORD_TYPES[type_key].field(RECORD_TYPES[type_key].natural_key).zh}被拒绝，"
                                         f"无法判断{len(gone)}条已公开记录是否已删除，本次不撤回"))
            continue
        for page in gone:
            base = dict(type=type_key, key=None, slug=page.slug, origin=None)
            category = result.gone_reasons.get((type_key, page.slug), VANISHED)
            agency = read_origin(plan.content_dir / type_key / page.name) if result.agencies else None
            why = "数据源中已无此记录" if agency is None else f"{agency.agency}已撤回此记录（{category}）"
            plan.items.append(_notice_item(RECORD_TYPES[type_key], page.slug, page.key_hash, page, category,
                                           why, "live", None, now.date().isoformat(), base, agency))


