"""Export contention: do concurrent exports starve the rest of the service?

    .venv/bin/python bench/export_contention.py --db /tmp/bench-1m.db [--exports 16]
        [--seconds 30] [--export-max-concurrent 2]

Starts `python -m app serve` (one worker, as `make serve` runs it) on a free port against an
existing database (a generated one: bench/generate.py), starts `--exports` clients that each
stream a CSV export of every event, reading slowly enough to stay connected, and meanwhile
measures `/readyz` and a filtered first page from one client, back to back, for `--seconds`.
Reports p50/p99 of both probes, how many exports streamed and how many were refused with a
503 (the per-process cap, EXPORT_MAX_CONCURRENT), and the same probes without exports first,
measured in the same run. Results go to bench/results/export-contention.json.
"""

import argparse
import json
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


def _export(
    base: str, outcome: dict[str, int], lock: threading.Lock, stop: threading.Event
) -> None:
    request = urllib.request.Request(base + "/v1/events?format=csv")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            rows = 0
            while not stop.is_set():
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                rows += chunk.count(b"\n")
            key = "streamed"
    except urllib.error.HTTPError as error:
        key = f"refused_{error.code}"
        rows = 0
    with lock:
        outcome[key] = outcome.get(key, 0) + 1
        outcome["rows"] = outcome.get("rows", 0) + rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a generated SQLite file (or a URL)")
    parser.add_argument("--exports", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--export-max-concurrent", type=int, default=2)
    args = parser.parse_args(argv)
    database_url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(database_url, port, args.export_max_concurrent)
    try:
        _probe(base, 3)  # warm the page cache the probes use
        quiet = _probe(base, args.seconds)
        outcome: dict[str, int] = {}
        lock, stop = threading.Lock(), threading.Event()
        clients = [
            threading.Thread(target=_export, args=(base, outcome, lock, stop), daemon=True)
            for _ in range(args.exports)
        ]
        for client in clients:
            client.start()
        time.sleep(1)  # every export has been admitted or refused
        busy = _probe(base, args.seconds)
        stop.set()
        for client in clients:
            client.join(timeout=30)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result: dict[str, Any] = {
        "database": database_url.split("://")[0],
        "exports_started": args.exports,
        "export_max_concurrent": args.export_max_concurrent,
        "exports": outcome,
        "seconds": args.seconds,
        "without_exports": quiet,
        "during_exports": busy,
    }
    out = ROOT / "bench" / "results" / "export-contention.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
