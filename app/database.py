"""One read layer: where a query runs, on which snapshot, with which clock.

Every request reads through a `Database` (a dependency, in the spirit of Datasette's): it owns
the serving engines, decides where a piece of work runs (inline on the event loop when the
service says the work is a few index probes on SQLite, else in a worker thread), opens one
transaction per piece of work so the work reads one snapshot, arms the statement clock, and
records the dataset version the caching middleware sends as `X-Dataset-Version`.

Services receive a `Snapshot` and speak SQL strings to it, in the subset both databases
speak, with `:name` parameters: one query style for every read.
"""

import datetime as dt
import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from app.engines import STATEMENT_TIMEOUT_KEY, Engines

T = TypeVar("T")
Params = dict[str, Any]
# Ends a subquery whose plan the service chose: a probe asked row by row, or a small set of
# matches fetched before the rest. A page on PostgreSQL turns it into OFFSET 0, which the
# planner may not flatten into a join: it would otherwise hash-join or merge whole posting
# lists and sort every match (leader+country at 200k events: 1,047 ms) instead of probing the
# few entries a LIMIT-ed walk reads (1.3 ms), as SQLite does. Elsewhere it stays a comment: a
# count or a timeline reads every match, and there a join of the lists is the right plan.
PLANNED_SUBQUERY_END = "/* planned */"


def as_planned(dialect: str, sql: str) -> str:
    """`sql` with its planned subqueries kept as written (see PLANNED_SUBQUERY_END)."""
    return sql.replace(PLANNED_SUBQUERY_END, " OFFSET 0") if dialect == "postgresql" else sql


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=1024)  # bounded: filter combinations make many statements
def _pyformat(sql: str) -> str:
    """`:name` placeholders as psycopg's `%(name)s` (no literal `%` may appear in our SQL)."""
    return _NAMED.sub(r"%(\1)s", sql)


def _sqlite_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class Snapshot:
    """One transaction's reads: SQL strings run straight on the driver's cursor.

    Building and compiling a SQLAlchemy statement costs more than SQLite takes to answer it
    (docs/performance.md). Dates come back as ISO strings on SQLite and `datetime.date` on
    PostgreSQL; the read model stores what clients see, so few queries read dates at all.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Every row of `sql`, as tuples."""
        connection = self.connection
        params = params or {}
        if self.dialect == "sqlite":
            info = connection.info
            limit = info.get(STATEMENT_TIMEOUT_KEY)
            if limit:
                info["deadline"] = time.monotonic() + limit
            statement, bound = sql, {k: _sqlite_value(v) for k, v in params.items()}
        else:
            statement, bound = _pyformat(sql), params
        dbapi = connection.dialect.loaded_dbapi
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(statement, bound)
            return list(cursor.fetchall())
        except dbapi.Error as exc:
            cursor.close()
            # Whatever state the connection is in now, it is not trusted again: the pool
            # replaces it rather than hand it to the next request.
            connection.invalidate()
            raise DBAPIError.instance(statement, bound, exc, dbapi.Error) from exc
        finally:
            if not connection.invalidated:
                cursor.close()

    def column(self, sql: str, params: Params | None = None) -> list[Any]:
        """The first column of every row."""
        return [row[0] for row in self.rows(sql, params)]

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        """The first column of the first row, or None."""
        result = self.rows(sql, params)
        return result[0][0] if result else None

    def dataset_version(self) -> str | None:
        value = self.scalar("SELECT version FROM dataset_meta")
        return None if value is None else str(value)


def in_list(name: str, values: Any) -> tuple[str, Params]:
    """A `(:name0, :name1, ...)` list and its parameters, for `column IN ...`."""
    params = {f"{name}{index}": value for index, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


def where(conditions: list[str]) -> str:
    """` WHERE a AND b`, or nothing for no conditions."""
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def inline_read(function: Callable[..., T]) -> Callable[..., T]:
    """Mark a service function as a few index probes: on SQLite it runs on the event loop,
    where it costs less than the hop to a worker thread and back (docs/performance.md)."""
    function.inline = True  # type: ignore[attr-defined]
    return function


class Database:
    """A request's access to the data; see the module docstring."""

    def __init__(
        self, engines: Engines, *, request: Request | None = None, inline: bool = True
    ) -> None:
        self.engines = engines
        self.request = request
        # False sends every read to a worker thread (the tests run both paths).
        self.inline = inline

    @contextmanager
    def snapshot(self, engine: Engine | None = None) -> Iterator[Snapshot]:
        """A transaction on its own connection (blocking: call it from a worker thread)."""
        with (engine or self.engines.pooled).connect() as connection, connection.begin():
            yield Snapshot(connection)

    def _execute(self, engine: Engine, work: Callable[[Snapshot], T]) -> T:
        with self.snapshot(engine) as snapshot:
            # The version is read first, so the answer and its header share one snapshot.
            version = snapshot.dataset_version()
            if self.request is not None:
                self.request.state.dataset_version = version
            return work(snapshot)

    async def run(self, work: Callable[[Snapshot], T], *, inline: bool | None = None) -> T:
        """Run `work` on one snapshot: on the event loop when it is an inline read (by
        `inline`, else by the `inline_read` mark of `work`) and the database is SQLite."""
        if inline is None:
            inline = getattr(work, "inline", False)
        if inline and self.inline and self.engines.dialect == "sqlite":
            return self._execute(self.engines.inline, work)
        return await run_in_threadpool(self._execute, self.engines.pooled, work)

    async def call(self, function: Callable[..., T], **arguments: Any) -> T:
        """Run a service function `function(snapshot, **arguments)`, where its mark says."""

        def work(snapshot: Snapshot) -> T:
            return function(snapshot, **arguments)

        return await self.run(work, inline=getattr(function, "inline", False))


async def get_engines(request: Request) -> Engines:
    """The app's serving engines (built at start-up from the app's settings)."""
    engines: Engines = request.app.state.engines
    return engines


EnginesDep = Annotated[Engines, Depends(get_engines)]


async def get_database(request: Request, engines: EnginesDep) -> Database:
    return Database(engines, request=request)


DatabaseDep = Annotated[Database, Depends(get_database)]
