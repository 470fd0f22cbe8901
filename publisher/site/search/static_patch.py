"""Patching the static index (issue 18): a build compares the site's documents (documents.SiteDocuments) with the
previous index's state (static_docs.IndexState) by C-level set operations over {key: digest} maps, then reads,
makes and writes only what changed: the changed documents, the groups they are numbered in, the files they touch.

A patch gives the files a full build (static._write) gives, byte for byte, and the same kind of state; where it
could not be sure to (a key listed twice, a year that is not four digits, too many changes, other labels, another
shard count, a cache that lost a version), it gives None and the caller builds in full.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from .documents import SiteDocuments
from .matching import TYPE_ORDER, rank_of
from .postings import decode_ids, decode_shard, encode_ids, encode_order, join_shard
from .static import (
    CHUNK,
    GROUP_BITS,
    Slot,
    build_or_patch,
    fnv1a,
    group_of,
    index_meta,
    numbered_row,
    shard_count,
)
from .static_docs import CachedDocs, IndexedDoc, IndexState
from .static_files import compact_json

log = logging.getLogger(__name__)
PATCH_SHARE = 0.1  # past this share of documents changed, a full build is cheaper than patching
Patched = tuple[IndexState, dict[str, bytes], dict]


def update_static_index(listing: SiteDocuments, output: Path, keep: int, content_hash: str, slots: list[Slot],
                        cache: Path) -> str:
    """A site's static index, from the previous one and the cache of analysed documents (static_docs.py):
    only the documents whose record changed are made and analysed, and only the files they touch are written."""
    def source() -> CachedDocs:
        return CachedDocs(cache, listing)

    return build_or_patch(output, keep, content_hash, source, slots, patch_index)


def patch_index(source: CachedDocs, slots: list[Slot], known: IndexState,
                read: Callable[[str], bytes | None]) -> Patched | None:
    """The new state, the files (b"": no longer made) and meta by which the previous index (holding `known`, its
    files given by `read`) becomes the index of `source`'s documents; None: build in full (the module docstring)."""
    try:
        return _patch(source, slots, known, read)
    except (KeyError, IndexError, TypeError):  # a kept state that does not fit its own index: only slower
        log.warning("static search index: the kept state does not fit, built in full")
        return None


def _patch(source: CachedDocs, slots: list[Slot], known: IndexState,
           read: Callable[[str], bytes | None]) -> Patched | None:
    listing = source.listing
    digests = dict(zip(listing.keys, listing.digests, strict=True))
    if len(digests) != len(listing):
        return None  # a key listed twice: only a full build numbers both
    changed = {key for key, _ in digests.items() ^ known.digests.items()}
    limit = max(64, PATCH_SHARE * len(digests))
    if len(changed) > limit:
        return None
    fresh = source.entries_of(sorted(map(listing.position.__getitem__, changed & digests.keys())))
    layout = _renumber(known, fresh, changed, slots)
    if layout is None:
        return None
    ids, members, groups, renumbered = layout
    label_sets, label_set, labels = _labels(known, fresh, changed, listing.keys)
    moved = changed | renumbered
    if labels != known.labels or len(moved) > limit:
        return None
    state = IndexState(known.shards, known.term_bytes, known.postings, labels, digests, ids, members, label_sets,
                       label_set, groups, _slot_entries(slots))
    files = _shards(source, known, state, moved, read)
    if files is None or shard_count(state.term_bytes, state.postings) != known.shards:
        return None
    touched = {known.ids[k] for k in moved if k in known.ids} | {ids[k] for k in moved if k in ids}
    files |= _chunks(source, state, moved, touched, read)
    for group in {i >> GROUP_BITS for i in touched}:
        line = members.get(group, ())
        order = [n for _, n in sorted(((m[1], n) for n, m in enumerate(line) if m[3]), reverse=True)]
        files[f"o/{group}.bin"] = encode_order(order) if order else b""
    return state, files, index_meta(len(digests), known.shards, labels, groups)


def _slot_entries(slots: list[Slot]) -> list[list]:
    return [[group_of(s.type, s.year), s.published, rank_of(s.type, s.year, s.date, s.url), s.key] for s in slots]


def _plain(group: int) -> bool:
    """A group whose year is four digits: every document in it has the same year text (and type)."""
    return 1000 <= group >> 4 <= 9999


def _renumber(known: IndexState, fresh: list[IndexedDoc], changed: set[str],
              slots: list[Slot]) -> tuple[dict[str, int], dict[int, list], list[list], set[str]] | None:
    """Ids as static.layout gives them, numbering again only the groups a changed document or slot is in: the
    ids, each group's members by number, meta's groups, and the unchanged documents whose id moved."""
    now = {tuple(s) for s in _slot_entries(slots)}
    before = {tuple(s) for s in known.slots}
    if len(now) != len(slots) or len(before) != len(known.slots):
        return None  # a slot listed twice
    entering: dict[int, list[list]] = defaultdict(list)
    for group, published, rank, key in now - before:
        entering[group].append([published, rank, key, 0])
    kinds: dict[int, list] = {}
    for e in fresh:
        group = group_of(e.type, e.year)
        entering[group].append([e.published, e.rank, e.key, 1])
        kinds[group] = [e.type, e.year]
    counted = {known.ids[k] >> GROUP_BITS for k in changed if k in known.ids} | kinds.keys()
    if not all(map(_plain, counted)) or len(TYPE_ORDER) > 16:
        return None
    gone = before - now
    ids = dict(known.ids)
    for key in changed:
        ids.pop(key, None)
    members, groups = dict(known.members), {g[0]: g for g in known.groups}
    renumbered: set[str] = set()
    for group in counted | {s[0] for s in gone} | entering.keys():
        line = sorted([m for m in known.members.get(group, ())
                       if (m[2] not in changed if m[3] else (group, *m[:3]) not in gone)] + entering.get(group, []))
        if len(line) >= 1 << GROUP_BITS:
            return None  # a full build says so
        base, live = group << GROUP_BITS, 0
        for number, (_, _, key, is_live) in enumerate(line):
            if is_live:
                live += 1
                if ids.get(key) != base + number:
                    renumbered.add(key)
                    ids[key] = base + number
        members[group] = line
        if not line:
            del members[group]
        if group in counted:  # a plain year: the type and year of any of its documents
            kind = groups[group][1:3] if group in groups else kinds[group]
            groups[group] = [group, *kind, live]
            if not live:
                del groups[group]
    return ids, members, sorted(groups.values(), reverse=True), renumbered - changed


def _labels(known: IndexState, fresh: list[IndexedDoc], changed: set[str],
            keys: list[str]) -> tuple[list[list[str]], dict[str, int], list[str]]:
    """The label lists, each document's, and meta's labels (static.labels_of) of the new documents."""
    sets = list(known.label_sets)
    number = {tuple(s): n for n, s in enumerate(sets)}
    label_set = dict(known.label_set)
    for key in changed:
        label_set.pop(key, None)
    for e in fresh:
        n = number.get(e.labels)
        if n is None:
            n = number[e.labels] = len(sets)
            sets.append(list(e.labels))
        label_set[e.key] = n
    used = dict.fromkeys(map(label_set.__getitem__, keys))  # in C: the lists in the order documents first use them
    return sets, label_set, list(dict.fromkeys(label for n in used for label in sets[n]))


def _shards(source: CachedDocs, known: IndexState, state: IndexState, moved: set[str],
            read: Callable[[str], bytes | None]) -> dict[str, bytes] | None:
    """The shards whose lists the moved documents change; `state`'s sizes are set. None: a version is not cached."""
    edits: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))  # key -> (removed, added)
    for key in moved:
        before = after = None
        old_id, new_id = known.ids.get(key), state.ids.get(key)
        if key in known.digests:
            before = source.terms(key, known.digests[key])
            if before is None:
                return None
        if key in state.digests:
            after = source.terms(key, state.digests[key])
            if after is None:
                return None
        if before is not None and after is not None and old_id == new_id:
            before, after = set(before) - set(after), set(after) - set(before)  # same id: only the keys that moved
        for term in before or ():
            edits[term][0].add(old_id)
        for term in after or ():
            edits[term][1].add(new_id)
    files: dict[str, bytes] = {}
    by_shard: dict[int, list[str]] = defaultdict(list)
    for term in edits:
        by_shard[fnv1a(term) % known.shards].append(term)
    for n, terms in by_shard.items():
        lists = decode_shard(read(f"t/{n}.bin") or b"")
        for term in terms:
            removed, added = edits[term]
            had = lists.get(term)
            ids_before = decode_ids(had) if had is not None else []
            ids_after = sorted(set(ids_before) - removed | added)
            state.postings += len(ids_after) - len(ids_before)
            if ids_after:
                lists[term] = encode_ids(ids_after)
                state.term_bytes += 0 if had is not None else len(term.encode()) + 2
            elif had is not None:
                del lists[term]
                state.term_bytes -= len(term.encode()) + 2
        files[f"t/{n}.bin"] = join_shard(sorted(lists.items()))
    return files


def _chunks(source: CachedDocs, state: IndexState, moved: set[str], touched: set[int],
            read: Callable[[str], bytes | None]) -> dict[str, bytes]:
    """The snippet chunks holding a touched id: its new row, or none where no document has it now."""
    number = {label: n for n, label in enumerate(state.labels)}
    by_id = {state.ids[k]: k for k in moved if k in state.ids}
    files: dict[str, bytes] = {}
    for chunk in {i // CHUNK for i in touched}:
        data = read(f"d/{chunk}.json")
        rows = json.loads(data) if data else []
        rows += [None] * (CHUNK - len(rows))
        for place in range(CHUNK):
            if chunk * CHUNK + place in touched:
                key = by_id.get(chunk * CHUNK + place)
                rows[place] = None if key is None else numbered_row(source.row_of(key, state.digests[key]), number)
        while rows and rows[-1] is None:
            rows.pop()
        files[f"d/{chunk}.json"] = compact_json(rows) if rows else b""
    return files
