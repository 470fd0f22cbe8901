"""The `sql` source: one table or SELECT per record type, through SQLAlchemy (SQLite, PostgreSQL, MariaDB).

A failing query stops only its type; a database that cannot be reached stops every configured type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from publisher.core.config import SourceConfig
from publisher.pull.rows import SourceFailure, SourceResult
from publisher.pull.sources.snapshots import Snapshots
from publisher.pull.sources.sql_changes import read_by_changes
from publisher.pull.sources.tables import add_table


def read(config: SourceConfig, snapshots: Snapshots | None = None) -> SourceResult:
    """Run each configured table or query once and map its columns like a file's headers.

    With `updated_at` set and a snapshot store, each becomes a Piece read by its changes (sql_changes).
    """
    result = SourceResult()
    jobs = [(rtype, f"table:{name}", name, None) for rtype, name in config.tables.items()]
    jobs += [(rtype, f"query:{rtype}", None, query) for rtype, query in config.queries.items()]
    secret = _password(config.url)
    try:
        engine = create_engine(config.url or "")
    except Exception as exc:  # a malformed URL or a driver that is not installed
        _fail_all(result, config, jobs, f"数据库地址无法使用：{_reason(exc, secret)}")
        return result
    try:
        try:
            connection = engine.connect()
        except Exception as exc:
            _fail_all(result, config, jobs, f"无法连接数据库：{_reason(exc, secret)}")
            return result
        with connection:
            for rtype, location, table, query in jobs:
                try:
                    if table is not None:
                        quote = engine.dialect.identifier_preparer.quote
                        # "schema.table" is allowed; each part is quoted, never pasted in raw.
                        statement = text(f"SELECT * FROM {'.'.join(quote(p) for p in table.split('.'))}")
                    else:
                        statement = text(query or "")
                    if config.updated_at and snapshots is not None:
                        base = str(statement).strip().rstrip(";")
                        result.pieces.append(read_by_changes(connection, config, rtype, location, base, snapshots))
                        continue
                    cursor = connection.execute(statement)
                    headers = [str(c) for c in cursor.keys()]
                    rows = [(n, list(row)) for n, row in enumerate(cursor.fetchall(), 1)]
                except Exception as exc:
                    result.failures.append(SourceFailure(config.label, rtype, location, (
                        f"{config.label} {location}: query failed: {_reason(exc, secret)}")))
                    _rollback(connection)
                    continue
                add_table(result, config.label, location, rtype, headers, rows)
    finally:
        engine.dispose()
    return result


def _fail_all(result: SourceResult, config: SourceConfig, jobs: list[Any], message: str) -> None:
    for rtype in dict.fromkeys(job[0] for job in jobs):
        result.failures.append(SourceFailure(config.label, rtype, config.label, f"{config.label}: {message}"))
    if not jobs:
        result.failures.append(SourceFailure(config.label, None, config.label, f"{config.label}: {message}"))


def _password(url: str | None) -> str | None:
    try:
        return make_url(url or "").password
    except Exception:  # an unparsable URL has no password to hide
        return None


def _reason(exc: Exception, secret: str | None) -> str:
    """The driver's own first line (not SQLAlchemy's wrapper with its links), without the password."""
    inner = getattr(exc, "orig", None) or exc
    lines = str(inner).strip().splitlines()
    reason = f"{type(inner).__name__}: {lines[0] if lines else ''}"
    return reason.replace(secret, "***") if secret else reason


def _rollback(connection: Any) -> None:
    try:
        connection.rollback()  # PostgreSQL refuses further statements in a failed transaction
    except Exception:  # the connection is gone; the next query will report it
        pass
