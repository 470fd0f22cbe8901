"""The content/ format cannot be forged: no character in a value starts a metadata line of its own.

Every control character, Unicode line break, bidi override and zero-width space, in every text field
of every record type: written by `render_record` and read back (the format alone, with no intake step
in front of it), then end to end through pull and build. The readers are also handed files with raw
separators in a line, which the writer never makes.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from publisher.core import content
from publisher.core.content import (
    Origin,
    load_record,
    parse_metadata,
    read_fields,
    read_metadata,
    read_summary,
    render_notice,
    render_record,
    split_lines,
    title_of,
    write_page,
)
from publisher.core.schema import RECORD_TYPES, Kind, RecordType
from publisher.site.build import build_site
from tests.conftest import SAMPLE_NOW
from tests.factories import FACTORIES

# 0x00-0x1F (\n and \r among them), DEL, NEL, LINE and PARAGRAPH SEPARATOR, RIGHT-TO-LEFT OVERRIDE, ZERO WIDTH SPACE.
HOSTILE = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u200b"]
IDS = [f"U+{ord(c):04X}" for c in HOSTILE]
# What str.splitlines splits on besides "\n": a reader using it would start a line at each.
OTHER_BREAKS = ["\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
RAW_IN_METADATA = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e\u200b]")  # none written raw on a metadata line
RECORD_KEYS = ["title", "date", "slug", "record-type", "state", "published", "key-hash", "fields"]
NOTICE_KEYS = ["title", "date", "slug", "record-type", "state", "published", "withdrawn", "withdrawal-reason",
               "key-hash"]
META_LINE = re.compile(r"([A-Za-z][A-Za-z-]*): ")


def hostile(n: int, ch: str) -> str:
    return f"第{n}项{ch}Slug: ../../../x{ch}State: withdrawn{ch}尾"


def text_fields(rtype: RecordType, public: bool = True) -> list[str]:
    return [f.name for f in rtype.fields if f.kind in (Kind.TEXT, Kind.LIST) and (f.public or not public)]


def one_line(value: str, ch: str) -> str:
    """What a one-line value (the title) keeps of `ch`: a space for a blank, nothing for a control, else itself."""
    if ch.isspace():
        return " ".join(value.replace(ch, " ").split())
    return value.replace(ch, "") if unicodedata.category(ch) == "Cc" else value


def metadata_keys(text: str) -> list[str]:
    head = text.split("\n\n", 1)[0]
    keys = []
    for line in head.split("\n"):
        m = META_LINE.match(line)
        assert m, line
        keys.append(m[1].lower())
    return keys


@pytest.mark.parametrize("ch", HOSTILE, ids=IDS)
@pytest.mark.parametrize("type_key", RECORD_TYPES)
def test_a_hostile_character_in_any_text_field_stays_inside_its_field(tmp_path, type_key, ch):
    rtype = RECORD_TYPES[type_key]
    value = hostile(1, ch)
    values = {name: [value, value] if rtype.field(name).kind is Kind.LIST else value for name in text_fields(rtype)}
    text = render_record(rtype, "own-slug", "0123456789abcdef", values, "2026-11-24", "2026-11-10")
    head, body = text.split("\n\n", 1)
    assert metadata_keys(text) == RECORD_KEYS
    assert not any(RAW_IN_METADATA.search(line) for line in head.split("\n"))
    for reader in (split_lines, str.splitlines):  # even a reader splitting on every line break finds the same
        meta = parse_metadata(reader(text))
        assert list(meta) == RECORD_KEYS
        assert meta["slug"] == "own-slug" and meta["state"] == "live" and meta["key-hash"] == "0123456789abcdef"
    # The body: one table row per field, whatever line breaks a value holds (Markdown also breaks at \r).
    assert not re.search("[\r\v\f\x1c-\x1e\x85\u2028\u2029\u202e\u200b]", body)
    rows = body.split("\n")
    assert rows[-1] == "" and len(rows) == 3 + len(values) and all(r.startswith("| ") for r in rows[:-1])

    path = write_page(tmp_path, type_key, "own-slug", text)
    assert path == tmp_path / type_key / "own-slug.md" and [*tmp_path.rglob("*.*")] == [path]
    record = load_record(path, type_key)
    assert record is not None and record.slug == "own-slug" and record.state == "live"
    assert dict(record.fields) == {n: tuple(v) if isinstance(v, list) else v for n, v in values.items()}  # exact
    assert record.title == one_line(title_of(rtype, values), ch)
    assert list(read_metadata(path)) == RECORD_KEYS
    summary = read_summary(path, type_key)
    assert summary is not None and (summary.slug, summary.key_hash, summary.state) == (
        "own-slug", "0123456789abcdef", "live")


@pytest.mark.parametrize("ch", HOSTILE, ids=IDS)
def test_a_notice_holds_its_lines_whatever_it_is_handed(tmp_path, ch):
    text = render_notice(RECORD_TYPES["penalties"], f"own{ch}Slug: x", "k", "2026-11-01", "2026-11-24",
                         f"撤销{ch}State: live")
    assert metadata_keys(text) == NOTICE_KEYS
    assert not any(RAW_IN_METADATA.search(line) for line in text.split("\n\n")[0].split("\n"))
    meta = parse_metadata(split_lines(text))
    assert meta["state"] == "withdrawn" and "\n" not in meta["slug"] and meta["slug"].startswith("own")


@pytest.mark.parametrize("sep", OTHER_BREAKS, ids=[f"U+{ord(s[0]):04X}{'+LF' if len(s) > 1 else ''}"
                                                   for s in OTHER_BREAKS])
def test_the_readers_split_on_line_feed_only(tmp_path, sep):
    """A file the writer would never make (raw separators in the title line): nothing is forged from it."""
    lines = [f"Title: 标题{sep}Slug: ../../../x{sep}State: withdrawn{sep}Key-Hash: forged", "Date: 2026-11-10",
             "Slug: own", "Record-Type: penalties", "State: live", "Published: 2026-11-24", "Key-Hash: k",
             'Fields: [["decision_no", "第1号"]]', "", "| 项目 | 内容 |"]
    path = tmp_path / "penalties" / "own.md"
    path.parent.mkdir()
    path.write_bytes("\n".join(lines).encode())
    if sep != "\r\n":  # "\r\n" ends the line: the title is cut there, and the keys after it do not count
        meta = read_metadata(path)
        assert meta["slug"] == "own" and meta["state"] == "live" and meta["key-hash"] == "k"
        assert meta["title"].startswith("标题" + sep)
    record = load_record(path, "penalties")
    assert record is not None and (record.slug, record.state) == ("own", "live")
    summary = read_summary(path, "penalties")
    assert summary is not None and (summary.slug, summary.key_hash) == ("own", "k")


def test_a_file_saved_with_crlf_still_reads(tmp_path):
    text = render_record(RECORD_TYPES["penalties"], "own", "k", {"decision_no": "第1号"}, "2026-11-24", "2026-11-10")
    path = tmp_path / "penalties" / "own.md"
    path.parent.mkdir()
    path.write_bytes(text.replace("\n", "\r\n").encode())
    assert read_metadata(path)["slug"] == "own" and load_record(path, "penalties").fields == (("decision_no", "第1号"),)
    assert read_summary(path, "penalties").key_hash == "k"


def hostile_row(type_key: str, ch: str, n: int):
    rtype = RECORD_TYPES[type_key]
    values = {name: hostile(n, ch) for name in text_fields(rtype, public=False)}
    values["id"] = f"ID{n}{ch}Slug: ../../../x"  # ASCII: the slug is made from it
    return FACTORIES[type_key](row=n, **values)


def test_hostile_characters_in_every_text_field_end_to_end(runner):
    rows = [hostile_row(t, ch, n) for t in RECORD_TYPES for n, ch in enumerate(HOSTILE, 1)]
    plan = runner.pull(rows)
    assert {i.action.value for i in plan.items} == {"add"}, [(i.key, i.reason) for i in plan.items
                                                             if i.action.value != "add"]
    content = runner.config.paths.content
    written = sorted(p.relative_to(content).as_posix() for p in content.rglob("*") if p.is_file())
    assert written == sorted(f"{i.type}/{i.slug}.md" for i in plan.items)
    assert all(re.fullmatch(r"[a-z0-9-]+", i.slug) for i in plan.items)
    build_site(runner.config, SAMPLE_NOW)
    output = runner.config.paths.output
    for item, row in zip(plan.items, rows, strict=True):
        path = content / item.type / f"{item.slug}.md"
        text = path.read_text("utf-8")
        assert metadata_keys(text) == RECORD_KEYS
        meta = read_metadata(path)
        assert meta["slug"] == item.slug and meta["state"] == "live"
        twin = json.loads((output / item.type / item.slug / "index.json").read_text("utf-8"))
        fields = dict(read_fields(meta))
        assert twin["fields"] == fields and twin["url"].endswith(f"/{item.type}/{item.slug}/")
        for name in text_fields(RECORD_TYPES[item.type]):
            sent = row.values[name]
            assert name in fields, (item.type, name)
            assert kept(fields[name], sent), (item.type, name, fields[name], sent)
        assert (output / item.type / item.slug / "index.html").is_file()


def kept(shown: str | list[str], sent: str) -> bool:
    """The value content/ holds is the value sent, the hostile character kept, taken out or made a space or
    a list separator (by intake, or by a list splitting at a line break); nothing else is changed."""
    text = "；".join(shown) if isinstance(shown, list) else shown
    ch = next(c for c in sent if c in HOSTILE)
    pieces = sent.split(ch)
    return any(text == sep.join(pieces) for sep in (ch, "", " ", "；", "\n"))


@pytest.mark.parametrize("ch", HOSTILE, ids=IDS)
def test_an_origin_holds_its_lines_and_reads_back(tmp_path, ch):
    """A federated record's agency (issue 19): four metadata lines that nothing an agency sends can break."""
    origin = Origin(f"示例{ch}Slug: x局", "lcj", f"https://a.example.gov.cn/penalties/x{ch}/", "2026-11-01")
    text = render_record(RECORD_TYPES["penalties"], "lcj-own", "k", {"decision_no": "第1号"}, "2026-11-24",
                         "2026-11-10", origin)
    assert metadata_keys(text) == [*RECORD_KEYS[:-1], "agency", "agency-key", "canonical", "agency-published",
                                   "fields"]
    path = write_page(tmp_path, "penalties", "lcj-own", text)
    record = load_record(path, "penalties")
    assert record.origin == Origin(content.one_line(origin.agency), "lcj", content.one_line(origin.url), "2026-11-01")
    notice = render_notice(RECORD_TYPES["penalties"], "lcj-own", "k", "2026-11-01", "2026-11-24", "撤销", origin)
    assert parse_metadata(split_lines(notice))["agency-key"] == "lcj"
    plain = render_record(RECORD_TYPES["penalties"], "own", "k", {"decision_no": "第1号"}, "2026-11-24", "2026-11-10")
    assert load_record(write_page(tmp_path, "penalties", "own", plain), "penalties").origin is None


def test_plain_text_skips_escaping_only_where_escaping_would_change_nothing(monkeypatch):
    import random
    import re

    import publisher.core.content as content

    rng = random.Random(11)
    alphabet = ["林", "罚", "1", "a", " ", "（", "，", "《", "》", *"\\`*_[]()#+!|~-&<>{}\"'\t\n\r\v\f",
                "\x00", "\x1b", "\x1c", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\u00ad", "\u200b", "\u202e",
                "\u2066", "\ufeff", "\ufffa", "\U0001f600"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(20000)]
    texts += [c for c in map(chr, range(0x0, 0x3000))]  # every character alone, through CJK punctuation
    fast = [(content.md_text(t), content._json_text(t)) for t in texts]
    monkeypatch.setattr(content, "_MD_WORK", re.compile(""))  # every value escaped the long way
    monkeypatch.setattr(content, "_JSON_WORK", re.compile(""))
    slow = [(content.md_text(t), content._json_text(t)) for t in texts]
    assert [t for t, f, s in zip(texts, fast, slow, strict=True) if f != s] == []
