"""RFC 9457 problem details: the one error shape of the whole API."""

import logging
from collections.abc import Sequence
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/problems/"
MAX_INSTANCE_CHARS = 1024
ALLOWED_METHODS = "GET, HEAD, OPTIONS"

logger = logging.getLogger("app.errors")
# Set by a response that ended a body on purpose without finishing it (an export cut short):
# the server then closes the connection without logging an error of its own (app/server.py).
RESPONSE_CUT_SHORT: ContextVar[bool] = ContextVar("response_cut_short", default=False)


ParameterLocation = Literal["query", "path", "header"]

# A parameter's pattern, in words: what a 400 says instead of a regular expression.
PATTERN_WORDS: dict[str, str] = {}


def worded(pattern: str, words: str) -> str:
    """`pattern`, registered with the words a 400 uses when a value does not match it."""
    PATTERN_WORDS[pattern] = words
    return pattern


class ParameterError(BaseModel):
    """One invalid request parameter."""

    parameter: str = Field(description="Name of the offending parameter", examples=["date"])
    location: ParameterLocation = Field(description="Where the parameter was sent")
    detail: str = Field(description="What is wrong and how to fix it")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="URI identifying the problem type; documented in docs/api.md")
    title: str = Field(description="Short, human-readable summary of the problem type")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="Explanation specific to this occurrence")
    instance: str = Field(description="The request path and query that caused the problem")
    # Absent when there is no parameter to name, never null.
    errors: list[ParameterError] | SkipJsonSchema[None] = Field(
        default=None, description="For invalid requests: one entry per offending parameter"
    )
    current_version: str | SkipJsonSchema[None] = Field(
        default=None,
        description="For `dataset-version-gone`: the dataset version served now",
    )
    first_page: str | SkipJsonSchema[None] = Field(
        default=None,
        description=(
            "For `dataset-version-gone`: the same list's first page (or the same document) at "
            "the current version; start again there"
        ),
    )


class ProblemError(Exception):
    """Raise anywhere to answer with a problem+json response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        errors: Sequence[ParameterError] | None = None,
        headers: dict[str, str] | None = None,
        members: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.members = members or {}  # extension members of the problem document
        self.status = status
        self.detail = detail
        self.slug = slug or _default_slug(status)
        self.title = title or HTTPStatus(status).phrase
        self.errors = list(errors) if errors else None
        self.headers = headers or {}


class MovedError(Exception):
    """The id in the path was changed to `new_id`: answer with a 301 to the same path under
    the new id (seeds/data/redirects.yaml)."""

    def __init__(self, kind: str, old_id: str, new_id: str) -> None:
        super().__init__(f"{kind} '{old_id}' is now '{new_id}'")
        self.old_id = old_id
        self.new_id = new_id


def moved_response(request: Request, exc: MovedError) -> Response:
    """A 301 to the request's path with its last segment, the old id, replaced by the new id
    (so /v1/events/{old} goes to /v1/events/{new} and /events/{old} to /events/{new})."""
    head, _, _ = request.url.path.rpartition("/")
    location = f"{head}/{quote(exc.new_id)}"
    if request.url.query:
        location += f"?{request.url.query}"
    return Response(status_code=301, headers={"Location": location})


def invalid_parameter(
    parameter: str, detail: str, *, location: ParameterLocation = "query"
) -> ProblemError:
    """A 400 problem naming one bad parameter."""
    return ProblemError(
        400,
        f"Invalid parameter '{parameter}': {detail}",
        slug="invalid-parameter",
        title="Invalid request parameter",
        errors=[ParameterError(parameter=parameter, location=location, detail=detail)],
    )


def not_found(kind: str, identifier: str, *, listing: str) -> ProblemError:
    """A 404 problem for an unknown id in the path."""
    return ProblemError(
        404,
        f"No {kind} has the id '{identifier}'. The valid ids are listed at {listing}.",
        slug="not-found",
        title=f"{kind.capitalize()} not found",
    )


PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "invalid-parameter": (
        400,
        "A query or path parameter, or a request header, is malformed, unknown, too large, out "
        "of range, or names something that does not exist. The `errors` list names each "
        "parameter or header and how to fix it.",
    ),
    "not-found": (404, "Nothing has this id or path. List endpoints show the valid ids."),
    "method-not-allowed": (405, "The API is read-only: use GET, HEAD or OPTIONS."),
    "not-acceptable": (406, "None of the media types in Accept can be produced."),
    "request-timeout": (
        408,
        "The request was not sent in full within REQUEST_READ_TIMEOUT_MS; the connection is "
        "closed. Send the whole request at once.",
    ),
    "request-header-too-large": (
        431,
        "The request line and headers are larger than REQUEST_HEAD_MAX_BYTES; the connection "
        "is closed. Send fewer or shorter headers.",
    ),
    "dataset-version-gone": (
        410,
        "The URL's `version`, or the cursor's, names a dataset version that is not served now "
        "(the data was reseeded). `current_version` names the one served now and `first_page` "
        "the same list's first page (or the same document) at it: start again there.",
    ),
    "rate-limited": (429, "Too many requests; wait for Retry-After seconds."),
    "unavailable": (
        503,
        "The database is unreachable, not migrated to the expected revision, or the query "
        "ran out of time. Retry later.",
    ),
    "work-budget-exceeded": (
        503,
        "The request needed more database work than REQUEST_WORK_BUDGET_MS allows. Narrow it: "
        "fewer or longer `word*` prefixes in `q`, a date range or another filter, or no "
        "`include_total`.",
    ),
    "too-many-connections": (
        503,
        "This server process has MAX_CONNECTIONS connections open, or this address has "
        "MAX_CONNECTIONS_PER_ADDRESS; retry after Retry-After seconds, reusing connections.",
    ),
    "invalid-request": (
        400,
        "The request is not valid HTTP/1.1; the connection is closed. Fix the client.",
    ),
    "uri-too-long": (
        414,
        "The request line is longer than REQUEST_TARGET_MAX_BYTES; the connection is closed. "
        "Send fewer or shorter query parameters.",
    ),
    "not-implemented": (
        501,
        "The request uses a transfer coding other than chunked; the connection is closed.",
    ),
    "internal-error": (500, "An unexpected failure; it has been logged."),
    "http-error": (400, "Another HTTP error."),
}


def _default_slug(status: int) -> str:
    for slug, (code, _) in PROBLEM_TYPES.items():
        if code == status:
            return slug
    return "internal-error" if status >= 500 else "http-error"


def _instance(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def problem_document(error: ProblemError, instance: str) -> bytes:
    """The JSON body of `error`; `instance` is cut short so a huge URL is never echoed whole."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + error.slug,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": instance[:MAX_INSTANCE_CHARS],
    }
    if error.errors:
        body["errors"] = [item.model_dump() for item in error.errors]
    body.update(error.members)
    return orjson.dumps(body)


def problem_response(request: Request, error: ProblemError) -> Response:
    """Render `error` as application/problem+json."""
    return Response(
        problem_document(error, _instance(request)),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers,
    )


def _validation_problem(exc: RequestValidationError) -> ProblemError:
    errors: list[ParameterError] = []
    for item in exc.errors():
        where = str(item["loc"][0]) if item.get("loc") else "query"
        location: ParameterLocation = where if where in ("path", "header") else "query"  # type: ignore[assignment]
        # loc is (location, name[, index]); a repeated parameter's index is not its name.
        name = str(item["loc"][1]) if len(item.get("loc", ())) > 1 else where
        message = str(item.get("msg", "invalid value"))
        ctx = item.get("ctx") or {}
        if item.get("type") == "missing":
            errors.append(
                ParameterError(
                    parameter=name,
                    location=location,
                    detail="is required: this operation's parameters in /docs say what it takes",
                )
            )
            continue
        if "expected" in ctx:
            message = f"must be one of {ctx['expected']}"
        elif "pattern" in ctx:
            pattern = str(ctx["pattern"])
            message = PATTERN_WORDS.get(pattern, f"does not match the expected format {pattern}")
        errors.append(
            ParameterError(
                parameter=name, location=location, detail=f"{message} (got {_got(item)})"
            )
        )
    names = ", ".join(sorted({error.parameter for error in errors}))
    summary = (
        f"Invalid parameter '{errors[0].parameter}': {errors[0].detail}"
        if len(errors) == 1
        else f"Invalid request parameter(s): {names}. See the 'errors' list"
    )
    return ProblemError(
        400,
        f"{summary}. See the API docs at /docs.",
        slug="invalid-parameter",
        title="Invalid request parameter",
        errors=errors,
    )


def _got(item: Any) -> str:
    value = item.get("input")
    return "nothing" if value is None else repr(value)[:80]


def install_error_handlers(app: FastAPI) -> None:
    """Make every error path of `app` answer with a problem+json body."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problem_response(request, _validation_problem(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405 and request.method == "OPTIONS":
            # The path exists (a missing one is a 404): say which methods it takes. CORS
            # preflights never get here; the CORS middleware answers them.
            return Response(status_code=204, headers={"Allow": ALLOWED_METHODS})
        path = request.url.path[:200]
        detail = {
            404: f"Nothing is served at {path}. The API lives under /v1; see /docs.",
            405: f"{request.method} is not allowed on {path}; this API is read-only.",
        }.get(exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ALLOWED_METHODS
        return problem_response(request, ProblemError(exc.status_code, detail, headers=headers))

    async def on_database(request: Request, exc: Exception) -> Response:
        logger.error(
            "database error on %s %s: %s: %s",
            request.method,
            request.url.path,
            exc.__class__.__name__,
            str(getattr(exc, "orig", exc))[:300],
        )
        return problem_response(
            request,
            ProblemError(
                503,
                "The database could not answer (unreachable, not migrated, or the query took "
                "too long). Retry later; operators: check /readyz.",
                headers={"Retry-After": "5"},
            ),
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            ProblemError(500, "The server failed to answer this request; it has been logged."),
        )

    async def on_moved(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MovedError)
        return moved_response(request, exc)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(MovedError, on_moved)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DBAPIError, on_database)
    app.add_exception_handler(PoolTimeoutError, on_database)
    app.add_exception_handler(Exception, on_unexpected)
