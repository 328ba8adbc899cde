"""Benchmark driver: our API side by side with Datasette and a hand-written floor.

    make bench                                  # generates /tmp/bench-1m.db first if missing
    python -m bench.run --db /tmp/big.db [--duration 5] [--rounds 2]
    python -m bench.run --smoke --out DIR       # tiny self-check (used by the test suite)

Three servers, one uvicorn worker each, on the same SQLite file (bench/servers.py). Before
measuring, every scenario's body from the floor must equal ours byte for byte (bench/scenarios.py,
bench/matrix.py). Then (bench/load.py) wrk, `wrk -t1 -c32 -d<duration>s --timeout 30s --latency
-s bench/wrk.lua`, sends the same requests to each server in alternation, round after round;
then one-client p50 / p99 of the main scenarios and of the filter matrix, two workers vs one,
and exports of every event as CSV and NDJSON (rows/s and the server's peak RSS). With
BENCH_POSTGRES_URL set (a database filled by bench.generate), ours is also measured on
PostgreSQL: the main scenarios, the matrix and the exports. bench/report.py turns it into the
issue-12 targets, met or not, a printed table, bench/results/<timestamp>.json, latest.json and
latest.png. Every server is stopped by its process group id at the end, whatever happens.
"""

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.load import (
    measure_export,
    measure_one_client,
    measure_scenarios,
    measure_workers,
    pick_connections,
    stream_export,
)
from bench.matrix import build_matrix, export_checks
from bench.report import table, targets, write_results
from bench.scenarios import (
    Facts,
    Scenario,
    build_scenarios,
    explorer_scenarios,
    read_facts,
    verify,
)
from bench.servers import (
    BENCH,
    ROOT,
    BenchError,
    Config,
    Server,
    datasette_available,
    start_datasette,
    start_floor,
    start_ours,
)


def prepare_smoke_db(work: Path) -> Path:
    from app import migrations
    from bench.generate import generate

    path = work / "smoke.db"
    url = f"sqlite:///{path}"
    migrations.upgrade(database_url=url)
    generate(url, events=200, seed=7, sources=20, log=lambda _m: None)
    return path


def app_fingerprint() -> str:
    """A digest of app/ and migrations/: which code was measured (others edit it meanwhile)."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("migrations/versions/*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def read_model_cost(db: Path) -> dict[str, Any]:
    """The file's size, the bytes of the read model in it, and the generator's timings."""
    cost: dict[str, Any] = {"database bytes": db.stat().st_size}
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        with contextlib.suppress(sqlite3.OperationalError):  # SQLite built without dbstat
            tables = ("event_posting", "quote_posting", "posting_count", "event_timeline_count")
            cost["posting lists and counts bytes"] = connection.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN (?, ?, ?, ?) "
                "OR name LIKE 'sqlite_autoindex_event_timeline_count%' "
                "OR name LIKE 'sqlite_autoindex_posting_count%'",
                tables,
            ).fetchone()[0]
        for table, columns in {
            "event": "length(doc) + length(sources_doc)",
            "quote": "length(doc)",
            "trade_observation": "length(doc)",
        }.items():
            cost[f"{table} document bytes"] = connection.execute(
                f"SELECT sum({columns}) FROM {table}"
            ).fetchone()[0]
    sidecar = db.with_name(db.name + ".generate.json")
    if sidecar.is_file():
        for name, seconds in json.loads(sidecar.read_text()).get("timings", {}).items():
            cost[f"generate {name} s"] = seconds
    return cost


def run(cfg: Config) -> dict[str, Any]:
    assert cfg.db is not None
    started = dt.datetime.now(dt.UTC)
    print(f"reading facts and building the filter matrix from {cfg.db}", flush=True)
    facts = read_facts(cfg.database_url)
    db_name = cfg.db.stem
    scenarios = build_scenarios(db_name, facts)
    matrix = build_matrix(facts)
    load_desc = (
        f"wrk -t1 -c{cfg.connections} -d{cfg.duration:g}s, {cfg.rounds} rounds"
        if cfg.use_wrk
        else f"python, 1 client, {cfg.duration:g}s"
    )
    results: dict[str, Any] = {
        "meta": {
            "started": started.isoformat(),
            "database": str(cfg.db),
            "counts": facts.counts,
            "deep_pages": facts.deep_pages,
            "load": load_desc,
            "one_client": f"up to {cfg.one_client_requests} requests in "
            f"{cfg.one_client_seconds:g}s",
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
                "platform": platform.platform(),
            },
            "smoke": cfg.smoke,
            "app_sources": app_fingerprint(),
            "read_model_cost": read_model_cost(cfg.db),
        }
    }
    print(f"database {cfg.db}: {facts.counts}, {len(matrix)} matrix scenarios", flush=True)
    started_read = time.perf_counter()
    with cfg.db.open("rb") as handle:  # every server starts with the file in the page cache
        while handle.read(1 << 24):
            pass
    print(f"  read the file into the page cache in {time.perf_counter() - started_read:.1f}s")
    servers: dict[str, Server] = {"ours": start_ours(cfg)}
    if cfg.with_datasette:
        servers["datasette"] = start_datasette(cfg)
    servers["floor"] = start_floor(cfg)
    results["meta"]["servers"] = {name: s.pid for name, s in servers.items()}
    print("verifying: floor bodies must equal ours byte for byte", flush=True)
    exports = export_checks(facts)
    if cfg.smoke:
        exports += ("/v1/events?format=csv", "/v1/events?format=ndjson")
    results["verified"] = verify(servers, [*scenarios, *matrix], exports=exports)
    pick_connections(cfg, scenarios, results["verified"])
    urls = sum(v["urls"] for v in results["verified"].values()) + len(exports)
    print(f"  identical on every scenario ({urls} urls)", flush=True)
    print(f"load: {load_desc}", flush=True)
    results["scenarios"] = measure_scenarios(cfg, servers, scenarios)
    results["one_client"] = measure_one_client(cfg, servers, scenarios)
    mine = {name: servers[name] for name in ("ours", "floor")}
    results["matrix"] = measure_one_client(cfg, mine, matrix)
    results["explorer"] = measure_one_client(
        cfg, {"ours": servers["ours"]}, explorer_scenarios(facts)
    )
    starters: dict[str, Callable[[], Server]] = {}
    if cfg.smoke:  # the running servers export too; no restarts, no second worker
        for name, server in servers.items():
            starters[name] = lambda server=server: server  # type: ignore[misc]
        results["export"] = measure_export(cfg, starters, db_name, stop=False)
    else:
        results["workers"] = measure_workers(cfg, servers["ours"], scenarios)
        for server in servers.values():
            cfg.processes.stop(server.process)
        starters["ours"] = lambda: start_ours(cfg)
        starters["floor"] = lambda: start_floor(cfg)
        if cfg.with_datasette:
            starters["datasette"] = lambda: start_datasette(cfg)
        results["export"] = measure_export(cfg, starters, db_name)
    postgres_url = os.environ.get("BENCH_POSTGRES_URL")
    if postgres_url and not cfg.smoke:
        try:
            results["postgres"] = run_postgres(cfg, postgres_url)
        except BenchError as exc:
            results["postgres"] = {"error": str(exc), "scenarios": {}}
            print(f"error on PostgreSQL: {exc}", flush=True)
    results["targets"] = targets(results)
    if app_fingerprint() != results["meta"]["app_sources"]:
        results["meta"]["app_changed_during_run"] = True
        print("warning: app/ or migrations/ changed during the run", flush=True)
    results["meta"]["seconds"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
    return results


def _postgres_scenarios(
    cfg: Config, server: Server, scenarios: list[Scenario]
) -> tuple[list[Scenario], dict[str, Any]]:
    """Verify each main scenario alone (a failure, e.g. a 503, skips only that one) and load
    it, one round."""
    from bench.load import load

    measured: list[Scenario] = []
    results: dict[str, Any] = {}
    for scenario in scenarios:
        try:
            pick_connections(cfg, [scenario], verify({"ours": server}, [scenario]))
        except BenchError as exc:
            results[scenario.name] = {"error": str(exc)[:400]}
            print(f"  postgresql {scenario.name:<20} failed: {str(exc)[:200]}", flush=True)
            continue
        connections = scenario.connections or cfg.connections
        load(cfg, server, scenario.ours, connections=connections, duration=1)
        entry = load(cfg, server, scenario.ours, connections=connections, duration=cfg.duration)
        results[scenario.name] = entry
        measured.append(scenario)
        print(
            f"  postgresql {scenario.name:<20} {entry['rps']:>9.1f} req/s  p50 "
            f"{entry['p50_ms']:.2f} ms  p99 {entry['p99_ms']:.2f} ms",
            flush=True,
        )
    return measured, results


def run_postgres(cfg: Config, url: str) -> dict[str, Any]:
    """Ours only, on PostgreSQL: the main scenarios (one round), the matrix, the exports."""
    from app.config import Settings

    url = Settings(database_url=url).database_url
    print(f"postgresql: {url}", flush=True)
    facts: Facts = read_facts(url)
    scenarios = build_scenarios("-", facts)
    matrix = build_matrix(facts)
    server = start_ours(cfg, database_url=url)
    results: dict[str, Any] = {"counts": facts.counts}
    try:
        measured, results["scenarios"] = _postgres_scenarios(cfg, server, scenarios)
        results["one_client"] = measure_one_client(cfg, {"ours": server}, measured, label=" pg")
        verify({"ours": server}, matrix)  # every matrix URL answers 200
        results["matrix"] = measure_one_client(cfg, {"ours": server}, matrix, label=" pg")
    finally:
        cfg.processes.stop(server.process)
    results["export"] = {}
    for fmt in ("csv", "ndjson"):
        export_server = start_ours(cfg, database_url=url)
        try:
            path = f"/v1/events?format={fmt}"
            result = stream_export(export_server.port, path, export_server.pid, cfg.export_timeout)
            results["export"][fmt] = {"ours": result}
            print(
                f"  postgresql export {fmt:<6} {result['rows_per_s']:,.0f} rows/s, peak RSS "
                f"{result['peak_rss_mb']} MB",
                flush=True,
            )
        finally:
            cfg.processes.stop(export_server.process)
    return results


@contextlib.contextmanager
def terminating_on_signals() -> Iterator[None]:
    def handler(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark ours vs Datasette vs the floor.")
    parser.add_argument(
        "--db", type=Path, default=Path(os.environ.get("BENCH_DB", "/tmp/bench-1m.db"))
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--export-timeout", type=float, default=90.0)
    parser.add_argument(
        "--one-client-requests", type=int, default=100, help="per one-client measurement"
    )
    parser.add_argument(
        "--one-client-seconds", type=float, default=1.5, help="per one-client measurement"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="200 events, no wrk, a few seconds")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    with_datasette = not args.no_datasette and datasette_available()
    if not with_datasette:
        print("datasette is not installed (pip install -e '.[bench]'): skipping it")
    use_wrk = shutil.which("wrk") is not None and not args.smoke
    if not use_wrk and not args.smoke:
        print("error: wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    db = args.db
    if args.smoke:
        db = prepare_smoke_db(work)
    elif not db.is_file():
        print(
            f"error: {db} does not exist; see docs/performance.md (bench.generate)", file=sys.stderr
        )
        return 2
    cfg = Config(
        db=db,
        database_url=f"sqlite:///{db}",
        out=args.out,
        work=work,
        duration=0.1 if args.smoke else args.duration,
        rounds=1 if args.smoke else args.rounds,
        connections=args.connections,
        export_timeout=20 if args.smoke else args.export_timeout,
        smoke=args.smoke,
        with_datasette=with_datasette,
        use_wrk=use_wrk,
        one_client_requests=3 if args.smoke else args.one_client_requests,
        one_client_seconds=0.05 if args.smoke else args.one_client_seconds,
    )
    try:
        with terminating_on_signals():
            results = run(cfg)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        cfg.processes.stop_all()
    path = write_results(results, cfg.out)
    print()
    print(table(results))
    print(f"\nresults: {path}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
