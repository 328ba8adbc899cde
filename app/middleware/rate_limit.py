"""Per-client token buckets, per process (see docs/api.md for several workers)."""

import ipaddress
import math
import time
from collections import OrderedDict

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE

MAX_TRACKED_CLIENTS = 100_000


def client_key(address: str) -> str:
    """The bucket of a client address: IPv4 per address, IPv6 per /64 (one subscriber's prefix:
    an attacker holding a /64 could otherwise take a fresh bucket per address)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # a Unix socket path, or the test client's name
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class RateLimitMiddleware:
    """Refill `per_minute` tokens a minute up to `burst`; an empty bucket answers 429."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_minute: int,
        burst: int,
        max_clients: int = MAX_TRACKED_CLIENTS,
    ) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = burst
        self.per_minute = per_minute
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        client = client_key((scope.get("client") or ("unknown",))[0])
        allowed, tokens = self._take(client)
        reset = math.ceil((1.0 - tokens % 1.0) / self.rate) if self.rate else 60
        limit_headers = [
            (b"ratelimit-limit", str(self.burst).encode()),
            (b"ratelimit-remaining", str(int(tokens)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
            (b"ratelimit-policy", f"{self.burst};w=60;burst={self.burst}".encode()),
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

        await self.app(scope, receive, send_with_limits)
