"""uvicorn's HTTP protocol with the limits it lacks, and the options the CLI serves with.

uvicorn (0.54, httptools) has no bound on the size of a request head, no deadline for sending
one (its keep-alive timer runs only between requests, so a socket that never finishes its
headers is held forever), no deadline for reading a response (a client that stops reading an
export holds its export slot for as long as it keeps the socket open), and its
`limit_concurrency` answers a plain-text 503. This subclass adds all four, answering with the
API's problem documents where an answer can still be sent:

- a request line and headers larger than REQUEST_HEAD_MAX_BYTES: 431, connection closed;
- a request not sent in full within REQUEST_READ_TIMEOUT_MS (counted from connecting, or from
  the first byte of a request on a kept-alive connection): 408, connection closed; a connection
  on which nothing was sent is closed silently;
- a response the client has not read from for RESPONSE_WRITE_TIMEOUT_MS (the socket's send
  buffer stayed full: uvicorn paused writing and was never resumed): connection aborted, which
  ends the response, and an export's slot and work with it;
- more than MAX_CONNECTIONS open connections in this process: 503 with Retry-After.

A reverse proxy in front (docs/deploy.md) should still buffer requests; these limits keep a
process alive when it is exposed directly or the proxy lets a flood through.
"""

import asyncio
import logging
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.config import get_settings
from app.errors import PROBLEM_MEDIA_TYPE, ProblemError, problem_document

logger = logging.getLogger("app.server")
# What `uvicorn.run(http=...)` takes; a dotted path, so that spawned workers import it too. Each
# worker reads the limits from its settings; uvicorn's own `limit_concurrency` stays unset.
PROTOCOL = "app.server:BoundedHttpToolsProtocol"
BUSY_RETRY_AFTER_SECONDS = 1
LINGER_SECONDS = 2.0
_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def _problem_bytes(status: int, slug: str, detail: str, instance: str) -> bytes:
    error = ProblemError(status, detail, slug=slug)
    return problem_document(error, instance)


async def _too_many_connections(scope: Any, receive: Any, send: Any) -> None:
    body = _problem_bytes(
        503,
        "too-many-connections",
        "This server has too many open connections; retry in a moment.",
        scope.get("path", "/"),
    )
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(BUSY_RETRY_AFTER_SECONDS).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a bounded request head, a read deadline and a connection cap."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        self.max_head_bytes = settings.request_head_max_bytes
        self.read_timeout = settings.request_read_timeout_ms / 1000
        self.write_timeout = settings.response_write_timeout_ms / 1000
        self.max_connections = settings.max_connections
        self.read_deadline: asyncio.TimerHandle | None = None
        self.write_deadline: asyncio.TimerHandle | None = None
        self.head_bytes = 0  # received since the current head started (see data_received)
        self.reading_head = True  # between requests, or inside a head
        self.in_request = False  # some byte of a request not yet complete has arrived
        self.refused = False  # answered 408/431: the rest of the input is discarded

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_deadline()
        self._disarm_write_deadline()
        super().connection_lost(exc)

    # Flow control: the transport pauses writing when its buffer is full (the client is not
    # reading) and resumes once it drains.
    def pause_writing(self) -> None:
        super().pause_writing()
        if self.write_deadline is None:
            self.write_deadline = self.loop.call_later(self.write_timeout, self._on_write_deadline)

    def resume_writing(self) -> None:
        self._disarm_write_deadline()
        super().resume_writing()

    def data_received(self, data: bytes) -> None:
        # A head is fed to the parser at most up to the limit: once the bytes of an unfinished
        # head reach it, the request is refused before anything more is buffered. Pipelined
        # requests are not added up (the count restarts when a head completes), so the bytes
        # after a completed head in the same slice go uncounted: a head is cut at twice the
        # limit at worst.
        while data and not self.refused:
            if not self.reading_head:
                super().data_received(data)
                return
            room = self.max_head_bytes - self.head_bytes
            if room <= 0:
                self._refuse(
                    431,
                    "request-header-too-large",
                    f"The request line and headers exceed {self.max_head_bytes} bytes.",
                )
                return
            piece, data = data[:room], data[room:]
            self.head_bytes += len(piece)
            super().data_received(piece)

    # httptools parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_request = True
        if self.read_deadline is None:
            self._arm_read_deadline()

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.head_bytes = 0
        over = len(self.connections) > self.max_connections
        if over:
            logger.warning("over MAX_CONNECTIONS=%d: answering 503", self.max_connections)
        self.app = _too_many_connections if over else self.config.loaded_app
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.reading_head = True
        self.in_request = False
        self._disarm_read_deadline()

    # The read deadline
    def _arm_read_deadline(self) -> None:
        self._disarm_read_deadline()
        self.read_deadline = self.loop.call_later(self.read_timeout, self._on_read_deadline)

    def _disarm_read_deadline(self) -> None:
        if self.read_deadline is not None:
            self.read_deadline.cancel()
            self.read_deadline = None

    def _on_read_deadline(self) -> None:
        self.read_deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        answering = cycle is not None and not cycle.response_complete
        if answering and (cycle.response_started or not cycle.more_body):
            # A response is under way (the late bytes belong to a pipelined request): let it
            # finish, then hang up instead of reading further.
            cycle.keep_alive = False
            return
        # A request answered before its body arrived (a 405 to a POST) needs no second answer.
        answered = cycle is not None and cycle.response_complete and cycle.more_body
        if self.in_request and not answered:
            self._refuse(
                408,
                "request-timeout",
                f"The request was not sent in full within {self.read_timeout:g} seconds.",
            )
        else:
            self.transport.close()

    # The write deadline
    def _disarm_write_deadline(self) -> None:
        if self.write_deadline is not None:
            self.write_deadline.cancel()
            self.write_deadline = None

    def _on_write_deadline(self) -> None:
        self.write_deadline = None
        logger.warning(
            "a client read nothing for %g s (RESPONSE_WRITE_TIMEOUT_MS): connection aborted",
            self.write_timeout,
        )
        # Not close(): that would wait for the full buffer to drain, which is what never happens.
        self.transport.abort()

    def _refuse(self, status: int, slug: str, detail: str) -> None:
        """Answer `status` without running the app, and close the connection."""
        self.refused = True
        self._disarm_read_deadline()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # An earlier request is still being answered: finish that, then hang up.
            cycle.keep_alive = False
            return
        target = (getattr(self, "url", b"") or b"/").decode("latin-1")
        body = _problem_bytes(status, slug, detail, target)
        head = [
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status]),
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
            b"content-type: " + PROBLEM_MEDIA_TYPE.encode() + b"\r\n",
            b"content-length: %d\r\n" % len(body),
            b"cache-control: no-store\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.connections.discard(self)  # a refused client no longer counts against the cap
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # Closing with unread input would reset the connection, and the client could lose the
        # answer while it is still sending: half-close, discard what comes, then close.
        self.transport.write_eof()
        self.read_deadline = self.loop.call_later(LINGER_SECONDS, self.transport.close)
