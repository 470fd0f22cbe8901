"""What a first bulk check (批量比对) of 500 lines downloads from the static party index.

Synthesises a province-sized set of party profiles (default 50,000: 100k records at about two per party),
writes the index with publisher.site.party_index, checks 500 lines (names and codes of known parties,
typed with stray spaces and full-width letters, and some unknown ones) as the browser would, and prints
the bytes fetched plain and gzipped, the files fetched and the index's file count.

    python -m bench.party_check --parties 50000
"""

from __future__ import annotations

import argparse
import gzip
import random

from bench.generate import GIVEN, SURNAMES, _Maker
from publisher.site.parties import Party
from publisher.site.party_index import INDEX_URL, check_lines, index_files

FIRM_WORDS = "青山绿水林木森源华盛兴旺鑫达恒通嘉禾永安宏图瑞丰"


def synthetic_parties(count: int, seed: int = 7) -> dict[str, Party]:
    rng = random.Random(seed)
    codes = _Maker(seed)
    parties = {}
    for i in range(count):
        shop = rng.random() < 0.3
        code = codes.credit_code("92990101" if shop else "91990101")
        words = "".join(rng.choice(FIRM_WORDS) for _ in range(4))
        name = (f"示例县{rng.choice(SURNAMES)}{rng.choice(GIVEN)}木材加工厂" if shop
                else f"示例{i % 97}县{words}林业有限公司")
        names = (name, name.replace("有限公司", "有限责任公司")) if rng.random() < 0.1 else (name,)
        parties[code] = Party(code, names, "个体工商户" if shop else "法人及非法人组织", ())
    return parties


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=500)
    args = parser.parse_args()
    parties = synthetic_parties(args.parties)
    files = index_files(parties)
    rng = random.Random(1)
    known = list(parties.values())
    lines = []
    for _ in range(args.lines):
        party = rng.choice(known)
        roll = rng.random()
        lines.append(party.credit_code.lower() if roll < 0.4 else f" {party.names[0]} " if roll < 0.9 else "某某公司")
    fetched: dict[str, int] = {}

    def read(url: str) -> str:
        fetched[url] = len(files[url].encode())
        return files[url]

    answers = check_lines(lines, read)
    plain = sum(fetched.values())
    gz = sum(len(gzip.compress(files[u].encode(), 6)) for u in fetched)
    found = sum(a["found"] for a in answers)
    first = len(files[INDEX_URL].encode())
    print(f"parties {args.parties:,}  index files {len(files):,}  first file {first:,} B")
    print(f"{args.lines} lines ({found} found): {len(fetched)} files fetched, {plain / 1024:,.1f} KB plain, "
          f"{gz / 1024:,.1f} KB gzip")


if __name__ == "__main__":
    main()
