"""uvicorn's HTTP protocol with the limits it lacks, and the options the CLI serves with.

uvicorn (0.54, httptools) bounds neither a request head, nor the time to send one, nor the
requests a client may pipeline, nor the connections one address may hold; it reads a response
as delivered once the kernel took it, and its `limit_concurrency` answers a plain-text 503 to
every connection once over the cap, old ones included. This subclass adds the bounds, and
answers with the API's problem documents where an answer can still be sent:

- a request line over REQUEST_TARGET_MAX_BYTES: 414; a request line and headers over
  REQUEST_HEAD_MAX_BYTES: 431 (counted per request, however the bytes arrive: pipelined, or
  in the segment that ends the previous body); either way the connection is closed;
- a request not sent in full within REQUEST_READ_TIMEOUT_MS (counted from connecting, or from
  the first byte of a request on a kept-alive connection): 408, connection closed; a connection
  on which nothing was sent is closed silently;
- at most PIPELINE_MAX_REQUESTS requests parsed and waiting behind the one being answered: the
  rest stays unread in the kernel, so a client that pipelines without reading costs a bounded
  amount of memory;
- a response whose client takes less than RESPONSE_MIN_BYTES_PER_SECOND, averaged over
  RESPONSE_WRITE_TIMEOUT_MS while bytes wait for it (counted as delivered once they left the
  kernel's send queue, not when the socket turns writable): connection aborted, which ends the
  response, and an export's slot and work with it;
- connections: see app/connections.py (MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS);
- `Upgrade` (the API has no WebSocket): the request is answered as plain HTTP, then closed;
- a `Transfer-Encoding` other than `chunked`: 501; malformed HTTP: a 400 problem.
A client that half-closes after its request (`shutdown(SHUT_WR)`) still gets its answers.

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
from app.connections import ConnectionLimits, DeliveryWatch, problem_bytes
from app.errors import RESPONSE_CUT_SHORT

logger = logging.getLogger("app.server")


class _CutShortIsNoError(logging.Filter):
    """uvicorn logs a response the app left unfinished as an error; one cut short on purpose
    (RESPONSE_CUT_SHORT) was already logged by the app, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            RESPONSE_CUT_SHORT.get() and str(record.msg).startswith("ASGI callable returned")
        )


logging.getLogger("uvicorn.error").addFilter(_CutShortIsNoError())
# What `uvicorn.run(http=...)` takes; a dotted path, so that spawned workers import it too. Each
# worker reads the limits from its settings; uvicorn's own `limit_concurrency` stays unset.
PROTOCOL = "app.server:BoundedHttpToolsProtocol"
LINGER_SECONDS = 2.0
# Input is parsed this many bytes at a time, so that the bounds above are checked at least
# this often whatever a client packs into one segment (a read is up to 256 KiB).
SLICE_BYTES = 1024
# Unparsed input kept while the pipeline is full: the read that overflowed it, plus what a
# resumed read adds; beyond this the client is sending without reading and is cut off.
HELD_MAX_BYTES = 1 << 20
_REASONS = {
    400: b"Bad Request",
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
    501: b"Not Implemented",
    503: b"Service Unavailable",
}


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with the bounds of the module docstring."""

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
        self.max_target_bytes = settings.request_target_max_bytes
        self.read_timeout = settings.request_read_timeout_ms / 1000
        self.max_pipelined = settings.pipeline_max_requests
        self.limits = ConnectionLimits.of(server_state, settings)
        self.delivery = DeliveryWatch(
            self.loop,
            window=settings.response_write_timeout_ms / 1000,
            min_rate=settings.response_min_bytes_per_second,
            on_too_slow=self._on_too_slow,
        )
        self.read_deadline: asyncio.TimerHandle | None = None
        self.head_bytes = 0  # counted since the current head began (see _feed)
        self.reading_head = True  # between requests, or inside a head
        self.in_request = False  # some byte of a request not yet complete has arrived
        self.refused = False  # answered 4xx/5xx without the app: the rest of the input is dropped
        self.upgraded = False  # the parser stopped at an Upgrade: nothing after it is read
        self.eof = False  # the client half-closed: answer what it asked, then close
        self.held = b""  # input not parsed yet because the pipeline is full
        self.address = ""  # the peer's key in ConnectionLimits
        self.last_active = self.loop.time()

    # Connections
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(self.delivery.wrap(transport))
        refusal = self.limits.admit(self)
        if refusal is not None:
            self._refuse(503, "too-many-connections", refusal, retry_after=1)
            return
        self._arm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_read_deadline()
        self.delivery.stop()
        self.limits.release(self)
        super().connection_lost(exc)

    def is_idle(self) -> bool:
        """Between requests with nothing in flight: closing it loses nothing."""
        cycle = self.cycle
        return (
            not self.refused
            and not self.in_request
            and not self.pipeline
            and not self.held
            and (cycle is None or cycle.response_complete)
            and not self.transport.is_closing()
        )

    def eof_received(self) -> bool | None:  # type: ignore[override]
        self.eof = True
        cycle = self.cycle
        answering = cycle is not None and not cycle.response_complete
        if self.refused or not (answering or self.pipeline or self.held):
            return None  # nothing to answer: the transport closes
        # Keep the sending side open: the requests already received are answered, then the
        # connection is closed (on_response_complete).
        if self.pipeline:
            self.pipeline[0][0].keep_alive = False
        elif not self.held and self.cycle is not None:
            self.cycle.keep_alive = False
        return True

    # Flow control: the transport pauses writing when its buffer is full.
    def pause_writing(self) -> None:
        super().pause_writing()
        self.delivery.start()

    # Input
    def data_received(self, data: bytes) -> None:
        self.last_active = self.loop.time()
        if self.refused or self.upgraded:
            return
        if self.held:
            # Reading resumed (the app asked for a body) while the pipeline is still full.
            self.held += data
            self.flow.pause_reading()
            if len(self.held) > HELD_MAX_BYTES:
                logger.warning("a client pipelined past %d bytes unread: closed", HELD_MAX_BYTES)
                self.transport.abort()
            return
        self._feed(data)

    def _feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not (self.refused or self.upgraded):
            if len(self.pipeline) >= self.max_pipelined:
                # Parse no further until the answers catch up; the client's own writes stall.
                self.held = bytes(view)
                self.flow.pause_reading()
                self._disarm_read_deadline()  # not the client's delay: ours
                return
            piece, view = bytes(view[:SLICE_BYTES]), view[SLICE_BYTES:]
            super().data_received(piece)
            if self.refused or self.upgraded or self.parser is None:
                return
            if self.reading_head and self.in_request:
                # Counted after parsing, so a slice that ends one request and begins the next
                # counts whole toward the new head: over by at most SLICE_BYTES, never by more.
                self.head_bytes += len(piece)
                if len(getattr(self, "url", b"")) > self.max_target_bytes:
                    self._refuse(
                        414,
                        "uri-too-long",
                        f"The request target is longer than {self.max_target_bytes} bytes; "
                        "send fewer or shorter query parameters.",
                    )
                elif self.head_bytes > self.max_head_bytes:
                    self._refuse(
                        431,
                        "request-header-too-large",
                        f"The request line and headers exceed {self.max_head_bytes} bytes.",
                    )

    def send_400_response(self, msg: str) -> None:
        # httptools could not parse the input: a problem document instead of uvicorn's text.
        logger.info("invalid HTTP from a client: answered 400")
        self._refuse(
            400,
            "invalid-request",
            "The request is not valid HTTP/1.1 (a malformed request line, header or "
            "chunked body, or an ambiguous message length).",
        )

    def _unsupported_upgrade_warning(self) -> None:
        # The API has no WebSocket: the request was answered as plain HTTP (on_headers_complete)
        # and the connection closes after it; what follows the head is not read.
        self.upgraded = True

    # httptools parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_request = True
        self.reading_head = True
        self.head_bytes = 0
        if self.read_deadline is None:
            self._arm_read_deadline()

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.head_bytes = 0
        codings = [v for n, v in self.headers if n == b"transfer-encoding"]
        if codings and [c.strip().lower() for c in codings] != [b"chunked"]:
            self._refuse(
                501,
                "not-implemented",
                "Only `Transfer-Encoding: chunked` is understood; send the body without "
                "other transfer codings (this API takes no request bodies anyway).",
            )
            return
        super().on_headers_complete()
        if self.parser.should_upgrade():
            self.cycle.keep_alive = False

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refused:
            return
        super().on_message_complete()
        self.reading_head = True
        self.in_request = False
        self._disarm_read_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.delivery.stop()
        self.last_active = self.loop.time()
        if self.transport.is_closing():
            return
        if self.held and len(self.pipeline) < self.max_pipelined:
            held, self.held = self.held, b""
            if self.in_request:
                self._arm_read_deadline()
            self._feed(held)
        if self.held or len(self.pipeline) >= self.max_pipelined:
            self.flow.pause_reading()
        elif self.eof and not self.pipeline and self.is_idle():
            self.transport.close()

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

    def _on_too_slow(self, detail: str) -> None:
        logger.warning("%s: connection aborted", detail)
        # Not close(): that would wait for the full buffer to drain, which is what never happens.
        self.transport.abort()

    def _refuse(self, status: int, slug: str, detail: str, *, retry_after: int = 0) -> None:
        """Answer `status` without running the app, and close the connection."""
        self.refused = True
        self.held = b""
        self._disarm_read_deadline()
        self.limits.release(self)  # a refused client no longer counts against the caps
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # An earlier request is still being answered: finish that, then hang up.
            cycle.keep_alive = False
            return
        target = (getattr(self, "url", b"") or b"/")[:200].decode("latin-1")
        body = problem_bytes(status, slug, detail, target)
        head = [
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status]),
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
            b"content-type: application/problem+json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"cache-control: no-store\r\n",
            b"x-content-type-options: nosniff\r\n",
            *([b"retry-after: %d\r\n" % retry_after] if retry_after else []),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # Closing with unread input would reset the connection, and the client could lose the
        # answer while it is still sending: half-close, discard what comes, then close.
        self.transport.write_eof()
        self.read_deadline = self.loop.call_later(LINGER_SECONDS, self.transport.close)
