"""Reads from a real streaming standby (READ_DATABASE_URLS): served by it, falling back to the
primary with no failed request when it dies, used again when it is back, and never mixing
dataset versions when it lags behind a reseed."""

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, event

from app import migrations
from app.config import Settings
from app.engines import Engines, Standby, create_db_engine
from app.main import create_app
from app.seeding.build import Dataset, build_dataset
from app.seeding.load import load_dataset
from tests.conftest import SEEDS_DIR
from tests.helpers import assert_problem, ok
from tests.streaming_cluster import StreamingCluster, server_binaries

RETRY_MS = 300


@pytest.fixture(scope="module")
def cluster() -> Iterator[StreamingCluster]:
    binaries = server_binaries()
    if binaries is None or shutil.which("runuser") is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    streaming = StreamingCluster(binaries)
    try:
        streaming.start_primary()
        yield streaming
    finally:
        streaming.close()


@pytest.fixture(scope="module")
def seeded(cluster: StreamingCluster) -> tuple[str, str]:
    """The primary's database, migrated and seeded, then copied to a running standby."""
    name = f"replica_{uuid.uuid4().hex[:8]}"
    cluster.create_database(name)
    primary = cluster.url(cluster.primary_port, name)
    migrations.upgrade(database_url=primary)
    writer = create_db_engine(primary)
    load_dataset(engine=writer, dataset=build_dataset(seeds_dir=SEEDS_DIR))
    writer.dispose()
    cluster.make_standby()
    return primary, cluster.url(cluster.standby_port, name)


@pytest.fixture
def served(seeded: tuple[str, str]) -> Iterator[TestClient]:
    primary, standby = seeded
    settings = Settings(
        database_url=primary, read_database_urls=[standby], read_replica_retry_ms=RETRY_MS
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _checkouts(engine: Engine) -> list[int]:
    """A counter of the connections `engine`'s pool hands out from now on."""
    count = [0]

    @event.listens_for(engine, "checkout")
    def counted(*_args: Any) -> None:
        count[0] += 1

    return count


def _engines(client: TestClient) -> tuple[Engine, Engine]:
    engines = client.app.state.engines  # type: ignore[attr-defined]
    return engines.pooled, engines.standbys[0].engine


def _walk(client: TestClient, url: str) -> tuple[list[bytes], set[str]]:
    """Every page of a list, following Link; the bodies and the versions that answered."""
    bodies, versions = [], set()
    while True:
        page = client.get(url)
        assert page.status_code == 200, page.text
        bodies.append(page.content)
        versions.add(page.headers["x-dataset-version"])
        if "link" not in page.headers:
            return bodies, versions
        url = page.headers["link"][1 : page.headers["link"].index(">")]


def test_reads_are_served_by_the_standby(served: TestClient) -> None:
    primary, standby = _engines(served)
    on_primary, on_standby = _checkouts(primary), _checkouts(standby)
    bodies, versions = _walk(served, "/v1/events?limit=20")
    assert len(bodies) > 1 and len(versions) == 1
    assert on_standby[0] == len(bodies) and on_primary[0] == 0
    ready = ok(served.get("/readyz"))
    assert ready["standbys"] == [
        {"name": "standby 1", "status": "up", "dataset_version": versions.pop(), "failure": None}
    ]


def test_a_dead_standby_is_skipped_with_no_failure_and_used_again_once_back(
    served: TestClient, cluster: StreamingCluster
) -> None:
    baseline, _ = _walk(served, "/v1/quotes?limit=15")
    primary, standby = _engines(served)
    on_primary, on_standby = _checkouts(primary), _checkouts(standby)
    cluster.kill_standby()
    try:
        for _ in range(3):  # every answer equal to the standby's, none failed
            assert _walk(served, "/v1/quotes?limit=15")[0] == baseline
        assert on_primary[0] >= 3 * len(baseline)
        ready = ok(served.get("/readyz"))  # still ready: the primary answers
        assert ready["standbys"][0]["status"] == "down", ready
        assert ready["standbys"][0]["failure"]
    finally:
        cluster.start_standby()
    used_before = on_standby[0]
    time.sleep(RETRY_MS / 1000 + 0.1)
    assert _walk(served, "/v1/quotes?limit=15")[0] == baseline
    assert on_standby[0] > used_before
    assert ok(served.get("/readyz"))["standbys"][0]["status"] == "up"


def _fewer_quotes(tmp_path: Path) -> Dataset:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    path = seeds / "data" / "quotes.yaml"
    quotes = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(quotes[: len(quotes) // 3], allow_unicode=True), "utf-8")
    return build_dataset(seeds_dir=seeds, curation=False)


def test_a_standby_lagging_behind_a_reseed_never_mixes_versions(
    served: TestClient, cluster: StreamingCluster, seeded: tuple[str, str], tmp_path: Path
) -> None:
    primary_url, _ = seeded
    database = primary_url.rsplit("/", 1)[1]
    old_pages, old_versions = _walk(served, "/v1/quotes?limit=10")
    (old,) = old_versions
    first = served.get("/v1/quotes?limit=10")
    old_link = first.headers["link"][1 : first.headers["link"].index(">")]

    cluster.standby_sql("SELECT pg_wal_replay_pause()")
    smaller = _fewer_quotes(tmp_path)
    writer = create_db_engine(primary_url)
    try:
        load_dataset(engine=writer, dataset=smaller)
        new = smaller.version
        assert new != old
        # The standby still holds the old version: unversioned reads get it whole.
        assert _walk(served, "/v1/quotes?limit=10") == (old_pages, {old})
        # A versioned URL of the new one is read from the primary, page after page.
        new_pages, new_versions = _walk(served, f"/v1/quotes?limit=10&version={new}")
        assert new_versions == {new} and len(new_pages) < len(old_pages)
        assert served.get(f"/v1/quotes?limit=10&version={new}").content == new_pages[0]
    finally:
        cluster.standby_sql("SELECT pg_wal_replay_resume()")
        writer.dispose()
    cluster.wait_for_replay(database, new)
    # Caught up: the new version everywhere, the old one gone, never a page of the wrong one.
    assert _walk(served, "/v1/quotes?limit=10") == (new_pages, {new})
    gone = assert_problem(served.get(old_link), 410)
    assert gone["current_version"] == new
    assert gone["first_page"] == f"/v1/quotes?limit=10&version={new}"
    writer = create_db_engine(primary_url)  # put the curated dataset back for other tests
    load_dataset(engine=writer, dataset=build_dataset(seeds_dir=SEEDS_DIR))
    writer.dispose()


def test_the_read_order_rotates_sets_failed_standbys_aside_and_ends_on_the_primary() -> None:
    primary = create_engine("sqlite://")
    standbys = tuple(Standby(f"standby {n}", create_engine("sqlite://"), 60) for n in (1, 2, 3))
    engines = Engines(pooled=primary, inline=primary, standbys=standbys)
    firsts = []
    for _ in range(6):
        order = engines.read_order()
        assert order[-1] == (primary, None) and len(order) == 4
        firsts.append(order[0][1])
    assert firsts == [*standbys, *standbys]  # round robin
    standbys[1].failed("OperationalError")
    for _ in range(3):
        assert [s for _, s in engines.read_order()][:-1].count(standbys[1]) == 0
    standbys[1].answered()
    assert standbys[1] in [s for _, s in engines.read_order()]
    for standby in standbys:
        standby.failed("OperationalError")
    assert engines.read_order() == [(primary, None)]  # every standby down: the primary


def test_a_failed_standby_is_tried_again_after_its_retry_time() -> None:
    standby = Standby("standby 1", create_engine("sqlite://"), retry_s=0.05)
    standby.failed("OperationalError")
    assert not standby.usable() and not standby.healthy
    time.sleep(0.06)
    assert standby.usable()  # tried again; healthy only once it answers
    assert not standby.healthy
    standby.answered()
    assert standby.healthy and standby.failure is None


def test_standbys_need_postgresql_on_both_sides() -> None:
    with pytest.raises(ValidationError, match="PostgreSQL DATABASE_URL"):
        Settings(database_url="sqlite:///x.db", read_database_urls="postgresql://h/db")
    with pytest.raises(ValidationError, match="PostgreSQL standbys only"):
        Settings(database_url="postgresql://h/db", read_database_urls="sqlite:///x.db")
    settings = Settings(
        database_url="postgresql://h/db", read_database_urls=" postgres://a/db ,postgresql://b/db"
    )
    assert settings.read_database_urls == [
        "postgresql+psycopg://a/db",
        "postgresql+psycopg://b/db",
    ]
