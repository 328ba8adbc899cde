"""Issue 17's findings, each one a test: bounded work per request, no forged Host in responses,
nothing an attacker sends can refill a rate limit or fill a cache with errors.

The server limits (head size, read deadline, connection cap) are exercised with raw sockets
against a real uvicorn started by the CLI; the rest goes through the app on both databases
where the database answers.
"""

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.types import Receive, Scope, Send

from app.config import Settings
from app.main import create_app
from app.middleware.rate_limit import RateLimitMiddleware
from tests.helpers import assert_problem, cli_server, ok

READ_TIMEOUT_S = 1.0
HEAD_MAX_BYTES = 8192
MAX_CONNECTIONS = 6

# --- server limits, on a real server ------------------------------------------------------------


@pytest.fixture(scope="module")
def server_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`diplomatic-events start` on a new SQLite file, with small limits so tests take seconds."""
    workdir = tmp_path_factory.mktemp("limits")
    with cli_server(
        workdir,
        workdir / "server.log",
        DATABASE_URL=f"sqlite:///{workdir / 'limits.db'}",
        REQUEST_READ_TIMEOUT_MS=str(int(READ_TIMEOUT_S * 1000)),
        REQUEST_HEAD_MAX_BYTES=str(HEAD_MAX_BYTES),
        MAX_CONNECTIONS=str(MAX_CONNECTIONS),
    ) as port:
        yield port


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(READ_TIMEOUT_S + 5)
    return sock


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; fails if it keeps the socket open."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            pytest.fail(f"the server kept the connection open; it sent {received[:200]!r}")
        if not chunk:
            sock.close()
            return received
        received += chunk


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _problem(response: bytes, status: int) -> dict[str, str]:
    head, _, body = response.partition(b"\r\n\r\n")
    assert _status(response) == status, response[:300]
    headers = dict(
        line.decode().lower().split(": ", 1) for line in head.split(b"\r\n")[1:] if b": " in line
    )
    assert headers["content-type"] == "application/problem+json"
    assert headers["cache-control"] == "no-store"
    assert f'"status":{status}'.encode() in body
    return headers


def _get(path: str, *, close: bool = True) -> bytes:
    connection = b"Connection: close\r\n" if close else b""
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n" + connection + b"\r\n"


def test_sockets_that_never_finish_their_head_are_dropped(server_port: int) -> None:
    started = time.monotonic()
    slow = [_connect(server_port) for _ in range(MAX_CONNECTIONS - 1)]
    for sock in slow:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
    silent = _connect(server_port)
    answers = [_until_closed(sock) for sock in slow]
    assert _until_closed(silent) == b""  # sent nothing: closed without an answer
    elapsed = time.monotonic() - started
    for answer in answers:
        _problem(answer, 408)
    assert READ_TIMEOUT_S * 0.8 <= elapsed <= READ_TIMEOUT_S + 4, elapsed


def test_a_kept_alive_connection_gets_the_same_deadline_per_request(server_port: int) -> None:
    sock = _connect(server_port)
    sock.sendall(_get("/healthz", close=False))
    assert _status(sock.recv(65536)) == 200
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: local")  # the next request stalls
    _problem(_until_closed(sock), 408)


def test_a_body_that_never_arrives_does_not_hold_the_connection(server_port: int) -> None:
    post = b"POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc"
    answer = _until_closed(_send(server_port, post))
    assert _status(answer) == 405  # answered at once; then closed at the deadline
    assert answer.count(b"HTTP/1.1") == 1


def test_an_oversized_head_is_refused_before_it_is_read(server_port: int) -> None:
    sock = _connect(server_port)
    started = time.monotonic()
    # 5 MB of Accept: the server answers and stops reading long before the end.
    with contextlib.suppress(OSError):
        sock.sendall(_get("/healthz")[:-2] + b"Accept: " + b"a/b;q=0.5," * 500_000 + b"\r\n\r\n")
    _problem(_until_closed(sock), 431)
    assert time.monotonic() - started < 3
    assert _status(_until_closed(_send(server_port, _get("/healthz")))) == 200


def _send(port: int, data: bytes) -> socket.socket:
    sock = _connect(port)
    sock.sendall(data)
    return sock


def test_pipelined_requests_are_not_counted_as_one_head(server_port: int) -> None:
    one = _get("/healthz", close=False)[:-2] + b"X-Pad: " + b"p" * 100 + b"\r\n\r\n"
    burst = one * 199 + _get("/healthz")  # far beyond HEAD_MAX_BYTES in one write
    assert len(burst) > 2 * HEAD_MAX_BYTES
    answers = _until_closed(_send(server_port, burst))
    assert answers.count(b"HTTP/1.1 200 OK") == 200, answers[-300:]


def test_connections_beyond_max_connections_get_a_503_problem(server_port: int) -> None:
    held = [_send(server_port, b"GET /healthz HTTP/1.1\r\n") for _ in range(MAX_CONNECTIONS)]
    headers = _problem(_until_closed(_send(server_port, _get("/healthz"))), 503)
    assert headers["retry-after"] == "1"
    for sock in held:  # the read deadline frees the slots
        _problem(_until_closed(sock), 408)
    assert _status(_until_closed(_send(server_port, _get("/healthz")))) == 200


# --- negotiation headers, gzip, caching ---------------------------------------------------------

LONG = "application/json;" + "p" * 1100  # one entry, too many characters
MANY = ", ".join(["application/json", *(f"x/y{i}" for i in range(40))])  # short, too many


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Accept", LONG),
        ("Accept", MANY),
        ("Accept", "a/b;q=0.5," * 200_000),  # 2 MB: refused before it is parsed
        ("Accept-Encoding", "gzip;" + "p" * 1100),
        ("Accept-Encoding", ", ".join(["gzip", *(f"x{i}" for i in range(40))])),
        ("If-None-Match", ", ".join(f'"{i:032x}"' for i in range(40))),
    ],
    ids=["accept-long", "accept-many", "accept-2mb", "encoding-long", "encoding-many", "inm-many"],
)
def test_negotiation_headers_are_capped(client: TestClient, header: str, value: str) -> None:
    response = client.get("/v1/events", params={"limit": 1}, headers={header: value})
    body = assert_problem(response, 400)
    assert body["errors"] == [
        {"parameter": header, "location": "header", "detail": body["errors"][0]["detail"]}
    ]
    assert len(response.content) < 2000


def test_repeated_header_lines_count_together(client: TestClient) -> None:
    lines = [("accept", f"x/y{i}, application/json") for i in range(20)]
    assert_problem(client.get("/v1/events", headers=lines), 400)
    ok(client.get("/v1/events", params={"limit": 1}, headers=lines[:3]))


def test_ordinary_negotiation_headers_pass(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    ok(client.get("/v1/events", params={"limit": 1}, headers={"Accept": browser}))


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("GZIP;Q=0.5", True),
        ("br, gzip;q=0.001", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000, *", False),
        ("identity", False),
        ("gzip;q=2", False),  # not a q-value
        ("*;q=0, identity", False),
    ],
)
def test_gzip_honours_q_values(client: TestClient, accept_encoding: str, gzipped: bool) -> None:
    response = client.get(
        "/v1/events", params={"limit": 20}, headers={"Accept-Encoding": accept_encoding}
    )
    ok(response)
    assert (response.headers.get("content-encoding") == "gzip") is gzipped


def test_errors_are_never_stored_by_caches(client: TestClient, engine: Engine) -> None:
    errors = [
        client.get("/v1/events", params={"limit": 0}),
        client.get("/v1/events/no-such-event"),
        client.post("/v1/events"),
        client.get("/v1/events", headers={"Accept": "image/png"}),
        client.get("/nowhere"),
    ]
    strict = create_app(
        Settings(
            database_url=engine.url.render_as_string(hide_password=False),
            trusted_hosts=["api.example.org"],
            rate_limit_per_minute=1,
            rate_limit_burst=1,
        )
    )
    with TestClient(strict, base_url="http://api.example.org") as limited:
        limited.get("/v1/vocab")
        errors.append(limited.get("/v1/vocab"))  # 429
        errors.append(limited.get("/v1/vocab", headers={"Host": "evil.example"}))
    assert [r.status_code for r in errors] == [400, 404, 405, 406, 404, 429, 400]
    for response in errors:
        assert response.headers["cache-control"] == "no-store", response.status_code
    assert ok_cache(client) == "public, max-age=300"


def ok_cache(client: TestClient) -> str:
    response = client.get("/v1/events", params={"limit": 1})
    ok(response)
    return response.headers["cache-control"]


# --- forged Host --------------------------------------------------------------------------------


def test_a_forged_host_never_appears_in_link_or_redirects(client: TestClient) -> None:
    forged = {"Host": "evil.example"}
    page = client.get("/v1/events", params={"limit": 1}, headers=forged)
    ok(page)
    assert page.headers["link"].startswith("</v1/events?limit=1&cursor="), page.headers["link"]
    assert ok(client.get(page.headers["link"][1:].split(">")[0]))["items"]
    redirect = client.get("/v1/events/?limit=1", headers=forged, follow_redirects=False)
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "/v1/events?limit=1"


def _host_status(trusted: list[str], host: str) -> int:
    with TestClient(create_app(Settings(trusted_hosts=trusted))) as client:
        return client.get("/healthz", headers={"Host": host}).status_code


@pytest.mark.parametrize(
    ("trusted", "host", "status"),
    [
        (["*.example.org"], "api.example.org", 200),
        (["*.example.org"], "API.Example.ORG:8443", 200),
        (["API.EXAMPLE.COM"], "api.example.com", 200),
        (["*.example.org"], "evil.com/.example.org", 400),
        (["*.example.org"], "evil.com\\.example.org", 400),
        (["*.example.org"], "evil.com?.example.org", 400),
        (["*.example.org"], "evil.com#.example.org", 400),
        (["*.example.org"], "example.org", 400),
        (["api.example.com"], "api.example.com@evil.com", 400),
        (["*"], "evil.com/path", 400),
        (["*"], "[::1]:8000", 200),
    ],
)
def test_host_patterns_match_valid_host_names_only(
    trusted: list[str], host: str, status: int
) -> None:
    assert _host_status(trusted, host) == status


# --- rate limiter -------------------------------------------------------------------------------


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def _statuses(limiter: RateLimitMiddleware, *clients: str) -> list[int]:
    codes = []
    for address in clients:  # no `with`: the bare app has no lifespan to run
        codes.append(TestClient(limiter, client=(address, 40000)).get("/").status_code)
    return codes


def test_a_flood_of_new_clients_never_refills_a_busy_bucket() -> None:
    limiter = RateLimitMiddleware(_hello, per_minute=1, burst=1, max_clients=3)
    attacker = "198.51.100.1"
    assert _statuses(limiter, attacker, attacker) == [200, 429]
    for index in range(10):  # each new address fills the table; the quiet ones are evicted
        assert _statuses(limiter, f"203.0.113.{index}", attacker) == [200, 429], index
    assert len(limiter.buckets) == 3


def test_ipv6_clients_share_a_bucket_per_64() -> None:
    limiter = RateLimitMiddleware(_hello, per_minute=1, burst=1)
    assert _statuses(limiter, "2001:db8:1:2::1", "2001:db8:1:2:ffff::9") == [200, 429]
    assert _statuses(limiter, "2001:db8:1:3::1") == [200]  # another /64
    assert _statuses(limiter, "192.0.2.7", "::ffff:192.0.2.7") == [200, 429]


# --- search prefixes and problem slugs ----------------------------------------------------------


@pytest.mark.parametrize("q", ["a*", "mu*", "a* OR b* OR c*", "tra-a*", "é*"])
def test_short_prefixes_are_refused(client: TestClient, q: str) -> None:
    body = assert_problem(client.get("/v1/events", params={"q": q}), 400, parameter="q")
    assert "at least 3 characters" in body["detail"]


def test_prefixes_of_three_characters_search(client: TestClient) -> None:
    assert ok(client.get("/v1/quotes", params={"q": "mul*"}))["items"]
    assert ok(client.get("/v1/quotes", params={"q": "multi*"}))["items"]


def test_problem_slugs_are_bounded() -> None:
    with TestClient(create_app()) as client:
        huge = client.get("/problems/" + "a" * 60_000)
        assert_problem(huge, 400)
        assert len(huge.content) < 3000
        unknown = assert_problem(client.get("/problems/no-such-problem"), 404)
        assert "no-such-problem" in unknown["detail"]
        assert ok(client.get("/problems/request-timeout"))["status"] == 408
