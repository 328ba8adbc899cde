"""Export contention: do concurrent exports starve the rest of the service?

    .venv/bin/python bench/export_contention.py --db /tmp/bench-1m.db [--exports 16]
        [--seconds 30] [--runs 1] [--format csv|ndjson] [--export-max-concurrent 2]

Starts `python -m app serve` (one worker, as `make serve` runs it) on a free port against an
existing database (a generated one: bench/generate.py). Each run measures `/readyz` and a
filtered first page from one client, back to back, for `--seconds` without exports, then again
while `--exports` clients keep exporting every event (`/v1/events.csv` or `.ndjson`): each
client reads its export as fast as it arrives and starts another when it ends, and retries
half a second after a 503 (the per-process cap, EXPORT_MAX_CONCURRENT), so the cap's slots stay
busy for the whole window. The export clients run in a process of their own, so their work
does not hold up the probing client's interpreter. Reports p50/p99 of both probes per run and
what the exports did; results go to bench/results/export-contention.json.
"""

import argparse
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROBES = {
    "readyz": "/readyz",
    "filtered_first_page": "/v1/events?leader=xi-jinping&country=RU&limit=50",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 30.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _start(database_url: str, port: int, export_max_concurrent: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EXPORT_MAX_CONCURRENT": str(export_max_concurrent),
        # Every client is 127.0.0.1: let it use the whole cap, as before the per-address one.
        "EXPORT_MAX_PER_ADDRESS": str(export_max_concurrent),
        "EXPORT_MAX_ROWS": "1000000",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(f"http://127.0.0.1:{port}/readyz", timeout=2) == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("the server did not become ready in 60 s")


def _commit() -> str:
    """The commit of the code the server ran (with `+changes` if the work tree differs)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "app"], cwd=ROOT).returncode
    return head + ("+changes" if dirty else "")


def _probe(base: str, seconds: float) -> dict[str, dict[str, float]]:
    timings: dict[str, list[float]] = {name: [] for name in PROBES}
    failures = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        for name, path in PROBES.items():
            started = time.perf_counter()
            status = _get(base + path)
            timings[name].append((time.perf_counter() - started) * 1000)
            failures += status != 200
    report: dict[str, dict[str, float]] = {}
    for name, values in timings.items():
        values.sort()
        report[name] = {
            "requests": len(values),
            "p50_ms": round(statistics.median(values), 2),
            "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))], 2),
        }
    report["failures"] = {"count": failures}
    return report


def _export_client(
    url: str, outcome: dict[str, int], lock: threading.Lock, stop: threading.Event
) -> None:
    while not stop.is_set():
        lines = 0
        try:
            with urllib.request.urlopen(url, timeout=600) as response:
                key = "completed"
                while chunk := response.read(64 * 1024):
                    lines += chunk.count(b"\n")
                    if stop.is_set():
                        key = "streaming_at_stop"
                        break
        except urllib.error.HTTPError as error:
            key = f"refused_{error.code}"
            stop.wait(0.5)
        with lock:
            outcome[key] = outcome.get(key, 0) + 1
            outcome["lines"] = outcome.get("lines", 0) + lines


def _export_clients(url: str, clients: int, stop: Any, results: Any) -> None:
    """In a process of its own: `clients` exporting threads until `stop` is set."""
    outcome: dict[str, int] = {}
    lock, halt = threading.Lock(), threading.Event()
    threads = [
        threading.Thread(target=_export_client, args=(url, outcome, lock, halt), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    halt.set()
    for thread in threads:
        thread.join(timeout=30)
    results.put(outcome)


def _run(base: str, args: argparse.Namespace) -> dict[str, Any]:
    quiet = _probe(base, args.seconds)
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    exporters = context.Process(
        target=_export_clients,
        args=(f"{base}/v1/events.{args.format}", args.exports, stop, results),
    )
    exporters.start()
    time.sleep(2)  # every client has been admitted or refused, the slots are streaming
    busy = _probe(base, args.seconds)
    stop.set()
    outcome = results.get(timeout=60)
    exporters.join(timeout=30)
    return {"without_exports": quiet, "during_exports": busy, "exports": outcome}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a generated SQLite file (or a URL)")
    parser.add_argument("--exports", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--format", choices=("csv", "ndjson"), default="csv")
    parser.add_argument("--export-max-concurrent", type=int, default=2)
    args = parser.parse_args(argv)
    database_url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(database_url, port, args.export_max_concurrent)
    runs = []
    try:
        _probe(base, 3)  # warm the page cache the probes use
        for number in range(1, args.runs + 1):
            runs.append(_run(base, args))
            print(f"run {number}: {json.dumps(runs[-1])}", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result: dict[str, Any] = {
        "server_commit": _commit(),
        "database": database_url.split("://")[0],
        "format": args.format,
        "exports_started": args.exports,
        "export_max_concurrent": args.export_max_concurrent,
        "seconds": args.seconds,
        "runs": runs,
    }
    out = ROOT / "bench" / "results" / "export-contention.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
