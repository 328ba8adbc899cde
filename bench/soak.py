"""Load soak: drive a running server with concurrent clients over a mix of endpoints.

    python bench/soak.py [--seconds 60] [--clients 16] [--database-url URL]

Starts `python -m app serve` (one worker) on a free port against a freshly migrated and seeded
database (a temporary SQLite file unless --database-url is given), runs the mix for a fixed
time, stops the server by pid, and reports requests, errors (any 5xx, transport error or
unexpected status), p50/p99 latency and the server's resident memory at start and end.
Results go to bench/results/soak-<backend>.json.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# (path, expected statuses); 4xx entries are hostile requests that must fail cleanly.
MIX: list[tuple[str, set[int]]] = [
    ("/v1/events?limit=50", {200}),
    ("/v1/events?date=2022-06-15", {200}),
    ("/v1/events?from=2021&to=2022&kind=video_call&kind=phone_call", {200}),
    ("/v1/events?leader=Q7747&leader=xi-jinping&sort=-date", {200}),
    ("/v1/events/2025-01-21-putin-xi-video-call", {200}),
    ("/v1/events?q=compleanno", {200}),
    ("/v1/quotes?leader=vladimir-putin&q=multi*", {200}),
    ("/v1/quotes?q=%22caro%20amico%22", {200}),
    ("/v1/quotes?lang=en", {200}),
    ("/v1/leaders/Q15031/quotes?limit=5", {200}),
    ("/v1/trade/series?select=all", {200}),
    ("/v1/trade/observations?format=csv", {200}),
    ("/v1/events?format=ndjson", {200}),
    ("/v1/timeline?granularity=month", {200}),
    ("/v1/sources/cnaworld-2025-putin-xi-video-call", {200}),
    ("/v1/vocab", {200}),
    ("/v1/events?date=2021-02-30", {400}),
    ("/v1/events?leader=vladimir-putn", {400}),
    ("/v1/events?cursor=forged", {400}),
    ("/v1/events?limit=100000", {400}),
    ("/v1/quotes?q=" + "x" * 300, {400}),
    ("/v1/events/does-not-exist", {404}),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _prepare(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(
            [PYTHON, "-m", "app", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )


async def _client(
    base: str, deadline: float, latencies: list[float], errors: list[str], seed: int
) -> None:
    rng = random.Random(seed)
    etags: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() < deadline:
            path, expected = rng.choice(MIX)
            headers = {"Accept-Encoding": "gzip"}
            if path in etags and rng.random() < 0.3:
                headers["If-None-Match"] = etags[path]
            started = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {exc.__class__.__name__}")
                continue
            latencies.append(time.perf_counter() - started)
            ok = response.status_code in expected or (
                response.status_code == 304 and "If-None-Match" in headers
            )
            if not ok or response.status_code >= 500:
                errors.append(f"{path}: {response.status_code}")
            if "etag" in response.headers:
                etags[path] = response.headers["etag"]


async def _sample_rss(pid: int, deadline: float, samples: list[float]) -> None:
    while time.monotonic() < deadline:
        samples.append(_rss_mb(pid))
        await asyncio.sleep(1)


async def _drive(
    base: str, seconds: float, clients: int, pid: int
) -> tuple[list[float], list[str], list[float]]:
    latencies: list[float] = []
    errors: list[str] = []
    rss: list[float] = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        _sample_rss(pid, deadline, rss),
        *(_client(base, deadline, latencies, errors, seed) for seed in range(clients)),
    )
    return latencies, errors, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'soak.db'}"
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    _prepare(database_url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    server_log = workdir / "server.log"
    server = subprocess.Popen(
        [PYTHON, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=server_log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        # Warm-up at full concurrency (not counted): fills the pools and caches first.
        asyncio.run(_drive(base, 10, args.clients, server.pid))
        latencies, errors, rss = asyncio.run(_drive(base, args.seconds, args.clients, server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    latencies.sort()
    result = {
        "backend": backend,
        "seconds": args.seconds,
        "clients": args.clients,
        "requests": len(latencies) + len(errors),
        "requests_per_second": round(len(latencies) / args.seconds, 1),
        "errors": len(errors),
        "error_samples": errors[:10],
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "rss_start_mb": round(rss[0], 1),
        "rss_mid_mb": round(rss[len(rss) // 2], 1),
        "rss_end_mb": round(rss[-1], 1),
        "rss_max_mb": round(max(rss), 1),
    }
    out = ROOT / "bench" / "results" / f"soak-{backend}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if result["errors"]:
        print(f"server log: {server_log}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
