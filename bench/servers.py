"""The servers of the benchmark: ours, Datasette and the floor, each in its own process group.

`ours` is `python -m app serve` (every middleware and the JSON access log, as `make serve` runs
it), `datasette` serves canned queries with `_shape=array` (no counts, no facets) and `floor`
is bench/floor.py. All listen on 127.0.0.1 with one uvicorn worker unless asked otherwise.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
SERVERS = ("ours", "datasette", "floor")
EXPORT_ROWS_CAP = 10_000_000
DOCUMENT_COLUMNS = {"doc", "csv_line", "sources_doc"}


class BenchError(Exception):
    """The benchmark cannot go on (a server did not start, bodies differ, ...)."""


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
    # One-client measurements (the filter matrix): up to this many requests in this many s.
    one_client_requests: int = 100
    one_client_seconds: float = 1.5
    processes: Processes = field(default_factory=Processes)

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
        env["PYTHONPATH"] = str(ROOT)
        env["EXPORT_MAX_ROWS"] = str(EXPORT_ROWS_CAP)  # "all events" in the export scenario
        # Every load client connects from 127.0.0.1: the per-address caps would measure
        # themselves, not the server.
        env["MAX_CONNECTIONS_PER_ADDRESS"] = "1000"
        env["EXPORT_MAX_PER_ADDRESS"] = "1000"
        return env


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


def _plain_columns(db: Path, table: str, alias: str) -> str:
    """Every column of `table` but the stored documents: the rows as Datasette users see a
    table (and as `SELECT *` gave before the read model existed)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        names = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
    return ", ".join(f"{alias}.{name}" for name in names if name not in DOCUMENT_COLUMNS)


def datasette_metadata(db: Path) -> dict[str, Any]:
    events = _plain_columns(db, "event", "event")
    quotes = _plain_columns(db, "quote", "quote") + ", person.name AS speaker_name"
    quote_from = "quote JOIN person ON person.id = quote.speaker_id"
    trade = _plain_columns(db, "trade_observation", "trade_observation")
    queries = {
        # The same SQL as ours: the redundant lower bound on date_lo (from minus the longest
        # event span, dataset_meta.max_event_span_days) makes it one short index range.
        "events_by_date": f"SELECT {events} FROM event WHERE date_lo <= :hi AND date_hi >= :lo "
        "AND date_lo >= :lo_bound ORDER BY date_lo, id LIMIT 51",
        "events_page": f"SELECT {events} FROM event ORDER BY date_lo, id LIMIT 51",
        "events_after": f"SELECT {events} FROM event WHERE (date_lo, id) > (:d, :id) "
        "ORDER BY date_lo, id LIMIT 51",
        "event_by_id": f"SELECT {events} FROM event WHERE id = :id",
        "quotes_by_leader": f"SELECT {quotes} FROM {quote_from} "
        "WHERE quote.speaker_id = :leader ORDER BY quote.sort_date, quote.id LIMIT 51",
        # Many matches: walk the sort index, as ours walks a posting list (`gasdotto`).
        "quote_search": f"SELECT {quotes} FROM quote INDEXED BY ix_quote_said_sort "
        "JOIN person ON person.id = quote.speaker_id WHERE quote.rowid IN "
        "(SELECT rowid FROM quote_search WHERE quote_search MATCH :q) "
        "ORDER BY quote.sort_date, quote.id LIMIT 51",
        "trade_series": f"SELECT {trade} FROM trade_observation WHERE country = :country "
        "AND partner = :partner AND flow = 'total' AND period_type = 'annual' "
        "AND kind = 'actual' AND preferred = 1 ORDER BY period_start, id",
    }
    return {"databases": {db.stem: {"queries": {k: {"sql": v} for k, v in queries.items()}}}}


def start_datasette(cfg: Config) -> Server:
    assert cfg.db is not None
    port = free_port()
    metadata = cfg.work / "datasette-metadata.json"
    metadata.write_text(json.dumps(datasette_metadata(cfg.db), indent=2))
    log = cfg.work / f"datasette-{port}.log"
    command = [PYTHON, "-m", "datasette", "serve", "--immutable", str(cfg.db)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--metadata", str(metadata)]
    command += ["--setting", "sql_time_limit_ms", "30000", "--setting", "max_csv_mb", "0"]
    server = Server(
        "datasette", port, cfg.processes.spawn(command, env=cfg.base_env(), log=log), log
    )
    wait_ready(server, "/-/versions.json")
    return server
