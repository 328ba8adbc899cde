"""Profile ours under load: py-spy samples the server while wrk drives one scenario.

    python -m bench.profile --db /tmp/bench-1m.db [--seconds 15] [--scenario event_by_id ...]

For each scenario: start ours (`python -m app serve`, one worker, as bench.run does), run wrk
(32 connections) for --seconds while `py-spy record --pid --nonblocking` samples every thread
at 200 Hz, then fold the stacks into where the time goes: thread states, self time per function,
inclusive time of the frames that matter (app code, SQLAlchemy, FastAPI, middleware, logging)
and time per library.
Writes bench/results/profile-<scenario>.json and .txt (the summary) and prints the summary.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from bench.load import run_wrk
from bench.scenarios import build_scenarios, read_facts
from bench.servers import BENCH, Config, start_ours

LIBRARIES = [
    ("sqlite (inside cursor.execute)", ("do_execute ", "do_executemany ")),
    ("app/", ("/app/",)),
    ("sqlalchemy", ("/sqlalchemy/",)),
    ("sqlmodel", ("/sqlmodel/",)),
    ("fastapi", ("/fastapi/",)),
    ("pydantic", ("/pydantic/", "/pydantic_core/")),
    ("starlette", ("/starlette/",)),
    ("uvicorn", ("/uvicorn/",)),
    ("anyio (thread hops)", ("/anyio/",)),
    ("logging", ("/logging/",)),
    ("asyncio", ("/asyncio/",)),
    ("threading/concurrent", ("/threading.py", "/concurrent/")),
]


def fold(raw: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in raw.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def short(frame: str) -> str:
    """'func (path/to/module.py:123)' -> 'func (module/path.py)' without the line number."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


WAITS = ("Condition.wait", "wait (threading.py", "Event.wait", "_wait_for_tstate_lock")


def state(frames: list[str]) -> str:
    """What a sampled thread was doing: busy, or which kind of waiting."""
    leaf = frames[-1]
    if any(mark in leaf for mark in WAITS):
        if any("pool/impl.py" in frame for frame in frames):
            return "waiting for a pooled database connection"
        return "idle worker thread (thread pool)"
    if leaf.startswith(("Runner.run ", "run_forever ", "run_until_complete ")):
        return "event loop in C (uvloop/httptools) or idle"
    return "busy (Python or SQLite)"


def summarise(all_stacks: list[tuple[list[str], int]]) -> dict[str, Any]:
    states: Counter[str] = Counter()
    for frames, count in all_stacks:
        states[state(frames)] += count
    stacks = [(f, n) for f, n in all_stacks if state(f) == "busy (Python or SQLite)"]
    total = sum(count for _, count in stacks) or 1
    everything = sum(states.values()) or 1
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    for frames, count in stacks:
        own[short(frames[-1])] += count
        for name in {short(frame) for frame in frames}:
            inclusive[name] += count
        leaf = frames[-1]
        # Attribute each sample to the innermost frame of a known library (the leaf's owner).
        for frame in reversed(frames):
            label = next((lab for lab, marks in LIBRARIES if any(m in frame for m in marks)), None)
            if label is not None:
                if label.startswith("sqlite") or "sqlite" not in leaf:
                    libraries[label] += count
                break
        else:
            libraries["other"] += count

    def pct(counter: Counter[str], limit: int) -> list[dict[str, Any]]:
        return [
            {"function": name, "samples": n, "percent": round(100 * n / total, 1)}
            for name, n in counter.most_common(limit)
        ]

    interesting = Counter(
        {
            name: n
            for name, n in inclusive.items()
            if any(
                key in name
                for key in (
                    "app/",
                    "do_execute",
                    "_execute_context",
                    "_compile_w_cache",
                    "compile",
                    "solve_dependencies",
                    "run_in_threadpool",
                    "_connection_for_bind",
                    "fetchall",
                    "_allrows",
                    "emit (logging",
                    "dumps",
                    "_checkout",
                    "request_response",
                    "serialize",
                )
            )
        }
    )
    return {
        "samples": everything,
        "busy_samples": total,
        "thread_states": [
            {"function": name, "samples": n, "percent": round(100 * n / everything, 1)}
            for name, n in states.most_common()
        ],
        "by_library": pct(libraries, 20),
        "self": pct(own, 25),
        "inclusive": pct(interesting, 40),
    }


def render(name: str, summary: dict[str, Any], load: dict[str, Any]) -> str:
    lines = [
        f"# {name}: {load['rps']} req/s, p50 {load['p50_ms']} ms; {summary['samples']} samples "
        f"(all threads), {summary['busy_samples']} busy",
        "",
        "thread states (% of all samples):",
    ]
    lines += [f"  {e['percent']:5.1f}%  {e['function']}" for e in summary["thread_states"]]
    lines += ["", "busy samples by library (innermost known frame):"]
    lines += [f"  {e['percent']:5.1f}%  {e['function']}" for e in summary["by_library"]]
    lines += ["", "self time (% of busy samples):"]
    lines += [f"  {e['percent']:5.1f}%  {e['function']}" for e in summary["self"]]
    lines += ["", "inclusive time (% of busy samples, selected frames):"]
    lines += [f"  {e['percent']:5.1f}%  {e['function']}" for e in summary["inclusive"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="py-spy profile of ours under wrk load.")
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-1m.db"))
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--scenario", action="append", dest="scenarios")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--gil", action="store_true", help="sample only the thread holding the GIL (Python CPU)"
    )
    args = parser.parse_args(argv)
    suffix = "-gil" if args.gil else ""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists() or shutil.which("wrk") is None:
        print("error: needs py-spy (pip install -e '.[bench]') and wrk", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    cfg = Config(
        db=args.db,
        database_url=f"sqlite:///{args.db}",
        out=args.out,
        work=work,
        duration=args.seconds,
        rounds=1,
        connections=32,
        export_timeout=60,
        smoke=False,
        with_datasette=False,
        use_wrk=True,
    )
    wanted = args.scenarios or ["events_by_date", "event_by_id"]
    facts = read_facts(cfg.database_url)
    scenarios = {s.name: s for s in build_scenarios(args.db.stem, facts)}
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        for name in wanted:
            scenario = scenarios[name]
            server = start_ours(cfg)
            try:
                run_wrk(server.port, scenario.ours, duration=2, connections=32, work=work)
                raw = work / f"{name}.txt"
                command = [
                    py_spy,
                    "record",
                    "--pid",
                    str(server.pid),
                    "--rate",
                    "200",
                    "--nonblocking",
                    *(["--gil"] if args.gil else []),
                ]
                command += ["--duration", str(args.seconds), "--format", "raw", "-o", str(raw)]
                spy = threading.Thread(
                    target=subprocess.run,
                    args=(command,),
                    kwargs={"capture_output": True, "timeout": args.seconds + 60},
                )
                spy.start()
                load = run_wrk(
                    server.port, scenario.ours, duration=args.seconds, connections=32, work=work
                )
                spy.join()
            finally:
                cfg.processes.stop(server.process)
            summary = summarise(fold(raw))
            summary["load"] = load
            text = render(name + (" (--gil: Python CPU only)" if args.gil else ""), summary, load)
            (args.out / f"profile-{name}{suffix}.json").write_text(json.dumps(summary, indent=2))
            (args.out / f"profile-{name}{suffix}.txt").write_text(text + "\n")
            print(text, end="\n\n", flush=True)
    finally:
        cfg.processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
