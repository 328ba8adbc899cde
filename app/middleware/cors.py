"""Starlette's CORS middleware, with its refused preflights answered as problem documents."""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.errors import PROBLEM_MEDIA_TYPE, ProblemError, problem_document


class ProblemCORSMiddleware(CORSMiddleware):
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
