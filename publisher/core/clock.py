"""One clock for people: every time a person reads (pages, ledger, reports, logs, run ids) is in the
agency's configured zone, with its offset written where a machine reads it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_now(timezone: str) -> datetime:
    """Now in the configured zone (aware, whole seconds)."""
    return datetime.now(ZoneInfo(timezone)).replace(microsecond=0)


def stamp(timezone: str) -> str:
    """Now as ISO 8601 with the zone's offset, e.g. 2026-11-24T09:00:05+08:00."""
    return local_now(timezone).isoformat(timespec="seconds")


def run_id(timezone: str, suffix: str) -> str:
    """A run's id: its local start time, then a random suffix (order comes from the ledger)."""
    return f"{local_now(timezone):%Y%m%dT%H%M%S}-{suffix}"
