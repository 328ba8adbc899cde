"""Per-client token buckets, per process (see docs/api.md for several workers)."""

import math
import time
from collections import OrderedDict

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.clients import client_key
from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE

MAX_TRACKED_CLIENTS = 100_000


class RateLimitMiddleware:
    """Refill `per_minute` tokens a minute up to `burst`; an empty bucket answers 429.

    A request costs one token up front and, once answered, one more for each full
    `cost_seconds` of database work it did (app/database.py counts it), so a client sending
    costly searches runs out as much sooner as they cost: its bucket may go below zero.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_minute: int,
        burst: int,
        cost_seconds: float = 0.0,
        max_clients: int = MAX_TRACKED_CLIENTS,
    ) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = burst
        self.per_minute = per_minute
        self.cost_seconds = cost_seconds
        self.max_clients = max_clients
        # Least recently seen first: a flood of new clients evicts the quietest buckets, never
        # the emptied bucket of a client that keeps sending.
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _take(self, client: str) -> tuple[bool, float]:
        now = time.monotonic()
        tokens, stamp = self.buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self.buckets[client] = (tokens, now)
        self.buckets.move_to_end(client)
        while len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return allowed, tokens

    def _charge(self, client: str, tokens: float) -> None:
        held = self.buckets.get(client)
        if held is not None:
            self.buckets[client] = (held[0] - tokens, held[1])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        client = client_key((scope.get("client") or ("unknown",))[0])
        allowed, tokens = self._take(client)
        # Seconds until a whole token is back (a bucket in debt waits for its debt too).
        missing = 1.0 - tokens if tokens < 1.0 else 1.0 - tokens % 1.0
        reset = math.ceil(missing / self.rate) if self.rate else 60
        limit_headers = [
            (b"ratelimit-limit", str(self.burst).encode()),
            (b"ratelimit-remaining", str(max(0, int(tokens))).encode()),
            (b"ratelimit-reset", str(reset).encode()),
            # draft-ietf-httpapi-ratelimit-headers-07: the quota per window, then the window;
            # the burst (the bucket's size) as an extension parameter.
            (b"ratelimit-policy", f"{self.per_minute};w=60;burst={self.burst}".encode()),
        ]
        if not allowed:
            query = scope.get("query_string", b"").decode("latin-1")
            body = orjson.dumps(
                {
                    "type": PROBLEM_TYPE_BASE + "rate-limited",
                    "title": "Too Many Requests",
                    "status": 429,
                    "detail": f"This client may send {self.per_minute} requests a minute "
                    f"(bursts of {self.burst}); retry after {reset} seconds.",
                    "instance": scope["path"] + (f"?{query}" if query else ""),
                }
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(reset).encode()),
                        *limit_headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *limit_headers]
            await send(message)

        try:
            await self.app(scope, receive, send_with_limits)
        finally:
            spent = (scope.get("state") or {}).get("work_seconds", 0.0)
            if self.cost_seconds and spent >= self.cost_seconds:
                self._charge(client, spent // self.cost_seconds)
