"""Export forms: rows per second of every event as the wide, long and dyadic CSV, side by side.

    .venv/bin/python -m bench.export_forms --database-url sqlite:////tmp/exports-200k.db
        [--rounds 3] [--timeout 600]

Starts our server (one process, default settings but for the export cap) on a generated
database (bench/generate.py) and streams /v1/events.csv, /v1/events.long.csv and
/v1/events.dyadic.csv in turn, `--rounds` times, so that the forms share the machine's load;
a row is a CRLF-terminated line (the header left out), so a passage's own newlines are not
counted. The server's CPU time per export is read from /proc too: on a shared machine, rows
per CPU-second of the server say what one free core would do, where rows per second of wall
time say what this machine did under its load. Prints the medians of each form and writes
bench/results/export-forms-<dialect>.json.
"""

import argparse
import http.client
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.load import cpu_ticks
from bench.servers import ROOT, Config, start_ours

TICKS = os.sysconf("SC_CLK_TCK")

PATHS = {
    "wide": "/v1/events.csv",
    "long": "/v1/events.long.csv",
    "dyadic": "/v1/events.dyadic.csv",
}


def stream(port: int, pid: int, path: str, timeout: float) -> dict[str, Any]:
    """Read one export whole, counting its rows and bytes, and the server's CPU time: on a
    shared machine rows per CPU-second of the server says what a free core would do."""
    ticks = cpu_ticks(pid)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    lines = size = 0
    tail = b""
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        status = response.status
        while chunk := response.read1(1 << 20):
            # A CRLF split between two chunks is counted once, with the byte before this chunk.
            lines += (tail + chunk[:1]).count(b"\r\n") + chunk.count(b"\r\n")
            tail = chunk[-1:]
            size += len(chunk)
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    cpu = (cpu_ticks(pid) - ticks) / TICKS
    rows = max(0, lines - 1)
    return {
        "server_cpu_s": round(cpu, 2),
        "rows_per_server_cpu_s": round(rows / cpu) if cpu else 0,
        "status": status,
        "rows": rows,
        "mb": round(size / 1e6, 1),
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed) if elapsed else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) names a database bench/generate.py filled")
    work = Path(tempfile.mkdtemp(prefix="export-forms-"))
    cfg = Config(
        db=None,
        database_url=args.database_url,
        out=work,
        work=work,
        duration=0,
        rounds=args.rounds,
        connections=1,
        export_timeout=args.timeout,
        smoke=False,
        with_datasette=False,
        use_wrk=False,
    )
    server = start_ours(cfg)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in PATHS}
    try:
        for round_number in range(args.rounds):
            for name, path in PATHS.items():
                result = stream(server.port, server.pid, path, args.timeout)
                runs[name].append(result)
                print(
                    f"  round {round_number + 1} {name:<7} {result['rows']:>9,} rows "
                    f"{result['mb']:>7} MB in {result['seconds']:>6}s = "
                    f"{result['rows_per_s']:>9,} rows/s; server CPU {result['server_cpu_s']}s = "
                    f"{result['rows_per_server_cpu_s']:,} rows per CPU-s",
                    flush=True,
                )
    finally:
        cfg.processes.stop_all()
    summary = {
        name: {
            "rows": results[-1]["rows"],
            "median_rows_per_s": statistics.median(r["rows_per_s"] for r in results),
            "median_seconds": statistics.median(r["seconds"] for r in results),
            "median_rows_per_server_cpu_s": statistics.median(
                r["rows_per_server_cpu_s"] for r in results
            ),
            "runs": results,
        }
        for name, results in runs.items()
    }
    for name, entry in summary.items():
        print(
            f"{name:<7} median {entry['median_rows_per_s']:>9,} rows/s, "
            f"{entry['median_rows_per_server_cpu_s']:>9,} rows per server CPU-s "
            f"({entry['rows']:,} rows)"
        )
    dialect = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    out = ROOT / "bench" / "results" / f"export-forms-{dialect}.json"
    load = os.getloadavg()
    out.write_text(
        json.dumps({"load_average": [round(v, 2) for v in load], "forms": summary}, indent=2) + "\n"
    )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; written {out}")


if __name__ == "__main__":
    main()
