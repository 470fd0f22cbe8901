"""The public ledger holds against an insider: each attack is seen by a witness that kept an earlier
head, and by `portal ledger verify` where the agency's own records can show it."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from publisher.core.config import Config, load_config
from publisher.runs.ledger import canonical, entry_hash, ledger_of
from publisher.runs.public_ledger import HEADS, MANIFEST, Signer, check_heads, merkle_root
from publisher.runs.publication import RunFailed, publish, verify_ledger
from publisher.runs.releases import Releases
from publisher.runs.rollback import rollback
from publisher.runs.sealing import recorded_files
from publisher.runs.witness import FOUND, OK, UNCHECKED, verify_page, witness
from publisher.site.serve import make_server
from tests.conftest import SAMPLE_NOW, make_sample_portal, serve_site
from tests.test_runs import change_an_inspection, cli, current


@pytest.fixture
def portal(tmp_path: Path) -> Config:
    config = make_sample_portal(tmp_path / "portal", planted=False)
    config.path.write_text(config.path.read_text(encoding="utf-8").replace("lock_timeout = 60", "lock_timeout = 0"),
                           encoding="utf-8")
    return load_config(config.path)


def site(config: Config) -> Path:
    return config.deploy.path / "current"


def watch(config: Config, tmp_path: Path) -> tuple[int, list[str]]:
    return witness(str(site(config)), tmp_path / "witness.json")


def test_a_release_publishes_its_manifest_and_signed_heads(portal, tmp_path):
    first = publish(portal, SAMPLE_NOW)
    heads = json.loads((site(portal) / HEADS).read_text(encoding="utf-8"))
    manifest = json.loads((site(portal) / MANIFEST).read_text(encoding="utf-8"))
    assert [h["release"] for h in heads["heads"]] == [first.release] and manifest["release"] == first.release
    assert heads["public_key"] == (site(portal) / "ledger" / "public-key.pem").read_text(encoding="utf-8")
    assert check_heads(heads["heads"], heads["public_key"]) is None
    assert "index.html" in manifest["files"] and "penalties/index.html" in manifest["files"]
    assert watch(portal, tmp_path)[0] == OK
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    code, lines = watch(portal, tmp_path)
    assert code == OK and "此前见过 1 个，均未改变" in lines[0] and verify_ledger(portal) == []
    key = portal.paths.state / "keys" / "ledger-ed25519.pem"
    assert oct(key.stat().st_mode & 0o777) == "0o600" and not any(site(portal).rglob("*ed25519*"))


def test_merkle_roots_follow_rfc_6962():
    # RFC 6962 test vectors are over raw leaves; the empty tree and the leaf/node prefixes are what matter here.
    import hashlib

    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    leaf = hashlib.sha256(b"\x00a").digest()
    assert merkle_root([b"a"]) == leaf.hex()
    two = hashlib.sha256(b"\x01" + leaf + hashlib.sha256(b"\x00b").digest()).hexdigest()
    assert merkle_root([b"a", b"b"]) == two
    assert merkle_root([b"a", b"b", b"c"]) != merkle_root([b"a", b"c", b"b"])

    def split(items: list[bytes]) -> bytes:  # RFC 6962 §2.1 as written: split at the largest power of two below n
        if len(items) == 1:
            return hashlib.sha256(b"\x00" + items[0]).digest()
        k = 1 << ((len(items) - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + split(items[:k]) + split(items[k:])).digest()

    for n in [*range(1, 40), 63, 64, 65, 1000]:
        leaves = [str(i).encode() for i in range(n)]
        assert merkle_root(leaves) == split(leaves).hex() == merkle_root(iter(leaves)), n
    assert merkle_root(iter([])) == hashlib.sha256(b"").hexdigest()


_ODD = ["罚款/决定书.html", 'a"b.txt', "b\\c", "tab\there", "line\u2028sep", "ctl\x01", "us\x1f", "del\x7f",
        "emoji😀.svg", "é/ü", ""]
_PLAIN = ["罚款/决定书.html", "line\u2028sep", "del\x7f", "emoji😀.svg", "é/ü", ":", ",", "{}", ""]  # nothing escaped


def test_a_file_list_hashes_as_its_lines_whatever_its_rows_hold():
    """files_hash joins rows by C iterators; a row that is not text (a hand-edited ledger's blob) is formatted as
    the lines always were, never refused."""
    import hashlib

    from publisher.runs.ledger import files_hash

    def lines(rows):
        return hashlib.sha256("".join(f"{p}\t{h}\n" for p, h in sorted(rows)).encode()).hexdigest()

    for rows in ([], [("b", "2"), ("a", "1")], [("", ""), ("a\tb", "c\nd")], [("a", b"\x00"), ("b", "y")],
                 [(f"{n:05d}", str(n)) for n in range(9000)]):
        assert files_hash(rows) == lines(rows)


@pytest.mark.parametrize("odd", [_ODD, _PLAIN], ids=["escaped", "plain"])
@pytest.mark.parametrize("count", [0, 1, 4095, 4096, 4097, 9000])
def test_the_manifest_written_in_pieces_is_the_canonical_json_of_the_whole_list(tmp_path, count, odd):
    """Issue 18 (peak memory): manifest.json and the file list's hash are made a few thousand files at a time;
    byte for byte what the canonical JSON of the whole list and the joined lines give, odd paths included
    (a list with nothing to escape is joined by C string operations, one with anything to escape string by string)."""
    import hashlib
    import random

    from publisher.runs.ledger import files_hash
    from publisher.runs.public_ledger import OWN_FILES, write_public_files

    rng = random.Random(count)
    files = {f"{rng.choice(odd)}{n:05d}/{rng.choice(odd)}": hashlib.sha256(str(n).encode()).hexdigest()
             for n in range(count)}
    files.update({path: "0" * 64 for path in OWN_FILES})  # describe the manifest: never listed in it
    digests = write_public_files(tmp_path, files, "ab" * 32, [], "PEM", "20261201T000000-aaaa")
    whole = {"release": "20261201T000000-aaaa", "root": "ab" * 32,
             "files": {p: h for p, h in files.items() if p not in OWN_FILES}}
    data = (tmp_path / MANIFEST).read_bytes()
    assert data == canonical(whole).encode("utf-8") and json.loads(data) == whole
    assert digests[MANIFEST] == hashlib.sha256(data).hexdigest()
    rows = sorted(files.items())
    assert files_hash(files.items()) == hashlib.sha256("".join(f"{p}\t{h}\n" for p, h in rows).encode()).hexdigest()


def test_a_replaced_page_with_a_recomputed_seal_is_caught(portal, tmp_path):
    publish(portal, SAMPLE_NOW)
    assert watch(portal, tmp_path)[0] == OK
    page = site(portal) / "penalties" / "index.html"
    forged = page.read_bytes().replace("行政处罚".encode(), "行政警告".encode())
    assert forged != page.read_bytes()
    page.unlink()
    page.write_bytes(forged)
    _recompute_last_seal(portal)  # the insider fixes the internal chain too
    assert any("penalties/index.html" in p for p in verify_ledger(portal))
    code, lines = watch(portal, tmp_path)
    assert code == FOUND and any("penalties/index.html" in line for line in lines)


def _recompute_last_seal(config: Config) -> None:
    """An insider with the database: rewrite the last seal's file row and hash so the chain links again."""
    import hashlib

    path = ledger_of(config).path
    with sqlite3.connect(path) as db:
        seq, prev, body = db.execute("SELECT seq, prev, body FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        folder = site(config)
        for name, in db.execute("SELECT path FROM release_files WHERE seq = ?", (seq,)).fetchall():
            target = folder / name
            if target.is_file():
                digest = hashlib.sha256(target.read_bytes()).hexdigest()
                db.execute("UPDATE release_files SET sha256 = ? WHERE seq = ? AND path = ?", (digest, seq, name))
        rows = db.execute("SELECT path, sha256 FROM release_files WHERE seq = ?", (seq,)).fetchall()
        from publisher.runs.ledger import files_hash

        parsed = json.loads(body)
        parsed["changes"] = files_hash(rows)
        parsed["manifest"] = files_hash(rows)
        new_body = canonical(parsed)
        db.execute("UPDATE entries SET body = ?, hash = ? WHERE seq = ?", (new_body, entry_hash(prev, new_body), seq))


def test_a_search_file_changed_in_place_in_the_base_is_still_named_after_the_next_build_keeps_it(portal):
    publish(portal, SAMPLE_NOW)
    before = site(portal).resolve() / "search" / "index"
    twins = sorted(before.rglob("*/t/*.gz"))
    for twin in twins:  # the next build keeps an unchanged file's .gz where it is without reading it
        with open(twin, "r+b") as fh:  # in place: the same inode, so the next release's link carries the bytes along
            first = fh.read(1)
            fh.seek(0)
            fh.write(bytes([first[0] ^ 1]))
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    after = site(portal).resolve() / "search" / "index"
    assert after != before and any((after / p.relative_to(before)).is_file() and
                                   (after / p.relative_to(before)).stat().st_ino == p.stat().st_ino for p in twins)
    [problem] = verify_ledger(portal)
    assert "search/index/" in problem and "哈希不符" in problem


def test_a_page_changed_in_place_in_the_base_and_kept_by_the_next_build_is_caught(portal):
    publish(portal, SAMPLE_NOW)
    folder = next(p for p in sorted((site(portal).resolve() / "penalties").iterdir()) if (p / "index.html").is_file())
    name = f"penalties/{folder.name}/index.html"
    with open(folder / "index.html", "r+b") as fh:  # in place: its folder's mtime stays, the next release links it
        fh.write(b"<!-- x -->")
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    assert (site(portal) / name).stat().st_ino == (folder / "index.html").stat().st_ino
    [problem] = verify_ledger(portal)
    assert name in problem and "哈希不符" in problem


def test_a_base_release_s_files_come_from_its_manifest_only_when_it_is_exactly_what_the_ledger_recorded(portal):
    publish(portal, SAMPLE_NOW)
    ledger, releases = ledger_of(portal), Releases(portal.deploy)
    sealed = ledger.last("seal")
    assert recorded_files(releases, ledger, sealed) == ledger.release_files(sealed)
    path = site(portal) / MANIFEST
    listed = json.loads(path.read_bytes())
    name = sorted(listed["files"])[0]
    listed["files"][name] = "0" * 64
    path.unlink()
    path.write_bytes(canonical(listed).encode())
    assert recorded_files(releases, ledger, sealed) == ledger.release_files(sealed)  # the ledger's rows, not the edit


@pytest.mark.parametrize("odd", [_ODD, _PLAIN], ids=["escaped", "plain"])
def test_a_manifest_is_read_without_a_json_parser_only_when_nothing_in_it_is_escaped(odd):
    """Issue 18: the base release's manifest.json is cut at its quotes when nothing in it is escaped, which gives
    what the JSON parser gives; with anything escaped it is left to the parser. (Any other text an editor left is
    judged by the seal's hash: the tests below.)"""
    import hashlib
    import random

    from publisher.runs.sealing import _plain_manifest

    rng = random.Random(len(odd))
    for count in (0, 1, 2, 50, 500):
        files = {f"{rng.choice(odd)}{n}/{rng.choice(odd)}": hashlib.sha256(str(n).encode()).hexdigest()
                 for n in range(count)}
        data = canonical({"files": files, "release": rng.choice(odd), "root": "ab" * 32}).encode()
        escaped = b"\\" in data
        assert _plain_manifest(data) == (None if escaped else files)
        assert count < 50 or escaped == (odd is _ODD)  # both ways are taken


def test_a_base_release_s_manifest_with_a_raw_quote_in_a_path_is_not_read_as_another_list(portal, monkeypatch):
    """An edit that splits one path into two entries (no backslash, so not parsed as JSON) is caught by the
    seal's hash: the files come from the ledger's rows."""
    publish(portal, SAMPLE_NOW)
    ledger, releases = ledger_of(portal), Releases(portal.deploy)
    sealed = ledger.last("seal")
    path = site(portal) / MANIFEST
    text = path.read_text(encoding="utf-8")
    name = sorted(json.loads(text)["files"])[0]
    forged = text.replace(f'"{name}":', f'"{name}":"{"0" * 64}","{name}.x":', 1)
    path.unlink()
    path.write_text(forged, encoding="utf-8")
    rows: list[int] = []
    real = ledger.release_files
    monkeypatch.setattr(ledger, "release_files", lambda seal: rows.append(seal.seq) or real(seal))
    files = recorded_files(releases, ledger, sealed)
    assert rows == [sealed.seq] and f"{name}.x" not in files and files == real(sealed)


def test_a_base_release_s_plain_manifest_is_read_without_the_json_parser_or_the_ledger_rows(portal, monkeypatch):
    publish(portal, SAMPLE_NOW)
    ledger, releases = ledger_of(portal), Releases(portal.deploy)
    sealed = ledger.last("seal")
    expected = ledger.release_files(sealed)
    import publisher.runs.sealing as sealing

    monkeypatch.setattr(sealing.json, "loads", lambda *a, **k: pytest.fail("parsed as JSON"))
    monkeypatch.setattr(ledger, "release_files", lambda seal: pytest.fail("read from the ledger's rows"))
    assert recorded_files(releases, ledger, sealed) == expected


def test_deleting_the_last_publication_and_repointing_current_is_caught(portal, tmp_path):
    first = publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    assert watch(portal, tmp_path)[0] == OK
    with sqlite3.connect(ledger_of(portal).path) as db:
        last = db.execute("SELECT max(seq) FROM entries").fetchone()[0]
        db.execute("DELETE FROM record_events WHERE seq >= ?", (last - 1,))
        db.execute("DELETE FROM release_files WHERE seq >= ?", (last - 1,))
        db.execute("DELETE FROM entries WHERE seq >= ?", (last - 1,))
    link = portal.deploy.path / "current"
    link.unlink()
    os.symlink(Path("releases") / first.release, link)
    assert verify_ledger(portal) and "被删除" in verify_ledger(portal)[0]
    code, lines = watch(portal, tmp_path)
    assert code == FOUND and any("截断" in line for line in lines)
    with pytest.raises(RunFailed, match="ledger recover"):
        publish(portal, SAMPLE_NOW)


def test_a_rollback_extends_the_public_history_and_deleting_it_is_caught(portal, tmp_path):
    publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    rollback(portal, None)
    code, _ = watch(portal, tmp_path)
    heads = json.loads((site(portal) / HEADS).read_text(encoding="utf-8"))["heads"]
    assert code == OK and [h["kind"] for h in heads] == ["publication", "publication", "rollback"]
    with sqlite3.connect(ledger_of(portal).path) as db:  # the insider deletes the rollback (and its seal)
        last = db.execute("SELECT max(seq) FROM entries").fetchone()[0]
        db.execute("DELETE FROM record_events WHERE seq >= ?", (last - 1,))
        db.execute("DELETE FROM release_files WHERE seq >= ?", (last - 1,))
        db.execute("DELETE FROM entries WHERE seq >= ?", (last - 1,))
    assert verify_ledger(portal)


def test_a_deleted_ledger_stops_publishing_until_a_recorded_recovery(portal, tmp_path):
    publish(portal, SAMPLE_NOW)
    assert watch(portal, tmp_path)[0] == OK
    ledger_of(portal).path.unlink()
    assert verify_ledger(portal) == ["账本文件不存在，但已有发布的版本"]
    with pytest.raises(RunFailed, match="账本可能被删除"):
        publish(portal, SAMPLE_NOW)
    done = cli(portal, "ledger", "recover", "--reason", "服务器迁移时账本丢失，已报司法局备案", "--operator", "王主任")
    assert done.returncode == 0 and "已记录恢复" in done.stdout
    again = publish(portal, SAMPLE_NOW)
    assert again.exit_code in (0, 1)
    code, lines = watch(portal, tmp_path)  # the public history went on: the witness sees no rewrite
    assert code == OK, lines
    kinds = [e.kind for e in ledger_of(portal).entries()]
    assert kinds[0] == "recovery" and kinds[-2:] == ["run", "seal"]


def test_an_edited_old_entry_stops_publishing_and_is_reported(portal):
    publish(portal, SAMPLE_NOW)
    publish(portal, SAMPLE_NOW)
    with sqlite3.connect(ledger_of(portal).path) as db:
        body = json.loads(db.execute("SELECT body FROM entries WHERE seq = 1").fetchone()[0])
        body["operator"] = "别人"
        db.execute("UPDATE entries SET body = ? WHERE seq = 1", (canonical(body),))
    assert "被修改过" in verify_ledger(portal)[0]
    with pytest.raises(RunFailed, match="被修改过"):
        publish(portal, SAMPLE_NOW)
    shown = cli(portal, "ledger", "show")
    assert shown.returncode == 0 and "Traceback" not in shown.stderr


@pytest.mark.parametrize("edit", ["UPDATE record_events SET reason = '改' WHERE rowid = (SELECT min(rowid) FROM "
                                  "record_events)",
                                  "INSERT INTO record_events SELECT 2, type, slug, action, content_hash, reason "
                                  "FROM record_events LIMIT 1",
                                  "DELETE FROM record_events WHERE rowid = (SELECT max(rowid) FROM record_events "
                                  "WHERE seq = 1)"])
def test_an_edited_record_index_stops_publishing(portal, edit):
    """The per-record index of the runs' changes is checked against the entries' bodies on every run: an edited,
    added (under a seal) or deleted row is named, and no run publishes on top of it."""
    publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    with sqlite3.connect(ledger_of(portal).path) as db:
        db.execute(edit)
    [problem] = verify_ledger(portal)
    assert "记录变更索引" in problem
    with pytest.raises(RunFailed, match="记录变更索引"):
        publish(portal, SAMPLE_NOW)


def test_a_rewritten_or_forged_head_is_caught_by_the_witness(portal, tmp_path):
    publish(portal, SAMPLE_NOW)
    change_an_inspection(portal)
    publish(portal, SAMPLE_NOW)
    assert watch(portal, tmp_path)[0] == OK
    path = site(portal) / HEADS
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["heads"][1]["time"] = "2026-01-01T00:00:00"  # changed without the key
    path.unlink()
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, lines = watch(portal, tmp_path)
    assert code == FOUND and any("签名无效" in line for line in lines)
    signer = Signer(portal.paths.state)  # an insider with the key re-signs a different history
    body = {k: v for k, v in doc["heads"][1].items() if k != "signature"}
    doc["heads"][1] = signer.sign(body)
    path.unlink()
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, lines = watch(portal, tmp_path)
    assert code == FOUND and any("改写" in line for line in lines)


def test_one_page_can_be_checked_by_anyone_over_http(portal):
    publish(portal, SAMPLE_NOW)
    server = make_server(site(portal), port=0)
    for base in serve_site(server):
        code, lines = verify_page(f"{base}/penalties/")
        assert code == OK and "签名有效" in lines[0]
        page = site(portal) / "penalties" / "index.html"
        forged = page.read_bytes() + b"<!-- changed -->"
        page.unlink()
        page.write_bytes(forged)
        code, lines = verify_page(f"{base}/penalties/")
        assert code == FOUND and "不符" in lines[0]
        assert verify_page(f"{base}/nope/")[0] == FOUND
    assert verify_page("http://127.0.0.1:9/")[0] == UNCHECKED
    done = cli(portal, "ledger", "verify-page", "http://127.0.0.1:9/")
    assert done.returncode == 2 and "无法核对" in done.stderr


def test_a_witness_exits_with_codes_a_scheduler_can_act_on(portal, tmp_path):
    assert cli(portal, "witness", str(tmp_path / "nothing"), "--state", str(tmp_path / "w.json")).returncode == 2
    publish(portal, SAMPLE_NOW)
    done = cli(portal, "witness", str(site(portal)), "--state", str(tmp_path / "w.json"))
    assert done.returncode == 0 and "一致" in done.stdout
    assert current(portal)


def test_a_citizen_checks_a_page_on_the_ledger_page_in_the_browser(portal, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tests.test_browser import CHROMIUM, SCREENSHOTS

    publish(portal, SAMPLE_NOW)
    server = make_server(site(portal), port=0)
    for base in serve_site(server):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 375, "height": 900})
            errors: list = []
            page.on("console", lambda message: errors.append(message))  # noqa: B023 — one page, used before the loop ends
            page.goto(f"{base}/ledger/", wait_until="networkidle")
            page.fill("#check-page-url", "/penalties/")
            page.click("#check-page button")
            expect(page.locator("#check-result")).to_have_text(re.compile("^一致"), timeout=20000)
            assert "签名有效" in page.text_content("#check-result")
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "ledger-check-375.png"), full_page=True)
            target = site(portal) / "penalties" / "index.html"
            forged = target.read_bytes() + b"<!-- changed -->"
            target.unlink()
            target.write_bytes(forged)
            page.click("#check-page button")
            expect(page.locator("#check-result")).to_have_text(re.compile("^发现问题"), timeout=20000)
            assert "不符" in page.text_content("#check-result")
            assert [m.text for m in errors if m.type == "error"] == []
            browser.close()


def test_the_chain_check_reads_any_body_the_ledger_can_hold(tmp_path):
    """Entry bodies are decoded by orjson for speed; one it refuses (NaN, which canonical JSON writes) or reads
    otherwise than json (an integer past 64 bits) is checked exactly as before."""
    from publisher.runs.ledger import Ledger

    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.append([("recovery", {"problem": float("nan"), "n": 2 ** 80}),
                   ("run", {"run_id": "r", "records": [["penalties", "a", "added", "h", ""]], "n": -2 ** 70})])
    assert ledger.verify_chain() is None
    with sqlite3.connect(ledger.path) as db:
        db.execute("UPDATE record_events SET reason = 'x'")
    assert "记录变更索引" in ledger.verify_chain()
