"""Benchmark driver: our API side by side with Datasette and a hand-written floor.

    make bench                                  # generates /tmp/bench-1m.db first if missing
    python -m bench.run --db /tmp/big.db [--duration 5] [--rounds 2]
    python -m bench.run --smoke --out DIR       # tiny self-check (used by the test suite)

Everything listens on 127.0.0.1. Three servers, one uvicorn worker each, all on the same SQLite
file: `ours` (`python -m app serve`, every middleware and the JSON access log, as `make serve`
runs it), `datasette` (canned queries with `_shape=array`: no counts, no facets) and `floor`
(bench/floor.py). Before measuring, every scenario's body from `floor` must equal ours byte for
byte. Then the same load generator, wrk (`wrk -t1 -c32 -d<duration>s --timeout 30s --latency -s
bench/wrk.lua`), sends the same requests to each server in alternation, round after round
(ours, datasette, floor, ours, ...), so drift shows. Also: p50 with one client, two workers vs
one, and a CSV export of every event (rows/s and the server's peak RSS, VmHWM). With
BENCH_POSTGRES_URL set (a database filled by bench.generate), ours is also measured on
PostgreSQL. Results: a printed table, bench/results/<timestamp>.json, latest.json, latest.png.
Every server is stopped by its process group id at the end, whatever happens.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote as urlquote

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
LUA = BENCH / "wrk.lua"
SERVERS = ("ours", "datasette", "floor")
EXPORT_ROWS_CAP = 10_000_000


class BenchError(Exception):
    """The benchmark cannot go on (a server did not start, bodies differ, ...)."""


# ---- processes --------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


class Processes:
    """Every process this driver starts; all are stopped by process group at the end."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def spawn(
        self, command: list[str], *, env: dict[str, str], log: Path
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as sink:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: uvicorn's workers go with it
            )
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        # Stragglers of the group (e.g. a worker whose supervisor died first).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        if process in self.started:
            self.started.remove(process)

    def stop_all(self) -> None:
        for process in list(self.started):
            self.stop(process)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 60.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(server: Server, path: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited early; see {server.log}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if http_get(server.port, path, timeout=5)[0] == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"{server.name} did not answer {path} within {timeout:.0f}s; see {server.log}")


def memory_kb(pid: int, field_name: str) -> int | None:
    """VmRSS / VmHWM of a process (kB), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def group_pids(pid: int) -> list[int]:
    """The pids of a process group (the server and, with --workers, its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ProcessLookupError):
                if os.getpgid(int(entry.name)) == pid:
                    pids.append(int(entry.name))
    return pids


# ---- the three servers ------------------------------------------------------------------
@dataclass
class Config:
    db: Path | None
    database_url: str
    out: Path
    work: Path
    duration: float
    rounds: int
    connections: int
    export_timeout: float
    smoke: bool
    with_datasette: bool
    use_wrk: bool
    processes: Processes = field(default_factory=Processes)

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
        env["PYTHONPATH"] = str(ROOT)
        env["EXPORT_MAX_ROWS"] = str(EXPORT_ROWS_CAP)  # "all events" in the export scenario
        return env


def start_ours(cfg: Config, *, workers: int = 1, database_url: str | None = None) -> Server:
    port = free_port()
    env = cfg.base_env()
    env.update(DATABASE_URL=database_url or cfg.database_url, LOG_LEVEL="INFO")
    log = cfg.work / f"ours-{port}.log"
    command = [PYTHON, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    server = Server("ours", port, cfg.processes.spawn(command, env=env, log=log), log)
    wait_ready(server, "/readyz")
    return server


def start_floor(cfg: Config) -> Server:
    assert cfg.db is not None
    port = free_port()
    env = cfg.base_env()
    env["BENCH_DB"] = str(cfg.db)
    log = cfg.work / f"floor-{port}.log"
    command = [PYTHON, "-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    server = Server("floor", port, cfg.processes.spawn(command, env=env, log=log), log)
    wait_ready(server, "/v1/trade/series")
    return server


def datasette_available() -> bool:
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True


def datasette_metadata(name: str) -> dict[str, Any]:
    quote_columns = "quote.*, person.name AS speaker_name"
    quote_from = "quote JOIN person ON person.id = quote.speaker_id"
    queries = {
        # The same SQL as ours: the redundant lower bound on date_lo (from minus the longest
        # event span, dataset_meta.max_event_span_days) makes it one short index range.
        "events_by_date": "SELECT * FROM event WHERE date_lo <= :hi AND date_hi >= :lo "
        "AND date_lo >= :lo_bound ORDER BY date_lo, id LIMIT 51",
        "events_page": "SELECT * FROM event ORDER BY date_lo, id LIMIT 51",
        "events_after": "SELECT * FROM event WHERE (date_lo, id) > (:d, :id) "
        "ORDER BY date_lo, id LIMIT 51",
        "event_by_id": "SELECT * FROM event WHERE id = :id",
        "quotes_by_leader": f"SELECT {quote_columns} FROM {quote_from} "
        "WHERE quote.speaker_id = :leader ORDER BY quote.sort_date, quote.id LIMIT 51",
        # Ours walks the sort index when a term has >= 2,000 matches (`gasdotto` has 7,488).
        "quote_search": f"SELECT {quote_columns} FROM quote INDEXED BY ix_quote_said_sort "
        "JOIN person ON person.id = quote.speaker_id WHERE quote.rowid IN "
        "(SELECT rowid FROM quote_search WHERE quote_search MATCH :q) "
        "ORDER BY quote.sort_date, quote.id LIMIT 51",
        "trade_series": "SELECT * FROM trade_observation WHERE country = :country "
        "AND partner = :partner AND flow = 'total' AND period_type = 'annual' "
        "AND kind = 'actual' AND preferred = 1 ORDER BY period_start, id",
    }
    return {"databases": {name: {"queries": {k: {"sql": v} for k, v in queries.items()}}}}


def start_datasette(cfg: Config) -> Server:
    assert cfg.db is not None
    port = free_port()
    metadata = cfg.work / "datasette-metadata.json"
    metadata.write_text(json.dumps(datasette_metadata(cfg.db.stem), indent=2))
    log = cfg.work / f"datasette-{port}.log"
    command = [PYTHON, "-m", "datasette", "serve", "--immutable", str(cfg.db)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--metadata", str(metadata)]
    command += ["--setting", "sql_time_limit_ms", "30000", "--setting", "max_csv_mb", "0"]
    server = Server(
        "datasette", port, cfg.processes.spawn(command, env=cfg.base_env(), log=log), log
    )
    wait_ready(server, "/-/versions.json")
    return server


# ---- scenarios --------------------------------------------------------------------------
@dataclass
class Scenario:
    name: str
    title: str
    ours: list[str]
    datasette: list[str]
    connections: int | None = None  # set from the probes; None: the configured number


SLOW_MS = 100.0  # a scenario whose single request takes longer, on any server, is DB-bound
SLOW_CONNECTIONS = 2  # as many as there are cores here: enough to saturate, no pile-up


def pick_connections(cfg: "Config", scenarios: list[Scenario], verified: dict[str, Any]) -> None:
    """32 connections, except for DB-bound scenarios: with 32 requests of a second or more
    sharing two cores, none completes within a 5-second run (processor sharing), so those
    run with SLOW_CONNECTIONS, the same for every server."""
    for scenario in scenarios:
        slowest = max(verified[scenario.name]["single_request_ms"].values())
        slow = slowest > SLOW_MS
        scenario.connections = SLOW_CONNECTIONS if slow else cfg.connections
        verified[scenario.name]["connections"] = scenario.connections


def deep_pages(events: int) -> int:
    return max(1, min(10_000, events // 50 // 2))


def build_scenarios(db_name: str, facts: dict[str, Any]) -> list[Scenario]:
    """The requests, built from facts read off the database (ids, the deep cursor key)."""
    from app.services.pagination import encode_cursor, query_fingerprint

    fingerprint = query_fingerprint([("", "/v1/events")])  # as app.api.deps.fingerprint
    cursor = encode_cursor(key=facts["deep_key"], fingerprint=fingerprint)
    d = f"/{db_name}"
    day, last_id = facts["deep_key"]
    return [
        Scenario(
            "events_by_date",
            "events by date range (50 rows)",
            ["/v1/events?from=2010-01&to=2010-03&limit=50"],
            [
                f"{d}/events_by_date.json?_shape=array&lo=2010-01-01&hi=2010-03-31"
                f"&lo_bound={facts['lo_bound']}"
            ],
        ),
        Scenario(
            "events_first_page",
            "events, first page (50 rows)",
            ["/v1/events?limit=50"],
            [f"{d}/events_page.json?_shape=array"],
        ),
        Scenario(
            "events_deep_cursor",
            f"events, page {facts['deep_pages'] + 1:,} by cursor",
            [f"/v1/events?limit=50&cursor={cursor}"],
            [f"{d}/events_after.json?_shape=array&d={day}&id={urlquote(last_id)}"],
        ),
        Scenario(
            "event_by_id",
            f"one event by id ({len(facts['event_ids'])} ids)",
            [f"/v1/events/{urlquote(i)}" for i in facts["event_ids"]],
            [f"{d}/event_by_id.json?_shape=array&id={urlquote(i)}" for i in facts["event_ids"]],
        ),
        Scenario(
            "quotes_by_leader",
            "quotes by leader (xi-jinping, 50 rows)",
            ["/v1/quotes?leader=xi-jinping&limit=50"],
            [f"{d}/quotes_by_leader.json?_shape=array&leader=xi-jinping"],
        ),
        Scenario(
            "quote_fts",
            "quote full-text search (q=gasdotto)",
            ["/v1/quotes?q=gasdotto&limit=50"],
            [f"{d}/quote_search.json?_shape=array&q=%22gasdotto%22"],
        ),
        Scenario(
            "trade_series",
            "trade series CN-RU annual",
            ["/v1/trade/series?country=CN&partner=RU"],
            [f"{d}/trade_series.json?_shape=array&country=CN&partner=RU"],
        ),
    ]


def sqlite_facts(path: Path) -> dict[str, Any]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        events = db.execute("SELECT max(rowid) FROM event").fetchone()[0] or 0
        if not events:
            raise BenchError(f"{path} has no events: run bench.generate first")
        step = max(1, events // 90)
        rowids = [1 + i * step for i in range(90) if 1 + i * step <= events]
        ids = [
            row[0]
            for row in db.execute(
                f"SELECT id FROM event WHERE rowid IN ({','.join(map(str, rowids))}) ORDER BY rowid"
            )
        ]
        ids += [
            row[0]
            for row in db.execute(
                "SELECT DISTINCT event_id FROM trade_observation WHERE event_id IS NOT NULL "
                "ORDER BY event_id LIMIT 10"
            )
        ]
        pages = deep_pages(events)
        key = db.execute(
            "SELECT date_lo, id FROM event ORDER BY date_lo, id LIMIT 1 OFFSET ?", (pages * 50 - 1,)
        ).fetchone()
        counts = {
            "events": events,
            "quotes": db.execute("SELECT max(rowid) FROM quote").fetchone()[0],
            "quotes_matching_q": db.execute(
                "SELECT count(*) FROM quote_search WHERE quote_search MATCH 'gasdotto'"
            ).fetchone()[0],
            "quotes_of_leader": db.execute(
                "SELECT count(*) FROM quote WHERE speaker_id = 'xi-jinping'"
            ).fetchone()[0],
        }
        span = db.execute("SELECT * FROM dataset_meta").fetchone()
        columns = [c[0] for c in db.execute("SELECT * FROM dataset_meta").description]
        days = dict(zip(columns, span, strict=True)).get("max_event_span_days") or 0
        lo_bound = (dt.date(2010, 1, 1) - dt.timedelta(days=int(days))).isoformat()
        return {
            "event_ids": ids,
            "deep_key": list(key),
            "deep_pages": pages,
            "counts": counts,
            "lo_bound": lo_bound,
        }
    finally:
        db.close()


def postgres_facts(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as c:
            events = c.execute(text("SELECT count(*) FROM event")).scalar_one()
            ids = list(c.execute(text("SELECT id FROM event ORDER BY md5(id) LIMIT 90")).scalars())
            ids += list(
                c.execute(
                    text(
                        "SELECT DISTINCT event_id FROM trade_observation WHERE event_id IS NOT "
                        "NULL ORDER BY event_id LIMIT 10"
                    )
                ).scalars()
            )
            pages = deep_pages(events)
            row = c.execute(
                text("SELECT date_lo, id FROM event ORDER BY date_lo, id LIMIT 1 OFFSET :o"),
                {"o": pages * 50 - 1},
            ).one()
        return {
            "event_ids": ids,
            "deep_key": [row[0].isoformat(), row[1]],
            "deep_pages": pages,
            "counts": {"events": events},
            "lo_bound": "",
        }
    finally:
        engine.dispose()


# ---- verification -----------------------------------------------------------------------
def verify(servers: dict[str, Server], scenarios: list[Scenario]) -> dict[str, Any]:
    """Floor bodies must equal ours byte for byte; Datasette must answer a JSON array."""
    report: dict[str, Any] = {}
    for scenario in scenarios:
        entry: dict[str, Any] = {"urls": len(scenario.ours), "identical": True}
        for path in scenario.ours:
            for _attempt in range(3):  # a cold page cache can exceed the statement timeout once
                status, ours = http_get(servers["ours"].port, path)
                if status == 200:
                    break
                time.sleep(1)
            if status != 200:
                raise BenchError(f"ours answered {status} to {path}: {ours[:300]!r}")
            entry.setdefault("bytes", len(ours))
            if "floor" in servers:
                floor_status, floor = http_get(servers["floor"].port, path)
                if floor != ours:
                    at = next(
                        (i for i, (a, b) in enumerate(zip(ours, floor, strict=False)) if a != b),
                        min(len(ours), len(floor)),
                    )
                    raise BenchError(
                        f"floor differs from ours on {path} (status {floor_status}) at byte "
                        f"{at}: ours {ours[max(0, at - 60) : at + 60]!r} floor "
                        f"{floor[max(0, at - 60) : at + 60]!r}"
                    )
        if "datasette" in servers:
            for path in scenario.datasette[:10]:
                status, body = http_get(servers["datasette"].port, path)
                if status != 200 or not body.startswith(b"["):
                    raise BenchError(f"datasette answered {status} to {path}: {body[:300]!r}")
        # Single-request latency of the slowest server, caches warm: it decides the load.
        probes = {}
        for name, server in servers.items():
            path = (scenario.datasette if name == "datasette" else scenario.ours)[0]
            timings = []
            for _ in range(3):
                t0 = time.perf_counter()
                http_get(server.port, path)
                timings.append(time.perf_counter() - t0)
            probes[name] = round(statistics.median(timings) * 1000, 2)
        entry["single_request_ms"] = probes
        report[scenario.name] = entry
    return report


def cpu_ticks(pid: int) -> int:
    total = 0
    for member in group_pids(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def quiesce(server: Server, *, limit: float = 180.0) -> float:
    """Wait until the server has drained the backlog of a previous run (CPU < 5% of a core).

    A server keeps working on requests whose client has gone (wrk closes its connections at
    the end of a run), which would otherwise be billed to the next run.
    """
    hz = os.sysconf("SC_CLK_TCK")
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = cpu_ticks(server.pid)
        time.sleep(0.3)
        if (cpu_ticks(server.pid) - before) / hz < 0.3 * 0.05:
            break
    return round(time.monotonic() - started, 1)


# ---- load -------------------------------------------------------------------------------
def run_wrk(
    port: int, paths: list[str], *, duration: float, connections: int, work: Path
) -> dict[str, Any]:
    paths_file = work / f"paths-{abs(hash(tuple(paths)))}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "30s",
    ]
    command += ["--latency", "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(paths_file)]
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60).stdout
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON ") :])
            seconds = raw["duration_us"] / 1e6
            return {
                "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
                "requests": raw["requests"],
                "errors": raw["errors"],
                "p50_ms": raw["p50_us"] / 1000,
                "p99_ms": raw["p99_us"] / 1000,
            }
    raise BenchError(f"wrk printed no result: {output[-500:]}")


def run_python_load(port: int, paths: list[str], *, duration: float) -> dict[str, Any]:
    """One keep-alive client in a loop: the fallback of --smoke (no wrk needed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < duration:
            path = paths[len(latencies) % len(paths)]
            t0 = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - t0)
            errors += response.status != 200
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def load(
    cfg: Config, server: Server, paths: list[str], *, connections: int, duration: float
) -> dict[str, Any]:
    if cfg.smoke:
        return run_python_load(server.port, paths, duration=duration)
    waited = quiesce(server)
    if cfg.use_wrk:
        result = run_wrk(
            server.port, paths, duration=duration, connections=connections, work=cfg.work
        )
    else:
        result = run_python_load(server.port, paths, duration=duration)
    result["connections"] = connections
    result["quiesce_s"] = waited
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
        "errors": sum(r["errors"] for r in runs),
        "rounds": [r["rps"] for r in runs],
    }


def measure_scenarios(
    cfg: Config, servers: dict[str, Server], scenarios: list[Scenario]
) -> dict[str, Any]:
    names = [name for name in SERVERS if name in servers]
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        s.name: {n: [] for n in names} for s in scenarios
    }
    for scenario in scenarios if not cfg.smoke else []:  # warm-up, not recorded
        for name in names:
            paths = scenario.datasette if name == "datasette" else scenario.ours
            load(cfg, servers[name], paths, connections=scenario.connections or 1, duration=1)
    for round_number in range(cfg.rounds):
        for scenario in scenarios:
            for name in names:
                paths = scenario.datasette if name == "datasette" else scenario.ours
                result = load(
                    cfg,
                    servers[name],
                    paths,
                    connections=scenario.connections or cfg.connections,
                    duration=cfg.duration,
                )
                runs[scenario.name][name].append(result)
                print(
                    f"  round {round_number + 1} {scenario.name:<20} {name:<10} "
                    f"{result['rps']:>9.1f} req/s  p50 {result['p50_ms']:>8.2f} ms  "
                    f"p99 {result['p99_ms']:>8.2f} ms  errors {result['errors']}",
                    flush=True,
                )
    results: dict[str, Any] = {}
    for scenario in scenarios:
        entry: dict[str, Any] = {"title": scenario.title, "urls": scenario.ours[:3]}
        entry["connections"] = scenario.connections or cfg.connections
        for name in names:
            entry[name] = summarise(runs[scenario.name][name])
        ours = entry["ours"]["rps"]
        for name in ("floor", "datasette"):
            if name in entry and entry[name]["rps"]:
                entry[f"ours_over_{name}"] = round(ours / entry[name]["rps"], 3)
        results[scenario.name] = entry
    return results


def measure_one_client(
    cfg: Config, servers: dict[str, Server], scenarios: list[Scenario]
) -> dict[str, Any]:
    wanted = {"quote_fts": SERVERS, "events_first_page": ("ours",), "events_deep_cursor": ("ours",)}
    results: dict[str, Any] = {}
    for scenario in scenarios:
        if scenario.name not in wanted:
            continue
        results[scenario.name] = {}
        for name in wanted[scenario.name]:
            if name not in servers:
                continue
            paths = scenario.datasette if name == "datasette" else scenario.ours
            runs = [
                load(cfg, servers[name], paths, connections=1, duration=cfg.duration)
                for _ in range(max(1, cfg.rounds // 2))
            ]
            results[scenario.name][name] = summarise(runs)
            print(
                f"  one client {scenario.name:<20} {name:<10} p50 "
                f"{results[scenario.name][name]['p50_ms']:.2f} ms",
                flush=True,
            )
    return results


def measure_workers(cfg: Config, one: Server, scenarios: list[Scenario]) -> dict[str, Any]:
    """Ours with two workers vs one, alternating, on the two main scenarios."""
    two = start_ours(cfg, workers=2)
    try:
        results: dict[str, Any] = {}
        for scenario in scenarios:
            if scenario.name not in ("events_by_date", "event_by_id"):
                continue
            runs: dict[str, list[dict[str, Any]]] = {"one_worker": [], "two_workers": []}
            load(
                cfg,
                two,
                scenario.ours,
                connections=scenario.connections or cfg.connections,
                duration=1,
            )
            for _ in range(cfg.rounds):
                for label, server in (("one_worker", one), ("two_workers", two)):
                    runs[label].append(
                        load(
                            cfg,
                            server,
                            scenario.ours,
                            connections=scenario.connections or cfg.connections,
                            duration=cfg.duration,
                        )
                    )
            entry = {label: summarise(r) for label, r in runs.items()}
            entry["ratio"] = round(entry["two_workers"]["rps"] / entry["one_worker"]["rps"], 3)
            results[scenario.name] = entry
            print(f"  workers {scenario.name:<20} x{entry['ratio']}", flush=True)
        return results
    finally:
        cfg.processes.stop(two.process)


def stream_export(port: int, path: str, pid: int, timeout: float) -> dict[str, Any]:
    """Read a long CSV response, counting rows, while sampling the server's RSS."""
    peak = {"rss_kb": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak["rss_kb"] = max(
                peak["rss_kb"], sum(memory_kb(p, "VmRSS") or 0 for p in group_pids(pid))
            )
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    lines = size = 0
    complete = True
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        status = response.status
        while True:
            chunk = response.read1(1 << 20)
            if not chunk:
                break
            lines += chunk.count(b"\n")
            size += len(chunk)
            if time.perf_counter() - started > timeout:
                complete = False
                break
    finally:
        connection.close()
        stop.set()
        sampler.join()
    elapsed = time.perf_counter() - started
    rows = max(0, lines - 1)
    return {
        "status": status,
        "rows": rows,
        "bytes": size,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed, 1) if elapsed else 0.0,
        "complete": complete,
        "peak_rss_mb": round(peak["rss_kb"] / 1024, 1),
        "vmhwm_mb": round((memory_kb(pid, "VmHWM") or 0) / 1024, 1),
    }


def measure_export(
    cfg: Config, starters: dict[str, Callable[[], Server]], db_name: str, *, stop: bool = True
) -> dict[str, Any]:
    """Every event as CSV, each server freshly started so VmHWM is the export's own peak."""
    paths = {
        "ours": "/v1/events?format=csv",
        "floor": "/v1/events?format=csv",
        "datasette": f"/{db_name}/event.csv?_stream=on&_size=max",
    }
    results: dict[str, Any] = {}
    for name, start in starters.items():
        server = start()
        try:
            before = round((memory_kb(server.pid, "VmHWM") or 0) / 1024, 1)
            result = stream_export(server.port, paths[name], server.pid, cfg.export_timeout)
            result["idle_vmhwm_mb"] = before
            result["path"] = paths[name]
            results[name] = result
            print(
                f"  export {name:<10} {result['rows']:>9,} rows in {result['seconds']}s = "
                f"{result['rows_per_s']:,.0f} rows/s, peak RSS {result['peak_rss_mb']} MB"
                + ("" if result["complete"] else " (stopped at the time limit)"),
                flush=True,
            )
        finally:
            if stop:
                cfg.processes.stop(server.process)
    if "datasette" in results:
        results["datasette"]["note"] = "raw event rows (no participants/countries/topics)"
    return results


# ---- report -----------------------------------------------------------------------------
def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    s, one = results["scenarios"], results.get("one_client", {})
    checks: list[tuple[str, float | None, str, float]] = []
    for name in ("events_by_date", "event_by_id"):
        checks.append((f"{name}: ours/floor", s[name].get("ours_over_floor"), ">=", 0.6))
        checks.append((f"{name}: ours/datasette", s[name].get("ours_over_datasette"), ">=", 5.0))
    first = one.get("events_first_page", {}).get("ours", {}).get("p50_ms")
    deep = one.get("events_deep_cursor", {}).get("ours", {}).get("p50_ms")
    checks.append(
        (
            "deep cursor p50 / first page p50 (one client)",
            round(deep / first, 3) if first and deep else None,
            "<=",
            1.2,
        )
    )
    checks.append(
        (
            "quote FTS p50 ms (one client)",
            one.get("quote_fts", {}).get("ours", {}).get("p50_ms"),
            "<=",
            20.0,
        )
    )
    export = results.get("export", {}).get("ours", {})
    checks.append(("CSV export rows/s", export.get("rows_per_s"), ">=", 100_000.0))
    checks.append(("CSV export peak RSS MB", export.get("peak_rss_mb"), "<", 200.0))
    workers = results.get("workers", {}).get("events_by_date", {})
    checks.append(("two workers / one worker", workers.get("ratio"), ">=", 1.7))
    out = []
    for label, value, op, goal in checks:
        met = None
        if value is not None:
            met = value >= goal if op == ">=" else value <= goal if op == "<=" else value < goal
        out.append({"target": f"{label} {op} {goal:g}", "value": value, "met": met})
    return out


def table(results: dict[str, Any]) -> str:
    lines = [
        "| scenario | conns | ours req/s | floor req/s | datasette req/s | ours p50 / p99 ms "
        "| ours non-2xx | ours/floor | ours/datasette |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def rps(entry: dict[str, Any], name: str) -> str:
        return f"{entry[name]['rps']:,.1f}" if name in entry else "–"

    for name, e in results["scenarios"].items():
        lines.append(
            f"| {name} | {e['connections']} | {rps(e, 'ours')} | {rps(e, 'floor')} | "
            f"{rps(e, 'datasette')} | "
            f"{e['ours']['p50_ms']:,.1f} / {e['ours']['p99_ms']:,.1f} | {e['ours']['errors']} | "
            f"{e.get('ours_over_floor', '–')} | {e.get('ours_over_datasette', '–')} |"
        )
    if results.get("one_client"):
        lines += ["", "| one client, p50 ms | ours | floor | datasette |", "|---|---:|---:|---:|"]
        for name, e in results["one_client"].items():
            cells = [f"{e[n]['p50_ms']:.2f}" if n in e else "–" for n in SERVERS if n != "ours"]
            lines.append(f"| {name} | {e['ours']['p50_ms']:.2f} | {cells[1]} | {cells[0]} |")
    if results.get("export"):
        lines += [
            "",
            "| CSV export of every event | rows | rows/s | peak RSS MB |",
            "|---|---:|---:|---:|",
        ]
        for name, e in results["export"].items():
            partial = "" if e["complete"] else " (time limit)"
            lines.append(
                f"| {name}{partial} | {e['rows']:,} | {e['rows_per_s']:,.0f} | {e['peak_rss_mb']} |"
            )
    if results.get("workers"):
        lines += ["", "| two workers vs one (ours) | 1 worker req/s | 2 workers req/s | ratio |"]
        lines.append("|---|---:|---:|---:|")
        for name, e in results["workers"].items():
            lines.append(
                f"| {name} | {e['one_worker']['rps']:,.1f} | {e['two_workers']['rps']:,.1f} "
                f"| {e['ratio']} |"
            )
    if results.get("postgres"):
        lines += ["", "| PostgreSQL (ours) | req/s | p50 / p99 ms | one-client p50 ms | non-2xx |"]
        lines.append("|---|---:|---:|---:|---:|")
        for name, e in results["postgres"]["scenarios"].items():
            if "error" in e:
                lines.append(f"| {name} | failed: {e['error'][:90]} | | | |")
                continue
            lines.append(
                f"| {name} | {e['rps']:,.1f} | {e['p50_ms']:,.1f} / {e['p99_ms']:,.1f} | "
                f"{e['one_client_p50_ms']:.2f} | {e['errors']} |"
            )
        export = results["postgres"].get("export")
        if export:
            lines.append(
                f"| csv_export | {export['rows_per_s']:,.0f} rows/s | {export['rows']:,} rows | "
                f"peak RSS {export['peak_rss_mb']} MB | |"
            )
    if results.get("targets"):
        lines += ["", "| target | value | met |", "|---|---:|---|"]
        for t in results["targets"]:
            met = {True: "yes", False: "NO", None: "n/a"}[t["met"]]
            lines.append(f"| {t['target']} | {t['value']} | {met} |")
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    scenarios = list(results["scenarios"])
    names = [n for n in SERVERS if any(n in results["scenarios"][s] for s in scenarios)]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    width = 0.8 / max(1, len(names))
    for index, name in enumerate(names):
        xs = [i + index * width for i in range(len(scenarios))]
        rps = [results["scenarios"][s].get(name, {}).get("rps", 0) for s in scenarios]
        p50 = [results["scenarios"][s].get(name, {}).get("p50_ms", 0) for s in scenarios]
        axes[0].bar(xs, rps, width, label=name)
        axes[1].bar(xs, p50, width, label=name)
    for axis, label in (
        (axes[0], "requests/s (log)"),
        (axes[1], "p50 latency, ms (log)"),
    ):
        axis.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(scenarios))])
        axis.set_xticklabels(
            [f"{s} ({results['scenarios'][s]['connections']}c)" for s in scenarios],
            rotation=30,
            ha="right",
            fontsize=8,
        )
        axis.set_yscale("log")
        axis.set_ylabel(label)
        axis.legend()
    meta = results["meta"]
    fig.suptitle(
        f"Diplomatic Events API benchmark: {meta['counts'].get('events', 0):,} events, "
        f"{meta['load']}, {meta['started'][:16]}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


# ---- orchestration ----------------------------------------------------------------------
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
    import hashlib

    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("migrations/versions/*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run(cfg: Config) -> dict[str, Any]:
    assert cfg.db is not None
    started = dt.datetime.now(dt.UTC)
    facts = sqlite_facts(cfg.db)
    db_name = cfg.db.stem
    scenarios = build_scenarios(db_name, facts)
    load_desc = (
        f"wrk -t1 -c{cfg.connections} -d{cfg.duration:g}s, {cfg.rounds} rounds"
        if cfg.use_wrk
        else f"python, 1 client, {cfg.duration:g}s"
    )
    results: dict[str, Any] = {
        "meta": {
            "started": started.isoformat(),
            "database": str(cfg.db),
            "counts": facts["counts"],
            "deep_pages": facts["deep_pages"],
            "load": load_desc,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
                "platform": platform.platform(),
            },
            "smoke": cfg.smoke,
            "app_sources": app_fingerprint(),
        }
    }
    print(f"database {cfg.db}: {facts['counts']}", flush=True)
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
    results["verified"] = verify(servers, scenarios)
    pick_connections(cfg, scenarios, results["verified"])
    urls = sum(v["urls"] for v in results["verified"].values())
    print(f"  identical on every scenario ({urls} urls)", flush=True)
    print(f"load: {load_desc}", flush=True)
    results["scenarios"] = measure_scenarios(cfg, servers, scenarios)
    results["one_client"] = measure_one_client(cfg, servers, scenarios)
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


def run_postgres(cfg: Config, url: str) -> dict[str, Any]:
    """Ours only, on PostgreSQL: the same scenarios, one round."""
    from app.config import Settings

    url = Settings(database_url=url).database_url
    print(f"postgresql: {url}", flush=True)
    facts = postgres_facts(url)
    scenarios = build_scenarios("-", facts)
    server = start_ours(cfg, database_url=url)
    try:
        results: dict[str, Any] = {"counts": facts["counts"], "scenarios": {}}
        for scenario in scenarios:
            try:
                pick_connections(cfg, [scenario], verify({"ours": server}, [scenario]))
            except BenchError as exc:  # e.g. a 503: the statement timeout; keep going
                results["scenarios"][scenario.name] = {"error": str(exc)[:400]}
                print(f"  postgresql {scenario.name:<20} failed: {str(exc)[:200]}", flush=True)
                continue
            connections = scenario.connections or cfg.connections
            load(cfg, server, scenario.ours, connections=connections, duration=1)
            entry = load(cfg, server, scenario.ours, connections=connections, duration=cfg.duration)
            one = load(cfg, server, scenario.ours, connections=1, duration=cfg.duration)
            entry["one_client_p50_ms"] = one["p50_ms"]
            results["scenarios"][scenario.name] = entry
            print(
                f"  postgresql {scenario.name:<20} {entry['rps']:>9.1f} req/s  p50 "
                f"{entry['p50_ms']:.2f} ms  one-client p50 {one['p50_ms']:.2f} ms",
                flush=True,
            )
    finally:
        cfg.processes.stop(server.process)
    export_server = start_ours(cfg, database_url=url)
    try:
        results["export"] = stream_export(
            export_server.port, "/v1/events?format=csv", export_server.pid, cfg.export_timeout
        )
        print(
            f"  postgresql export {results['export']['rows_per_s']:,.0f} rows/s, peak RSS "
            f"{results['export']['peak_rss_mb']} MB",
            flush=True,
        )
    finally:
        cfg.processes.stop(export_server.process)
    return results


def write_results(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = results["meta"]["started"][:19].replace(":", "").replace("-", "")
    prefix = "smoke-" if results["meta"]["smoke"] else ""
    path = out / f"{prefix}{stamp}.json"
    text = json.dumps(results, indent=2, sort_keys=False)
    path.write_text(text)
    (out / f"{prefix}latest.json").write_text(text)
    if chart(results, out / f"{prefix}latest.png"):
        print(f"chart: {out / f'{prefix}latest.png'}")
    return path


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
