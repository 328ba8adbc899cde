"""Issue 23: replacing or deleting the SQLite file under a running server (a real one, started
by the CLI) never yields answers of two dataset versions, and a deleted file is not ready."""

import http.client
import os
import shutil
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app import migrations
from bench.generate import generate
from tests.helpers import cli_server


def _version(port: int, path: str = "/v1/events?limit=2") -> tuple[int, str | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Dataset-Version")
    finally:
        connection.close()


def _kept_alive_versions(port: int, rounds: int) -> set[str | None]:
    """Versions seen over `rounds` requests on each of eight kept-alive connections at once,
    so that the server's pooled connections all take part."""

    def client(_: int) -> set[str | None]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        seen = set()
        for _ in range(rounds):
            connection.request("GET", "/v1/events?limit=5&leader=vladimir-putin")
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            seen.add(response.getheader("X-Dataset-Version"))
        connection.close()
        return seen

    with ThreadPoolExecutor(8) as pool:
        return set().union(*pool.map(client, range(8)))


def test_a_replaced_file_is_served_alone_and_a_deleted_one_is_not_ready(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    replacement = tmp_path / "replacement.db"
    replacement_url = f"sqlite:///{replacement}"
    migrations.upgrade(database_url=replacement_url)
    generate(replacement_url, events=300, seed=11, sources=5, log=lambda _m: None)
    with cli_server(tmp_path, tmp_path / "server.log", DATABASE_URL=f"sqlite:///{live}") as port:
        (first,) = _kept_alive_versions(port, 5)  # every pooled connection opened on `live`
        os.replace(replacement, live)
        status, second = _version(port)
        assert status == 200 and second != first
        assert _kept_alive_versions(port, 5) == {second}
        assert _version(port, "/readyz") == (200, None)
        backup = tmp_path / "backup.db"
        shutil.copy(live, backup)
        live.unlink()
        assert _version(port, "/readyz")[0] == 503
        assert _version(port)[0] == 503
        os.replace(backup, live)  # restored: served again, at once
        assert _version(port) == (200, second)
        assert "replaced" in (tmp_path / "server.log").read_text()


def test_an_export_cut_by_a_replaced_file_logs_one_line(tmp_path: Path) -> None:
    urls = {name: f"sqlite:///{tmp_path / name}.db" for name in ("live", "replacement")}
    for seed, (name, url) in enumerate(urls.items()):
        migrations.upgrade(database_url=url)
        generate(url, events=4000 if name == "live" else 300, seed=seed, log=lambda _m: None)
    log = tmp_path / "server.log"
    with cli_server(tmp_path, log, DATABASE_URL=urls["live"], SEED_ON_START="never") as port:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        sock.sendall(b"GET /v1/events.csv HTTP/1.1\r\nHost: localhost\r\n\r\n")
        received = sock.recv(4096)
        assert received.startswith(b"HTTP/1.1 200 ")
        os.replace(tmp_path / "replacement.db", tmp_path / "live.db")
        assert _version(port)[0] == 200  # the next request notices the new file
        sock.settimeout(10)
        while chunk := sock.recv(65536):
            received = (received + chunk)[-16:]
        sock.close()
        assert not received.endswith(b"0\r\n\r\n")  # cut, visibly
    lines = log.read_text().splitlines()
    assert sum("cut short" in line for line in lines) == 1
    assert not [line for line in lines if '"level":"ERROR"' in line or "Traceback" in line]
