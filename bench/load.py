"""Load: wrk (or a Python client) against each server, one-client latencies, exports.

Under load the same requests go to each server in alternation, round after round (ours,
datasette, floor, ours, ...), so drift shows; before each run the server must have drained the
backlog of the previous one. One-client latencies (the filter matrix) come from a keep-alive
Python client: up to Config.one_client_requests requests in Config.one_client_seconds.
"""

import contextlib
import http.client
import json
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.scenarios import Scenario
from bench.servers import (
    BENCH,
    DOCUMENT_COLUMNS,
    SERVERS,
    BenchError,
    Config,
    Server,
    group_pids,
    memory_kb,
    start_ours,
)

LUA = BENCH / "wrk.lua"
SLOW_MS = 100.0  # a scenario whose single request takes longer, on any server, is DB-bound
SLOW_CONNECTIONS = 2  # as many as there are cores here: enough to saturate, no pile-up


def pick_connections(cfg: Config, scenarios: list[Scenario], verified: dict[str, Any]) -> None:
    """32 connections, except for DB-bound scenarios: with 32 requests of a second or more
    sharing two cores, none completes within a 5-second run (processor sharing), so those
    run with SLOW_CONNECTIONS, the same for every server."""
    for scenario in scenarios:
        slowest = max(verified[scenario.name]["single_request_ms"].values())
        slow = slowest > SLOW_MS
        scenario.connections = SLOW_CONNECTIONS if slow else cfg.connections
        if not cfg.use_wrk:
            scenario.connections = 1  # the Python client is one connection
        verified[scenario.name]["connections"] = scenario.connections


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


def run_python_load(
    port: int, paths: list[str], *, duration: float, max_requests: int | None = None
) -> dict[str, Any]:
    """One keep-alive client in a loop (at least one request per path)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    try:
        while len(latencies) < len(paths) or (
            time.perf_counter() - started < duration
            and (max_requests is None or len(latencies) < max_requests)
        ):
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
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
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


def one_client(cfg: Config, server: Server, paths: list[str]) -> dict[str, Any]:
    """p50 / p99 with one client and caches warm (one request first, not counted)."""
    run_python_load(server.port, paths[:1], duration=0)
    return run_python_load(
        server.port,
        paths,
        duration=cfg.one_client_seconds,
        max_requests=cfg.one_client_requests,
    )


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
        "errors": sum(r["errors"] for r in runs),
        "rounds": [r["rps"] for r in runs],
    }


def _paths(scenario: Scenario, name: str) -> list[str]:
    return scenario.datasette if name == "datasette" else scenario.ours


def measure_scenarios(
    cfg: Config, servers: dict[str, Server], scenarios: list[Scenario]
) -> dict[str, Any]:
    names = [name for name in SERVERS if name in servers]
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        s.name: {n: [] for n in names} for s in scenarios
    }
    for scenario in scenarios if not cfg.smoke else []:  # warm-up, not recorded
        for name in names:
            connections = scenario.connections or 1
            load(cfg, servers[name], _paths(scenario, name), connections=connections, duration=1)
    for round_number in range(cfg.rounds):
        for scenario in scenarios:
            for name in names:
                result = load(
                    cfg,
                    servers[name],
                    _paths(scenario, name),
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
    cfg: Config, servers: dict[str, Server], scenarios: list[Scenario], *, label: str = ""
) -> dict[str, Any]:
    """One-client p50 / p99 of each scenario on each server given (one client leaves no
    backlog: each server is drained once, before the first)."""
    if not cfg.smoke:
        for server in servers.values():
            quiesce(server)
    results: dict[str, Any] = {}
    for scenario in scenarios:
        entry: dict[str, Any] = {"title": scenario.title, "url": scenario.ours[0]}
        if scenario.matches is not None:
            entry["matches"] = scenario.matches
        for name, server in servers.items():
            paths = _paths(scenario, name)
            if paths:
                entry[name] = one_client(cfg, server, paths)
        results[scenario.name] = entry
        cells = "  ".join(
            f"{name} p50 {entry[name]['p50_ms']:>7.2f} p99 {entry[name]['p99_ms']:>7.2f}"
            for name in servers
            if name in entry
        )
        print(f"  one client{label} {scenario.name:<44} {cells}", flush=True)
    return results


def measure_workers(cfg: Config, one: Server, scenarios: list[Scenario]) -> dict[str, Any]:
    """Ours with two workers vs one, alternating, on the two main scenarios."""
    two = start_ours(cfg, workers=2)
    try:
        results: dict[str, Any] = {}
        for scenario in scenarios:
            if scenario.name not in ("events_by_date", "event_by_id"):
                continue
            connections = scenario.connections or cfg.connections
            runs: dict[str, list[dict[str, Any]]] = {"one_worker": [], "two_workers": []}
            load(cfg, two, scenario.ours, connections=connections, duration=1)
            for _ in range(cfg.rounds):
                for label, server in (("one_worker", one), ("two_workers", two)):
                    runs[label].append(
                        load(
                            cfg,
                            server,
                            scenario.ours,
                            connections=connections,
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
    """Read a long CSV or NDJSON response, counting rows, while sampling the server's RSS."""
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
    header = 0 if "ndjson" in path else 1
    rows = max(0, lines - header)
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


def export_paths(db_name: str) -> dict[str, dict[str, str]]:
    """Every event, per format and server (Datasette streams CSV of its table view only)."""
    return {
        "csv": {
            "ours": "/v1/events?format=csv",
            "floor": "/v1/events?format=csv",
            "datasette": f"/{db_name}/event.csv?_stream=on&_size=max"
            + "".join(f"&_nocol={column}" for column in sorted(DOCUMENT_COLUMNS)),
        },
        "ndjson": {"ours": "/v1/events?format=ndjson", "floor": "/v1/events?format=ndjson"},
    }


def measure_export(
    cfg: Config, starters: dict[str, Callable[[], Server]], db_name: str, *, stop: bool = True
) -> dict[str, Any]:
    """Every event as CSV and as NDJSON, each server freshly started (unless `stop` is False)
    so VmHWM is the export's own peak."""
    results: dict[str, Any] = {}
    for fmt, paths in export_paths(db_name).items():
        results[fmt] = {}
        for name, start in starters.items():
            if name not in paths:
                continue
            server = start()
            try:
                before = round((memory_kb(server.pid, "VmHWM") or 0) / 1024, 1)
                result = stream_export(server.port, paths[name], server.pid, cfg.export_timeout)
                result["idle_vmhwm_mb"] = before
                result["path"] = paths[name]
                results[fmt][name] = result
                print(
                    f"  export {fmt:<6} {name:<10} {result['rows']:>9,} rows in "
                    f"{result['seconds']}s = {result['rows_per_s']:,.0f} rows/s, peak RSS "
                    f"{result['peak_rss_mb']} MB"
                    + ("" if result["complete"] else " (stopped at the time limit)"),
                    flush=True,
                )
            finally:
                if stop:
                    cfg.processes.stop(server.process)
    if "datasette" in results["csv"]:
        results["csv"]["datasette"]["note"] = "raw event rows (no participants/countries/topics)"
    return results
