"""The compact party index behind the bulk check (批量比对), for the static site and `portal serve` alike.

Every name a party has had and its credit code are keys, matched after `normalise_key`. Keys are
spread over shards by FNV-1a of the key's UTF-8 bytes, so a check downloads the small first file
and only the shards its lines fall in; theme/static/js/parties-check.js mirrors these two functions
(a test compares them). Only parties with a profile are in it, so never a natural person.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from publisher.site.parties import Party
from publisher.site.search.static import fnv1a  # one hash for both static indexes; the JS mirrors it

CHECK_URL = "/parties/check/"
INDEX_URL = CHECK_URL + "index.json"  # the first file: how many shards (a few hundred bytes at any size)
SHARD_KEYS = 4  # keys per shard at most, on average: 500 lines fetch under 300 KB at 50k parties (bench/party_check.py)
MAX_LINES = 500  # lines a check answers at once
MAX_LINE = 200  # characters of a line kept: no name or code is longer
# Brackets typed in any form match the round ASCII ones (NFKC has already made （） into ()).
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")"})
_DROPPED = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")


def normalise_key(text: str) -> str:
    """A line as compared: full-width to half-width, no spaces, any bracket round, Latin letters upper case."""
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text).translate(_BRACKETS)).upper()


def shard_count(keys: int) -> int:
    """A power of two, so each shard holds about SHARD_KEYS keys at most."""
    n = 1
    while keys > n * SHARD_KEYS:
        n *= 2
    return n


def party_entry(party: Party) -> list[Any]:
    """[credit code, current name, type, live penalties, live permits, live inspections]."""
    counts = party.counts
    return [party.credit_code, party.name, party.party_type, counts.get("penalties", 0), counts.get("permits", 0),
            counts.get("inspections", 0)]


def index_keys(parties: Iterable[Party]) -> dict[str, list[Party]]:
    """Normalised key -> the parties it names: a code names one, a name two or more parties may share."""
    keys: dict[str, list[Party]] = {}
    for party in parties:
        for key in dict.fromkeys([normalise_key(party.credit_code), *map(normalise_key, party.names)]):
            keys.setdefault(key, []).append(party)
    return keys


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def index_files(parties: Mapping[str, Party]) -> dict[str, str]:
    """Site URL -> text of the first file and every shard."""
    keys = index_keys(parties.values())
    n = shard_count(len(keys))
    shards: list[dict[str, list[list[Any]]]] = [{} for _ in range(n)]
    for key in sorted(keys):
        shards[fnv1a(key) % n][key] = [party_entry(p) for p in keys[key]]
    files = {shard_url(i): _dumps(shard) for i, shard in enumerate(shards)}
    # No per-shard versions: at province scale their list alone would outweigh the shards a check reads.
    files[INDEX_URL] = _dumps({"shards": n, "parties": len(parties), "max_lines": MAX_LINES,
                               "fields": ["credit_code", "name", "party_type", "penalties", "permits", "inspections"]})
    return files


def shard_url(number: int) -> str:
    return f"{CHECK_URL}shard-{number}.json"


def check_lines(lines: Iterable[str], read: Any) -> list[dict[str, Any]]:
    """Answer each non-blank line (up to MAX_LINES); `read(url)` gives an index file's text.

    `portal serve` calls this with the built output's files, the static page does the same in JS."""
    first = json.loads(read(INDEX_URL))
    wanted = [line.strip()[:MAX_LINE] for line in lines if line.strip()][:MAX_LINES]
    shards: dict[int, dict[str, list[list[Any]]]] = {}
    answers = []
    for line in wanted:
        key = normalise_key(line)
        number = fnv1a(key) % first["shards"]
        if number not in shards:
            shards[number] = json.loads(read(shard_url(number)))
        matches = [_match(entry) for entry in shards[number].get(key, ())]
        answers.append({"line": line, "found": bool(matches), "parties": matches})
    return answers


def _match(entry: list[Any]) -> dict[str, Any]:
    code, name, party_type, penalties, permits, inspections = entry
    return {"credit_code": code, "name": name, "party_type": party_type, "penalties": penalties, "permits": permits,
            "inspections": inspections, "url": f"/parties/{code}/"}


def read_output(output: Path) -> Any:
    """A `read` for check_lines over a built output folder."""
    def read(url: str) -> str:
        return (output / url.lstrip("/")).read_text(encoding="utf-8")
    return read


API_URL = "/api/parties"
MAX_BODY = 256 * 1024  # bytes of a POSTed check: 500 long names fit many times over


def api_answer(output: Path, text: str) -> tuple[int, dict[str, Any]]:
    """`portal serve`'s /api/parties: the same answers as the bulk check page, for lines of text."""
    try:
        answers = check_lines(text.splitlines(), read_output(output))
    except FileNotFoundError:
        return 404, {"error": "本站未生成当事人比对索引"}
    return 200, {"max_lines": MAX_LINES, "answers": answers}
