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
import functools
import itertools
import operator
import re
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


_SMALL = [bytes((n,)) for n in range(0x80)]  # one-byte varints, the common case of a delta


@functools.lru_cache(maxsize=4096)  # headers, firsts and container steps: few distinct values, met again and again
def _varint_bytes(n: int) -> bytes:
    out = bytearray()
    varint(n, out)
    return bytes(out)


@functools.cache
def _low_varints() -> tuple[bytes, ...]:
    """The varint of every number below CONTAINER (every low, delta, gap and length), built on first need."""
    return (*_SMALL, *(bytes((n & 0x7F | 0x80, n >> 7)) for n in range(0x80, 0x4000)),
            *(bytes((n & 0x7F | 0x80, n >> 7 & 0x7F | 0x80, n >> 14)) for n in range(0x4000, CONTAINER)))


def _varints(values: list[int]) -> bytes:
    """Varints of numbers below CONTAINER, in C: a table look-up a value."""
    if max(values) < 0x80:  # the common case: one byte a value
        return bytes(values)
    return b"".join(map(_low_varints().__getitem__, values))


def _flags(ids: Sequence[int], start: int, size: int) -> bytearray:
    """A byte per number start … start+size-1: 1 where it is an id (the one Python step an id left)."""
    flags = bytearray(size)
    for i in ids:
        flags[i - start] = 1
    return flags


def _packed(flags: bytearray) -> bytes:
    """0/1 bytes as bits, 8 to a byte, the first in bit 0: the reversed "0"/"1" digits read as one binary number."""
    return int(flags.translate(_DIGITS)[::-1], 2).to_bytes(len(flags) // 8, "little")


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_WIDE_GAP = bytes(0x7F)  # 127 absent numbers between two ids: a delta of 128 or more, two bytes in the array form
_ONES = re.compile(b"\x01+")


def _container(ids: Sequence[int], base: int) -> bytes:
    """One container of ids (all base … base+65535) in its smallest form (the module docstring)."""
    n = len(ids)
    first, last = (ids[0] - base) >> 3, (ids[-1] - base) >> 3
    if last - first + 1 < n:  # dense: more ids than bitmap bytes, so the bitmap likely wins
        dense = _dense(ids, base, first, last)
        if dense is not None:
            return dense
    deltas = [ids[0] - base, *map(operator.sub, ids[1:], ids[:-1])]
    best = _varint_bytes((n - 1) * 4) + _varints(deltas)
    runs = n - deltas.count(1) + (deltas[0] == 1)  # a run starts wherever a number does not follow the one before
    if 2 * runs < len(best):
        starts = [0, *itertools.compress(range(1, n), map(operator.ne, deltas[1:], itertools.repeat(1))), n]
        pairs: list[int] = []
        prev = base
        for a, b in zip(starts, starts[1:], strict=False):
            pairs += (ids[a] - prev, b - a - 1)
            prev = ids[b - 1] + 1
        ran = _varint_bytes((len(starts) - 2) * 4 + 1) + _varints(pairs)
        if len(ran) < len(best):
            best = ran
    if last - first + 1 < len(best):  # a bitmap can only win when it is shorter than the others' bodies
        bitmap = _varint_bytes((last - first) * 4 + 2) + _varint_bytes(first) + _packed(
            _flags(ids, base + first * 8, (last - first + 1) * 8))
        if len(bitmap) < len(best):
            best = bitmap
    return best


def _dense(ids: Sequence[int], base: int, first: int, last: int) -> bytes | None:
    """_container's choice for a dense container, read off its flags (no list of deltas unless the array form
    wins); None when a delta after the first needs two bytes, which _container's general path measures."""
    flags = _flags(ids, base + first * 8, (last - first + 1) * 8)
    if _WIDE_GAP in flags:
        return None
    n, low = len(ids), ids[0] - base
    size = len(_varint_bytes((n - 1) * 4)) + len(_varint_bytes(low)) + n - 1  # the array form: a byte a later delta
    best = None
    runs = flags.count(b"\x00\x01") + flags[0]
    if 2 * runs < size:
        pairs: list[int] = []
        prev = 0
        for m in _ONES.finditer(flags):
            a, b = m.span()
            pairs += (first * 8 + a - prev, b - a - 1)
            prev = first * 8 + b
        best = _varint_bytes((runs - 1) * 4 + 1) + _varints(pairs)
        if len(best) < size:
            size = len(best)
        else:
            best = None
    if last - first + 1 < size:
        bitmap = _varint_bytes((last - first) * 4 + 2) + _varint_bytes(first) + _packed(flags)
        if len(bitmap) < size:
            return bitmap
    if best is None:  # the array form: every delta is one byte
        best = _varint_bytes((n - 1) * 4) + _varint_bytes(low) + bytes(map(operator.sub, ids[1:], ids[:-1]))
    return best


def encode_ids(ids: Sequence[int]) -> bytes:
    """A sorted list of distinct ids, compressed (the module docstring)."""
    n = len(ids)
    if n == 1:  # most terms: one container of one id, always in the array form (never longer than the others)
        high, low = divmod(ids[0], CONTAINER)
        return b"\x01" + _varint_bytes(high) + b"\x00" + _varint_bytes(low)
    if not n:
        return b"\x00"
    parts: list[bytes] = []
    pos, prev = 0, 0
    while pos < n:
        high = ids[pos] // CONTAINER
        base = high * CONTAINER
        end = n if ids[-1] - base < CONTAINER else bisect.bisect_left(ids, base + CONTAINER, pos)
        parts += (_varint_bytes(high - prev), _container(ids[pos:end], base))
        prev, pos = high, end
    return _varint_bytes(len(parts) // 2) + b"".join(parts)


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
    return join_shard((term, encode_ids(ids)) for term, ids in postings)


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
