"""The static index's posting lists keep their bytes: theme/static/js/search.js decodes them, so the fast encoder
(dense containers read off flags, a one-id list written directly) must choose and write exactly what the plain
encoder below — the one first written, kept as the specification — does, and every list must round-trip."""

from __future__ import annotations

import bisect
import random

import pytest

from publisher.site.search.postings import CONTAINER, decode_ids, decode_shard, encode_ids, encode_shard


def varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def reference_container(lows: list[int]) -> bytes:
    deltas = [lows[0], *(b - a for a, b in zip(lows, lows[1:], strict=False))]
    best = varint((len(lows) - 1) * 4) + b"".join(map(varint, deltas))
    runs: list[list[int]] = []
    for low in lows:
        if runs and runs[-1][1] == low - 1:
            runs[-1][1] = low
        else:
            runs.append([low, low])
    ran = varint((len(runs) - 1) * 4 + 1)
    prev = 0
    for start, end in runs:
        ran += varint(start - prev) + varint(end - start)
        prev = end + 1
    if 2 * len(runs) < len(best) and len(ran) < len(best):
        best = ran
    first, last = lows[0] >> 3, lows[-1] >> 3
    if last - first + 1 < len(best):
        bits = bytearray(last - first + 1)
        for low in lows:
            bits[(low >> 3) - first] |= 1 << (low & 7)
        bitmap = varint((last - first) * 4 + 2) + varint(first) + bytes(bits)
        if len(bitmap) < len(best):
            best = bitmap
    return best


def reference_encode(ids: list[int]) -> bytes:
    parts, pos, prev = [], 0, 0
    while pos < len(ids):
        high = ids[pos] // CONTAINER
        end = bisect.bisect_left(ids, (high + 1) * CONTAINER, pos)
        parts.append(varint(high - prev) + reference_container([i - high * CONTAINER for i in ids[pos:end]]))
        prev, pos = high, end
    return varint(len(parts)) + b"".join(parts)


def check(ids: list[int]) -> None:
    data = encode_ids(ids)
    assert data == reference_encode(ids), ids[:20]
    assert decode_ids(data) == ids, ids[:20]


TOP = 2 ** 40  # ids are group << 20 | number, groups a year * 16: below 2**40 for any year before 65536


def test_empty_and_one_id():
    check([])
    assert encode_ids([]) == b"\x00"
    for base in (0, CONTAINER, 2 ** 36, TOP - CONTAINER):
        for low in (0, 1, 7, 8, 127, 128, 1023, 1024, 1025, 16383, 16384, 65535):
            check([base + low])


def test_runs_and_dense_bitmaps():
    check([5, 6, 7, 8])
    check(list(range(70_000, 140_000)))  # runs across two containers
    check(list(range(CONTAINER)))  # a whole container: one run
    check([*range(0, 300), *range(500, 900), 65_535])
    check(list(range(1, 200, 2)))  # every other number: a bitmap
    check([i for i in range(2_000) if i % 7])  # dense with short gaps: a bitmap
    check([0, 1, 2, 3, *range(4, 3_000, 3), *range(3_200, 3_260)])  # runs inside a dense stretch
    check([*range(100, 400, 2), *range(600, 900, 2)])  # dense, but a gap of 200: the general path decides
    check([*range(8, 16), 17])  # a bitmap that starts at a later byte
    check([3, *range(131, 139)])  # a first delta of 3, then a gap of 128
    check(list(range(1_000, 3_000, 2)))  # dense from a first low of two bytes
    check([i for i in range(40_000, 43_000) if i % 5])  # dense from a first low of three bytes
    check([*range(20_000, 20_300), *range(20_400, 20_700)])  # two runs far into the container


def test_ids_near_the_top():
    check([TOP - 1])
    check([TOP - 2, TOP - 1])
    check(list(range(TOP - 300, TOP)))
    check([TOP - CONTAINER - 1, TOP - CONTAINER, TOP - 1])  # two containers, the last one at the top
    check([0, TOP - 1])  # one container at each end


@pytest.mark.parametrize("seed", range(6))
def test_random_lists_match_the_reference(seed):
    rng = random.Random(seed)
    for _ in range(300):
        group = rng.randrange(TOP >> 20) << 20
        size = rng.choice((1, 2, 3, 5, 20, 200, 3_000))
        span = rng.choice((size, 2 * size, 8 * size, 20 * size, 200_000))
        ids = sorted(rng.sample(range(group, group + span), min(size, span)))
        if rng.random() < 0.3:  # some runs
            start = rng.randrange(group, group + 200_000)
            ids = sorted({*ids, *range(start, start + rng.randint(2, 400))})
        check(ids)


def test_shards_hold_the_encoded_lists():
    lists = [("a", [1]), ("b_林", list(range(10, 400, 2))), ("林", [TOP - 1])]
    shard = decode_shard(encode_shard(lists))
    assert {term: decode_ids(data) for term, data in shard.items()} == dict(lists)
