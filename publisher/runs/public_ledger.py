"""The public ledger: what anyone can check without trusting the agency's server (in the spirit of
Certificate Transparency, RFC 6962).

Each release publishes, under /ledger/:
- manifest.json: every file of the release (path → SHA-256) and the Merkle root over them;
- heads.json: the append-only list of signed heads, one per publication or recovery. A head holds its
  sequence number, time, the previous head's hash, the release's manifest root and the root of the
  record events of the run; it is signed with Ed25519 (the private key stays in the state folder);
- public-key.pem: the key the heads are signed with.
A witness (`portal witness`) keeps the heads it has seen and reports any new list that does not extend
them, a bad signature, or a published file that does not match the manifest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from publisher.core.files import write_atomic
from publisher.runs.ledger import GENESIS, canonical

FOLDER = "ledger"
MANIFEST = f"{FOLDER}/manifest.json"
HEADS = f"{FOLDER}/heads.json"
PUBLIC_KEY = f"{FOLDER}/public-key.pem"
OWN_FILES = (MANIFEST, HEADS, PUBLIC_KEY)  # not in the manifest: they describe it


def _signed_bytes(value: Any) -> bytes:
    """What a hash or signature covers: the ledger's canonical JSON, as UTF-8."""
    return canonical(value).encode("utf-8")


def merkle_root(leaves: Iterable[bytes]) -> str:
    """RFC 6962 Merkle tree hash: leaves hashed with 0x00, nodes with 0x01, split at the largest power of two.

    Built level by level, an odd last node going up as it is: the same tree as the recursive split.
    `leaves` may be an iterator: only their 32-byte hashes are held.
    """
    sha = hashlib.sha256
    level = [sha(b"\x00" + leaf).digest() for leaf in leaves]
    if not level:
        return sha(b"").hexdigest()
    while len(level) > 1:
        pairs = [sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        level = pairs + level[-1:] if len(level) % 2 else pairs
    return level[0].hex()


def manifest_root(files: dict[str, str]) -> str:
    """The Merkle root over a release's files, in path order: `path<TAB>sha256` per leaf."""
    return merkle_root(f"{path}\t{digest}".encode() for path, digest in sorted(files.items())
                       if path not in OWN_FILES)


def events_root(records: list[list[str]]) -> str:
    """The Merkle root over a publication's record events (type, slug, action, content hash, reason)."""
    return merkle_root([_signed_bytes(event) for event in records])


def head_hash(head: dict[str, Any]) -> str:
    return hashlib.sha256(_signed_bytes(head)).hexdigest()


class Signer:
    """The agency's Ed25519 key, made on first use in the state folder (never served)."""

    def __init__(self, state: Path) -> None:
        path = state / "keys" / "ledger-ed25519.pem"
        if path.exists():
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, Ed25519PrivateKey)
        else:
            key = Ed25519PrivateKey.generate()
            write_atomic(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()), mode=0o600)
        self._key = key

    def public_pem(self) -> str:
        return self._key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def sign(self, head: dict[str, Any]) -> dict[str, Any]:
        return {**head, "signature": base64.b64encode(self._key.sign(_signed_bytes(head))).decode()}


def new_head(heads: list[dict[str, Any]], kind: str, time: str, release: str, files_root: str, events: str,
             note: str = "") -> dict[str, Any]:
    """The next head (unsigned): it names the one before by hash, so the list can only grow."""
    head = {"seq": len(heads) + 1, "kind": kind, "time": time, "release": release, "prev": head_hash(heads[-1])
            if heads else GENESIS, "manifest_root": files_root, "events_root": events}
    return {**head, "note": note} if note else head


def check_heads(heads: list[dict[str, Any]], public_pem: str) -> str | None:
    """None when every head is signed by the key and names the one before; else what is wrong."""
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
    except ValueError:
        return "公钥无法读取"
    if not isinstance(key, Ed25519PublicKey):
        return "公钥不是 Ed25519 公钥"
    prev = GENESIS
    for n, head in enumerate(heads, 1):
        body = {k: v for k, v in head.items() if k != "signature"}
        if head.get("seq") != n:
            return f"第{n}个签名头的序号为 {head.get('seq')}：列表被截断或重排"
        if head.get("prev") != prev:
            return f"第{n}个签名头没有接在前一个之后：历史被改写"
        try:
            key.verify(base64.b64decode(head.get("signature", "")), _signed_bytes(body))
        except (InvalidSignature, ValueError):
            return f"第{n}个签名头的签名无效"
        prev = head_hash(head)
    return None


def extends(seen: list[dict[str, Any]], heads: list[dict[str, Any]]) -> str | None:
    """None when `heads` keeps every head a witness saw, unchanged and in order; else what happened."""
    if len(heads) < len(seen):
        return f"签名头从 {len(seen)} 个变为 {len(heads)} 个：已发布的历史被删除（截断）"
    for n, (old, new) in enumerate(zip(seen, heads, strict=False), 1):
        if old != new:
            return f"第{n}个签名头与此前见到的不同：历史被改写或出现分叉"
    return None


def write_public_files(release_dir: Path, files: dict[str, str], root: str, heads: list[dict[str, Any]],
                       public_pem: str, release: str) -> dict[str, str]:
    """Write manifest.json, heads.json and public-key.pem into a release; their SHA-256 by path."""
    written = {
        HEADS: json.dumps({"public_key": public_pem, "heads": heads}, ensure_ascii=False, indent=1).encode(),
        PUBLIC_KEY: public_pem.encode(),
    }
    for path, data in written.items():
        write_atomic(release_dir / path, data)  # a rename: a hard link to the release before keeps its bytes
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in written.items()}
    digests[MANIFEST] = _write_manifest(release_dir / MANIFEST, files, root, release)
    return digests


def manifest_pieces(files: dict[str, str], root: str, release: str) -> Iterator[str]:
    """manifest.json's canonical JSON (`_signed_bytes` of {"files", "release", "root"}) a few thousand files at a
    time: keys sorted, so "files" comes first; a 100k release's manifest is ~30 MB, never held whole."""
    listed = sorted(item for item in files.items() if item[0] not in OWN_FILES)
    # One search over every path and hash instead of one per string: most releases have nothing to escape.
    plain = not (_ESCAPED.search("".join(files)) or _ESCAPED.search("".join(files.values())))
    yield '{"files":{'
    for start in range(0, len(listed), 4096):
        chunk = listed[start:start + 4096]
        yield ("," if start else "") + ('"' + '","'.join(map('":"'.join, chunk)) + '"' if plain else ",".join(
            f"{_json_string(p)}:{_json_string(h)}" for p, h in chunk))
    yield f'}},"release":{canonical(release)},"root":{canonical(root)}}}'


_ESCAPED = re.compile(r'[\x00-\x1f"\\]')  # what json.dumps(ensure_ascii=False) writes otherwise than it is


def _json_string(text: str) -> str:
    """canonical(text) for a string, without json.dumps for the plain ones: 200k calls in a 100k seal."""
    return canonical(text) if _ESCAPED.search(text) else f'"{text}"'


def _write_manifest(path: Path, files: dict[str, str], root: str, release: str) -> str:
    """Write manifest.json by a rename (a hard link to the release before keeps its bytes); its SHA-256."""
    digest = hashlib.sha256()

    def hashed() -> Iterator[bytes]:
        for piece in manifest_pieces(files, root, release):
            data = piece.encode("utf-8")
            digest.update(data)
            yield data

    write_atomic(path, hashed())
    return digest.hexdigest()


def read_heads(path: Path) -> list[dict[str, Any]]:
    """The heads a state copy or a release's heads.json holds; [] when there is none."""
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["heads"])
    except FileNotFoundError:
        return []


def save_heads(state: Path, heads: list[dict[str, Any]], public_pem: str) -> None:
    """The publisher's own copy: the next publication extends exactly this list."""
    write_atomic(state / "heads.json", json.dumps({"public_key": public_pem, "heads": heads}, ensure_ascii=False,
                                                  indent=1).encode())
