"""Starlette's gzip middleware, choosing gzip by the q-values of Accept-Encoding.

Starlette compresses whenever the text `gzip` appears in Accept-Encoding, so `gzip;q=0` (which
means "never gzip") still got gzip.
"""

import re

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Receive, Scope, Send

_QVALUE = re.compile(r"^\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$")


def _quality(parameters: str) -> float:
    """The q-value among `;`-separated parameters: 1 when absent, 0 when malformed."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            match = _QVALUE.match(value)
            return float(match.group(1)) if match else 0.0
    return 1.0


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether gzip is acceptable (RFC 9110 §12.5.3): named with q > 0, else `*` with q > 0."""
    named: float | None = None
    anything: float | None = None
    for entry in accept_encoding.split(","):
        coding, _, parameters = entry.partition(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            named = max(named or 0.0, _quality(parameters))
        elif coding == "*":
            anything = _quality(parameters)
    if named is not None:
        return named > 0
    return anything is not None and anything > 0


class NegotiatedGZipMiddleware(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: ASGIApp
        if accepts_gzip(",".join(Headers(scope=scope).getlist("accept-encoding"))):
            responder = GZipResponder(
                self.app,
                self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=self.exclude_content_types,
            )
        else:
            responder = IdentityResponder(
                self.app, self.minimum_size, exclude_content_types=self.exclude_content_types
            )
        await responder(scope, receive, send)
