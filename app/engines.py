"""Engines: the same code path for SQLite and PostgreSQL.

Serving engines are read-only and bound every statement's run time; the seed and the
migrations use a writable engine of their own. A serving engine never creates or changes a
database file: SQLite is opened read-only, so a missing file is an error, not a new database.
"""

import itertools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlmodel import create_engine

from app.config import Pooler, Settings

# SQLite VM instructions between two looks at the clock: each look is a Python call that needs
# the GIL, so looking often slows every query down; 100,000 steps are still only milliseconds.
_PROGRESS_STEPS = 100_000
_CACHE_KIB = 16 * 1024
# Where a pooled SQLite connection keeps its statement time limit (seconds), for the code that
# runs SQL on the driver's cursor directly (app/database.py) and must start the clock itself.
STATEMENT_TIMEOUT_KEY = "statement_timeout_s"


def sqlite_file(url: str | URL) -> Path | None:
    """The file of an SQLite URL, or None for an in-memory or URI database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _configure_sqlite(
    engine: Engine, *, read_only: bool, busy_timeout_ms: int, statement_timeout_ms: int | None
) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself, so that every request reads one consistent snapshot
        # even while a reseed commits (pysqlite would otherwise run SELECTs outside any
        # transaction, each seeing whatever was committed last).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the seed, and v.v.
            cursor.execute("PRAGMA synchronous=NORMAL")
        # 16 MiB of page cache per connection instead of SQLite's 2 MiB: at 1M events a page of
        # 50 events touches about that many index and table pages (docs/performance.md).
        cursor.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        cursor.close()
        if statement_timeout_ms:
            info = record.info
            info[STATEMENT_TIMEOUT_KEY] = statement_timeout_ms / 1000

            def over_time() -> int:
                deadline = info.get("deadline")
                return 1 if deadline is not None and time.monotonic() > deadline else 0

            dbapi_connection.set_progress_handler(over_time, _PROGRESS_STEPS)

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    if statement_timeout_ms:
        limit = statement_timeout_ms / 1000

        @event.listens_for(engine, "before_cursor_execute")
        def start_clock(connection: Connection, *_args: Any) -> None:
            connection.info["deadline"] = time.monotonic() + limit

        def stop_clock(connection: Connection) -> None:
            if not connection.invalidated:  # an invalidated connection is being thrown away
                connection.info.pop("deadline", None)

        event.listen(engine, "commit", stop_clock)
        event.listen(engine, "rollback", stop_clock)


def _read_only_sqlite_url(url: str, path: Path) -> str:
    # mode=ro: SQLite itself refuses to create the file or write to it.
    return str(make_url(url).set(database=f"file:{path}?mode=ro", query={"uri": "true"}))


def create_db_engine(
    url: str,
    *,
    read_only: bool = False,
    statement_timeout_ms: int | None = None,
    pool_size: int = 5,
    busy_timeout_ms: int = 5000,
    pooler: Pooler = "none",
    connect_timeout_s: int | None = None,
) -> Engine:
    """Build an engine for `url` with the per-connection settings this service relies on.

    `pooler="transaction"` is for a PostgreSQL URL that points at PgBouncer in transaction
    pooling mode (docs/deploy.md): each transaction may run on another server connection, so
    nothing may live in the session."""
    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path is not None and not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        if path is not None and read_only:
            url = _read_only_sqlite_url(url, path)
        # A file gets a pool of long-lived connections like PostgreSQL's (each keeps its page
        # cache warm); in-memory databases keep the single-connection pool SQLAlchemy gives them.
        pooling = {"pool_size": pool_size, "max_overflow": 0} if path else {}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pooling)
        _configure_sqlite(
            engine,
            read_only=read_only,
            busy_timeout_ms=busy_timeout_ms,
            statement_timeout_ms=statement_timeout_ms,
        )
        return engine
    return _postgres_engine(
        url,
        read_only=read_only,
        statement_timeout_ms=statement_timeout_ms,
        pool_size=pool_size,
        pooler=pooler,
        connect_timeout_s=connect_timeout_s,
    )


def _postgres_engine(
    url: str,
    *,
    read_only: bool,
    statement_timeout_ms: int | None,
    pool_size: int,
    pooler: Pooler,
    connect_timeout_s: int | None = None,
) -> Engine:
    connect_args: dict[str, Any] = {}
    if connect_timeout_s:
        connect_args["connect_timeout"] = connect_timeout_s
    if pooler == "transaction":
        # PgBouncer refuses libpq's `options` startup parameter, and a server-side prepared
        # statement lives in a session another client's transaction may get next.
        connect_args["prepare_threshold"] = None
    else:
        options = []
        if read_only:
            options.append("-c default_transaction_read_only=on")
        if statement_timeout_ms:
            options.append(f"-c statement_timeout={int(statement_timeout_ms)}")
        if options:
            connect_args["options"] = " ".join(options)
    engine = create_engine(
        url,
        # One snapshot per request: a reseed committing mid-request must not mix versions.
        # psycopg opens each transaction with this level (BEGIN ISOLATION LEVEL ...), so it
        # holds behind a transaction pooler too.
        isolation_level="REPEATABLE READ" if read_only else "READ COMMITTED",
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args=connect_args,
    )
    if pooler == "transaction":
        _limit_each_transaction(
            engine, read_only=read_only, statement_timeout_ms=statement_timeout_ms
        )
    return engine


def _limit_each_transaction(
    engine: Engine, *, read_only: bool, statement_timeout_ms: int | None
) -> None:
    """What the startup options set for a session, set for each transaction instead."""
    if read_only:

        @event.listens_for(engine, "connect")
        def begin_read_only(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.read_only = True  # psycopg then sends BEGIN ... READ ONLY

    if statement_timeout_ms:
        limit = f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}"

        @event.listens_for(engine, "begin")
        def limit_statements(connection: Connection) -> None:
            connection.exec_driver_sql(limit)


class Standby:
    """A PostgreSQL hot standby the process reads from, and what it last showed of its health.

    A standby whose connection or read failed sits out READ_REPLICA_RETRY_MS; the first request
    after that tries it again (its pool pings a connection before handing it out), so a standby
    that comes back is used again without restarting anything, and one still down costs a
    request one refused connection before it falls back."""

    def __init__(self, name: str, engine: Engine, retry_s: float) -> None:
        self.name = name  # "standby 1": never the URL, which may hold a password
        self.engine = engine
        self.retry_s = retry_s
        self._lock = threading.Lock()
        self._down_until = 0.0
        self.failure: str | None = None

    def usable(self) -> bool:
        return time.monotonic() >= self._down_until

    @property
    def healthy(self) -> bool:
        return self.failure is None

    def failed(self, reason: str) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.retry_s
            self.failure = reason

    def answered(self) -> None:
        if self.failure is not None:
            with self._lock:
                self._down_until = 0.0
                self.failure = None


@dataclass(frozen=True)
class Engines:
    """What the service reads through: a pool for worker threads and, for SQLite, a
    one-connection twin used only on the event loop (the loop then never waits for a pooled
    connection that only the loop could give back). For PostgreSQL both are the pool.

    `standbys` (READ_DATABASE_URLS) serve reads before the pool, which is then the primary's
    and the fallback when no standby answers."""

    pooled: Engine
    inline: Engine
    standbys: tuple[Standby, ...] = ()
    _turn: "itertools.count[int]" = field(default_factory=itertools.count, compare=False)

    @property
    def dialect(self) -> str:
        return self.pooled.dialect.name

    def primary(self) -> tuple[Engine, ...]:
        """The engines on DATABASE_URL."""
        return (self.pooled,) if self.inline is self.pooled else (self.pooled, self.inline)

    def all(self) -> tuple[Engine, ...]:
        return self.primary() + tuple(standby.engine for standby in self.standbys)

    def read_order(self) -> list[tuple[Engine, Standby | None]]:
        """Where a read may run, in the order to try: the standbys not sitting out a failure,
        round robin (healthy ones first), then the primary."""
        standbys = self.standbys
        order: list[tuple[Engine, Standby | None]] = []
        if standbys:
            start = next(self._turn) % len(standbys)
            turn = [standbys[(start + i) % len(standbys)] for i in range(len(standbys))]
            usable = [s for s in turn if s.usable()]
            usable.sort(key=lambda standby: not standby.healthy)  # stable: keeps the turn
            order = [(standby.engine, standby) for standby in usable]
        order.append((self.pooled, None))
        return order

    def dispose(self) -> None:
        for engine in self.all():
            engine.dispose()


def _read_only_engine(settings: Settings, pool_size: int) -> Engine:
    """A read-only serving engine with a per-statement time limit."""
    return create_db_engine(
        settings.database_url,
        read_only=True,
        statement_timeout_ms=settings.query_timeout_ms,
        pool_size=pool_size,
        busy_timeout_ms=settings.db_busy_timeout_ms,
        pooler=settings.db_pooler,
    )


def _standby_engine(settings: Settings, url: str, pool_size: int) -> Engine:
    return create_db_engine(
        url,
        read_only=True,
        statement_timeout_ms=settings.query_timeout_ms,
        pool_size=pool_size,
        pooler=settings.db_pooler,
        connect_timeout_s=settings.read_replica_connect_timeout_s,
    )


def standbys(settings: Settings, pool_size: int) -> tuple[Standby, ...]:
    """The READ_DATABASE_URLS standbys, each with a pool of `pool_size` read-only connections."""
    return tuple(
        Standby(
            f"standby {number}",
            _standby_engine(settings, url, pool_size),
            settings.read_replica_retry_ms / 1000,
        )
        for number, url in enumerate(settings.read_database_urls, start=1)
    )


def serving_engines(settings: Settings) -> Engines:
    """The read-only engines of a process, with a per-statement time limit."""
    pooled = _read_only_engine(settings, settings.db_pool_size)
    if pooled.dialect.name != "sqlite":
        return Engines(
            pooled=pooled, inline=pooled, standbys=standbys(settings, settings.db_pool_size)
        )
    return Engines(pooled=pooled, inline=_read_only_engine(settings, 1))


def probe_engine(settings: Settings) -> Engine:
    """A one-connection read-only engine of its own for /readyz, which must answer while
    every pooled connection is busy with costly requests."""
    return _read_only_engine(settings, 1)


def writer_engine(settings: Settings) -> Engine:
    """A writable engine for the seed loader and migrations (never used to serve requests)."""
    return create_db_engine(
        settings.database_url,
        busy_timeout_ms=settings.db_busy_timeout_ms,
        pooler=settings.db_pooler,
    )
