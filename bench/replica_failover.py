"""Read replicas on a real streaming standby: what a read costs through the standby against the
primary alone, and what a client sees while the standby dies and comes back.

    nice -n 10 .venv/bin/python -m bench.replica_failover

Starts its own temporary primary and standby (tests/streaming_cluster.py; the machine's
cluster on 5432 is not touched), seeds the curated dataset, and serves it in-process through
the real app (httpx's ASGI transport via TestClient: no sockets, so the figures are the app's
and the databases', not uvicorn's). Prints medians in milliseconds, measured side by side.
"""

import statistics
import time
import uuid

from fastapi.testclient import TestClient

from app import migrations
from app.config import Settings
from app.engines import create_db_engine
from app.main import create_app
from app.seeding.build import build_dataset
from app.seeding.load import load_dataset
from tests.conftest import SEEDS_DIR
from tests.streaming_cluster import StreamingCluster, server_binaries

URL = "/v1/events?limit=20"
ROUNDS = 200
RETRY_MS = 1000


def _median_ms(client: TestClient, rounds: int = ROUNDS) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert client.get(URL).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _timed(client: TestClient) -> tuple[int, float]:
    started = time.perf_counter()
    status = client.get(URL).status_code
    return status, (time.perf_counter() - started) * 1000


def main() -> None:
    binaries = server_binaries()
    if binaries is None:
        raise SystemExit("PostgreSQL server binaries are not installed")
    cluster = StreamingCluster(binaries)
    try:
        cluster.start_primary()
        name = f"bench_{uuid.uuid4().hex[:8]}"
        cluster.create_database(name)
        primary = cluster.url(cluster.primary_port, name)
        migrations.upgrade(database_url=primary)
        writer = create_db_engine(primary)
        load_dataset(engine=writer, dataset=build_dataset(seeds_dir=SEEDS_DIR))
        writer.dispose()
        cluster.make_standby()
        standby = cluster.url(cluster.standby_port, name)

        alone = Settings(database_url=primary)
        replicated = Settings(
            database_url=primary, read_database_urls=[standby], read_replica_retry_ms=RETRY_MS
        )
        with (
            TestClient(create_app(alone)) as direct,
            TestClient(create_app(replicated)) as through,
        ):
            for client in (direct, through):
                _median_ms(client, 20)  # warm the pools and the plans
            medians: dict[str, list[float]] = {"primary alone": [], "through the standby": []}
            for _ in range(3):  # interleaved, so both see the same machine
                medians["primary alone"].append(_median_ms(direct))
                medians["through the standby"].append(_median_ms(through))
            for label, values in medians.items():
                print(f"{label:>22}: median {statistics.median(values):.2f} ms ({URL})")

            cluster.kill_standby()
            killed = time.monotonic()
            first = _timed(through)
            during = [_timed(through) for _ in range(50)]
            time.sleep(RETRY_MS / 1000)
            retried = _timed(through)  # the standby is tried again, still down
            cluster.start_standby()
            back = time.monotonic()
            while through.app.state.engines.standbys[0].failure is not None:  # type: ignore[attr-defined]
                _timed(through)
                time.sleep(0.05)
            statuses = [first[0], *(s for s, _ in during), retried[0]]
            failed = sum(status != 200 for status in statuses)
            print(f"standby killed: {len(statuses)} requests, failed: {failed}")
            print(f"  first request after the kill: {first[1]:.2f} ms (finds the dead connection)")
            print(f"  while it sits out: median {statistics.median(t for _, t in during):.2f} ms")
            print(f"  retried after {RETRY_MS} ms, still down: {retried[1]:.2f} ms")
            print(
                f"standby back in rotation {time.monotonic() - back:.2f} s after it accepted "
                f"connections ({time.monotonic() - killed:.1f} s after the kill)"
            )
    finally:
        cluster.close()


if __name__ == "__main__":
    main()
