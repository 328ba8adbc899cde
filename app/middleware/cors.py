"""Starlette's CORS middleware, with its refused preflights answered as problem documents,
and `Vary: Origin` on every answer when the allowed origins are a list."""

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, ProblemError, problem_document


class ProblemCORSMiddleware(CORSMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.allow_all_origins:
            await super().__call__(scope, receive, send)
            return

        # Starlette says `Vary: Origin` only to a request that sent an Origin. A shared cache
        # would then keep the answer to a request without one (no Access-Control-Allow-Origin)
        # and hand it to a browser that sent one: every answer varies on Origin.
        async def send_varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                listed = {token.strip().lower() for token in headers.get("vary", "").split(",")}
                if "origin" not in listed:
                    headers.add_vary_header("Origin")
            await send(message)

        await super().__call__(scope, receive, send_varying)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        error = ProblemError(
            400,
            f"This CORS preflight asks for what the API does not allow ({refused}): it answers "
            "GET, HEAD and OPTIONS, with the headers Accept, If-None-Match and X-Request-ID, "
            "to the origins in CORS_ORIGINS.",
            slug="invalid-parameter",
            title="CORS preflight refused",
        )
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        headers.pop("content-type", None)
        return Response(
            problem_document(error, "/"), 400, headers=headers, media_type=PROBLEM_MEDIA_TYPE
        )
