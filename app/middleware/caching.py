"""Conditional GETs and caching: strong ETags, Cache-Control, 304s, HEAD, dataset version,
and the versioned URL of every answer read from the dataset (app/versioned_urls.py).

The ETag is a digest of the bytes actually sent (after compression), so it changes exactly
when the representation does, e.g. after a reseed that changed data. Streamed exports set
their own ETag from the dataset version and the canonical request instead.
"""

import hashlib
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.conditional import etag_matches
from app.versioned_urls import IMMUTABLE_CACHE_CONTROL, requested_version, versioned_url

DATASET_VERSION_HEADER = "X-Dataset-Version"
_DROPPED_ON_304 = ("content-length", "content-type", "content-encoding", "content-disposition")


class CachingMiddleware:
    """`current_version` reads the dataset's version for an answer refused before any read
    (the app passes a service's read: middleware never queries itself)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_age: int,
        current_version: Callable[[], Awaitable[str | None]],
    ) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age}"
        self.current_version = current_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        is_head = scope["method"] == "HEAD"
        if is_head:
            # Every GET route answers HEAD too; exports read `is_head` to skip their body.
            scope = {**scope, "method": "GET"}
            scope.setdefault("state", {})["is_head"] = True
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        mode = "buffer"  # or "stream" (send as it comes) or "drop" (304 already sent)

        async def send_not_modified(message: Message) -> None:
            message["status"] = 304
            headers = MutableHeaders(scope=message)
            for name in _DROPPED_ON_304:
                if name in headers:
                    del headers[name]
            await send(message)
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def wrapped_send(message: Message) -> None:
            nonlocal start, mode
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                version = scope.get("state", {}).get("dataset_version")
                refused = version is None and 400 <= message["status"] < 500
                api = scope.get("path", "").startswith("/v1/")
                if refused and api:
                    # Refused before any read (a bad parameter, a 406): still say which
                    # dataset the client was talking to.
                    version = await self.current_version()
                if version:
                    headers[DATASET_VERSION_HEADER] = version
                headers.add_vary_header("Accept")
                cache_control = self.cache_control
                # The API's answers only: the explorer's pages are for people, and their links
                # carry their own query.
                if version and api and message["status"] in (200, 304):
                    query = scope.get("query_string", b"").decode("latin-1")
                    # The same bytes at a URL that names their version: cacheable forever.
                    headers["Content-Location"] = versioned_url(scope["path"], query, version)
                    if requested_version(query) == version:
                        cache_control = IMMUTABLE_CACHE_CONTROL
                if message["status"] == 304:
                    headers["Cache-Control"] = cache_control
                # Not cacheable, or the route chose its own policy (the probes: no-store).
                if message["status"] != 200 or "cache-control" in headers:
                    mode = "stream"
                    await send(message)
                    return
                headers["Cache-Control"] = cache_control
                if "etag" in headers:  # set by the route (streamed exports), encoding included
                    if etag_matches(if_none_match, headers["etag"]):
                        mode = "drop"
                        await send_not_modified(message)
                    else:
                        mode = "stream"
                        await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or mode == "drop":
                return
            if mode == "stream":
                if is_head:
                    if not message.get("more_body", False):
                        await send({"type": "http.response.body", "body": b""})
                    return
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            MutableHeaders(scope=start)["ETag"] = etag
            if etag_matches(if_none_match, etag):
                await send_not_modified(start)
                return
            await send(start)
            await send({"type": "http.response.body", "body": b"" if is_head else body})

        await self.app(scope, receive, wrapped_send)
