"""content/agencies.json: on a unified platform, the agencies whose portals it gathers and how each last went.

Written by pull (the `portal` sources, issue 19), read by the site: the one file of content/ that is not a
record. A single agency's portal has none. The site shows from it which agencies take part and when each
one's data was last updated; a record's own agency is in its content file (`content.Origin`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from publisher.core.files import write_if_changed

FILE = "agencies.json"
STATES = ("ok", "unreachable", "refused", "empty")  # refused: signatures or history did not verify


@dataclass(frozen=True)
class AgencyStatus:
    key: str  # short key used in slugs, URLs and filters
    name: str
    url: str  # the agency's own portal: where its records' authoritative pages are
    state: str  # one of STATES, for the last run
    checked: str  # ISO time of the last attempt
    updated: str  # ISO time of the agency's last verified ledger head whose records the platform holds
    head: str = ""  # hash of that head
    records: int = 0  # its live records on the platform
    message: str = ""  # for staff, in Chinese: why the last run kept older data


def write_agencies(content_dir: Path, agencies: list[AgencyStatus]) -> bool:
    """Write the list (sorted by key) if it changed; whether it was written."""
    rows = [asdict(a) for a in sorted(agencies, key=lambda a: a.key)]
    text = json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return write_if_changed(content_dir / FILE, text)


def read_agencies(content_dir: Path) -> list[AgencyStatus]:
    """The agencies of a unified platform, by key; [] for a single agency's portal."""
    path = content_dir / FILE
    if not path.is_file():
        return []
    fields = set(AgencyStatus.__dataclass_fields__)
    rows = json.loads(path.read_text("utf-8"))
    return [AgencyStatus(**{k: v for k, v in row.items() if k in fields}) for row in rows]
