"""Query parameters shared by the routes, and the checks every request gets."""

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi import Depends, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from pydantic import (
    AfterValidator,
    BeforeValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from app.api.negotiation import Format, negotiate
from app.api.responses import EXPORT_MEDIA
from app.config import Settings
from app.dates import partial_date_bounds
from app.errors import (
    ParameterError,
    ParameterLocation,
    ProblemError,
    invalid_parameter,
    worded,
)
from app.schemas.common import PARTIAL_DATE_PATTERN
from app.services.search import SearchQueryError, parse_query, query_pattern
from app.versioned_urls import VERSION_PARAMETER, VERSION_PATTERN

# What an id can look like (slugs, Wikidata QIDs); stated in the schema so clients and fuzzers
# know, and anything else is a 400 naming the parameter.
ID_PATTERN = worded(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$",
    "an id is 1 to 120 letters, digits, '.', '_' or '-', starting with a letter or digit",
)
TEXT_PATTERN = worded(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", "must not contain control characters (such as NUL)"
)
COUNTRY_PATTERN = worded(
    r"^[A-Za-z]{2}$", "use a two-letter ISO 3166-1 alpha-2 code such as CN (any case)"
)
CURSOR_PATTERN = worded(
    r"^[A-Za-z0-9_-]+$", "is not a cursor this API issued; use next_cursor unchanged"
)

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


def _ascii_upper(value: str) -> str:
    return value.upper()


def _ascii_lower(value: Any) -> Any:
    # ASCII only: str.lower() would also map a Kelvin sign to "k".
    return value.lower() if isinstance(value, str) and value.isascii() else value


# Codes and vocabulary values are matched in any case and answered in their canonical case, so
# `country=cn` and `country=CN` are one query (one cursor fingerprint, one ETag).
CountryCode = Annotated[
    str, StringConstraints(pattern=COUNTRY_PATTERN), AfterValidator(_ascii_upper)
]
AnyCase = BeforeValidator(_ascii_lower)
ANY_CASE = " Matched in any case; answers use the lowercase value."
# A filter may be repeated (leader, country, kind, topic), up to this many times.
MAX_REPEATS = 20


def _query_names(dependant: Dependant, *, single: bool = False) -> frozenset[str]:
    """The query parameters of a route (`single`: those that take one value only)."""
    names = {
        param.alias
        for param in dependant.query_params
        if not (single and _takes_many(param.field_info.annotation))
    }
    for sub in dependant.dependencies:
        names |= _query_names(sub, single=single)
    return frozenset(names)


def _takes_many(annotation: Any) -> bool:
    """Whether a parameter's type is a list (under Annotated and Optional)."""
    if get_origin(annotation) is Annotated:
        return _takes_many(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return any(_takes_many(arg) for arg in get_args(annotation))
    return get_origin(annotation) in (list, tuple, set, frozenset)


_ALLOWED_BY_ROUTE: dict[int, frozenset[str]] = {}
_SINGLE_BY_ROUTE: dict[int, frozenset[str]] = {}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _reject_control_characters(request: Request) -> None:
    # No id, date or search term contains control characters, and PostgreSQL refuses NUL
    # outright: answer 400 here rather than let the database fail with a 503.
    values: list[tuple[ParameterLocation, str, str]] = [
        ("query", k, v) for k, v in request.query_params.multi_items()
    ]
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
        allowed = _query_names(route.dependant)
        if request.url.path.startswith("/v1/"):
            # Declared by the /v1 router (dataset_version_parameter), whose dependencies the
            # route's own dependant does not list.
            allowed |= {VERSION_PARAMETER}
        _ALLOWED_BY_ROUTE[id(route)] = allowed
    _reject_control_characters(request)
    repeats = Counter(name for name, _ in request.query_params.multi_items())
    singles = _SINGLE_BY_ROUTE.get(id(route))
    if singles is None:
        singles = _SINGLE_BY_ROUTE[id(route)] = _query_names(route.dependant, single=True)
    for name, count in sorted(repeats.items()):
        if count > 1 and name in singles:
            raise invalid_parameter(
                name, f"is given {count} times; it takes one value (the others would be ignored)"
            )
        if count > MAX_REPEATS:
            raise invalid_parameter(
                name, f"is given {count} times; at most {MAX_REPEATS} values are accepted"
            )
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


def _q_query() -> Any:
    """`q`'s declaration, shared by the lists (where it is optional) and /v1/search."""
    return Query(
        min_length=1,
        pattern=TEXT_PATTERN,
        description=(
            "Full-text search, case- and accent-insensitive; a word matches its other forms "
            "(English and Italian stems: `sanzione` finds `sanzioni`). A word is a run of "
            'letters or digits; words must all match; "a phrase" matches words in sequence; '
            "`word*` matches a prefix (as written) of at least SEARCH_MIN_PREFIX_CHARS "
            "(default 3) characters, and `*` may follow nothing else; `OR` between two terms "
            "matches either; `a NOT b` matches a without b. 1 to "
            "SEARCH_MAX_WORDS (default 12) words, `OR` included, and at most maxLength "
            "characters: the pattern states all of it."
        ),
        examples=["multipolare"],
    )


QParam = Annotated[str | None, _q_query()]
RequiredQParam = Annotated[str, _q_query()]


SortParam = Annotated[
    Literal["date", "-date"],
    Query(
        description="`date` (oldest first) or `-date` (newest first); ties break on id",
    ),
]


@functools.cache
def _q_pattern(max_words: int, min_prefix: int) -> TypeAdapter[str]:
    pattern = query_pattern(max_words=max_words, min_prefix=min_prefix)
    return TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])


def checked_q(q: str | None, settings: Settings) -> str | None:
    """`q` if it parses as a search within the app's bounds and matches the pattern the schema
    states for it (app/main.py), else a 400 naming `q`."""
    if q is None:
        return None
    words, prefix = settings.search_max_words, settings.search_min_prefix_chars
    try:
        # Words are counted as the pattern counts them (runs of letters or digits): folding
        # can split one (`¾` is `3⁄4`), so parse_query does not count them again.
        parse_query(
            q,
            max_chars=settings.search_max_chars,
            min_prefix=prefix,
            max_prefixes=settings.search_max_prefixes,
        )
        _q_pattern(words, prefix).validate_python(q)
    except SearchQueryError as exc:
        raise invalid_parameter("q", str(exc)) from exc
    except ValidationError as exc:
        raise invalid_parameter(
            "q",
            f"needs 1 to {words} words of letters or digits, and a `*` only right after a word "
            f"of at least {prefix} (the pattern the API schema states)",
        ) from exc
    return q


def app_settings(request: Request) -> Settings:
    """The settings the app was created with (create_app(settings)): the one place read."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


# Before the exports had operations of their own (`/v1/events.csv`), `format=csv|ndjson` (or
# Accept) on a JSON list exported it; such URLs still work, but the parameter is left out of the
# OpenAPI document so that the list's 200 is typed as the page alone (docs/api.md).
LegacyFormatParam = Annotated[
    Format | None,
    Query(
        include_in_schema=False,
        description="Legacy: json, or csv / ndjson for the export (use the .csv / .ndjson "
        "operation instead)",
    ),
]


# Checked for its alphabet here; its length, signature and list by app/services/cursors.py.
CursorParam = Annotated[
    str | None,
    Query(pattern=CURSOR_PATTERN, description="Opaque `next_cursor` from the previous page"),
]


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None
    include_total: bool
    format: Format | None


async def page_params(
    request: Request,
    limit: Annotated[
        int | None,
        Query(ge=1, description="Items per page (at most the maximum stated here)"),
    ] = None,
    cursor: CursorParam = None,
    include_total: Annotated[
        bool, Query(description="Also count every matching item (costs an extra query)")
    ] = False,
    format: LegacyFormatParam = None,
) -> PageParams:
    settings = app_settings(request)
    # The bounds come from this app's settings (OpenAPI states them: app/main.py).
    if limit is None:
        limit = min(settings.default_page_size, settings.max_page_size)
    elif limit > settings.max_page_size:
        raise invalid_parameter(
            "limit", f"must be at most {settings.max_page_size} (got {limit}); follow next_cursor"
        )
    return PageParams(limit=limit, cursor=cursor, include_total=include_total, format=format)


PageDep = Annotated[PageParams, Depends(page_params)]


async def check_accept(request: Request) -> None:
    """406 unless the client accepts what this route produces (lists negotiate themselves)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or "format" in _query_names(route.dependant):
        return
    if route.response_class in EXPORT_MEDIA.values():  # an export: its path names its type
        return
    if route.response_class is PlainTextResponse:
        accept = request.headers.get("accept", "")
        if not accept or any(m in accept for m in ("text/plain", "text/*", "*/*")):
            return
        raise ProblemError(406, "This endpoint only produces text/plain.")
    negotiate(request, None, allowed=("json",))


VERSION_WORDS = worded(VERSION_PATTERN, "a dataset version: 16 lowercase hex digits")


async def dataset_version_parameter(
    version: Annotated[
        str | None,
        Query(
            pattern=VERSION_WORDS,
            description=(
                "The dataset version to read (as in `X-Dataset-Version`): the URL then names "
                "bytes that never change and is cached `immutable` for a year. Every answer's "
                "`Content-Location` is its URL with this parameter. A version that is not "
                "served now is a 410 `dataset-version-gone` naming the current one."
            ),
        ),
    ] = None,
) -> None:
    """Declares `version` on every route that reads the dataset; the read layer holds each
    read to it (app/database.py)."""
