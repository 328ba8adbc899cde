"""Per-process bounds on connections and on how slowly a client may take a response.

`ConnectionLimits` admits a new connection or says why not: at most MAX_CONNECTIONS_PER_ADDRESS
from one address (IPv4, or IPv6 /64, as the rate limiter counts clients), and at most
MAX_CONNECTIONS in all. When the process nears its cap, the connections idle the longest
(kept alive between requests, or connected and silent) are closed first to make room; only a
new connection that still finds no room is refused (a 503 problem, at once), so connections
already open keep being served.

`DeliveryWatch` measures what a client actually received: the bytes written, minus those still
in the transport's buffer and in the kernel's send queue (SIOCOUTQ on Linux). Whether the
socket is writable says little: with a kernel buffer of megabytes a client reading at 64 KB/s
keeps it unwritable for many seconds at a time.
"""

import asyncio
import contextlib
import fcntl
import logging
import struct
import termios
from collections import Counter, deque
from collections.abc import Callable
from typing import Any, Protocol

from uvicorn.server import ServerState

from app.clients import client_key
from app.config import Settings
from app.errors import ProblemError, problem_document

logger = logging.getLogger("app.server")
# Start closing idle connections when this share of MAX_CONNECTIONS is open.
NEAR_CAP = 0.95
_TICKS_PER_WINDOW = 4


def problem_bytes(status: int, slug: str, detail: str, instance: str) -> bytes:
    return problem_document(ProblemError(status, detail, slug=slug), instance)


class Connection(Protocol):
    address: str
    last_active: float
    client: tuple[str, int] | None
    in_request: bool
    transport: asyncio.Transport

    def is_idle(self) -> bool: ...


class ConnectionLimits:
    """The admitted connections of one server (one per process), counted per address."""

    def __init__(self, server_state: ServerState, settings: Settings) -> None:
        self.connections: set[Any] = server_state.connections
        self.max_total = settings.max_connections
        self.max_per_address = settings.max_connections_per_address
        self.per_address: Counter[str] = Counter()
        self.admitted: set[int] = set()

    @classmethod
    def of(cls, server_state: ServerState, settings: Settings) -> "ConnectionLimits":
        limits = getattr(server_state, "app_connection_limits", None)
        if limits is None:
            limits = cls(server_state, settings)
            server_state.app_connection_limits = limits  # type: ignore[attr-defined]
        return limits

    def admit(self, connection: Connection) -> str | None:
        """Count `connection` in (it is already in the server's set), or say why not."""
        client = connection.client
        connection.address = client_key(client[0]) if client else "unknown"
        if self.per_address[connection.address] >= self.max_per_address:
            self.connections.discard(connection)
            logger.warning(
                "over MAX_CONNECTIONS_PER_ADDRESS=%d from one address: refused",
                self.max_per_address,
            )
            return (
                f"This address has {self.max_per_address} connections open to this server; "
                "reuse them (keep-alive) or close some, then retry."
            )
        if len(self.connections) > self.max_total * NEAR_CAP:
            self._close_idle(connection, len(self.connections) - int(self.max_total * NEAR_CAP))
        if len(self.connections) > self.max_total:
            self.connections.discard(connection)
            logger.warning("over MAX_CONNECTIONS=%d: refused a new connection", self.max_total)
            return "This server has too many open connections; retry in a moment."
        self.per_address[connection.address] += 1
        self.admitted.add(id(connection))
        return None

    def release(self, connection: Connection) -> None:
        self.connections.discard(connection)
        if id(connection) in self.admitted:
            self.admitted.discard(id(connection))
            self.per_address[connection.address] -= 1
            if self.per_address[connection.address] <= 0:
                del self.per_address[connection.address]

    def _close_idle(self, newcomer: Connection, count: int) -> None:
        """Close up to `count` idle connections, silent ones and the longest idle first."""
        idle = [c for c in self.connections if c is not newcomer and c.is_idle()]
        for connection in sorted(idle, key=lambda c: c.last_active)[:count]:
            connection.transport.close()
            self.release(connection)
        if idle:
            logger.info("near MAX_CONNECTIONS=%d: closed idle connections", self.max_total)


def _unsent_in_kernel(transport: asyncio.BaseTransport) -> int:
    sock = transport.get_extra_info("socket")
    if sock is None:
        return 0
    with contextlib.suppress(OSError, ValueError):
        buffer = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
        return int(struct.unpack("i", buffer)[0])
    return 0


class CountingTransport:
    """A transport that counts the bytes written through it (and delegates everything else)."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += len(data)
        self._transport.write(data)

    def delivered(self) -> int:
        """Bytes the client's kernel has taken (acknowledged), as far as this end can tell."""
        waiting = self._transport.get_write_buffer_size() + _unsent_in_kernel(self._transport)
        return self.written - waiting

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class DeliveryWatch:
    """Aborts a connection whose client takes a response too slowly: less than `min_rate`
    bytes a second (or nothing at all) over `window` seconds during which bytes waited for it.
    It runs from the first time the transport pauses writing until the response completes."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        window: float,
        min_rate: int,
        on_too_slow: Callable[[str], None],
    ) -> None:
        self.loop = loop
        self.window = window
        self.min_rate = min_rate
        self.on_too_slow = on_too_slow
        self.transport: CountingTransport | None = None
        self.samples: deque[tuple[float, int]] = deque()
        self.timer: asyncio.TimerHandle | None = None

    def wrap(self, transport: asyncio.Transport) -> asyncio.Transport:
        self.transport = CountingTransport(transport)
        return self.transport  # type: ignore[return-value]

    def start(self) -> None:
        if self.timer is None:
            self.samples.clear()
            self._tick()

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.samples.clear()

    def _tick(self) -> None:
        self.timer = None
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        now, delivered = self.loop.time(), transport.delivered()
        if delivered >= transport.written:
            self.samples.clear()  # the client has everything: it is keeping up
            return
        samples = self.samples
        samples.append((now, delivered))
        while len(samples) > 1 and samples[1][0] <= now - self.window:
            samples.popleft()
        since, then = samples[0]
        if now - since >= self.window:
            received = delivered - then
            if received <= 0 or received < self.min_rate * (now - since):
                self.on_too_slow(
                    f"a client took {received} bytes in {now - since:.1f} s while more waited "
                    f"(RESPONSE_WRITE_TIMEOUT_MS, RESPONSE_MIN_BYTES_PER_SECOND={self.min_rate})"
                )
                return
        self.timer = self.loop.call_later(self.window / _TICKS_PER_WINDOW, self._tick)
