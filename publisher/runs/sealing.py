"""Sealing a release: its file manifest and signed head on the public site, its entries in the ledger.

Every release that becomes public (a publication, a rollback) is sealed the same way, and nothing is
sealed on top of a chain that does not hold: a broken or missing ledger, or public heads the ledger
does not account for, stop the run until staff run `portal ledger recover`, which is recorded too.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from publisher.core.clock import stamp
from publisher.core.config import Config
from publisher.runs.ledger import Entry, Ledger
from publisher.runs.public_ledger import (
    FOLDER,
    HEADS,
    MANIFEST,
    OWN_FILES,
    Signer,
    events_root,
    head_hash,
    manifest_root,
    new_head,
    read_heads,
    save_heads,
    write_public_files,
)
from publisher.runs.releases import Releases, manifest_hash, scan


def recorded_release(ledger: Ledger) -> str | None:
    """The release the ledger says is public: the last seal's, or the last plain rollback's target."""
    entry = ledger.last_of(("seal", "rollback"))
    if entry is None:
        return None
    return entry.body["release"] if entry.kind == "seal" else entry.body["to"]


def public_heads(config: Config, releases: Releases, ledger: Ledger) -> list[dict[str, Any]]:
    """The signed heads the public site shows now: those of the release the ledger says is public."""
    recorded = recorded_release(ledger) if ledger.path.exists() else None
    path = releases.root / recorded / HEADS if recorded else None
    if path is not None and path.exists():
        return read_heads(path)
    return read_heads(config.paths.state / "heads.json")


def heads_problem(config: Config, releases: Releases, ledger: Ledger) -> str | None:
    """Why the public heads and the ledger (whose own chain holds) do not account for each other, or None."""
    heads = public_heads(config, releases, ledger)
    kept = read_heads(config.paths.state / "heads.json")
    seals = list(ledger.seals()) if ledger.path.exists() else []
    if not seals and (releases.list() or heads or kept):
        return "账本中没有任何发布记录，但已有发布的版本或公开签名头：账本可能被删除或替换"
    if len(kept) > len(heads):
        return (f"发布程序保存的签名头有 {len(kept)} 个，而账本记录的公开版本只有 {len(heads)} 个："
                "最近的发布记录可能被删除，或 current 被改指向旧版本")
    if heads and seals and heads[-1].get("release") != recorded_release(ledger):
        return (f"最后一个公开签名头的版本 {heads[-1].get('release')} 与账本记录的公开版本 "
                f"{recorded_release(ledger)} 不符")
    return None


def chain_problem(config: Config, releases: Releases, ledger: Ledger) -> str | None:
    """Why no release may be sealed now, or None; a problem staff recovered from (recorded) is None."""
    exists = ledger.path.exists()
    problem = (ledger.checked_chain() if exists else None) or heads_problem(config, releases, ledger)
    last = ledger.last("recovery") if exists and problem else None
    if last is not None and last.body.get("problem") == problem:
        return None  # staff looked into exactly this and recorded it
    return problem


def recorded_files(releases: Releases, ledger: Ledger, sealed: Entry) -> dict[str, str]:
    """A sealed release's recorded files (path -> SHA-256), read from its public manifest when that is exactly them.

    The seal's `manifest` (a hash the chain covers) decides: a manifest.json changed in any way falls back to
    the ledger's own rows, whose replay grows with every seal since the first.
    """
    folder = releases.root / sealed.body["release"]
    try:
        data = (folder / MANIFEST).read_bytes()
        files = _plain_manifest(data)
        if files is None:  # a string JSON escapes: parsed as JSON
            files = json.loads(data)["files"]
        files.update({path: hashlib.sha256((folder / path).read_bytes()).hexdigest() for path in OWN_FILES})
        text = "".join(files) + "".join(files.values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ledger.release_files(sealed)
    # Without a tab or newline in any path or hash, the hashed lines name exactly one list: the recorded one.
    if "\t" not in text and "\n" not in text and manifest_hash(files) == sealed.body.get("manifest"):
        return files
    return ledger.release_files(sealed)


_FILES_START, _FILES_END = '{"files":{', '},"release":'


def _plain_manifest(data: bytes) -> dict[str, str] | None:
    """manifest.json's files without a JSON parser, when no string in it is escaped; None when one is.

    Without a backslash, `"` only delimits: the list is its text cut at each `"`, one C split instead of 228k
    decoded objects at 100k. Not a check: `recorded_files` hashes what this gives against the seal.
    """
    text = data.decode("utf-8")
    end = text.rfind(_FILES_END)
    if not text.startswith(_FILES_START) or end < len(_FILES_START) or "\\" in text:
        return None
    parts = text[len(_FILES_START):end].split('"')  # "", path, ":", hash, ",", path, ":", hash, ""
    if parts == [""]:
        return {}
    if len(parts) % 4 != 1 or parts[0] or parts[-1] or set(parts[2::4]) != {":"} or set(parts[4:-1:4]) - {","}:
        return None
    files = dict(zip(parts[1::4], parts[3::4], strict=True))
    return files if len(files) * 4 + 1 == len(parts) else None


def seal(config: Config, releases: Releases, ledger: Ledger, release_dir: Path, release: str,
         entries: list[tuple[str, dict[str, Any]]], records: list[list[str]], kind: str,
         base_seal: Entry | None = None, note: str = "") -> tuple[list[Entry], dict[str, Any]]:
    """Write the release's public ledger files, then append `entries` and the seal in one transaction.

    Returns the ledger entries written and the signed head.
    """
    base_files = recorded_files(releases, ledger, base_seal) if base_seal else {}
    base = base_seal.body["release"] if base_seal else None
    files, dirs = scan(release_dir, base_files, releases.root / base if base else None,
                       releases.load_dirs(base) if base else None)
    signer = Signer(config.paths.state)
    heads = public_heads(config, releases, ledger)
    root = manifest_root(files)
    head = signer.sign(new_head(heads, kind, stamp(config.site.timezone), release, root, events_root(records), note))
    files.update(write_public_files(release_dir, files, root, [*heads, head], signer.public_pem(), release))
    for folder in ("", FOLDER):  # written just now: their mtimes as the next run's copy will keep them
        dirs[folder] = os.lstat(release_dir / folder).st_mtime_ns
    releases.save_dirs(release, dirs)
    written = ledger.append([*entries, ("seal", {
        "run_id": release, "release": release, "manifest": manifest_hash(files), "file_count": len(files),
        "manifest_root": root, "head": head_hash(head),
        "finished": stamp(config.site.timezone)})], release_files=(files, base_seal, base_files))
    save_heads(config.paths.state, [*heads, head], signer.public_pem())
    return written, head


def recovery_entry(problem: str, reason: str, operator: str | None, timezone: str) -> tuple[str, dict[str, Any]]:
    """What `portal ledger recover` records: the problem found, why staff go on, and who says so."""
    return ("recovery", {"problem": problem, "reason": reason, "operator": operator or getpass.getuser(),
                         "time": stamp(timezone)})
