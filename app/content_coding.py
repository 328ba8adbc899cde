"""Accept-Encoding: the one decision of which content coding a response is sent in.

The compression middleware (app/middleware/compression.py) makes it once per request and
records it in the request's state; a route that computes a validator before its body (a
streamed export's ETag, app/api/lists.py) reads the same record, so a strong ETag always names
the bytes the middleware sends.
"""

import re
from typing import Literal

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Scope

Coding = Literal["gzip", "identity"]
STATE_KEY = "content_coding"
_QVALUE = re.compile(r"^\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$")
# Never chosen over a coding the client named, but acceptable unless excluded (RFC 9110 §12.5.3).
_UNNAMED_IDENTITY = 0.0001


def _quality(parameters: str) -> float:
    """The q-value among `;`-separated parameters: 1 when absent, 0 when malformed."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            match = _QVALUE.match(value)
            return float(match.group(1)) if match else 0.0
    return 1.0


def acceptable_codings(accept_encoding: str | None) -> tuple[Coding, ...]:
    """The codings this server offers that the client accepts, preferred first (RFC 9110
    §12.5.3): `gzip`/`x-gzip` by their q-value, else `*`'s; `identity` unless `identity;q=0`,
    or `*;q=0` with no `identity` entry; a tie goes to gzip. No header, or an empty one, asks
    for no coding. An empty answer means nothing acceptable is offered (a 406)."""
    if not accept_encoding or not accept_encoding.strip():
        return ("identity",)
    named: dict[str, float] = {}
    for entry in accept_encoding.split(","):
        coding, _, parameters = entry.partition(";")
        coding = coding.strip().lower()
        coding = "gzip" if coding == "x-gzip" else coding
        if coding in ("gzip", "identity", "*"):
            named[coding] = max(named.get(coding, 0.0), _quality(parameters))
    anything = named.get("*")
    gzip = named.get("gzip", anything or 0.0)
    identity = named.get("identity", _UNNAMED_IDENTITY if anything is None else anything)
    weights: dict[Coding, float] = {"gzip": gzip, "identity": identity}
    # Stable: on a tie gzip, listed first, stays first.
    return tuple(sorted((c for c, w in weights.items() if w > 0), key=lambda c: -weights[c]))


def scope_codings(scope: Scope) -> tuple[Coding, ...]:
    """`acceptable_codings` of a request's Accept-Encoding lines, taken together."""
    lines = Headers(scope=scope).getlist("accept-encoding")
    return acceptable_codings(",".join(lines) if lines else None)


def response_coding(request: Request) -> Coding:
    """The coding this request's response is sent in: as the compression middleware decided
    (or would decide, where it is not installed)."""
    decided: Coding | None = request.scope.get("state", {}).get(STATE_KEY)
    if decided is not None:
        return decided
    codings = scope_codings(request.scope)
    return codings[0] if codings else "identity"
