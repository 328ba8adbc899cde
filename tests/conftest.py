"""Test databases built by the real migrations, once per run and backend.

SQLite always; PostgreSQL on the server TEST_DATABASE_URL names, or, when it is unset, on a local
server at 127.0.0.1:5432 if one answers (a throwaway database is created there and dropped
afterwards, so nothing a developer keeps on that server is touched). Under CI=true a missing
PostgreSQL is a failure, not a skip. Each test runs in a transaction that is rolled back.
"""

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app import migrations
from app.config import Settings
from app.database import Database, get_database
from app.engines import Engines, create_db_engine
from app.main import create_app
from app.seeding.build import build_dataset
from app.seeding.load import load_dataset

BACKENDS = ["sqlite", "postgresql"]
# SEEDS_DIR points the whole suite at another copy of the seeds (tests/test_new_article.py does).
SEEDS_DIR = Path(
    os.environ.get("SEEDS_DIR") or Path(__file__).resolve().parent.parent / "seeds"
).resolve()


LOCAL_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _local_postgres_answers() -> bool:
    probe = create_engine(LOCAL_POSTGRES_URL, connect_args={"connect_timeout": 2})
    try:
        with probe.connect():
            return True
    except OperationalError:
        return False
    finally:
        probe.dispose()


@functools.cache
def _postgres_server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return Settings(database_url=url).database_url
    if _local_postgres_answers():
        return LOCAL_POSTGRES_URL
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(
            "CI=true but no PostgreSQL: set TEST_DATABASE_URL or start one on 127.0.0.1:5432; "
            "PostgreSQL tests cannot be skipped"
        )
    return None


def _create_postgres_database() -> tuple[str, Engine]:
    server = _postgres_server_url()
    if server is None:
        pytest.skip(
            "no PostgreSQL: TEST_DATABASE_URL is unset and nothing answers on 127.0.0.1:5432"
        )
    name = f"diplomatic_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    return url, admin


def _drop_postgres_database(url: str, admin: Engine) -> None:
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


DatabaseFactory = Callable[[str], str]


@pytest.fixture(scope="session")
def make_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    """Create brand-new, empty databases of a backend; PostgreSQL ones are dropped at the end."""
    created: list[tuple[str, Engine]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        url, admin = _create_postgres_database()
        created.append((url, admin))
        return url

    yield make
    for url, admin in created:
        _drop_postgres_database(url, admin)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, scope="session")


@pytest.fixture
def database_url(backend: str, make_database: DatabaseFactory) -> str:
    """A database of its own, migrated to head and empty: for a test that reseeds or serves it."""
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    return url


@pytest.fixture
def writer(database_url: str) -> Iterator[Engine]:
    """A writing engine on `database_url`, which it seeds with the curated dataset."""
    engine = create_db_engine(database_url)
    load_dataset(engine=engine, dataset=build_dataset(seeds_dir=SEEDS_DIR))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def engine(backend: str, make_database: DatabaseFactory) -> Iterator[Engine]:
    """An engine on a database migrated to head and seeded with the curated dataset."""
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    test_engine = create_db_engine(url)
    load_dataset(engine=test_engine, dataset=build_dataset(seeds_dir=SEEDS_DIR))
    yield test_engine
    test_engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as db_session:
        yield db_session


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def placement(request: pytest.FixtureRequest) -> str:
    """Where reads run: `auto` (inline on SQLite when the service says so) or `threads`.
    API test modules parametrize it (indirectly) to run both paths on both databases."""
    return str(getattr(request, "param", "auto"))


@pytest.fixture
def make_client(engine: Engine, placement: str) -> Iterator[ClientFactory]:
    """Build clients on the real app over the test database, with settings overridden."""
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        url = engine.url.render_as_string(hide_password=False)
        app = create_app(Settings(database_url=url, **overrides))  # type: ignore[arg-type]
        if placement == "threads":

            async def threads_only(request: Request) -> Database:
                engines: Engines = request.app.state.engines
                return Database(engines, request=request, threads_only=True)

            app.dependency_overrides[get_database] = threads_only
        test_client = TestClient(app, raise_server_exceptions=False)
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    """An HTTP client on the real app with default settings, over the test database."""
    return make_client()
