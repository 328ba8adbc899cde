"""The API behind PgBouncer in transaction pooling mode (DB_POOLER=transaction).

A real PgBouncer (Debian's package) in front of this machine's PostgreSQL, with fewer server
connections than the API has clients, so that every transaction may land on a server
connection another one used last: nothing the API relies on may live in a session. The
PgBouncer configuration is the one docs/deploy.md shows, read from it.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError

from app import migrations
from app.config import PROJECT_ROOT
from app.engines import create_db_engine
from app.seeding.build import build_dataset
from app.seeding.load import load_dataset
from tests.conftest import SEEDS_DIR, DatabaseFactory
from tests.helpers import cli_server, free_port

DEPLOY_DOC = PROJECT_ROOT / "docs" / "deploy.md"
# Requests a frontend sends, each asked more often than psycopg's prepare threshold (5), so that
# a server-side prepared statement would be tried if the engine still made them.
PATHS = [
    "/v1/events?limit=3",
    "/v1/events?leader=xi-jinping&limit=2",
    "/v1/events/2025-01-21-putin-xi-video-call",
    "/v1/timeline?granularity=year",
    "/v1/quotes?q=cooperazione&limit=2",
    "/v1/leaders/vladimir-putin/quotes?limit=2",
    "/v1/trade/series?country=CN&partner=RU",
    "/v1/events.csv",
]
ROUNDS = 7


def _pgbouncer() -> str:
    binary = shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer",) if Path(p).exists()), None
    )
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but PgBouncer is missing: apt-get install -y pgbouncer")
        pytest.skip("PgBouncer is not installed (apt-get install -y pgbouncer)")
    return binary


def _documented_settings() -> str:
    """The `[pgbouncer]` settings docs/deploy.md gives (the block after its marker comment)."""
    doc = DEPLOY_DOC.read_text()
    match = re.search(r"<!-- pgbouncer.ini -->\s*```ini\n(.*?)```", doc, re.S)
    assert match, "docs/deploy.md has no ```ini block after <!-- pgbouncer.ini -->"
    return match.group(1)


@pytest.fixture(scope="module")
def database(make_database: DatabaseFactory) -> Iterator[str]:
    """A migrated, seeded PostgreSQL database, reached directly (as the migrate job does)."""
    url = make_database("postgresql")
    migrations.upgrade(database_url=url)
    engine = create_db_engine(url)
    load_dataset(engine=engine, dataset=build_dataset(seeds_dir=SEEDS_DIR))
    engine.dispose()
    yield url


@pytest.fixture(scope="module")
def bouncer_url(database: str) -> Iterator[str]:
    """PgBouncer in transaction mode on a free port, pooling `database` with 2 server
    connections; yields the URL the API uses to reach it."""
    binary = _pgbouncer()
    direct = make_url(database)
    port = free_port()
    # PgBouncer will not run as root; it drops to the `postgres` user, who must read its files.
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    userlist = workdir / "userlist.txt"
    userlist.write_text(f'"{direct.username}" ""\n')
    settings = _documented_settings()
    settings = re.sub(r"(?m)^(auth_type|auth_file|listen_addr|listen_port) *=.*\n", "", settings)
    config = workdir / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"api = host={direct.host} port={direct.port or 5432} dbname={direct.database}\n"
        "[pgbouncer]\n"
        f"{settings}"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "auth_type = trust\n"
        f"auth_file = {userlist}\n"
        "default_pool_size = 2\n"
        "min_pool_size = 0\n"
        f"logfile = {workdir / 'pgbouncer.log'}\n"
        "unix_socket_dir =\n"
    )
    for path in (userlist, config):
        path.chmod(0o644)
    log = workdir / "pgbouncer.log"
    command = [binary, str(config)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = direct.set(port=port, database="api").render_as_string(hide_password=False)
    try:
        _wait_for_port(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for_port(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    engine = create_db_engine(url, pooler="transaction")
    try:
        for _ in range(100):
            if process.poll() is not None:
                output = log.read_text() if log.exists() else ""
                pytest.fail(f"pgbouncer exited {process.returncode}: {output}")
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError:
                time.sleep(0.1)
        pytest.fail("pgbouncer did not accept connections within 10 s")
    finally:
        engine.dispose()


def _serving_engine(url: str, **limits: int) -> Engine:
    return create_db_engine(url, read_only=True, pooler="transaction", **limits)


def test_session_options_are_refused_by_pgbouncer(bouncer_url: str) -> None:
    """Why DB_POOLER exists: the direct mode's startup options do not pass PgBouncer."""
    engine = create_db_engine(bouncer_url, read_only=True, statement_timeout_ms=5000)
    try:
        with (
            pytest.raises(OperationalError, match="unsupported startup parameter"),
            engine.connect() as connection,
        ):
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def test_each_transaction_is_read_only_and_time_limited(bouncer_url: str) -> None:
    engine = _serving_engine(bouncer_url, statement_timeout_ms=300)
    try:
        for _ in range(ROUNDS):  # more transactions than server connections
            with engine.connect() as connection:
                assert connection.execute(text("SHOW transaction_read_only")).scalar() == "on"
                assert connection.execute(text("SHOW statement_timeout")).scalar() == "300ms"
                isolation = connection.execute(text("SHOW transaction_isolation")).scalar()
                assert isolation == "repeatable read"
        with (
            engine.connect() as connection,
            pytest.raises(DBAPIError, match="statement timeout"),
        ):
            connection.execute(text("SELECT pg_sleep(2)"))
        with (
            engine.connect() as connection,
            pytest.raises(DBAPIError, match="read-only transaction"),
        ):
            connection.execute(text("CREATE TABLE should_not_exist (id int)"))
    finally:
        engine.dispose()


def test_a_limit_set_for_one_transaction_does_not_leak_to_the_next(bouncer_url: str) -> None:
    """SET LOCAL, not SET: a direct engine sharing PgBouncer's server connections after the
    API's transactions sees the server's defaults."""
    serving = _serving_engine(bouncer_url, statement_timeout_ms=300)
    other = create_db_engine(bouncer_url, pooler="transaction")
    try:
        for _ in range(ROUNDS):
            with serving.connect() as connection:
                connection.execute(text("SELECT 1"))
        for _ in range(ROUNDS):
            with other.connect() as connection:
                assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
                assert connection.execute(text("SHOW transaction_read_only")).scalar() == "off"
    finally:
        serving.dispose()
        other.dispose()


def test_the_api_behind_pgbouncer_answers_as_it_does_directly(
    database: str, bouncer_url: str, tmp_path: Path
) -> None:
    """Two real servers, one straight on PostgreSQL and one through PgBouncer with more route
    threads than server connections: every answer the same, every time."""
    # Eight concurrent clients from one address, exports among them.
    common = {
        "SEED_ON_START": "never",
        "DB_POOL_SIZE": "4",
        "EXPORT_MAX_CONCURRENT": "8",
        "EXPORT_MAX_PER_ADDRESS": "8",
    }
    with (
        cli_server(tmp_path, tmp_path / "direct.log", DATABASE_URL=database, **common) as direct,
        cli_server(
            tmp_path,
            tmp_path / "pooled.log",
            DATABASE_URL=bouncer_url,
            DB_POOLER="transaction",
            **common,
        ) as pooled,
        httpx.Client(base_url=f"http://127.0.0.1:{direct}") as straight,
        httpx.Client(base_url=f"http://127.0.0.1:{pooled}") as bounced,
    ):
        expected = {path: straight.get(path) for path in PATHS}
        for path, answer in expected.items():
            assert answer.status_code == 200, (path, answer.text)

        def ask(path: str) -> tuple[str, httpx.Response]:
            return path, bounced.get(path)

        # Concurrent answers: PgBouncer hands its 2 server connections from one to the next.
        with ThreadPoolExecutor(max_workers=8) as pool:
            for path, answer in pool.map(ask, PATHS * ROUNDS):
                assert answer.status_code == 200, (path, answer.text)
                assert answer.content == expected[path].content, path
        page = bounced.get("/v1/events?limit=2").json()
        assert page["next_cursor"], page
        following = bounced.get(f"/v1/events?limit=2&cursor={page['next_cursor']}")
        assert following.status_code == 200
        assert bounced.get("/readyz").status_code == 200
    assert "Traceback" not in (tmp_path / "pooled.log").read_text()
