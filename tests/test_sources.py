"""Sources: what a clerk sees when the portal reads the folder, the database or the endpoint."""

from __future__ import annotations

import json
import socket
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sources_helpers import PENALTY, PERMIT, Reply, json_server, penalty, write_csv, zh
from sqlalchemy import Column, Date, Integer, MetaData, Numeric, String, Table, Text, create_engine
from sqlalchemy.exc import OperationalError

from publisher.core.config import SourceConfig
from publisher.pull.rows import SourceResult
from publisher.pull.sources import files, http, read_sources, sql
from publisher.pull.sources.tables import cell_text


def read_folder(folder: Path) -> SourceResult:
    return files.read(SourceConfig("files", f"files:{folder.name}", path=folder))


def only_failure(result: SourceResult):
    assert len(result.failures) == 1, result.failures
    return result.failures[0]


# --- files: CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_csv_is_read_with_or_without_bom(tmp_path: Path, encoding: str) -> None:
    write_csv(tmp_path / "penalties.csv", [penalty(1), penalty(2)], encoding=encoding)
    result = read_folder(tmp_path)
    assert result.failures == [] and result.notes == []
    assert [r.values["decision_no"] for r in result.rows] == ["青林罚〔2024〕1号", "青林罚〔2024〕2号"]
    first = result.rows[0]
    assert first.type == "penalties"
    assert first.values["party_name"] == "青山林业有限公司"  # the BOM did not stick to the first header
    origin = first.origin
    assert (origin.source, origin.file, origin.row) == (f"files:{tmp_path.name}", "penalties.csv", 2)


def test_gbk_csv_from_chinese_excel_with_chinese_headers(tmp_path: Path) -> None:
    row = {zh("penalties", k): v for k, v in penalty(3).items()}
    write_csv(tmp_path / "行政处罚.csv", [row], encoding="gbk")
    result = read_folder(tmp_path)
    assert result.failures == []
    [only] = result.rows
    assert only.type == "penalties"
    assert only.values["decision_no"] == "青林罚〔2024〕3号"
    assert only.values["authority"] == "青山县林业局"


def test_tab_separated_export_and_english_headers_in_any_case(tmp_path: Path) -> None:
    rows = [{k.upper(): v for k, v in penalty().items()}]
    write_csv(tmp_path / "penalties-2024.csv", rows, delimiter="\t")
    [only] = read_folder(tmp_path).rows
    assert only.values["decision_date"] == "2024-03-05" and only.values["fine"] == "0.5"


def test_quoted_multiline_cell_stays_one_row_and_keeps_its_line_break(tmp_path: Path) -> None:
    write_csv(tmp_path / "penalties.csv", [penalty(1, facts="  第一项事实\n第二项事实  "), penalty(2)])
    result = read_folder(tmp_path)
    assert [r.values["facts"] for r in result.rows] == ["第一项事实\n第二项事实", PENALTY["facts"]]
    assert [r.origin.row for r in result.rows] == [2, 3]


def test_blank_rows_are_skipped_but_row_numbers_match_the_spreadsheet(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penalties.csv", [penalty(1), {}, penalty(2, party_name="  李四  ")])
    result = read_folder(tmp_path)
    assert path.read_text(encoding="utf-8").count("\n") == 4
    assert [(r.origin.row, r.values["party_name"]) for r in result.rows] == [(2, PENALTY["party_name"]),
                                                                            (4, "李四")]
    assert result.failures == []


def test_csv_in_neither_utf8_nor_gbk_stops_its_type(tmp_path: Path) -> None:
    (tmp_path / "penalties.csv").write_bytes(b"party_name,decision_no\n\x80\xff\x80\xff,1\n")
    (tmp_path / "permits.csv").write_bytes(",".join(PERMIT).encode("utf-16") + b"\n")
    result = read_folder(tmp_path)
    assert result.rows == []
    assert {(f.type, f.location) for f in result.failures} == {("penalties", "penalties.csv"),
                                                               ("permits", "permits.csv")}
    assert all("既不是 UTF-8 也不是 GBK 编码" in f.message for f in result.failures)
    assert "UTF-16" in next(f.message for f in result.failures if f.type == "permits")


def test_missing_required_column_stops_the_type_and_names_the_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in penalty().items() if k not in ("decision_date", "authority_code")}]
    write_csv(tmp_path / "penalties.csv", rows)
    result = read_folder(tmp_path)
    failure = only_failure(result)
    assert failure.type == "penalties" and failure.location == "penalties.csv"
    assert "penalties.csv" in failure.message
    assert "处罚决定日期 (decision_date)" in failure.message
    assert "处罚机关统一社会信用代码 (authority_code)" in failure.message
    assert result.rows == []


def test_two_headers_for_the_same_field_are_refused(tmp_path: Path) -> None:
    row = dict(penalty(), **{zh("penalties", "decision_no"): "另一个文号"})
    write_csv(tmp_path / "penalties.csv", [row])
    failure = only_failure(read_folder(tmp_path))
    assert failure.type == "penalties" and "行政处罚决定书文号 (decision_no)" in failure.message


def test_unknown_column_is_ignored_with_one_note(tmp_path: Path) -> None:
    write_csv(tmp_path / "penalties.csv", [dict(penalty(1), 经办人="王五"), dict(penalty(2), 经办人="赵六")])
    result = read_folder(tmp_path)
    assert len(result.rows) == 2 and "经办人" not in result.rows[0].values
    assert [(n.location, n.message) for n in result.notes] == [
        ("penalties.csv", "penalties.csv: 未知的列“经办人”，已忽略")]


def test_type_column_lets_one_file_hold_several_types(tmp_path: Path) -> None:
    rows = [dict(penalty(), 类型="行政处罚"), dict(PERMIT, 类型="permits"),
            dict(penalty(9), 类型="Penalties")]
    write_csv(tmp_path / "导出.csv", rows, headers=["类型", *PENALTY, "permit_class"])
    result = read_folder(tmp_path)
    assert result.failures == [] and result.notes == []  # permit_class is known to permits
    assert [(r.type, r.origin.row) for r in result.rows] == [("penalties", 2), ("penalties", 4),
                                                             ("permits", 3)]
    assert result.rows[2].values["permit_class"] == "普通"


def test_row_with_unknown_type_stops_the_source_and_names_the_row(tmp_path: Path) -> None:
    rows = [dict(penalty(), type="penalties"), dict(penalty(2), type="处罚")]
    write_csv(tmp_path / "export.csv", rows)
    result = read_folder(tmp_path)
    failure = only_failure(result)
    assert failure.type is None and failure.location == "export.csv"
    assert "export.csv" in failure.message and "第3行" in failure.message
    assert [r.origin.row for r in result.rows] == [2]


def test_file_whose_type_cannot_be_told_stops_the_source(tmp_path: Path) -> None:
    write_csv(tmp_path / "2024年3月.csv", [penalty()])
    failure = only_failure(read_folder(tmp_path))
    assert failure.type is None and "2024年3月.csv" in failure.message and "类型" in failure.message


def test_missing_folder_stops_the_source(tmp_path: Path) -> None:
    failure = only_failure(read_folder(tmp_path / "gone"))
    assert failure.type is None and "gone" in failure.message


def test_other_files_in_the_folder(tmp_path: Path) -> None:
    write_csv(tmp_path / "penalties.csv", [penalty()])
    (tmp_path / "README.md").write_text("说明", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "~$penalties.xlsx").write_bytes(b"lock")  # Excel's lock file while the workbook is open
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "permits.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "sub").mkdir()
    write_csv(tmp_path / "sub" / "permits.csv", [PERMIT])  # not recursive
    result = read_folder(tmp_path)
    assert [r.type for r in result.rows] == ["penalties"]
    assert [n.location for n in result.notes] == ["photo.jpg"]
    failure = only_failure(result)
    assert failure.type == "permits" and ".xlsx" in failure.message


# --- files: XLSX ------------------------------------------------------------------------------


def write_xlsx(path: Path, title: str | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    headers = [*PENALTY, "valid_until", "remarks"]
    sheet.append([zh("penalties", h) for h in headers])
    values = dict(penalty(), decision_date=datetime(2024, 3, 5), fine=0.5,
                  valid_until=datetime(2025, 3, 5, 17, 30), remarks=12)
    sheet.append([values[h] for h in headers])
    sheet.append([None] * len(headers))
    values.update(decision_no="青林罚〔2024〕2号", fine=1e-06, decision_date=date(2024, 3, 6), remarks=None)
    sheet.append([values[h] for h in headers])
    book.save(path)
    return path


def test_xlsx_dates_and_numbers_become_plain_text(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "penalties.xlsx")
    result = read_folder(tmp_path)
    assert result.failures == [] and result.notes == []
    first, second = result.rows
    assert first.values["decision_date"] == "2024-03-05"
    assert first.values["valid_until"] == "2025-03-05 17:30:00"
    assert (first.values["fine"], first.values["remarks"]) == ("0.5", "12")
    assert (second.values["fine"], second.values["remarks"]) == ("0.000001", "")
    assert second.values["decision_date"] == "2024-03-06"
    assert [r.origin.row for r in result.rows] == [2, 4]


def test_xlsx_title_row_above_the_header_is_skipped_with_a_note(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "行政处罚.xlsx", title="青山县林业局行政处罚信息公示表")
    result = read_folder(tmp_path)
    assert [r.origin.row for r in result.rows] == [3, 5]
    assert len(result.notes) == 1 and "表头行（第2行）" in result.notes[0].message


def test_xlsx_with_one_sheet_per_type(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "行政处罚"
    book.active.append(list(PENALTY))
    book.active.append(list(PENALTY.values()))
    permits = book.create_sheet("permits")
    permits.append(list(PERMIT))
    permits.append(list(PERMIT.values()))
    book.save(tmp_path / "双公示.xlsx")
    result = read_folder(tmp_path)
    assert result.failures == []
    assert [(r.type, r.origin.file, r.origin.row) for r in result.rows] == [
        ("penalties", "双公示.xlsx:行政处罚", 2), ("permits", "双公示.xlsx:permits", 2)]


def test_truncated_xlsx_fails_by_name_while_other_files_are_still_read(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "penalties-2023.xlsx").read_bytes()
    (tmp_path / "penalties-2023.xlsx").write_bytes(data[: len(data) // 2])
    write_csv(tmp_path / "penalties-2024.csv", [penalty(7)])
    write_csv(tmp_path / "permits.csv", [PERMIT])
    result = read_folder(tmp_path)
    failure = only_failure(result)
    assert (failure.type, failure.location) == ("penalties", "penalties-2023.xlsx")
    assert "penalties-2023.xlsx" in failure.message and "XLSX" in failure.message
    assert sorted((r.type, r.origin.file) for r in result.rows) == [
        ("penalties", "penalties-2024.csv"), ("permits", "permits.csv")]


# --- files: JSON ------------------------------------------------------------------------------

JSON_ITEM = dict(PENALTY, fine=0.5, confiscation=None, penalty_class=["罚款", "没收违法所得"], hearing=True)


@pytest.mark.parametrize(("name", "document"), [
    ("penalties.json", [JSON_ITEM]),
    ("export.json", [dict(JSON_ITEM, type="penalties")]),
    ("export.json", {"type": "行政处罚", "records": [JSON_ITEM]}),
    ("penalties-2024.json", {"records": [JSON_ITEM]}),
    ("export.json", {"penalties": [JSON_ITEM], "permits": []}),
])
def test_json_shapes(tmp_path: Path, name: str, document: object) -> None:
    (tmp_path / name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = read_folder(tmp_path)
    assert result.failures == [] and result.notes == []
    [only] = result.rows
    assert (only.type, only.origin.file, only.origin.row) == ("penalties", name, 1)
    assert only.values["fine"] == "0.5" and only.values["confiscation"] == ""
    assert only.values["penalty_class"] == "罚款；没收违法所得" and only.values["hearing"] == "是"


def test_json_item_that_is_not_an_object_stops_its_type(tmp_path: Path) -> None:
    (tmp_path / "penalties.json").write_text(json.dumps([PENALTY, "青林罚〔2024〕2号"]), encoding="utf-8")
    failure = only_failure(read_folder(tmp_path))
    assert failure.type == "penalties" and "第2项" in failure.message and "penalties.json" in failure.message


@pytest.mark.parametrize(("text", "reason"), [
    ('[{"party_name": "x",', "不是有效的 JSON"),
    ('{"total": 3}', "应为记录的列表"),
])
def test_broken_json_file_stops_its_type(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "permits.json").write_text(text, encoding="utf-8")
    failure = only_failure(read_folder(tmp_path))
    assert failure.type == "permits" and "permits.json" in failure.message and reason in failure.message


def test_cell_text_never_shows_float_artefacts() -> None:
    assert [cell_text(v) for v in (Decimal("12.000000"), Decimal("0.500000"), Decimal("0.000001"), 1e-06, 0.1,
                                   3, None, False, "  a\r\nb ", datetime(2024, 1, 2), date(2024, 1, 2))] == [
        "12", "0.5", "0.000001", "0.000001", "0.1", "3", "", "否", "a\nb", "2024-01-02", "2024-01-02"]


# --- sql --------------------------------------------------------------------------------------

SERVERS = {
    "sqlite": None,
    "postgresql": ["postgresql+psycopg://postgres@127.0.0.1:5432/test", "postgresql+psycopg://root@127.0.0.1:5432/test"],
    "mariadb": ["mysql+pymysql://root@127.0.0.1:3306/test"],
}


@pytest.fixture(params=list(SERVERS))
def database(request: pytest.FixtureRequest, tmp_path: Path):
    """A database URL with a uniquely named penalties table holding three rows; dropped afterwards."""
    urls = SERVERS[request.param] or [f"sqlite:///{tmp_path / 'portal.db'}"]
    errors = []
    for url in urls:
        engine = create_engine(url)
        try:
            engine.connect().close()
            break
        except OperationalError as exc:
            errors.append(str(exc.orig).splitlines()[0])
            engine.dispose()
    else:
        pytest.skip(f"{request.param} not reachable on {urls[0].split('@')[1]}: {'; '.join(errors)}")
    table = Table(f"Penalties_{uuid.uuid4().hex[:8]}", MetaData(),
                  Column("id", Integer, primary_key=True), *(Column(k, String(200)) for k in PENALTY
                                                           if k not in ("fine", "decision_date", "facts")),
                  Column("facts", Text), Column("decision_date", Date), Column("fine", Numeric(12, 6)),
                  Column("remarks", String(200)), mysql_charset="utf8mb4")
    try:
        table.create(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [
                dict(penalty(1), id=1, decision_date=date(2024, 3, 5), fine=Decimal("0.5"), remarks=None),
                dict(penalty(2), id=2, decision_date=date(2024, 3, 6), fine=Decimal("12"), remarks="备注"),
                dict(penalty(3, facts="第一项\n第二项"), id=3, decision_date=date(2024, 3, 7),
                     fine=Decimal("0.000001"), remarks=None),
            ])
        yield url, table.name
    finally:
        table.drop(engine, checkfirst=True)
        engine.dispose()


def quoted(url: str, table: str) -> str:
    return create_engine(url).dialect.identifier_preparer.quote(table)


def test_sql_table_and_query_give_the_same_text_as_a_file(database: tuple[str, str]) -> None:
    url, table = database
    query = ("SELECT party_name, party_type, decision_no, content, decision_date, authority, authority_code,"
             f" id FROM {quoted(url, table)} WHERE id = 2")
    config = SourceConfig("sql", "sql:test", url=url, tables={"penalties": table}, queries={"permits": query})
    result = sql.read(config)
    assert result.failures == [] and result.notes == []
    penalties = [r for r in result.rows if r.type == "penalties"]
    assert [r.origin.row for r in penalties] == [1, 2, 3]
    assert all(r.origin.file == f"table:{table}" for r in penalties)
    assert [(r.values["decision_date"], r.values["fine"], r.values["remarks"]) for r in penalties] == [
        ("2024-03-05", "0.5", ""), ("2024-03-06", "12", "备注"), ("2024-03-07", "0.000001", "")]
    assert penalties[0].values["party_name"] == "青山林业有限公司"
    assert penalties[2].values["facts"] == "第一项\n第二项"
    [permit] = [r for r in result.rows if r.type == "permits"]
    assert (permit.origin.file, permit.origin.row, permit.values["id"]) == ("query:permits", 1, "2")
    assert permit.values["decision_no"] == "青林罚〔2024〕2号"


def test_sql_bad_table_stops_only_its_type(database: tuple[str, str]) -> None:
    url, table = database
    config = SourceConfig("sql", "sql:test", url=url, tables={"permits": "no_such_table"},
                          queries={"penalties": f"SELECT * FROM {quoted(url, table)} WHERE id = 3"})
    result = sql.read(config)
    failure = only_failure(result)
    assert failure.type == "permits" and failure.location == "table:no_such_table"
    assert "no_such_table" in failure.message
    assert [(r.type, r.values["decision_no"]) for r in result.rows] == [("penalties", "青林罚〔2024〕3号")]


def test_sql_result_missing_required_columns_stops_the_type(database: tuple[str, str]) -> None:
    url, _ = database
    config = SourceConfig("sql", "sql:test", url=url, queries={"penalties": "SELECT 1 AS decision_no"})
    result = sql.read(config)
    failure = only_failure(result)
    assert failure.type == "penalties" and "处罚决定日期 (decision_date)" in failure.message


@pytest.mark.parametrize("url", ["postgresql+psycopg://portal:s3cret@127.0.0.1:1/test",
                                 "mysql+pymysql://portal:s3cret@127.0.0.1:1/test"])
def test_unreachable_database_stops_every_configured_type(url: str) -> None:
    config = SourceConfig("sql", "sql:db", url=url, tables={"penalties": "p"},
                          queries={"permits": "SELECT 1"})
    result = sql.read(config)
    assert result.rows == []
    assert sorted(f.type for f in result.failures) == ["penalties", "permits"]
    assert all("无法连接数据库" in f.message and "s3cret" not in f.message for f in result.failures)


# --- http -------------------------------------------------------------------------------------


def http_source(url: str, *types: str, timeout: float = 5.0) -> SourceConfig:
    return SourceConfig("http", f"http:{url}", url=url, timeout=timeout, types=types)


def test_http_list_of_records_of_the_only_configured_type() -> None:
    body = json.dumps([PENALTY, dict(penalty(2), fine=12)], ensure_ascii=False).encode()
    with json_server({"/api": Reply(body=body)}) as base:
        result = http.read(http_source(f"{base}/api", "penalties"))
    assert result.failures == [] and result.notes == []
    assert [(r.type, r.origin.file, r.origin.row, r.values["fine"]) for r in result.rows] == [
        ("penalties", f"{base}/api", 1, "0.5"), ("penalties", f"{base}/api", 2, "12")]


def test_http_records_by_type_in_a_gbk_answer() -> None:
    body = json.dumps({"penalties": [PENALTY], "permits": [PERMIT]}, ensure_ascii=False).encode("gbk")
    with json_server({"/all": Reply(body=body, content_type="application/json; charset=GBK")}) as base:
        result = http.read(http_source(f"{base}/all", "penalties", "permits"))
    assert result.failures == []
    assert [(r.type, r.values["party_name"]) for r in result.rows] == [("penalties", PENALTY["party_name"]),
                                                                       ("permits", "张三")]


@pytest.mark.parametrize(("reply", "reason"), [
    (Reply(500, b"oops", "text/plain"), "HTTP 500"),
    (Reply(body=b"<html>login</html>", content_type="text/html"), "不是 JSON"),
    (Reply(body=b'{"total": 0}'), "JSON 的结构不对"),
])
def test_http_error_stops_every_configured_type(reply: Reply, reason: str) -> None:
    with json_server({"/api": reply}) as base:
        result = http.read(http_source(f"{base}/api", "penalties", "permits"))
    assert result.rows == []
    assert [f.type for f in result.failures] == ["penalties", "permits"]
    assert all(reason in f.message and f"{base}/api" in f.message for f in result.failures)


def test_http_connection_refused_stops_the_whole_source() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    failure = only_failure(http.read(http_source(f"http://127.0.0.1:{port}/api")))
    assert failure.type is None and "无法连接接口" in failure.message and str(port) in failure.message


def test_http_slow_endpoint_times_out() -> None:
    with json_server({"/slow": Reply(body=b"[]", delay=2.0)}) as base:
        started = time.monotonic()
        result = http.read(http_source(f"{base}/slow", "penalties", timeout=0.5))
        elapsed = time.monotonic() - started
    failure = only_failure(result)
    assert failure.type == "penalties" and "超时" in failure.message
    assert elapsed < 1.5


def test_read_sources_combines_kinds_and_a_broken_one_does_not_stop_the_others(tmp_path: Path) -> None:
    write_csv(tmp_path / "penalties.csv", [penalty()])
    result = read_sources([SourceConfig("files", "files:x", path=tmp_path),
                           SourceConfig("files", "files:gone", path=tmp_path / "gone")])
    assert len(result.rows) == 1 and [f.source for f in result.failures] == ["files:gone"]
