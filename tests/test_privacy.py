"""Rule 7 end to end (DESIGN §3 rule 7, §6): no spelling of personal information survives, in any text field.

The labelled corpus of tests/privacy_corpus.py (thousands of cases: each kind of personal information × each
spelling × each text field of each record type, for natural persons and 个体工商户; over a hundred innocent
strings) is added to the sample portal's data and run through the real pull, and then the real build with
both search engines. Then:

(a) every case's field in content/ is checked for its secrets (a table per kind × spelling, and per field);
(b) every byte of output/ is scanned (pages, JSON twins, feeds, open data with the XLSX unzipped, both engines'
    index files, their term dictionaries and stored documents, the static search shards and their .gz twins,
    posters, sitemap), and the search service (whoosh and tantivy) and the static index are queried for
    every secret;
(c) every innocent string is checked, unchanged, in its content/ field and in its row of the page;
(d) precision and recall on the corpus: a secret masked is a true positive, a secret shown a false negative,
    an innocent string changed a false positive.

Run with -s to see the tables: `PYTHONPATH=$PWD .venv/bin/python -m pytest tests/test_privacy.py -s`.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import tantivy
from whoosh import index as whoosh_index

import publisher.pull.plan as plan_module
from publisher.core.config import Config, load_config
from publisher.core.content import load_record
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import Plan, make_plan, write_plan
from publisher.pull.sources import read_sources
from publisher.pull.validation import normalise_key
from publisher.site import build as site
from publisher.site.search import store
from publisher.site.search.backend import Results
from publisher.site.search.service import RateLimiter, SearchError, SearchService, parse_request
from publisher.site.search.static_reader import StaticReader, current_meta
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.privacy_corpus import (
    BUSINESS,
    COLUMN,
    NATURAL,
    POOL,
    SPELLINGS,
    TYPES,
    Case,
    Corpus,
    Detector,
    Placement,
    Score,
    Secret,
    build_corpus,
    members,
    scan_tree,
    table,
    text_fields,
    write_corpus_rows,
)
from tests.test_search import with_search_plugin

ISSUE_KINDS = {"id18", "id15", "mobile", "landline", "bank_card", "email", "address", "other_name", "party_name"}
ISSUE_FIELDS = {"decision_doc_name", "certificate_name", "permit_no", "department", "target_name", "facts",
                "content", "remarks", "basis", "license_action", "result", "handling"}
ISSUE_INNOCENTS = {"文号", "统一社会信用代码", "许可编号", "日期", "金额", "法律条文", "株数蓄积", "坐标", "机关电话"}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus()


# ---------------------------------------------------------------- the corpus and the detector themselves


def test_the_corpus_covers_every_kind_spelling_field_and_party(corpus):
    assert len(corpus.cases) >= 300 and len(corpus.innocents) >= 100
    assert {c.kind for c in corpus.cases} == ISSUE_KINDS
    assert {c.party for c in corpus.cases} == {NATURAL, BUSINESS}
    assert ISSUE_FIELDS <= {c.field for c in corpus.cases}
    assert {i.category for i in corpus.innocents} >= ISSUE_INNOCENTS
    assert len({i.text for i in corpus.innocents}) == len(corpus.innocents)
    covered = {(c.type, c.party, c.field, c.kind, c.spelling) for c in corpus.cases}
    for type_key in TYPES:
        for party in (NATURAL, BUSINESS):
            for name in text_fields(type_key):
                for s in SPELLINGS:
                    if not s.party or party == NATURAL:
                        assert (type_key, party, name, s.kind, s.name) in covered, (type_key, party, name, s.name)
    # Each record's own columns: the natural person's name, every ID number, the private columns.
    for record in corpus.records:
        columns = {(c.field, c.kind) for c in record.cases if c.spelling == COLUMN}
        assert {("phone", "mobile"), ("address", "address"), ("bank_account", "bank_card")} <= columns
        assert (record.type == "inspections") != (("id_number", "id18") in columns)
        assert (record.party == NATURAL) == any(k == "party_name" for _, k in columns)
    assert len(corpus.records) < 120 * len(TYPES)  # several cases to a record: about a hundred records a type


def test_every_secret_is_distinctive_and_found_in_its_own_record_only(corpus):
    det = corpus.detector
    for record in corpus.records:
        text = "\x00".join(record.row.values())
        expected = {s for c in record.cases for s in c.secrets}
        assert det.find(text) == expected, record.key
        for c in record.cases:
            assert set(c.secrets) <= det.find(c.typed), (c.kind, c.spelling, c.typed)
    # Innocent strings hold none.
    assert det.find("\x00".join(i.text for i in corpus.innocents)) == set()
    # Masked as rule 7 masks them, the column values hold no secret.
    for c in corpus.cases:
        if c.kind == "id18" and c.spelling == COLUMN:
            assert det.find(c.typed[:6] + "*" * 8 + c.typed[-4:]) == set()
        if c.kind == "mobile" and c.spelling == COLUMN:
            assert det.find(c.typed[:3] + "****" + c.typed[-4:]) == set()


def test_the_detector_reads_every_spelling_of_the_issue():
    det = Detector([Secret("digits", "11010519900308123"), Secret("digits", "19900308"),
                    Secret("digits", "13800138006"), Secret("digits", "45112345601"),
                    Secret("digits", "6222020200112234"), Secret("text", "小七"), Secret("text", "提艾力"),
                    Secret("email", "zhouqilin5183")])
    for text, secret in [
        ("110105 19900308 1234", "19900308"), ("110105-19900308-123X", "11010519900308123"),
        ("１３８００１３８００６", "13800138006"), ("＋８６ １３８ ００１３ ８００６", "13800138006"),
        ("+86(138)0013-8006", "13800138006"), ("0086 13800138006", "13800138006"), ("138.0013.8006", "13800138006"),
        ("138\u200b0013\u200b8006", "13800138006"), ("(0451)12345601", "45112345601"),
        ("0451－12345601", "45112345601"), ("+86-451-12345601", "45112345601"),
        ("6222-0202-0011-2234", "6222020200112234"), ("孙 小七", "小七"), ("孙\u3000小七", "小七"),
        ("买买提•艾力", "提艾力"), ("买买提・艾力", "提艾力"), ("买买提‧艾力", "提艾力"), ("买买提 艾力", "提艾力"),
        ("ZHOUQILIN5183@163.COM", "zhouqilin5183"), ("ｚｈｏｕｑｉｌｉｎ５１８３＠ｑｑ.ｃｏｍ", "zhouqilin5183"),
        ("&#x5b59;&#x5c0f;&#x4e03;", "小七"), ("\\u5b59\\u5c0f\\u4e03", "小七"), ("%E5%B0%8F%E4%B8%83", "小七"),
    ]:
        assert secret in {s.value for s in det.find_bytes(text.encode())}, text
    for text in ["110105********1234", "138****8006", "孙**", "0451-********", "6222 **** **** 2234",
                 "a19900308" + "b" * 20, "e3b0c44298fc1c1419900308afbf4c8996fb92427ae41e4649b934ca495991b7"]:
        assert det.find(text) == set(), text
    # A binary file is read by its runs of UTF-8; the runs are never joined into one number.
    assert det.find_bytes(b"\xff\x00138 0013\xfe8006\x00") == set()
    assert {s.value for s in det.find_bytes(b"\xff\x00\xe5\xb0\x8f\xe4\xb8\x83\xfe")} == {"小七"}


# ---------------------------------------------------------------- pull (a)


@dataclass
class Pulled:
    config: Config
    plan: Plan
    corpus: Corpus
    slugs: dict[tuple[str, str], str]  # (type, record key) -> slug of every corpus record shown

    def slug(self, type_key: str, key: str) -> str:
        if (type_key, key) not in self.slugs:
            pytest.fail(f"corpus record {type_key} {key} was not shown: its cases cannot be checked")
        return self.slugs[(type_key, key)]

    def content_path(self, type_key: str, key: str) -> Path:
        return self.config.paths.content / type_key / f"{self.slug(type_key, key)}.md"


def pull_corpus(root: Path, corpus: Corpus) -> Pulled:
    """The sample portal with the corpus added to its data, pulled as `portal pull` does."""
    config = make_sample_portal(root, planted=False)
    write_corpus_rows(config.path.parent / "data")
    plan = make_plan(config, SAMPLE_NOW)
    write_plan(plan)
    keys = {(r.type, normalise_key(r.key)): r.key for r in corpus.records}
    slugs = {(i.type, keys[(i.type, i.key)]): i.slug for i in plan.items
             if i.action.value in ("add", "change", "unchanged") and (i.type, i.key) in keys and i.slug}
    return Pulled(config, plan, corpus, slugs)


@pytest.fixture(scope="module")
def pulled(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> Pulled:
    return pull_corpus(tmp_path_factory.mktemp("privacy"), corpus)


def _text(value: str | tuple[str, ...]) -> str:
    return "\x00".join(value) if isinstance(value, tuple) else value  # items never run into one another


def find_content_leaks(pulled: Pulled) -> dict[int, str]:
    """Case id -> the content/ file its secret was found in: in its own field, or anywhere in the file for a
    private column (or for a secret found outside every field)."""
    det = pulled.corpus.detector
    leaks: dict[int, str] = {}
    for record in pulled.corpus.records:
        path = pulled.content_path(record.type, record.key)
        shown = load_record(path, record.type)
        assert shown is not None and shown.live, path
        in_file = det.find_bytes(path.read_bytes())
        by_field = {name: det.find(_text(value)) for name, value in shown.fields}
        outside = in_file - set().union(*by_field.values())
        for c in record.cases:
            where = in_file if c.private else by_field.get(c.field, set()) | outside
            if where & set(c.secrets):
                leaks[c.id] = str(path.relative_to(pulled.config.path.parent))
    return leaks


@pytest.fixture(scope="module")
def content_leaks(pulled: Pulled) -> dict[int, str]:
    return find_content_leaks(pulled)


def test_every_corpus_record_is_shown(pulled):
    """The harness: a record that is rejected or held would hide its leaks. Every one must be shown."""
    missing = [(r.type, r.key) for r in pulled.corpus.records if (r.type, r.key) not in pulled.slugs]
    keys = {(r.type, normalise_key(r.key)) for r in pulled.corpus.records}
    reasons = [(i.type, i.key, i.action.value, i.field, i.reason) for i in pulled.plan.items
               if (i.type, i.key) in keys and i.action.value not in ("add", "change", "unchanged")]
    assert not missing, f"{len(missing)} corpus records not shown: {missing[:5]} {reasons[:5]}"


def test_pull_masks_every_case_in_content(pulled, content_leaks):
    cases = pulled.corpus.cases
    leaked = set(content_leaks)
    report = ("content/ after pull, per kind and spelling:\n"
              + table(cases, leaked, lambda c: (c.kind, c.spelling), ("kind", "spelling"))
              + "\n\nper record type and field:\n"
              + table(cases, leaked, lambda c: (c.type, c.field), ("type", "field"))
              + "\n\nper party type and kind:\n"
              + table(cases, leaked, lambda c: (c.party, c.kind), ("party", "kind"))
              + "\n\nexamples:\n" + _examples(cases, content_leaks))
    print("\n" + report)
    assert not leaked, f"{len(leaked)} of {len(cases)} cases leaked into content/\n{report}"


def _examples(cases: list[Case], leaks: dict[int, str], per_kind: int = 3) -> str:
    shown: Counter[str] = Counter()
    lines = []
    for c in cases:
        if c.id in leaks and shown[c.kind] < per_kind:
            shown[c.kind] += 1
            lines.append(f"  {c.kind}/{c.spelling} in {c.type}.{c.field} ({c.party}): {c.typed!r} -> {leaks[c.id]}")
    return "\n".join(lines) or "  none"


def test_the_harness_finds_every_case_when_nothing_is_masked(tmp_path, corpus, monkeypatch):
    """Negative control: with rule 7 switched off where pull applies it, every case that a clerk typed into a
    shown field is found in content/, so a green run above means masked, not missed."""
    monkeypatch.setattr(plan_module, "redact_counted", lambda type_key, values, *args, **kwargs: (dict(values), {}))
    pulled = pull_corpus(tmp_path, corpus)
    leaked = find_content_leaks(pulled)
    shown_cases = {c.id for c in corpus.cases if not c.private}
    assert shown_cases and shown_cases <= set(leaked)
    assert find_innocent_changes(pulled, None) == []


# ---------------------------------------------------------------- build, and every byte of output/ (b)


@dataclass
class Built:
    config: Config
    output: Path
    indexes: dict[str, Path]  # engine -> its service index under output/_search


def build_with_both_engines(config: Config) -> Built:
    """Build with the search plugin and whoosh, then again with `[search] backend = "tantivy"`: the second
    build keeps the first index beside its own (KEEP = 2), so output/ holds both engines' files."""
    original = site.pelican_settings
    site.pelican_settings = with_search_plugin(original)
    try:
        site.build_site(config, SAMPLE_NOW)
        with config.path.open("a", encoding="utf-8") as f:
            f.write('\n[search]\nbackend = "tantivy"\n')
        config = load_config(config.path)
        site.build_site(config, SAMPLE_NOW)
    finally:
        site.pelican_settings = original
    output = config.paths.output
    indexes = {p.name.split("-")[1]: p for p in (output / store.SERVICE_DIR).iterdir() if p.name.startswith("index-")}
    assert set(indexes) == set(store.BACKENDS), indexes
    return Built(config, output, indexes)


@pytest.fixture(scope="module")
def built(pulled: Pulled) -> Built:
    return build_with_both_engines(pulled.config)


def index_dumps(index: Path) -> Iterator[tuple[str, str]]:
    """What an engine holds, read through the engine: every term of every field and every stored document
    (tantivy compresses its document store, so its raw bytes alone would not show them)."""
    if index.name.startswith("index-tantivy-"):
        for shard in sorted(index.glob("shard-*")):
            searcher = tantivy.Index.open(str(shard)).searcher()
            for name in ("terms", "url"):
                yield f"{shard.name}[terms:{name}]", "\x00".join(t for t, _ in searcher.terms_with_prefix(name, ""))
            found = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1))
            docs = []
            for _, address in found.hits:
                for values in searcher.doc(address).to_dict().values():
                    docs += [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]
            yield f"{shard.name}[stored]", "\x00".join(docs)
    else:
        ix = whoosh_index.open_dir(str(index))
        with ix.reader() as reader:
            terms = [t.decode("utf-8", "replace") if isinstance(t, bytes) else str(t) for _, t in reader.all_terms()]
            yield "[terms]", "\x00".join(terms)
            yield "[stored]", "\x00".join(str(v) for fields in reader.all_stored_fields() for v in fields.values())


def scan_output(output: Path, indexes: dict[str, Path], det: Detector) -> dict[Secret, set[str]]:
    hits = scan_tree(output, det)
    for index in indexes.values():
        for name, text in index_dumps(index):
            for s in det.find(text):
                hits.setdefault(s, set()).add(f"{index.relative_to(output).as_posix()}/{name}")
    return hits


@pytest.fixture(scope="module")
def output_hits(built: Built, corpus: Corpus) -> dict[Secret, set[str]]:
    return scan_output(built.output, built.indexes, corpus.detector)


AREAS = (("_search/index-whoosh", "service index (whoosh)"), ("_search/index-tantivy", "service index (tantivy)"),
         ("search/", "static search shards"), ("feeds/", "feeds"), ("opendata/", "open data"),
         ("sitemap", "sitemap"), ("/poster/", "posters"), ("statistics/", "statistics"), ("parties/", "party profiles"),
         ("index.json", "JSON twins"), (".html", "pages"))


def area_of(name: str) -> str:
    if ".xlsx!" in name:
        return "open data XLSX (unzipped)"
    return next((label for marker, label in AREAS if marker in name), "other")


def output_report(corpus: Corpus, hits: dict[Secret, set[str]]) -> str:
    by_kind: dict[str, set[Secret]] = defaultdict(set)
    leaked_by_kind: dict[str, set[Secret]] = defaultdict(set)
    for c in corpus.cases:
        for s in c.secrets:
            by_kind[c.kind].add(s)
            if s in hits:
                leaked_by_kind[c.kind].add(s)
    areas: Counter[str] = Counter(area_of(f) for files in hits.values() for f in files)
    lines = [f"secrets found in output/: {len(hits)} of {len(corpus.secrets)}, in "
             f"{len({f for files in hits.values() for f in files})} files"]
    lines += [f"  {kind:<11} {len(leaked_by_kind[kind]):>5} of {len(by_kind[kind]):>5} secrets shown"
              for kind in sorted(by_kind)]
    lines += ["(secret, file) hits by part of the site:"] + [f"  {n:>7}  {a}" for a, n in areas.most_common()]
    for s in sorted(hits, key=lambda s: (-len(hits[s]), s))[:8]:
        where = "; ".join(f"{c.kind}/{c.spelling} in {c.type}.{c.field}" for c in corpus.cases_by_secret[s][:2])
        lines.append(f"  e.g. {s.value!r} ({where}) in {len(hits[s])} files: {sorted(hits[s])[:3]}")
    return "\n".join(lines)


def test_no_secret_appears_in_any_output_file(pulled, built, corpus, output_hits, content_leaks):
    files = [p for p in built.output.rglob("*") if p.is_file()]
    assert len(files) > 500
    assert any(p.suffix == ".xlsx" for p in files) and any(p.suffix == ".gz" for p in files)
    for record in corpus.records:  # the harness: every corpus record was built into a page
        assert (built.output / record.type / pulled.slug(record.type, record.key) / "index.html").is_file()
    # DESIGN §6: the site is built from content/ alone, so nothing masked there can be shown here.
    in_content = {s for i in content_leaks for s in corpus.cases[i].secrets}
    after_gate = sorted(s.value for s in set(output_hits) - in_content)
    report = (output_report(corpus, output_hits)
              + f"\nsecrets in output/ that content/ did not show: {len(after_gate)} {after_gate[:5]}")
    print("\n" + report)
    assert not output_hits, report


def search_queries(corpus: Corpus) -> dict[str, Case]:
    """Every secret as its canonical string, and every case as the clerk typed it (a number typed with spaces
    is indexed as several tokens, which only the typed spelling finds); each with a case it belongs to."""
    queries = {s.value: cases[0] for s, cases in sorted(corpus.cases_by_secret.items())}
    queries.update({c.typed.strip(): c for c in corpus.cases if c.spelling != COLUMN})
    return queries


def test_no_secret_is_found_by_search(built, corpus):
    queries = search_queries(corpus)
    found: dict[str, list[tuple[str, Case, list[str]]]] = defaultdict(list)
    refused: Counter[str] = Counter()

    def ask(engine: str, search: Callable[[str], Results]) -> None:
        for q, case in queries.items():
            try:
                results = search(q)
            except SearchError:
                refused[engine] += 1
                continue
            if results.total:
                found[engine].append((q, case, [h.url for h in results.hits]))

    pointer = built.output / store.SERVICE_DIR / store.POINTER
    current = pointer.read_text(encoding="utf-8")
    try:
        for engine, index in sorted(built.indexes.items()):
            pointer.write_text(index.name + "\n", encoding="utf-8")
            service = SearchService(built.output, RateLimiter(limit=10 ** 9))
            assert type(service.index()).__name__.lower().startswith(engine)
            ask(engine, lambda q, service=service: service.run(parse_request({"q": [q]}), "privacy-test"))
            service.close()
    finally:
        pointer.write_text(current, encoding="utf-8")
    static = StaticReader(current_meta(built.output))
    ask("static", lambda q: static.search(parse_request({"q": [q]}).query))
    lines = [f"search: {len(queries)} queries (every secret, and every case as typed) per index"]
    for engine, hits in sorted(found.items()):
        kinds = Counter(case.kind for _, case, _ in hits)
        lines.append(f"  {engine}: {len(hits)} find a record ({refused[engine]} refused as too many terms); by kind: "
                     + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        lines += [f"    e.g. {q!r} ({case.kind}/{case.spelling}) -> {urls[:2]}" for q, case, urls in hits[:3]]
    report = "\n".join(lines if found else [*lines, "  nothing found"])
    print("\n" + report)
    assert not found, report


# ---------------------------------------------------------------- innocent strings (c)


def _cell(page: str, label: str) -> str | None:
    m = re.search(rf'<th scope="row">{re.escape(html.escape(label))}</th><td>(.*?)</td></tr>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", m[1])) if m else None


@dataclass(frozen=True)
class Change:
    placement: Placement
    where: str  # content/ or page
    shown: object

    def __str__(self) -> str:
        p = self.placement
        return f"{self.where} {p.type}.{p.field} ({p.party}): {p.innocent.text!r} -> {self.shown!r}"


def find_innocent_changes(pulled: Pulled, output: Path | None) -> list[Change]:
    """Every placement of an innocent string not shown as typed in its content/ field (and, given the built
    `output`, in its row of the record's page)."""
    changed = []
    for p in pulled.corpus.placements:
        record = load_record(pulled.content_path(p.type, p.record), p.type)
        assert record is not None
        value = record.values.get(p.field)
        items = value if isinstance(value, tuple) else (value or "",)
        if not any(p.innocent.text in item for item in items):
            changed.append(Change(p, "content/", value))
        if output is not None:
            page = (output / p.type / pulled.slug(p.type, p.record) / "index.html").read_text(encoding="utf-8")
            cell = _cell(page, RECORD_TYPES[p.type].field(p.field).zh)
            if cell is None or p.innocent.text not in cell:
                changed.append(Change(p, "page", cell))
    return changed


@pytest.fixture(scope="module")
def innocent_changes(pulled: Pulled, built: Built) -> list[Change]:
    return find_innocent_changes(pulled, built.output)


def test_innocent_strings_are_unchanged_in_content_and_on_the_page(corpus, innocent_changes):
    changed = {c.placement.innocent.text for c in innocent_changes}
    print(f"\ninnocent strings changed: {len(changed)} of {len(corpus.innocents)}: {sorted(changed)}")
    assert not innocent_changes, "\n".join(map(str, innocent_changes))


# ---------------------------------------------------------------- the detector finds nothing in the plain site


def test_the_detector_finds_no_secret_in_the_sample_portal_without_the_corpus(tmp_path, corpus):
    """No false alarm: the sample data, its content/ and its built site (both engines) hold none of the secrets,
    nor any character of the name pool."""
    config = make_sample_portal(tmp_path, planted=False)
    rows = read_sources(config.sources).rows
    assert rows
    det = corpus.detector
    data_text = "\x00".join(str(v) for r in rows for v in r.values.values() if v is not None)
    assert det.find(data_text) == set()
    assert not set(POOL) & set(data_text)
    write_plan(make_plan(config, SAMPLE_NOW))
    built = build_with_both_engines(config)
    hits = scan_output(built.output, built.indexes, det)
    hits.update({s: {"content/"} for s in scan_tree(config.paths.content, det)})
    assert hits == {}, {s.value: sorted(f)[:3] for s, f in hits.items()}
    pool = set(POOL)
    for path in built.output.rglob("*"):
        if path.suffix in (".html", ".json", ".xml", ".csv", ".txt", ".js", ".xlsx"):
            for name, blob in members(path.name, path.read_bytes()):
                assert not pool & set(blob.decode("utf-8", "ignore")), name


# ---------------------------------------------------------------- precision and recall (d)


def test_precision_and_recall_on_the_corpus(corpus, content_leaks, output_hits, innocent_changes):
    changed = {c.placement.innocent.text for c in innocent_changes}
    changed_in_content = {c.placement.innocent.text for c in innocent_changes if c.where == "content/"}
    in_content = Score(len(corpus.cases), len(content_leaks), len(corpus.innocents), len(changed_in_content))
    shown = {c.id for c in corpus.cases if any(s in output_hits for s in c.secrets)}
    in_output = Score(len(corpus.cases), len(shown), len(corpus.innocents), len(changed))
    by_kind = table(corpus.cases, shown, lambda c: (c.kind,), ("kind",))
    report = (f"content/ (pull):  {in_content.line()}\n"
              f"output/ (build):  {in_output.line()}\n"
              f"  (in output/ a case counts as shown when any of its secrets is anywhere; a natural person's name\n"
              f"   is one secret shared by the record's name column and every spelling of it)\n"
              f"per kind, output/:\n{by_kind}")
    print("\n" + report)
    assert in_content.recall == in_output.recall == 1.0 and in_content.precision == 1.0, report
