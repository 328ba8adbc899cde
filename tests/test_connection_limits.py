"""Issue 23's connection findings, each against a real server (`diplomatic-events start`) with
raw sockets: pipelined requests, Upgrade heads, the connection caps, half-closing clients and
the HTTP framing the parser must refuse.

Clients from "other addresses" connect from 127.0.0.x source addresses, which Linux routes
over loopback without setup.
"""

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import SERVER_PIDS, cli_server

READ_TIMEOUT_S = 2.0
HEAD_MAX_BYTES = 8192
MAX_CONNECTIONS = 12
MAX_PER_ADDRESS = 6


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    workdir = tmp_path_factory.mktemp("connections")
    with cli_server(
        workdir,
        workdir / "server.log",
        DATABASE_URL=f"sqlite:///{workdir / 'connections.db'}",
        REQUEST_READ_TIMEOUT_MS=str(int(READ_TIMEOUT_S * 1000)),
        REQUEST_HEAD_MAX_BYTES=str(HEAD_MAX_BYTES),
        MAX_CONNECTIONS=str(MAX_CONNECTIONS),
        MAX_CONNECTIONS_PER_ADDRESS=str(MAX_PER_ADDRESS),
    ) as port:
        yield port


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
    sock.settimeout(READ_TIMEOUT_S + 5)
    return sock


def _get(path: str, *, close: bool = True, extra: bytes = b"") -> bytes:
    connection = b"Connection: close\r\n" if close else b""
    head = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
    return head + connection + extra + b"\r\n"


def _until_closed(sock: socket.socket) -> bytes:
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            pytest.fail(f"the server kept the connection open; it sent {received[:200]!r}")
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            sock.close()
            return received
        received += chunk


def _status(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response.split(b" ", 2)[1])


def _problem(response: bytes, status: int) -> None:
    head, _, body = response.partition(b"\r\n\r\n")
    assert _status(response) == status, response[:300]
    lowered = head.lower()
    assert b"content-type: application/problem+json" in lowered, head
    assert b"x-content-type-options: nosniff" in lowered, head
    assert f'"status":{status}'.encode() in body


def _served(port: int, source: str) -> int:
    sock = _connect(port, source)
    sock.sendall(_get("/healthz"))
    return _status(_until_closed(sock))


@contextlib.contextmanager
def _held(sockets: list[socket.socket]) -> Iterator[list[socket.socket]]:
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()
        time.sleep(0.3)  # let the server see them go before the next test counts


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


# --- pipelining ---------------------------------------------------------------------------------


def test_pipelining_without_reading_holds_bounded_memory(port: int) -> None:
    pid = SERVER_PIDS[port]
    before = _rss_mb(pid)
    burst = _get("/healthz", close=False) * 2000
    sockets = [_connect(port) for _ in range(4)]
    with _held(sockets):
        for sock in sockets:
            sock.setblocking(False)
        sent = 0
        ends = time.monotonic() + 4
        while time.monotonic() < ends:
            for sock in sockets:
                with contextlib.suppress(BlockingIOError):
                    sent += sock.send(burst)
            time.sleep(0.001)
        grown = _rss_mb(pid) - before
    # Unbounded, the server parsed requests into a queue as fast as it could read them (+45 to
    # +1,100 MB, with the machine's load); bounded, it stops reading and the kernel's buffers
    # stop the client (+1 MB).
    assert grown < 25, f"the worker grew {grown:.0f} MB after {sent / 1e6:.0f} MB were sent"
    assert sent < 64e6, f"the server kept reading: {sent / 1e6:.0f} MB accepted"
    assert _served(port, "127.0.0.1") == 200


def test_pipelined_requests_beyond_the_queue_are_still_answered_in_order(port: int) -> None:
    sock = _connect(port)
    requests = [_get(f"/healthz?n={n}", close=False) for n in range(99)] + [_get("/healthz")]
    sock.sendall(b"".join(requests))  # far more than PIPELINE_MAX_REQUESTS, read at once
    assert _until_closed(sock).count(b"HTTP/1.1 200 OK") == 100


# --- Upgrade --------------------------------------------------------------------------------------


def test_a_websocket_upgrade_head_is_answered_as_plain_http_and_closed(port: int) -> None:
    upgrade = (
        b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Pad: " + b"p" * 7000 + b"\r\n"
    )
    started = time.monotonic()
    sock = _connect(port)
    sock.sendall(_get("/healthz", close=False, extra=upgrade))
    answer = _until_closed(sock)
    assert _status(answer) == 200, answer[:200]
    assert time.monotonic() - started < READ_TIMEOUT_S + 1


# --- connection caps ------------------------------------------------------------------------------


def test_one_address_cannot_hold_more_than_its_share(port: int) -> None:
    with _held([_connect(port, "127.0.0.5") for _ in range(MAX_PER_ADDRESS)]):
        time.sleep(0.2)
        refused = _connect(port, "127.0.0.5")
        _problem(_until_closed(refused), 503)
        started = time.monotonic()
        assert _served(port, "127.0.0.6") == 200
        assert time.monotonic() - started < 2


def test_over_the_cap_only_new_connections_are_refused(port: int) -> None:
    sources = ["127.0.0.7"] * MAX_PER_ADDRESS + ["127.0.0.8"] * MAX_PER_ADDRESS
    with _held([_connect(port, source) for source in sources]) as busy:
        for sock in busy:  # each in the middle of a request: none is idle
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        time.sleep(0.3)
        with _held([_connect(port, "127.0.0.9")]) as (late,):
            _problem(_until_closed(late), 503)  # at once, without being asked
            for sock in busy:
                sock.sendall(b"Connection: close\r\n\r\n")
            assert [_status(_until_closed(sock)) for sock in busy] == [200] * len(busy)


def test_idle_connections_make_room_for_new_clients(port: int) -> None:
    sources = ["127.0.0.10"] * MAX_PER_ADDRESS + ["127.0.0.11"] * MAX_PER_ADDRESS
    with _held([_connect(port, source) for source in sources]):
        time.sleep(0.2)
        started = time.monotonic()
        assert _served(port, "127.0.0.12") == 200
        assert time.monotonic() - started < 2


# --- half-close and framing -----------------------------------------------------------------------


def test_a_client_that_half_closes_gets_its_answer(port: int) -> None:
    for _ in range(5):
        sock = _connect(port)
        sock.sendall(_get("/readyz", close=False))  # a route that runs in a worker thread
        sock.shutdown(socket.SHUT_WR)
        assert _status(_until_closed(sock)) == 200


def test_a_head_after_a_pending_body_byte_is_still_capped(port: int) -> None:
    post = b"POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n\r\n"
    sock = _connect(port)
    sock.sendall(post)
    time.sleep(0.2)
    huge = _get("/healthz", extra=b"X-Pad: " + b"p" * (4 * HEAD_MAX_BYTES) + b"\r\n")
    with contextlib.suppress(OSError):
        sock.sendall(b"x" + huge)  # the body's byte and the next head in one segment
    answers = _until_closed(sock)
    assert _status(answers) == 405
    assert b"HTTP/1.1 431 " in answers, answers[-300:]
    assert b"HTTP/1.1 200 " not in answers


def test_a_long_request_target_is_414(port: int) -> None:
    sock = _connect(port)
    sock.sendall(_get("/v1/events?q=" + "a" * 20_000))
    _problem(_until_closed(sock), 414)


def test_transfer_codings_other_than_chunked_are_501(port: int) -> None:
    sock = _connect(port)
    sock.sendall(_get("/healthz", extra=b"Transfer-Encoding: gzip, chunked\r\n") + b"0\r\n\r\n")
    _problem(_until_closed(sock), 501)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"HELLO / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: local host\r\nBad Header\r\n\r\n",
    ],
    ids=["method", "two-lengths", "header-syntax"],
)
def test_unparseable_requests_get_a_400_problem(port: int, request_bytes: bytes) -> None:
    sock = _connect(port)
    sock.sendall(request_bytes)
    _problem(_until_closed(sock), 400)


# --- the smaller points -------------------------------------------------------------------------


def _exchange(port: int, head: bytes) -> bytes:
    sock = _connect(port)
    sock.sendall(head)
    return _until_closed(sock)


def test_head_on_an_export_claims_no_length(port: int) -> None:
    answer = _exchange(port, b"HEAD /v1/events.csv HTTP/1.1\r\nHost: localhost\r\n\r\n")
    head = answer.lower()
    assert _status(answer) == 200
    assert b"content-length" not in head and b"transfer-encoding" not in head, answer


def test_an_invalid_host_port_is_refused_not_redirected(port: int) -> None:
    answer = _exchange(port, b"GET /v1/vocab/ HTTP/1.1\r\nHost: api.example.org:99999\r\n\r\n")
    _problem(answer, 400)
    assert b"location" not in answer.lower()


def test_a_refused_cors_preflight_is_a_problem(port: int) -> None:
    preflight = (
        b"OPTIONS /v1/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        b"Origin: https://example.org\r\nAccess-Control-Request-Method: DELETE\r\n\r\n"
    )
    _problem(_exchange(port, preflight), 400)


@pytest.mark.parametrize("query", ["limit=1&limit=2", "sort=date&sort=-date", "q=xi&q=putin"])
def test_a_single_valued_parameter_given_twice_is_refused(port: int, query: str) -> None:
    answer = _exchange(port, _get(f"/v1/events?{query}"))
    _problem(answer, 400)
    assert b"is given 2 times" in answer
