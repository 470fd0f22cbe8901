"""The static index's binary formats: posting lists, term shards and rank orders (theme/static/js/search.js
decodes the same bytes; tests compare both readers).

Integers are LEB128 varints. A posting list is roaring-style: ids are split into 65536-wide containers
(high = id // 65536), and each container is written in whichever of three forms is smallest:

    array   header (n-1)*4+0, then n varints: each low minus the previous (first minus 0)
    runs    header (r-1)*4+1, then r pairs: start minus the previous run's end, length-1
    bitmap  header (b-1)*4+2, then the first byte's number, then b bytes (bit i of byte j = low (first+j)*8+i)

A list is varint(containers), then per container varint(high minus the previous high) and the container.
A term in every record of a group is then a few bytes, a term in half of them one bit per record, a rare
term one or two bytes per record.

A shard holds the terms hashing to it: varint(bytes of the term block), the term block (the terms in order,
UTF-8, each followed by a comma: one text run, as readable as JSON), then per term varint(list bytes), then
the lists. The comma (never in a term: analysis keeps letters, digits and Han) keeps two terms apart for a
reader of the text too: after a newline, 1942 and 0106 would read as the date 19420106.

A rank order (a group's numbers by rank) is varint(runs), then per run of consecutive descending numbers
zigzag(start minus the previous run's last) and length-1.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable, Sequence

CONTAINER = 65536
TERM_END = ","


def varint(n: int, out: bytearray) -> None:
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)


def read_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, pos
        shift += 7


def _varints(values: list[int]) -> bytes:
    if max(values) < 0x80:  # the common case, in C: one byte a value
        return bytes(values)
    out = bytearray()
    for n in values:
        varint(n, out)
    return bytes(out)


def _container(lows: list[int]) -> bytes:
    """One container in its smallest form (the module docstring); lists, not loops, wherever Python allows."""
    n = len(lows)
    deltas = [lows[0], *map(operator.sub, lows[1:], lows[:-1])]
    head = bytearray()
    varint((n - 1) * 4, head)
    best = bytes(head) + _varints(deltas)
    runs = n - deltas.count(1) + (deltas[0] == 1)  # a run starts wherever a number does not follow the one before
    if 2 * runs < len(best):
        starts = [0, *(k for k in range(1, n) if deltas[k] != 1), n]
        pairs: list[int] = []
        prev = 0
        for a, b in zip(starts, starts[1:], strict=False):
            pairs += (lows[a] - prev, b - a - 1)
            prev = lows[b - 1] + 1
        head = bytearray()
        varint((len(starts) - 2) * 4 + 1, head)
        ran = bytes(head) + _varints(pairs)
        best = min(best, ran, key=len)
    first, last = lows[0] >> 3, lows[-1] >> 3
    if last - first + 1 < len(best):  # a bitmap can only win when it is shorter than the others' bodies
        bits = bytearray(last - first + 1)
        for low in lows:
            bits[(low >> 3) - first] |= 1 << (low & 7)
        bitmap = bytearray()
        varint(len(bits) * 4 - 4 + 2, bitmap)
        varint(first, bitmap)
        bitmap += bits
        best = min(best, bytes(bitmap), key=len)
    return best


def encode_ids(ids: Sequence[int]) -> bytes:
    """A sorted list of distinct ids, compressed (the module docstring)."""
    out = bytearray()
    parts: list[bytes] = []
    pos, prev, count = 0, 0, 0
    while pos < len(ids):
        high = ids[pos] // CONTAINER
        end = bisect.bisect_left(ids, (high + 1) * CONTAINER, pos)
        base = high * CONTAINER
        step = bytearray()
        varint(high - prev, step)
        parts += (bytes(step), _container([i - base for i in ids[pos:end]]))
        prev, pos, count = high, end, count + 1
    varint(count, out)
    return bytes(out) + b"".join(parts)


def decode_ids(data: bytes | memoryview, pos: int = 0) -> list[int]:
    count, pos = read_varint(data, pos)
    ids: list[int] = []
    high = 0
    for _ in range(count):
        step, pos = read_varint(data, pos)
        high += step
        base = high * CONTAINER
        header, pos = read_varint(data, pos)
        kind, n = header & 3, (header >> 2) + 1
        if kind == 0:
            low = 0
            for _ in range(n):
                delta, pos = read_varint(data, pos)
                low += delta
                ids.append(base + low)
        elif kind == 1:
            end = 0
            for _ in range(n):
                gap, pos = read_varint(data, pos)
                length, pos = read_varint(data, pos)
                start = end + gap
                end = start + length + 1
                ids.extend(range(base + start, base + end))
        else:
            first, pos = read_varint(data, pos)
            for j in range(n):
                byte = data[pos + j]
                ids.extend(base + (first + j) * 8 + b for b in range(8) if byte >> b & 1)
            pos += n
    return ids


def encode_shard(postings: Iterable[tuple[str, Sequence[int]]]) -> bytes:
    """Terms (sorted by the caller) and their id lists as one shard file."""
    terms, lists = [], []
    for term, ids in postings:
        terms.append(term)
        lists.append(encode_ids(ids))
    block = "".join(t + TERM_END for t in terms).encode("utf-8")
    out = bytearray()
    varint(len(block), out)
    out += block
    for data in lists:
        varint(len(data), out)
    for data in lists:
        out += data
    return bytes(out)


def decode_shard(data: bytes) -> dict[str, bytes]:
    """A shard's terms and the encoded list of each (decode_ids reads one when asked)."""
    size, pos = read_varint(data, 0)
    terms = data[pos:pos + size].decode("utf-8").split(TERM_END)[:-1]
    pos += size
    sizes = []
    for _ in terms:
        n, pos = read_varint(data, pos)
        sizes.append(n)
    out = {}
    for term, n in zip(terms, sizes, strict=True):
        out[term] = data[pos:pos + n]
        pos += n
    return out


def encode_order(numbers: Sequence[int]) -> bytes:
    """Numbers (a group's ids in rank order) as runs of consecutive descending numbers."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][0] - runs[-1][1] == n:
            runs[-1][1] += 1
        else:
            runs.append([n, 1])
    out = bytearray()
    varint(len(runs), out)
    prev = 0
    for start, length in runs:
        delta = start - prev
        varint(delta * 2 if delta >= 0 else -delta * 2 - 1, out)
        varint(length - 1, out)
        prev = start - length + 1
    return bytes(out)


def decode_order(data: bytes) -> list[int]:
    count, pos = read_varint(data, 0)
    out: list[int] = []
    prev = 0
    for _ in range(count):
        zig, pos = read_varint(data, pos)
        length, pos = read_varint(data, pos)
        start = prev + (zig >> 1 if zig % 2 == 0 else -(zig + 1 >> 1))
        out.extend(range(start, start - length - 1, -1))
        prev = start - length
    return out


def join_shard(lists: Iterable[tuple[str, bytes]]) -> bytes:
    """A shard file from terms (sorted by the caller) and their already encoded lists (a patched shard)."""
    items = list(lists)
    block = "".join(t + TERM_END for t, _ in items).encode("utf-8")
    out = bytearray()
    varint(len(block), out)
    out += block
    for _, data in items:
        varint(len(data), out)
    for _, data in items:
        out += data
    return bytes(out)
