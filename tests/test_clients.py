"""Clients generated the usual way from the live schema type-check and run.

A server (`diplomatic-events start` on a new SQLite file, default settings) serves /openapi.json;
openapi-typescript and openapi-python-client, with default options, generate a client from it;
a short program against each (tests/clients/typescript/program.ts, tests/clients/python/
program.py) pages through the events, reads a detail and revalidates it (a 304, handled as
docs/api.md says), exports events by the literal paths /v1/events.csv and /v1/events.long.csv
(one row per source passage), reads a leader's quotes, a trade series and a problem body.
`tsc --strict` and `mypy --strict` must accept the programs, which then run against the server.
The tools are pinned by tests/clients (`make client-tools`); under CI=true a missing tool fails
the test instead of skipping it.
"""

import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli_server

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "tests" / "clients"
NODE_BIN = CLIENTS / "node_modules" / ".bin"
CLIENT_TOOLS = ROOT / ".venv" / "client-tools" / "bin"
NODE = shutil.which("node")


def _require(path: Path | None, what: str) -> Path:
    if path is None or not path.exists():
        reason = f"{what} is missing: run `make client-tools` (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _run(command: list[str | Path], **kwargs: Any) -> str:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, **kwargs
    )
    output = f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert result.returncode == 0, f"{command[0]} exited {result.returncode}:\n{output}"
    return result.stdout


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A live server's base URL, and a directory holding the /openapi.json it serves."""
    tmp = tmp_path_factory.mktemp("clients")
    workdir = tmp / "api"  # no .env here: the defaults are what is tested
    workdir.mkdir()
    database_url = f"sqlite:///{tmp / 'clients.db'}"
    with cli_server(workdir, tmp / "server.log", DATABASE_URL=database_url) as port:
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as response:
            (tmp / "openapi.json").write_bytes(response.read())
        yield base, tmp


def _events_involving_china(base: str) -> int:
    """How many events the JSON list counts for country=CN: what the exports must hold."""
    url = f"{base}/v1/events?country=CN&limit=1&include_total=true"
    with urllib.request.urlopen(url, timeout=10) as response:
        total: int = json.loads(response.read())["total"]
    return total


def _check_summary(summary: dict[str, Any], base: str) -> None:
    assert summary["events"] > 10
    assert summary["targets"] >= 1
    assert summary["problem"] == {"status": 400, "location": "query", "errors": 1}
    # The documented 304 check: no data, a falsy error (""), the held copy kept.
    assert summary["notModified"] == {
        "status": 304,
        "data": "none",
        "error": '""',
        "kept": summary["notModified"]["kept"],
    }
    versioned = summary["versioned"]
    assert versioned["location"] and versioned["same"] and versioned["current"], versioned
    assert versioned["cacheControl"] == "public, max-age=31536000, immutable"
    assert versioned["gone"] == 410
    assert versioned["firstPage"].startswith("/v1/events?limit=2&version="), versioned
    assert summary["csv"]["header"].startswith("id,")
    assert summary["csv"]["rows"] == _events_involving_china(base) > 0
    # The long form: every one of those events, each with a row per source passage.
    assert summary["long"]["header"].startswith("event_id,date,date_start,date_end,")
    assert summary["long"]["events"] == summary["csv"]["rows"]
    assert summary["long"]["rows"] >= summary["long"]["events"]


def test_the_typescript_client_type_checks_and_runs(live: tuple[str, Path]) -> None:
    node = _require(Path(NODE) if NODE else None, "node (Debian package nodejs)")
    tsc = _require(NODE_BIN / "tsc", "the npm tooling (tests/clients/node_modules)")
    base, tmp = live
    work = tmp / "typescript"
    work.mkdir()
    for name in ("program.ts", "tsconfig.json"):
        shutil.copy(CLIENTS / "typescript" / name, work / name)
    (work / "node_modules").symlink_to(CLIENTS / "node_modules")
    _run([NODE_BIN / "openapi-typescript", tmp / "openapi.json", "-o", work / "schema.d.ts"])
    _run([tsc, "--strict", "-p", work / "tsconfig.json"])
    runner = (
        "require('./out/program.js').run(process.argv[1])"
        ".then(console.log, (error) => { console.error(error); process.exit(1); })"
    )
    _check_summary(json.loads(_run([node, "-e", runner, base], cwd=work)), base)


def test_the_python_client_type_checks_and_runs(live: tuple[str, Path]) -> None:
    generator = _require(CLIENT_TOOLS / "openapi-python-client", "openapi-python-client")
    base, tmp = live
    work = tmp / "python"
    work.mkdir()
    for name in ("program.py", "mypy.ini"):
        shutil.copy(CLIENTS / "python" / name, work / name)
    # Its own venv on PATH: the generator formats what it writes with the ruff pinned there.
    env = {**os.environ, "PATH": f"{CLIENT_TOOLS}{os.pathsep}{os.environ['PATH']}"}
    config = CLIENTS / "python" / "openapi-python-client.yaml"
    command: list[str | Path] = [generator, "generate", "--path", tmp / "openapi.json"]
    _run([*command, "--config", config, "--meta", "none"], cwd=work, env=env)
    assert (work / "diplomatic_events_client" / "api" / "events" / "list_events.py").exists()
    # mypy --strict from the project's venv (mypy.ini), resolving httpx and attrs in the
    # client's venv.
    mypy: list[str | Path] = [
        ROOT / ".venv" / "bin" / "mypy",
        "--strict",
        "--config-file",
        "mypy.ini",
    ]
    python = CLIENT_TOOLS / "python"
    _run(
        [*mypy, "--python-executable", python, "--cache-dir", tmp / "mypy", "program.py"], cwd=work
    )
    summary = _run([python, "program.py", base], cwd=work)
    assert "events;" in summary and "problem 400 on query" in summary, summary
    china = _events_involving_china(base)
    assert f"; {china} csv rows;" in summary, summary
    long_rows = int(summary.split(" long rows of ")[0].rsplit("; ", 1)[1])
    assert long_rows >= china and f" long rows of {china} events;" in summary, summary
    assert "; 304 kept " in summary, summary
    assert "; 410 names " in summary, summary
