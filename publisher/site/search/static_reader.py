"""Reading the static index as theme/static/js/search.js does, the same steps, counting the bytes a browser
fetches: the tests compare its answers with the service's, and the benches measure a first query with it."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .analysis import Query
from .backend import Hit, Results, field_snippet
from .documents import agency_term
from .matching import exact_key, term_keys, tier_of
from .postings import decode_ids, decode_order, decode_shard
from .static import CHUNK, fnv1a
from .static_files import CHUNK_BITS, FileTable


@dataclass
class StaticReader:
    """Reads the static index as search.js does (the same steps), counting the bytes it fetches.

    `meta`: the meta file the search page names (search/index/meta-<hash>.json).
    """

    meta_path: Path
    fetched: int = 0  # bytes a browser would download (uncompressed)
    fetched_gzip: int = 0  # the same files' gzip twins, as a server with precompressed files sends them

    def __post_init__(self) -> None:
        self._cache: dict[str, object] = {}
        self.files: list[str] = []
        self.root = self.meta_path.parent
        self.meta: dict = json.loads(self._fetch(self.meta_path.name))
        self.table = FileTable.of_meta(self.meta)
        self.groups = {g[0]: g for g in self.meta["groups"]}
        self.bits = self.meta["group_bits"]

    def _get(self, name: str) -> bytes:
        """A file of the index by its name in static.py (t/<n>.bin …), found through the meta's table."""
        where = self.table.where(name)
        if where is None:
            raise FileNotFoundError(f"the index has no {name}")
        return self._fetch(where)

    def _fetch(self, name: str) -> bytes:
        if name not in self._cache:
            path = self.root / name
            data = path.read_bytes()
            twin = path.with_name(path.name + ".gz")
            self.fetched += len(data)
            self.fetched_gzip += twin.stat().st_size if twin.is_file() else len(data)
            self.files.append(name)
            self._cache[name] = data
        return self._cache[name]  # type: ignore[return-value]

    def _shard(self, n: int) -> dict[str, bytes]:
        key = f"shard:{n}"
        if key not in self._cache:
            self._cache[key] = decode_shard(self._get(f"t/{n}.bin"))
        return self._cache[key]  # type: ignore[return-value]

    def postings(self, key: str) -> set[int]:
        data = self._shard(fnv1a(key) % self.meta["shards"]).get(key)
        return set(decode_ids(data)) if data is not None else set()

    def all_of(self, keys: list[str] | tuple[str, ...]) -> set[int]:
        matched: set[int] | None = None
        for key in keys:
            ids = self.postings(key)
            matched = ids if matched is None else matched & ids
        return matched or set()

    def _chunk(self, n: int) -> list:
        key = f"chunk:{n}"
        if key not in self._cache:
            self._cache[key] = json.loads(self._get(f"d/{n}.json"))
        return self._cache[key]  # type: ignore[return-value]

    def _ranked(self, group: int) -> dict[int, int]:
        """A group's numbers -> their place in rank order."""
        return {n: place for place, n in enumerate(decode_order(self._get(f"o/{group}.bin")))}

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10,
               agency: str = "") -> Results:
        keys = term_keys(query)
        if not keys:
            return Results(0)
        exact = self.postings(exact_key(query)) if query.exact else set()
        partial = self.all_of(query.partial)
        matched = self.all_of(keys) | exact | partial
        matched &= self.postings(agency_term(agency)) if agency else matched
        facets: dict[str, dict[str, int]] = {"type": {}, "year": {}}
        buckets: dict[tuple[int, int], list[int]] = defaultdict(list)  # (tier, -group) -> ids
        for i in matched:
            _, t, y, _ = g = self.groups[i >> self.bits]
            facets["type"][t] = facets["type"].get(t, 0) + 1
            facets["year"][y] = facets["year"].get(y, 0) + 1
            if (not type or t == type) and (not year or y == year):
                buckets[tier_of(t, i in exact, i in partial), -g[0]].append(i)
        start, end = (page - 1) * page_size, page * page_size
        shown: list[int] = []
        offset = 0
        for (_, minus_group), ids in sorted(buckets.items()):
            if offset < end and offset + len(ids) > start:  # only the groups on this page need their order
                place = self._ranked(-minus_group) if len(ids) > 1 else {}
                low = (1 << self.bits) - 1
                ids.sort(key=lambda i: place.get(i & low, 0))
                shown += ids[max(0, start - offset):end - offset]
            offset += len(ids)
        hits = []
        for i in shown:
            url, heading, date, fields = self._chunk(i // CHUNK)[i % CHUNK]
            label, text = field_snippet([(self.meta["labels"][n], value) for n, value in fields], query)
            hits.append(Hit(url, heading, self.groups[i >> self.bits][1], date, text, label))
        return Results(offset, tuple(hits), facets)

    def close(self) -> None:
        pass


def current_meta(site: Path) -> Path:
    """The meta of the static index a built site's search page names."""
    page = (site / "search" / "index.html").read_text(encoding="utf-8")
    url = page.split('data-static-index="', 1)[1].split('"', 1)[0]
    return site / url.lstrip("/")


def logical_files(meta_path: Path) -> dict[str, bytes]:
    """An index as search.js sees it, wherever its files lie: meta without its table and build, each file by name."""
    reader = StaticReader(meta_path)
    meta = {k: v for k, v in reader.meta.items() if k not in ("files", "build")}
    files = {"meta": json.dumps(meta, sort_keys=True).encode()}
    table = reader.table
    names = [f"t/{n}.bin" for n in range(len(table.shards))]
    names += [f"o/{g}.bin" for g in table.orders]
    names += [f"d/{g << CHUNK_BITS | c}.json" for g, row in table.chunks.items() for c in range(len(row))]
    for name in names:
        where = table.where(name)
        files[name] = (reader.root / where).read_bytes() if where else b""
    return files
