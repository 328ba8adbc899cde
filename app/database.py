"""One engine per process, with the same code path for SQLite and PostgreSQL.

The serving engine is read-only and bounds every statement's run time; the seed and the
migrations use a writable engine of their own.
"""

import time
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

from app.config import get_settings

# SQLite VM instructions between two looks at the clock: each look is a Python call that needs
# the GIL, so looking often slows every query down; 100,000 steps are still only milliseconds.
_PROGRESS_STEPS = 100_000
_CACHE_KIB = 16 * 1024
# Where a pooled SQLite connection keeps its statement time limit (seconds), for the code that
# runs SQL on the driver's cursor directly (app/services/sql.py) and must start the clock itself.
STATEMENT_TIMEOUT_KEY = "statement_timeout_s"


def _sqlite_file(url: str) -> Path | None:
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
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the seed, and v.v.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 16 MiB of page cache per connection instead of SQLite's 2 MiB: at 1M events a page of
        # 50 events touches about that many index and table pages (docs/performance.md).
        cursor.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
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
            connection.info.pop("deadline", None)

        event.listen(engine, "commit", stop_clock)
        event.listen(engine, "rollback", stop_clock)


def create_db_engine(
    url: str,
    *,
    read_only: bool = False,
    statement_timeout_ms: int | None = None,
    pool_size: int = 5,
    busy_timeout_ms: int = 5000,
) -> Engine:
    """Build an engine for `url` with the per-connection settings this service relies on."""
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path is not None and not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
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
    options = []
    if read_only:
        options.append("-c default_transaction_read_only=on")
    if statement_timeout_ms:
        options.append(f"-c statement_timeout={int(statement_timeout_ms)}")
    return create_engine(
        url,
        # One snapshot per request: a reseed committing mid-request must not mix versions.
        isolation_level="REPEATABLE READ" if read_only else "READ COMMITTED",
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args={"options": " ".join(options)} if options else {},
    )


@lru_cache
def serving_engine() -> Engine:
    """The process-wide serving engine: read-only, with a per-statement time limit."""
    settings = get_settings()
    return create_db_engine(
        settings.database_url,
        read_only=True,
        statement_timeout_ms=settings.query_timeout_ms,
        pool_size=settings.db_pool_size,
        busy_timeout_ms=settings.db_busy_timeout_ms,
    )


@lru_cache(maxsize=8)
def point_read_engine(engine: Engine) -> Engine:
    """Where primary-key reads run: for SQLite a one-connection twin of `engine`, used only on
    the event loop (app.api.deps.run_point_read); for PostgreSQL `engine` itself.

    The twin never shares the pool of the worker threads, so the event loop never waits for a
    connection that only the event loop could give back.
    """
    if engine.dialect.name != "sqlite":
        return engine
    settings = get_settings()
    return create_db_engine(
        engine.url.render_as_string(hide_password=False),
        read_only=True,
        statement_timeout_ms=settings.query_timeout_ms,
        pool_size=1,
        busy_timeout_ms=settings.db_busy_timeout_ms,
    )


def get_writer_engine() -> Engine:
    """A writable engine for the seed loader (never used to serve requests)."""
    settings = get_settings()
    return create_db_engine(settings.database_url, busy_timeout_ms=settings.db_busy_timeout_ms)


# Dependencies are coroutines because they do no blocking work: a sync dependency would cost
# each request an extra hop through the thread pool.
async def get_engine() -> Engine:
    """The serving engine, as a dependency."""
    return serving_engine()


EngineDep = Annotated[Engine, Depends(get_engine)]


async def get_session(engine: EngineDep) -> AsyncIterator[Session]:
    """Yield a session for one request (it connects lazily, on its first query)."""
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_point_session(engine: EngineDep) -> AsyncIterator[Session]:
    """Yield a session for a primary-key read (see `point_read_engine`)."""
    with Session(point_read_engine(engine)) as session:
        yield session


PointSessionDep = Annotated[Session, Depends(get_point_session)]
