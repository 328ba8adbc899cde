"""Starlette's gzip, sending the coding app/content_coding.py negotiates, and only that one.

Starlette compresses whenever the text `gzip` appears in Accept-Encoding (so `gzip;q=0`, which
means "never gzip", still got gzip) and decides per body size. Here the coding is negotiated
once per request by the RFC's rules and recorded for the route; a response whose ETag was set
before its body (a streamed export) is sent in exactly that coding whatever its size, and so is
every response to a client that refuses identity. Every response says `Vary: Accept-Encoding`.
"""

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.content_coding import STATE_KEY, scope_codings
from app.errors import ProblemError, problem_response


class _CommittedGZipResponder(GZipResponder):
    """GZipResponder that compresses a 200 below the size threshold too when its coding was
    promised: by an ETag set before the body, or because the client refuses identity."""

    def __init__(self, app: ASGIApp, *, identity_acceptable: bool, **options: object) -> None:
        super().__init__(app, **options)  # type: ignore[arg-type]
        self.identity_acceptable = identity_acceptable
        self.committed = False

    async def send_with_compression(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            ok = message["status"] == 200
            self.committed = ok and any(
                name.lower() == b"etag" for name, _ in message.get("headers", [])
            )
            if ok and not self.identity_acceptable:
                self.minimum_size = 0
        elif (
            message["type"] == "http.response.body"
            and self.committed
            and not self.started
            and not message.get("more_body", False)
        ):
            # As the first chunk of a stream: compressed whatever its size, Content-Length
            # dropped, as a streamed export's GET is sent (so its HEAD says the same).
            await super().send_with_compression({**message, "more_body": True})
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await super().send_with_compression(message)


def _varying(send: Send) -> Send:
    async def send_with_vary(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            listed = {token.strip().lower() for token in headers.get("vary", "").split(",")}
            if "accept-encoding" not in listed:
                headers.add_vary_header("Accept-Encoding")
        await send(message)

    return send_with_vary


class NegotiatedGZipMiddleware(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        codings = scope_codings(scope)
        send = _varying(send)
        if not codings:
            error = ProblemError(
                406,
                "Accept-Encoding accepts neither gzip nor identity (RFC 9110 §12.5.3); "
                "send `Accept-Encoding: gzip` or leave the header out.",
            )
            await problem_response(Request(scope), error)(scope, receive, send)
            return
        scope.setdefault("state", {})[STATE_KEY] = codings[0]
        responder: ASGIApp
        if codings[0] == "gzip":
            responder = _CommittedGZipResponder(
                self.app,
                identity_acceptable="identity" in codings,
                minimum_size=self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=self.exclude_content_types,
            )
        else:
            responder = IdentityResponder(
                self.app, self.minimum_size, exclude_content_types=self.exclude_content_types
            )
        await responder(scope, receive, send)
