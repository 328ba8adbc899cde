"""Hostile clients against one worker at default settings (issue 23's targets); prints numbers.

    .venv/bin/python bench/hostile.py pipeline            # 4 sockets pipelining, never reading
    .venv/bin/python bench/hostile.py costly --db /tmp/bench-1m.db

`pipeline` starts `python -m app serve` on a freshly seeded SQLite file, then four sockets send
`GET /healthz` back to back for 6 s and read nothing; it prints the worker's RSS before, at its
highest, and after they close, and how many bytes the server let them send.

`costly` serves the database given (read-only, never seeded) and runs eight clients, in a
process of their own, that send the costliest search the API accepts (`q` with
SEARCH_MAX_PREFIXES prefixes, `include_total=true`) back to back, plus one that sends the
issue's twelve-prefix search; meanwhile one client probes `/readyz` back to back. It prints the
probe's p50/p99 and the searches' statuses and slowest answer (the budget is
REQUEST_WORK_BUDGET_MS, 5 s by default).
"""

import argparse
import contextlib
import http.client
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = ("pre", "con", "par", "ric", "sta", "min", "inc", "acc", "dic", "com", "pro", "rel")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(port: int, path: str, timeout: float = 30) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextlib.contextmanager
def _server(database_url: str, log: Path) -> Iterator[tuple[int, int]]:
    """`python -m app serve` (one worker, default settings); yields (port, pid)."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                if _status(port, "/readyz") == 200:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not become ready:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield port, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pipeline(seconds: float, sockets: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/pipeline.db"
        env = {**os.environ, "DATABASE_URL": url}
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run(
                [sys.executable, "-m", "app", *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        with _server(url, Path(folder) / "server.log") as (port, pid):
            before = peak = _rss_mb(pid)
            burst = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" * 4000
            clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(sockets)]
            for sock in clients:
                sock.setblocking(False)
            sent = 0
            ends = time.monotonic() + seconds
            while time.monotonic() < ends:
                for sock in clients:
                    with contextlib.suppress(BlockingIOError):
                        sent += sock.send(burst)
                peak = max(peak, _rss_mb(pid))
                time.sleep(0.002)
            for sock in clients:
                sock.close()
            time.sleep(2)
            after = _rss_mb(pid)
            served = _status(port, "/healthz")
    print(
        f"pipeline: {sockets} sockets x {seconds:g} s, {sent / 1e6:.1f} MB accepted; worker RSS "
        f"{before:.1f} MB before, {peak:.1f} MB at most (+{peak - before:.1f}), {after:.1f} MB "
        f"after; a new client then got {served}"
    )


def _search_loop(
    port: int, path: str, seconds: float, results: "multiprocessing.Queue[tuple]"
) -> None:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        started = time.monotonic()
        try:
            status = _status(port, path)
        except OSError as exc:
            status = -1
            print("search error:", exc, file=sys.stderr)
        results.put((path, status, time.monotonic() - started))


def costly(db: str, seconds: float, clients: int) -> None:
    url = db if "://" in db else f"sqlite:///{db}"
    allowed = " OR ".join(f"{p}*" for p in PREFIXES[:4])
    twelve = " OR ".join(f"{p}*" for p in PREFIXES)
    paths = [
        "/v1/events?include_total=true&q=" + allowed.replace(" ", "%20").replace("*", "%2A"),
        "/v1/events?include_total=true&q=" + twelve.replace(" ", "%20").replace("*", "%2A"),
    ]
    with tempfile.TemporaryDirectory() as folder, _server(url, Path(folder) / "s.log") as (port, _):
        queue: multiprocessing.Queue[tuple] = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(
                target=_search_loop, args=(port, paths[0 if n < clients else 1], seconds, queue)
            )
            for n in range(clients + 1)
        ]
        for worker in workers:
            worker.start()
        time.sleep(0.5)
        probes: list[float] = []
        failed = 0
        ends = time.monotonic() + seconds - 1
        while time.monotonic() < ends:
            started = time.monotonic()
            if _status(port, "/readyz") != 200:
                failed += 1
            probes.append((time.monotonic() - started) * 1000)
        # Drain while they finish: a worker blocks on a full queue until it is read, so
        # joining first would wait forever once the searches answered a few thousand times.
        answers: list[tuple] = []
        while any(worker.is_alive() for worker in workers) or not queue.empty():
            with contextlib.suppress(Empty):
                answers.append(queue.get(timeout=0.2))
        for worker in workers:
            worker.join()
    probes.sort()
    p99 = probes[int(len(probes) * 0.99) - 1]
    print(
        f"costly: {clients} clients of {paths[0]} and one of the twelve-prefix search for "
        f"{seconds:g} s; /readyz {len(probes)} probes, {failed} not 200, p50 "
        f"{statistics.median(probes):.1f} ms, p99 {p99:.1f} ms, max {probes[-1]:.1f} ms"
    )
    for path in paths:
        mine = [(status, took) for p, status, took in answers if p == path]
        if mine:
            print(
                f"  {path[:60]}...: {len(mine)} answers {dict(Counter(s for s, _ in mine))}, "
                f"median {statistics.median(t for _, t in mine):.2f} s, "
                f"slowest {max(t for _, t in mine):.2f} s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pipe = commands.add_parser("pipeline")
    pipe.add_argument("--seconds", type=float, default=6)
    pipe.add_argument("--sockets", type=int, default=4)
    cost = commands.add_parser("costly")
    cost.add_argument("--db", required=True)
    cost.add_argument("--seconds", type=float, default=30)
    cost.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if args.command == "pipeline":
        pipeline(args.seconds, args.sockets)
    else:
        costly(args.db, args.seconds, args.clients)


if __name__ == "__main__":
    main()
