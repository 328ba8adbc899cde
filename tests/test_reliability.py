"""Read-only serving, bounded queries, and reseeding while readers read."""

import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.config import Settings
from app.database import Database, DatabaseDep, Read, Snapshot
from app.engines import Engines, create_db_engine
from app.main import create_app
from app.models import tables as t
from app.seeding.build import Dataset, build_dataset
from app.seeding.load import load_dataset
from app.services.walks import Plan
from tests.conftest import SEEDS_DIR
from tests.helpers import assert_problem

SLOW_SQL = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 500000000) "
    "SELECT max(x) FROM c",
    "postgresql": "SELECT pg_sleep(5)",
}


def test_the_serving_engine_cannot_write(database_url: str, writer: Engine) -> None:
    serving = create_db_engine(database_url, read_only=True)
    try:
        with Session(serving) as session, pytest.raises(DBAPIError, match=r"(?i)read.?only"):
            session.execute(text("DELETE FROM quote"))
            session.commit()
        with Session(serving) as session:
            assert session.execute(select(func.count()).select_from(t.quote)).scalar_one() > 0
    finally:
        serving.dispose()


def test_slow_statements_are_cut_off(backend: str, database_url: str, writer: Engine) -> None:
    serving = create_db_engine(database_url, read_only=True, statement_timeout_ms=200)
    try:
        with serving.connect() as connection, pytest.raises(DBAPIError):
            connection.execute(text(SLOW_SQL[backend])).all()
        with serving.connect() as connection:  # the connection stays usable afterwards
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        serving.dispose()


def test_a_timed_out_request_is_a_503_problem(
    backend: str, database_url: str, writer: Engine
) -> None:
    app = create_app(Settings(database_url=database_url, query_timeout_ms=200))

    async def slow(db: DatabaseDep) -> None:
        await db.run(Read(lambda snapshot: snapshot.rows(SLOW_SQL[backend])))

    app.add_api_route("/v1/slow", slow)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/slow")
        assert client.get("/v1/events?limit=1").status_code == 200
    assert_problem(response, 503)


def _smaller(tmp_path: Path) -> Dataset:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    path = seeds / "data" / "quotes.yaml"
    quotes = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(quotes[: len(quotes) // 2], allow_unicode=True), "utf-8")
    return build_dataset(seeds_dir=seeds, curation=False)  # loadable, though not fully curated


def test_readers_never_see_a_half_loaded_dataset(
    database_url: str, writer: Engine, tmp_path: Path
) -> None:
    full = build_dataset(seeds_dir=SEEDS_DIR)
    half = _smaller(tmp_path)
    broken = _smaller(tmp_path / "broken")
    broken.version = "broken"
    broken.rows["event"] = [*broken.rows["event"], dict(broken.rows["event"][0])]
    expected = {
        (full.version, len(full.rows["quote"]), len(full.rows["event"])),
        (half.version, len(half.rows["quote"]), len(half.rows["event"])),
    }
    serving = create_db_engine(database_url, read_only=True)
    seen: set[tuple[str, int, int]] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                # Three statements in one request-like session: they must agree.
                with Session(serving) as session:
                    version = session.execute(select(t.dataset_meta.c.version)).scalar_one()
                    quotes = session.execute(select(func.count()).select_from(t.quote))
                    quote_count = quotes.scalar_one()
                    events = session.execute(select(func.count()).select_from(t.event))
                    seen.add((version, quote_count, events.scalar_one()))
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for dataset in (half, full, half, full, half):
            load_dataset(engine=writer, dataset=dataset)
            with pytest.raises(DBAPIError):
                load_dataset(engine=writer, dataset=broken)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        serving.dispose()
    assert errors == []
    assert seen <= expected
    assert len(seen) == 2  # the readers really ran across reseeds


def test_security_headers_and_no_server_banner(client: TestClient) -> None:
    for url in ("/v1/events?limit=1", "/v1/events/none", "/healthz"):
        response = client.get(url)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "server" not in response.headers
    for page in ("/docs", "/redoc", "/docs/assets/swagger-ui-bundle.js"):
        docs = client.get(page)
        assert docs.status_code == 200
        policy = docs.headers["content-security-policy"]
        # Only this origin: no scheme or host other than 'self', data: images, blob: workers.
        sources = {s for d in policy.split(";") for s in d.split()[1:]}
        assert sources <= {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}, policy
        assert "script-src 'self';" in policy
    assert "https://" not in client.get("/docs").text + client.get("/redoc").text


def test_host_header_checks_are_configurable() -> None:
    app = create_app(Settings(trusted_hosts=["api.example.org"]))
    with TestClient(app, base_url="http://api.example.org") as good:
        assert good.get("/healthz").status_code == 200
    with TestClient(app, base_url="http://evil.example") as bad:
        assert_problem(bad.get("/healthz"), 400)


def test_an_export_never_splices_two_dataset_versions(
    database_url: str, writer: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.api import lists
    from app.services.events import EventFilters, event_listing

    monkeypatch.setattr(lists, "EXPORT_BATCH", 2)
    serving = create_db_engine(database_url, read_only=True)
    db = Database(Engines(pooled=serving, inline=serving))
    with db.snapshot() as snapshot:
        version = snapshot.dataset_version()
    half = _smaller(tmp_path)
    listing = event_listing(filters=EventFilters(), descending=False)
    plans = 0

    def plan_then_reseed(snapshot: Snapshot, every_match: bool) -> Plan:
        nonlocal plans
        plans += 1
        if plans == 2:
            raise AssertionError("the second batch must not be read from a new version")
        chosen = listing.plan(snapshot)
        load_dataset(engine=writer, dataset=half)  # a reseed lands between two batches
        return chosen

    chunks = lists._export_chunks(
        db, replace(listing, planner=plan_then_reseed), fmt="ndjson", cap=1000, version=version
    )
    assert next(chunks).count(b"\n") == 2  # the first batch, one document a line
    with pytest.raises(lists.ExportInterruptedError):
        next(chunks)
    serving.dispose()
