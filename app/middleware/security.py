"""Security headers on every response; the interactive docs get a CSP that lets them load."""

import re
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, ProblemError, problem_document

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The docs pages load only their own origin's assets (app/api/routes/docs.py). Styles may be
# inline because Swagger UI and ReDoc inject <style> elements; ReDoc's search runs in a blob:
# worker and Swagger UI's icons are data: URIs. No other host is allowed anywhere.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
API_PATHS = ("/v1", "/healthz", "/readyz", "/openapi.json", "/problems")
# The explorer's pages (app/explorer): their own stylesheet and script, nothing else.
EXPLORER_CSP = (
    "default-src 'self'; img-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def content_security_policy(path: str) -> str:
    if path.startswith(DOCS_PATHS):
        return DOCS_CSP
    if path.startswith(API_PATHS):
        return API_CSP
    return EXPLORER_CSP


# RFC 3986 host: a DNS-style name (underscores tolerated, as in container names) or an IPv4
# address, or a bracketed IPv6 literal; then an optional port. Anything else (a slash, a
# backslash, an @, spaces) is not a host name and never matches a pattern.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST = re.compile(
    rf"^(?:(?P<name>{_LABEL}(?:\.{_LABEL})*)\.?|\[(?P<ip6>[0-9a-f:.]+)\])"
    r"(?::(?P<port>[0-9]{1,5}))?$"
)


def host_name(host: str) -> str | None:
    """The lower-cased host name of a Host header (port dropped), or None if it is not valid."""
    match = _HOST.match(host.lower())
    if match is None or int(match.group("port") or 0) > 65535:
        return None
    return match.group("name") or f"[{match.group('ip6')}]"


def host_allowed(host: str, allowed: list[str]) -> bool:
    """Whether a Host header is a valid host name matching `allowed` (`*`, exact, `*.domain`),
    compared case-insensitively."""
    name = host_name(host)
    if name is None:
        return False
    for pattern in allowed:
        pattern = pattern.lower().rstrip(".")
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def _relative_location(headers: MutableHeaders, host: str) -> None:
    """Make a redirect to this server's own Host relative, so a forged Host never appears in it.

    Starlette builds the trailing-slash redirect from the request's Host header.
    """
    location = headers.get("location")
    if location is None:
        return
    parts = urlsplit(location)
    if parts.netloc.lower() == host.lower():
        path = "/" + parts.path.lstrip("/")  # never `//host`, which a client reads as a host
        headers["location"] = path + (f"?{parts.query}" if parts.query else "")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, trusted_hosts: list[str]) -> None:
        self.app = app
        self.trusted_hosts = trusted_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hosts = Headers(scope=scope).getlist("host")
        if len(hosts) == 1:
            allowed = host_allowed(hosts[0], self.trusted_hosts)
        else:  # RFC 9112 §3.2: exactly one Host, except that HTTP/1.0 may send none
            allowed = not hosts and scope.get("http_version") == "1.0" and "*" in self.trusted_hosts
        if not allowed:
            error = ProblemError(
                400,
                "The Host header is missing, repeated, not a valid host name, or not one this "
                "server answers for (see TRUSTED_HOSTS).",
                slug="invalid-parameter",
                title="Invalid Host header",
            )
            body = problem_document(error, scope["path"])
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"cache-control", b"no-store"),
                        (b"x-content-type-options", b"nosniff"),
                        (b"content-security-policy", API_CSP.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        csp = content_security_policy(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Content-Security-Policy"] = csp
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Resource-Policy"] = "cross-origin"
                headers["X-Frame-Options"] = "DENY"
                status = message["status"]
                if status >= 400:
                    # An error describes this moment, not the resource: no cache may keep it.
                    headers["Cache-Control"] = "no-store"
                elif 300 <= status < 400:
                    _relative_location(headers, hosts[0] if hosts else "")
            await send(message)

        await self.app(scope, receive, send_with_headers)
