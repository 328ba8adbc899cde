"""An export whose client stops reading gives its slot back within a bounded time.

A real server (`diplomatic-events start`, one worker) serves a generated database large
enough that an export cannot fit in the sockets' buffers, with one export slot
(EXPORT_MAX_CONCURRENT=1) and a short RESPONSE_WRITE_TIMEOUT_MS. A client that hangs up frees
the slot at once; a client that keeps its socket open but reads nothing frees it when the write
deadline aborts its connection. Either way the next export gets its 200.
"""

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import migrations
from bench.generate import generate
from tests.helpers import cli_server

WRITE_TIMEOUT_S = 1.5
RATE_WINDOW_S = 2.0
MIN_RATE = 16_384
# About 15 MB of CSV: far more than a loopback socket pair buffers.
GENERATED_EVENTS = 20_000
EXPORT = b"GET /v1/events.csv HTTP/1.1\r\nHost: localhost\r\n\r\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workdir = tmp_path_factory.mktemp("export-release")
    url = f"sqlite:///{workdir / 'generated.db'}"
    migrations.upgrade(database_url=url)
    generate(url, events=GENERATED_EVENTS, seed=5, sources=20, log=lambda _m: None)
    return workdir, url


@pytest.fixture(scope="module")
def server(generated: tuple[Path, str]) -> Iterator[tuple[int, Path]]:
    workdir, url = generated
    log = workdir / "server.log"
    with cli_server(
        workdir,
        log,
        DATABASE_URL=url,
        EXPORT_MAX_CONCURRENT="1",
        RESPONSE_WRITE_TIMEOUT_MS=str(int(WRITE_TIMEOUT_S * 1000)),
    ) as port:
        yield port, log


@pytest.fixture(scope="module")
def shared_server(generated: tuple[Path, str]) -> Iterator[tuple[int, Path]]:
    """Two export slots, at most one per address, and a short read-rate window."""
    workdir, url = generated
    log = workdir / "shared.log"
    with cli_server(
        workdir,
        log,
        DATABASE_URL=url,
        EXPORT_MAX_CONCURRENT="2",
        EXPORT_MAX_PER_ADDRESS="1",
        RESPONSE_WRITE_TIMEOUT_MS=str(int(RATE_WINDOW_S * 1000)),
        RESPONSE_MIN_BYTES_PER_SECOND=str(MIN_RATE),
    ) as port:
        yield port, log


def _start_export(
    port: int, source: str = "127.0.0.1", *, small_buffer: bool = True
) -> tuple[socket.socket, bytes]:
    """An export request; returns the socket and the first bytes of the answer."""
    sock = socket.socket()
    if small_buffer:
        # A small receive buffer, so that a client that stops reading stalls the server soon.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    sock.settimeout(10)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    sock.sendall(EXPORT)
    return sock, sock.recv(65536)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _export_status(port: int) -> int:
    sock, answer = _start_export(port)
    sock.close()
    return _status(answer)


def _served_export(
    port: int, limit: float, source: str = "127.0.0.1", *, small_buffer: bool = True
) -> tuple[socket.socket, float]:
    """Retries an export until one gets a 200 (an earlier test's or a hung-up export may hold
    the slot a moment longer): its socket and the seconds it took; fails after `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        sock, answer = _start_export(port, source, small_buffer=small_buffer)
        if _status(answer) == 200:
            return sock, time.monotonic() - started
        sock.close()
        assert _status(answer) == 503
        time.sleep(0.05)
    pytest.fail(f"no export slot was free within {limit} s")


def _read_some(sock: socket.socket, size: int) -> None:
    received = 0
    while received < size:
        chunk = sock.recv(65536)
        assert chunk, "the export ended early"
        received += len(chunk)


def test_a_client_that_hangs_up_frees_its_export_slot(server: tuple[int, Path]) -> None:
    port, _ = server
    sock, _ = _served_export(port, limit=5)
    _read_some(sock, 256 * 1024)
    assert _export_status(port) == 503  # the one slot is taken while it streams
    sock.close()
    served, waited = _served_export(port, limit=5)
    served.close()
    assert waited < 5


def test_a_client_that_stops_reading_is_cut_off_at_the_write_deadline(
    server: tuple[int, Path],
) -> None:
    port, log = server
    stalled, _ = _served_export(port, limit=5)
    _read_some(stalled, 64 * 1024)
    time.sleep(0.5)  # long enough for the server to fill the buffers and pause writing
    assert _export_status(port) == 503
    served, waited = _served_export(port, limit=WRITE_TIMEOUT_S + 5)
    served.close()
    assert waited >= WRITE_TIMEOUT_S * 0.5, "the slot was freed before the deadline"
    # The stalled client's connection was closed: what the kernel buffered still arrives, then
    # the end of the stream without the chunked encoding's last chunk, a visibly cut download.
    stalled.settimeout(5)
    tail = b""
    while chunk := stalled.recv(1 << 20):
        tail = (tail + chunk)[-16:]
    stalled.close()
    assert not tail.endswith(b"0\r\n\r\n")
    text = log.read_text()
    assert "RESPONSE_WRITE_TIMEOUT_MS" in text
    assert "Traceback" not in text


# --- fair shares and the read rate (issue 23) ----------------------------------------------------


def _read_at(sock: socket.socket, rate: int, seconds: float) -> int:
    """Read at about `rate` bytes a second for `seconds`; the bytes read (stops at the end)."""
    received, started = 0, time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        if received > rate * elapsed:
            time.sleep(0.02)
            continue
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += len(chunk)
    return received


def test_one_address_cannot_hold_every_export_slot(shared_server: tuple[int, Path]) -> None:
    port, _ = shared_server
    first, _ = _served_export(port, 5, "127.0.0.21")
    second, answer = _start_export(port, "127.0.0.21")
    assert _status(answer) == 503  # its share is taken, though a slot is free
    second.close()
    other, answer = _start_export(port, "127.0.0.22")
    assert _status(answer) == 200  # another address gets the free slot at once
    for sock in (first, other):
        sock.close()


def test_an_honest_slow_reader_is_not_cut_off(shared_server: tuple[int, Path]) -> None:
    port, _ = shared_server
    sock, _ = _served_export(port, 5, "127.0.0.23", small_buffer=False)
    # 64 KB/s, four times the minimum, for twice the window: the kernel's buffers stay full,
    # so the socket is unwritable most of the time, yet bytes are delivered all along.
    received = _read_at(sock, 65_536, 3 * RATE_WINDOW_S)
    assert received > 65_536 * 2 * RATE_WINDOW_S
    sock.settimeout(1)
    assert sock.recv(4096), "the export was cut"
    sock.close()


def test_a_reader_below_the_minimum_rate_is_cut_off(shared_server: tuple[int, Path]) -> None:
    port, log = shared_server
    slow, _ = _served_export(port, 5, "127.0.0.24")
    _read_at(slow, 2048, 2 * RATE_WINDOW_S)  # an eighth of the minimum
    # Its connection was aborted, which gave its slot back: the same address may export again
    # (the kernel may still be handing the slow client what it had queued).
    again, _ = _served_export(port, 2 * RATE_WINDOW_S, "127.0.0.24")
    for sock in (slow, again):
        sock.close()
    assert "RESPONSE_MIN_BYTES_PER_SECOND" in log.read_text()
