"""Hand-written SQL run straight on the driver's cursor, for the hot read paths.

Building and compiling a SQLAlchemy statement costs far more than SQLite takes to answer it
(docs/performance.md), so the read services keep their SQL as strings written once, in the
subset both databases speak, with `:name` parameters. Rows come back as tuples; dates are ISO
strings on SQLite and `datetime.date` on PostgreSQL, which `iso()` irons out.

The statement clock (database.py) is armed here, since these statements bypass SQLAlchemy's
events, and driver errors are re-raised as SQLAlchemy's, which errors.py answers with a 503.
"""

import datetime as dt
import functools
import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.database import STATEMENT_TIMEOUT_KEY

Params = dict[str, Any]
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=1024)  # bounded: repeated filters make many distinct statements
def _pyformat(sql: str) -> str:
    """`:name` placeholders as psycopg's `%(name)s` (no literal `%` may appear in our SQL)."""
    return _NAMED.sub(r"%(\1)s", sql)


def _sqlite_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def rows(session: Session, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
    """Every row of `sql` as tuples, in the session's transaction."""
    connection = session.connection()
    params = params or {}
    if connection.dialect.name == "sqlite":
        info = connection.info
        limit = info.get(STATEMENT_TIMEOUT_KEY)
        if limit:
            info["deadline"] = time.monotonic() + limit
        statement, bound = sql, {k: _sqlite_value(v) for k, v in params.items()}
    else:
        statement, bound = _pyformat(sql), params
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, bound)
        return list(cursor.fetchall())
    except connection.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            statement, bound, exc, connection.dialect.loaded_dbapi.Error
        ) from exc
    finally:
        cursor.close()


def dicts(
    session: Session, sql: str, columns: Sequence[str], params: Params | None = None
) -> list[dict[str, Any]]:
    """Every row of `sql` as a dict keyed by `columns` (the SELECT list, in order)."""
    return [dict(zip(columns, row, strict=True)) for row in rows(session, sql, params)]


def scalar(session: Session, sql: str, params: Params | None = None) -> Any:
    """The first column of the first row, or None."""
    result = rows(session, sql, params)
    return result[0][0] if result else None


def in_list(name: str, values: Iterable[Any]) -> tuple[str, Params]:
    """A `(:name0, :name1, ...)` list and its parameters, for `column IN ...`."""
    params = {f"{name}{index}": value for index, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


def iso(value: Any) -> str | None:
    """A stored date as `YYYY-MM-DD` whichever driver read it (`str` of a date is ISO)."""
    return None if value is None else str(value)


def where(conditions: list[str]) -> str:
    """` WHERE a AND b`, or nothing for no conditions."""
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def date_keyset_page(
    session: Session,
    *,
    select: str,
    columns: Sequence[str],
    conditions: list[str],
    params: Params,
    order: tuple[str, str],
    descending: bool,
    limit: int,
    after: list[Any] | None,
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of `select` in (date, id) `order` after the key `after`, and the next key."""
    date_column, id_column = order
    conditions = list(conditions)
    params = dict(params)
    if after is not None:
        # A row-value comparison is one index range on both SQLite and PostgreSQL.
        operator = "<" if descending else ">"
        conditions.append(f"({date_column}, {id_column}) {operator} (:after_date, :after_id)")
        params["after_date"] = dt.date.fromisoformat(after[0])
        params["after_id"] = after[1]
    direction = "DESC" if descending else "ASC"
    statement = (
        f"{select}{where(conditions)} "
        f"ORDER BY {date_column} {direction}, {id_column} {direction} LIMIT :limit"
    )
    params["limit"] = limit + 1
    rows = dicts(session, statement, columns, params)
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    last = page[-1]
    return page, [iso(last[date_column.split(".")[-1]]), last[id_column.split(".")[-1]]]
