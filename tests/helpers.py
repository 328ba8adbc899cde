"""Small assertions shared by the HTTP tests, and a real server started through the CLI."""

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx

from app.config import Settings
from tests.test_deploy import BIN, _free_port, _wait_until_ready

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
# The process id of each server `cli_server` runs, by port (for tests that watch its memory).
SERVER_PIDS: dict[int, int] = {}


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def ids(response: httpx.Response) -> list[str]:
    return [item["id"] for item in ok(response)["items"]]


def assert_problem(
    response: httpx.Response, status: int, *, parameter: str | None = None
) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`, naming `parameter` if given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["detail"] and "Traceback" not in response.text
    if parameter is not None:
        assert parameter in body["detail"]
        assert any(error["parameter"] == parameter for error in body["errors"]), body
    return body


@contextmanager
def cli_server(workdir: Path, log_path: Path, **settings: str) -> Iterator[int]:
    """`diplomatic-events start` on 127.0.0.1 at a free port, with every setting at its default
    but `settings` (run in `workdir`, which should hold no .env); yields the port once /readyz
    answers 200, and stops the server with SIGTERM afterwards."""
    port = _free_port()
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1", **settings)
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "diplomatic-events"), "start"],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        SERVER_PIDS[port] = server.pid
        try:
            _wait_until_ready(server, port, log_path)
            yield port
        finally:
            SERVER_PIDS.pop(port, None)
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def free_port() -> int:
    """A TCP port nothing listens on right now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
