"""Caps on the negotiation headers, checked before anything parses them.

Accept, Accept-Encoding and If-None-Match are lists that the routes, the gzip middleware and the
caching middleware each split and rank; a 20 MB Accept once kept the event loop busy for seconds.
Real clients send a few entries, so anything longer is refused up front with a 400 naming the
header. Repeated header lines count together, as if joined with commas (RFC 9110 §5.3).
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import ParameterError, ProblemError, problem_response

MAX_NEGOTIATION_HEADER_CHARS = 1024
MAX_NEGOTIATION_HEADER_ENTRIES = 32
NEGOTIATION_HEADERS = {
    b"accept": "Accept",
    b"accept-encoding": "Accept-Encoding",
    b"if-none-match": "If-None-Match",
}


def oversized_negotiation_header(headers: list[tuple[bytes, bytes]]) -> tuple[str, str] | None:
    """(header, what is wrong) for the first negotiation header over its caps, else None."""
    chars: dict[str, int] = {}
    entries: dict[str, int] = {}
    for name, value in headers:
        label = NEGOTIATION_HEADERS.get(name)
        if label is None:
            continue
        chars[label] = chars.get(label, -1) + 1 + len(value)
        entries[label] = entries.get(label, 0) + value.count(b",") + 1
    for label, size in chars.items():
        if size > MAX_NEGOTIATION_HEADER_CHARS:
            return label, (
                f"is {size} characters long; at most {MAX_NEGOTIATION_HEADER_CHARS} are accepted"
            )
        if entries[label] > MAX_NEGOTIATION_HEADER_ENTRIES:
            return label, (
                f"lists {entries[label]} entries; at most {MAX_NEGOTIATION_HEADER_ENTRIES} "
                "are accepted"
            )
    return None


class NegotiationHeaderLimitsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = oversized_negotiation_header(scope.get("headers", []))
            if problem is not None:
                header, detail = problem
                error = ProblemError(
                    400,
                    f"The {header} header {detail}. Send a shorter list.",
                    slug="invalid-parameter",
                    title="Invalid request header",
                    errors=[ParameterError(parameter=header, location="header", detail=detail)],
                )
                await problem_response(Request(scope), error)(scope, receive, send)
                return
        await self.app(scope, receive, send)
