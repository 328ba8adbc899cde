"""Query parameters shared by the routes, and the checks every request gets."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import PlainTextResponse, Response
from fastapi.routing import APIRoute
from pydantic import StringConstraints
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.export import Column, Format, PageFetcher, export_response, negotiate
from app.config import get_settings
from app.dates import partial_date_bounds
from app.errors import ParameterError, ProblemError, invalid_parameter
from app.schemas.common import PARTIAL_DATE_PATTERN
from app.services.pagination import decode_cursor, encode_cursor, query_fingerprint
from app.services.reference import current_dataset_version
from app.services.search import SearchQueryError, parse_query

_settings = get_settings()
T = TypeVar("T")
MAX_LIMIT = _settings.max_page_size
DEFAULT_LIMIT = min(_settings.default_page_size, MAX_LIMIT)
# What an id can look like (slugs, Wikidata QIDs); stated in the schema so clients and fuzzers
# know, and anything else is a 400 naming the parameter.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$"
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

IdRef = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
EventId = Annotated[
    str,
    Path(
        pattern=ID_PATTERN,
        description="Event id (a stable slug)",
        examples=["2025-01-21-putin-xi-video-call"],
    ),
]
QuoteId = Annotated[
    str,
    Path(pattern=ID_PATTERN, description="Quote id", examples=["q-2022-12-30-putin-la-aspettiamo"]),
]
LeaderId = Annotated[
    str,
    Path(
        pattern=ID_PATTERN,
        description="Person slug or Wikidata QID",
        examples=["vladimir-putin", "Q15031"],
    ),
]
SourceId = Annotated[
    str,
    Path(
        pattern=ID_PATTERN,
        description="Source id",
        examples=["anon-2021-12-15-putin-xi-videoconferenza"],
    ),
]
ObservationId = Annotated[
    str,
    Path(
        pattern=ID_PATTERN, description="Trade observation id", examples=["t-001-2024-total-244-8"]
    ),
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
PAGING_PARAMETERS = {"cursor", "limit", "include_total", "format"}


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


_ALLOWED_BY_ROUTE: dict[int, frozenset[str]] = {}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _reject_control_characters(request: Request) -> None:
    # No id, date or search term contains control characters, and PostgreSQL refuses NUL
    # outright: answer 400 here rather than let the database fail with a 503.
    values = [("query", k, v) for k, v in request.query_params.multi_items()]
    values += [("path", k, str(v)) for k, v in request.path_params.items()]
    for location, name, value in values:
        if _CONTROL_CHARACTERS.search(value):
            raise invalid_parameter(
                name, "contains a control character (such as NUL)", location=location
            )


async def reject_unknown_query_parameters(request: Request) -> None:
    """A misspelt filter must fail loudly rather than be silently ignored."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _ALLOWED_BY_ROUTE.get(id(route))
    if allowed is None:
        allowed = _ALLOWED_BY_ROUTE[id(route)] = _query_names(route.dependant)
    _reject_control_characters(request)
    unknown = sorted(set(request.query_params.keys()) - allowed)
    if unknown:
        listed = ", ".join(sorted(allowed)) or "none"
        raise ProblemError(
            400,
            f"Unknown query parameter(s): {', '.join(unknown)}. This endpoint accepts: {listed}.",
            slug="invalid-parameter",
            title="Invalid request parameter",
            errors=[
                ParameterError(
                    parameter=name,
                    location="query",
                    detail=f"is not a parameter of this endpoint; use one of {listed}",
                )
                for name in unknown
            ],
        )


def parse_date_param(value: str | None, parameter: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a YYYY / YYYY-MM / YYYY-MM-DD parameter, or a 400 naming it."""
    if value is None:
        return None
    try:
        return partial_date_bounds(value)
    except ValueError as exc:
        raise invalid_parameter(parameter, f"{exc} (got {value!r})") from exc


def date_range(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    """`from`/`to` as inclusive days: `from` starts its period, `to` ends its period."""
    low = parse_date_param(start, "from")
    high = parse_date_param(end, "to")
    if low and high and low[0] > high[1]:
        raise invalid_parameter("from", f"'{start}' is after to='{end}'; swap them")
    return (low[0] if low else None), (high[1] if high else None)


FromParam = Annotated[
    str | None,
    Query(
        alias="from",
        pattern=PARTIAL_DATE_PATTERN,
        description="Inclusive start: YYYY, YYYY-MM or YYYY-MM-DD (from the first day)",
        examples=["2021"],
    ),
]
ToParam = Annotated[
    str | None,
    Query(
        alias="to",
        pattern=PARTIAL_DATE_PATTERN,
        description="Inclusive end: YYYY, YYYY-MM or YYYY-MM-DD (to the last day)",
        examples=["2022-06"],
    ),
]
QParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=_settings.search_max_chars,
        pattern=TEXT_PATTERN,
        description=(
            "Full-text search, case- and accent-insensitive. Words must all match; "
            '"a phrase" matches words in sequence; `word*` matches a prefix; `OR` between '
            f"two terms matches either. Up to {_settings.search_max_words} words."
        ),
        examples=["multipolare"],
    ),
]
SortParam = Annotated[
    str,
    Query(
        pattern="^-?date$",
        description="`date` (oldest first) or `-date` (newest first); ties break on id",
    ),
]


def checked_q(q: str | None) -> str | None:
    """`q` if it parses as a search, else a 400 naming `q`."""
    if q is None:
        return None
    try:
        parse_query(q)
    except SearchQueryError as exc:
        raise invalid_parameter("q", str(exc)) from exc
    return q


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None
    include_total: bool
    format: Format | None


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1–{MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=_settings.cursor_max_chars,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="Opaque `next_cursor` from the previous page",
        ),
    ] = None,
    include_total: Annotated[
        bool, Query(description="Also count every matching item (costs an extra query)")
    ] = False,
    format: Annotated[
        Format | None,
        Query(
            description="json (default), or csv / ndjson to export every matching item "
            "(streamed; `limit` and `cursor` are ignored up to the export cap). Also "
            "negotiable with Accept: text/csv or application/x-ndjson.",
        ),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor, include_total=include_total, format=format)


PageDep = Annotated[PageParams, Depends(page_params)]


def fingerprint(request: Request) -> str:
    """The query's identity for cursors: the path and every parameter but the paging ones."""
    params = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key not in PAGING_PARAMETERS
    ]
    return query_fingerprint([("", request.url.path), *params])


def cursor_key(request: Request, page: PageParams) -> list[Any] | None:
    """The decoded sort key of `cursor`, or None for the first page."""
    if page.cursor is None:
        return None
    return decode_cursor(page.cursor, fingerprint=fingerprint(request))


def json_response(payload: Any, *, headers: dict[str, str] | None = None) -> Response:
    """Serialise with orjson, skipping a second validation pass over already-built dicts."""
    return Response(orjson.dumps(payload), media_type="application/json", headers=headers)


def page_response(
    request: Request,
    items: list[dict[str, Any]],
    next_key: list[Any] | None,
    *,
    total: int | None = None,
) -> Response:
    """A list page with its opaque `next_cursor` and an RFC 8288 `Link: rel="next"`."""
    next_cursor = None
    headers: dict[str, str] = {}
    if next_key is not None:
        next_cursor = encode_cursor(key=next_key, fingerprint=fingerprint(request))
        next_url = request.url.include_query_params(cursor=next_cursor)
        # Relative (RFC 8288 resolves it against the request URL): never the sent Host.
        headers["Link"] = f'<{next_url.path}?{next_url.query}>; rel="next"'
    body: dict[str, Any] = {"items": items, "next_cursor": next_cursor}
    if total is not None:
        body["total"] = total
    return json_response(body, headers=headers)


def list_response(
    request: Request,
    page: PageParams,
    *,
    session: Session,
    engine: Engine,
    fetch: PageFetcher,
    count: Callable[[], int],
    columns: list[Column],
    name: str,
) -> Response:
    """A JSON page, or (by `format` or Accept) a streamed CSV / NDJSON export of every item."""
    record_dataset_version(request, session)
    fmt = negotiate(request, page.format, allowed=("json", "csv", "ndjson"))
    if fmt != "json":
        # The export reads through a session of its own while streaming; hand this one's
        # connection back now, or every running export would hold two pooled connections.
        session.close()
        return export_response(
            request,
            engine=engine,
            fetch=fetch,
            columns=columns,
            fmt=fmt,
            name=name,
            dataset_version=getattr(request.state, "dataset_version", None),
            canonical=fingerprint(request),
        )
    items, next_key = fetch(session, cursor_key(request, page), page.limit)
    return page_response(request, items, next_key, total=count() if page.include_total else None)


async def run_point_read(session: Session, work: Callable[[], T]) -> T:
    """Run a primary-key read: on the event loop for SQLite, in a worker thread otherwise.

    A few index probes in an embedded database cost far less than the hop to a worker thread
    and back (docs/performance.md), and the statement time limit bounds them all the same. The
    session is closed before returning, so the next inline read finds its connection free.
    """
    if session.get_bind().dialect.name != "sqlite":
        return await run_in_threadpool(work)
    try:
        return work()
    finally:
        session.close()


async def run_list(
    *, session: Session, point_session: Session, index_walk: bool, work: Callable[[Session], T]
) -> T:
    """Run a list route: like a primary-key read when its page is a LIMIT-ed walk of one index
    (no filter that could make it scan), else in a worker thread on the pooled session."""
    if index_walk:
        return await run_point_read(point_session, lambda: work(point_session))
    return await run_in_threadpool(work, session)


def record_dataset_version(request: Request, session: Session) -> None:
    """Remember the dataset version; the caching middleware sends it as a header.

    Every /v1 route calls this first, in its own thread (never in the event loop, where a
    wait for a pooled connection would stall every request); as the session's first query it
    also starts the snapshot the rest of the request reads.
    """
    request.state.dataset_version = current_dataset_version(session)


async def check_accept(request: Request) -> None:
    """406 unless the client accepts what this route produces (lists negotiate themselves)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or "format" in _query_names(route.dependant):
        return
    if route.response_class is PlainTextResponse:
        accept = request.headers.get("accept", "")
        if not accept or any(m in accept for m in ("text/plain", "text/*", "*/*")):
            return
        raise ProblemError(406, "This endpoint only produces text/plain.")
    negotiate(request, None, allowed=("json",))
