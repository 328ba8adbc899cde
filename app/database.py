"""One read layer: where a query runs, on which snapshot, with which clock.

Every request reads through a `Database` (a dependency, in the spirit of Datasette's): it owns
the serving engines, runs each `Read` where the service that built it said (inline on the event
loop when the read is a few index probes and the database is SQLite, else in a worker thread),
opens one transaction per read so the read sees one snapshot, arms the statement clock, and
records the dataset version the caching middleware sends as `X-Dataset-Version`.

Services receive a `Snapshot` and speak SQL strings to it, in the subset both databases
speak, with `:name` parameters: one query style for every read. The one statement of this
layer is the version that stamps every snapshot.
"""

import asyncio
import datetime as dt
import functools
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from app.engines import STATEMENT_TIMEOUT_KEY, Engines, standby_failure
from app.engines import Standby as Standby  # for the readiness probe, which reports each
from app.errors import ProblemError
from app.file_watch import current_engines
from app.readmodel.contract import DATASET_META
from app.versioned_urls import VersionMismatchError, requested_version, version_gone

T = TypeVar("T")
logger = logging.getLogger("app.database")
Params = dict[str, Any]
# What a read raises when the database fails it, for callers above this layer, which do not
# speak SQLAlchemy (an export cut by a reseed or a killed backend).
DatabaseError = SQLAlchemyError
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


def _set_aside(standby: Standby | None, exc: DBAPIError) -> bool:
    """Whether a read that failed with `exc` on `standby` goes on (the standby sits out)."""
    reason = standby_failure(exc)
    if standby is None or reason is None:
        return False
    standby.failed(reason)
    logger.warning("%s failed (%s); reading elsewhere", standby.name, reason)
    return True


class WorkBudgetExceededError(ProblemError):
    """A request's database work ran past REQUEST_WORK_BUDGET_MS (all its statements together,
    time waiting for a thread or a search slot included)."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(
            503,
            f"This request needs more than {budget_s:g} s of database work. Narrow it: fewer or "
            "longer `word*` prefixes in `q`, a date range (`from`, `to`) or another filter, "
            "fewer `facet` dimensions, or leave out `include_total`.",
            slug="work-budget-exceeded",
            headers={"Retry-After": "5"},
        )


class Snapshot:
    """One transaction's reads: SQL strings run straight on the driver's cursor.

    Building and compiling a SQLAlchemy statement costs more than SQLite takes to answer it
    (docs/performance.md). Dates come back as ISO strings on SQLite and `datetime.date` on
    PostgreSQL; the read model stores what clients see, so few queries read dates at all.
    """

    def __init__(self, connection: Connection, budget: "Budget | None" = None) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self._version: tuple[str | None] | None = None
        self.budget = budget
        self._pg_limit_ms: int | None = None  # this transaction's statement_timeout, if set

    def _bound_by_budget(self, cursor: Any, statement_limit: float | None) -> float | None:
        """The time this statement may take: its own limit, cut to what the request's budget
        has left (which is over: 503). PostgreSQL is told by SET LOCAL statement_timeout."""
        budget = self.budget
        if budget is None:
            return statement_limit
        remaining = budget.deadline - time.monotonic()
        if remaining <= 0:
            raise WorkBudgetExceededError(budget.seconds)
        limit = remaining if statement_limit is None else min(remaining, statement_limit)
        if self.dialect != "sqlite":
            limit_ms = max(1, int(limit * 1000))
            # Said again only when the budget shrank it noticeably: one round trip per snapshot
            # for a cheap request.
            if self._pg_limit_ms is None or limit_ms < self._pg_limit_ms - 50:
                cursor.execute(f"SET LOCAL statement_timeout = {limit_ms}")
                self._pg_limit_ms = limit_ms
        return limit

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Every row of `sql`, as tuples."""
        connection = self.connection
        params = params or {}
        dbapi = connection.dialect.loaded_dbapi
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if self.dialect == "sqlite":
            info = connection.info
            limit = self._bound_by_budget(cursor, info.get(STATEMENT_TIMEOUT_KEY))
            if limit:
                info["deadline"] = time.monotonic() + limit
            statement, bound = sql, {k: _sqlite_value(v) for k, v in params.items()}
        else:
            self._bound_by_budget(cursor, self.budget.statement_s if self.budget else None)
            statement, bound = _pyformat(sql), params
        try:
            cursor.execute(statement, bound)
            return list(cursor.fetchall())
        except dbapi.Error as exc:
            cursor.close()
            # Whatever state the connection is in now, it is not trusted again: the pool
            # replaces it rather than hand it to the next request.
            connection.invalidate()
            if self.budget is not None and time.monotonic() >= self.budget.deadline:
                raise WorkBudgetExceededError(self.budget.seconds) from exc
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
        """The version of the dataset this snapshot sees (read once: it cannot change)."""
        if self._version is None:
            value = self.scalar(f"SELECT version FROM {DATASET_META}")
            self._version = (None if value is None else str(value),)
        return self._version[0]

    def require_version(self, wanted: str | None) -> None:
        """Raise VersionMismatchError unless this snapshot holds `wanted` (None: any)."""
        if wanted is not None and self.dataset_version() != wanted:
            raise VersionMismatchError(wanted, self.dataset_version())


def in_list(name: str, values: Any) -> tuple[str, Params]:
    """A `(:name0, :name1, ...)` list and its parameters, for `column IN ...`."""
    params = {f"{name}{index}": value for index, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


def where(conditions: list[str]) -> str:
    """` WHERE a AND b`, or nothing for no conditions."""
    return " WHERE " + " AND ".join(conditions) if conditions else ""


@dataclass(frozen=True)
class Read(Generic[T]):
    """Work on one snapshot, and where it runs. `inline`: the service that built it knows it is
    a few index probes, so on SQLite it runs on the event loop, where it costs less than the
    hop to a worker thread and back (docs/performance.md); any other read runs in a thread."""

    work: Callable[[Snapshot], T]
    inline: bool = False

    def __call__(self, snapshot: Snapshot) -> T:
        return self.work(snapshot)


def inline_read(function: Callable[..., T]) -> Callable[..., T]:
    """Mark a service function as a few index probes: `read_of` makes it an inline `Read`."""
    function.inline = True  # type: ignore[attr-defined]
    return function


def together(*reads: Read[Any]) -> Read[tuple[Any, ...]]:
    """Several reads on one snapshot (a page of the explorer): inline only if every one is."""
    return Read(
        lambda snapshot: tuple(read(snapshot) for read in reads),
        inline=all(read.inline for read in reads),
    )


def pinned(read: Read[T], version: str | None) -> Read[T]:
    """`read`, only on a snapshot of dataset `version` (a cursor's); None: any version."""
    if version is None:
        return read

    def work(snapshot: Snapshot) -> T:
        snapshot.require_version(version)
        return read(snapshot)

    return Read(work, inline=read.inline)


def read_of(function: Callable[..., T], **arguments: Any) -> Read[T]:
    """`function(snapshot, **arguments)` as a Read, inline if the service marked it so."""

    def work(snapshot: Snapshot) -> T:
        return function(snapshot, **arguments)

    return Read(work, inline=getattr(function, "inline", False))


class Budget:
    """A request's allowance of database work: a deadline for all its statements together."""

    def __init__(self, seconds: float, statement_s: float | None) -> None:
        self.seconds = seconds
        self.statement_s = statement_s
        self.deadline = time.monotonic() + seconds
        self.spent = 0.0  # seconds of database work, for the rate limiter's charge


class Database:
    """A request's access to the data; see the module docstring."""

    def __init__(
        self, engines: Engines, *, request: Request | None = None, threads_only: bool = False
    ) -> None:
        self.engines = engines
        self.request = request
        # Every read in a worker thread, inline ones too: the tests run both paths.
        self.threads_only = threads_only
        self.budget: Budget | None = None
        self.engine: Engine | None = None  # where the last read ran
        # The version a versioned URL names: every read of this request is of it, or a 410.
        self.wanted_version = requested_version(request.url.query) if request else None
        if request is not None:
            settings = request.app.state.settings
            if settings.request_work_budget_ms:
                statement_ms = settings.query_timeout_ms
                self.budget = Budget(
                    settings.request_work_budget_ms / 1000,
                    statement_ms / 1000 if statement_ms else None,
                )

    @contextmanager
    def snapshot(
        self, engine: Engine | None = None, *, budget: Budget | None = None
    ) -> Iterator[Snapshot]:
        """A transaction on its own connection (blocking: call it from a worker thread);
        `budget` bounds its statements together (an export's batches have none)."""
        with (engine or self.engines.pooled).connect() as connection, connection.begin():
            yield Snapshot(connection, budget)

    def _execute(self, engine: Engine | None, work: Callable[[Snapshot], T]) -> T:
        """`work` on `engine`, or (None) on the first of the read order that answers with the
        version the request names: a failed or lagging standby sends the read on."""
        order = [(engine, None)] if engine is not None else self.engines.read_order()
        mismatch: VersionMismatchError | None = None
        for candidate, standby in order:
            try:
                result = self._read(candidate, work)
            except VersionMismatchError as exc:
                mismatch = exc
                continue
            except DBAPIError as exc:
                if not _set_aside(standby, exc):
                    raise
                continue
            if standby is not None:
                standby.answered()
            self.engine = candidate
            return result
        assert mismatch is not None  # the primary, last, either answered or raised
        if self.request is None:
            raise mismatch
        raise version_gone(self.request, mismatch) from None

    def _read(self, engine: Engine, work: Callable[[Snapshot], T]) -> T:
        """`work` on one snapshot of `engine`, which must hold the version the request names."""
        started = time.monotonic()
        try:
            with self.snapshot(engine, budget=self.budget) as snapshot:
                # The version is read first, so the answer and its header share one snapshot.
                version = snapshot.dataset_version()
                if self.request is not None:
                    self.request.state.dataset_version = version
                snapshot.require_version(self.wanted_version)
                return work(snapshot)
        finally:
            if self.request is not None:
                state = self.request.state
                state.work_seconds = getattr(state, "work_seconds", 0.0) + (
                    time.monotonic() - started
                )

    def batch(self, work: Callable[[Snapshot], T]) -> T:
        """One batch of an export on a snapshot of its own, where the request last read; if
        that standby fails, on the next engine (`work` checks the version it finds)."""
        for candidate, standby in self.engines.read_order(first=self.engine):
            try:
                with self.snapshot(candidate) as snapshot:
                    result = work(snapshot)
            except DBAPIError as exc:
                if not _set_aside(standby, exc):
                    raise
                continue
            self.engine = candidate
            return result
        raise AssertionError("every read order ends on the primary, which raises")

    async def run(self, read: Read[T]) -> T:
        """Run `read` on one snapshot: on the event loop when it is inline and the database
        is SQLite, else in a worker thread. Searches and counts wait (on the loop, never
        holding a thread) for one of the SEARCH_MAX_CONCURRENT slots, so they never take every
        route thread."""
        if read.inline and not self.threads_only and self.engines.dialect == "sqlite":
            return self._execute(self.engines.inline, read)
        slots = self._search_slots()
        if slots is None:
            return await run_in_threadpool(self._execute, None, read)
        budget = self.budget
        try:
            timeout = None if budget is None else max(0.0, budget.deadline - time.monotonic())
            await asyncio.wait_for(slots.acquire(), timeout)
        except TimeoutError:
            assert budget is not None
            raise WorkBudgetExceededError(budget.seconds) from None
        try:
            return await run_in_threadpool(self._execute, None, read)
        finally:
            slots.release()

    async def current_version(self) -> str | None:
        """The dataset version now, or None if the database cannot say: an answer refused
        before any read still names the dataset it was refused against."""
        try:
            return await self.run(Read(Snapshot.dataset_version, inline=True))
        except (SQLAlchemyError, ProblemError):
            return None

    def _search_slots(self) -> asyncio.Semaphore | None:
        """The app's slots for costly reads, when this request is one: a full-text search or
        a count (`q`, `include_total`, facets: counts of every match)."""
        request = self.request
        if request is None:
            return None
        query = request.query_params
        counts = query.get("include_total", "").lower() in ("true", "1")
        if "q" not in query and not counts and not request.url.path.endswith("/facets"):
            return None
        slots: asyncio.Semaphore | None = getattr(request.app.state, "search_slots", None)
        return slots

    async def call(self, function: Callable[..., T], **arguments: Any) -> T:
        """Run a service function `function(snapshot, **arguments)`, where its mark says."""
        return await self.run(read_of(function, **arguments))


async def get_engines(request: Request) -> Engines:
    """The app's serving engines (built at start-up from the app's settings), on the SQLite
    file now at the configured path (see app/file_watch.py)."""
    return current_engines(request.app)


EnginesDep = Annotated[Engines, Depends(get_engines)]


async def get_database(request: Request, engines: EnginesDep) -> Database:
    return Database(engines, request=request)


DatabaseDep = Annotated[Database, Depends(get_database)]
