"""/v1/events/facets and /v1/quotes/facets: counts per value beside a list's filters."""

from dataclasses import replace
from enum import StrEnum
from typing import Annotated, TypeVar

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import app_settings
from app.api.event_filters import EventFiltersDep
from app.api.quote_filters import QuoteFiltersDep, SpeakerParam
from app.api.responses import QUERY_RESPONSES
from app.config import Settings
from app.database import DatabaseDep
from app.errors import invalid_parameter
from app.schemas.facets import EventFacet, Facet, Facets, QuoteFacet
from app.services import facets as service

router = APIRouter()
FacetT = TypeVar("FacetT", bound=StrEnum)

FACET_SIZE_DESCRIPTION = (
    "Values listed per dimension, most frequent first (1 to FACET_MAX_VALUES: 100 unless "
    "set; default 10); "
    "`truncated` says when more have matches"
)
# The schema's ceiling; the server's own is FACET_MAX_VALUES, at most this.
FACET_SIZE_CEILING = 1000
FacetSize = Annotated[int, Query(ge=1, le=FACET_SIZE_CEILING, description=FACET_SIZE_DESCRIPTION)]


def _dimensions(
    asked: list[FacetT] | None, valid: type[FacetT], settings: Settings
) -> tuple[FacetT, ...]:
    """The dimensions asked for, each once, within FACET_MAX_DIMENSIONS (a 400 naming them)."""
    names = ", ".join(member.value for member in valid)
    sent = asked or []
    dimensions = tuple(dict.fromkeys(sent))
    if not dimensions:
        raise invalid_parameter("facet", f"name at least one dimension to count: one of {names}")
    most = settings.facet_max_dimensions
    # Counted as sent, repeats included: the schema's maxItems states the same bound.
    if len(sent) > most:
        raise invalid_parameter(
            "facet",
            f"{len(sent)} dimensions asked for, at most {most} are counted per request "
            f"(FACET_MAX_DIMENSIONS): ask for the others in a second request",
        )
    return dimensions


def _size(size: int, settings: Settings) -> int:
    if size > settings.facet_max_values:
        raise invalid_parameter(
            "facet_size", f"at most {settings.facet_max_values} (FACET_MAX_VALUES), got {size}"
        )
    return size


@router.get(
    "/events/facets",
    operation_id="get_event_facets",
    summary="Count events per value of some dimensions",
    response_model=Facets,
    responses=QUERY_RESPONSES,
    tags=["events"],
)
async def get_event_facets(
    db: DatabaseDep,
    filters: EventFiltersDep,
    facet: Annotated[
        list[EventFacet],
        Query(
            min_length=1,
            description="A dimension to count; repeat for several (at most "
            "FACET_MAX_DIMENSIONS, default 4). Each is counted under every filter but its own",
            examples=["kind"],
        ),
    ],
    facet_size: FacetSize = 10,
) -> Response:
    """Exact counts of the events matching the filters of /v1/events, per value of each
    dimension asked for, with labels. A dimension's own filter is left out of its counts
    (`kind=phone_call&facet=kind` still counts every kind), so a UI can offer the other
    values; `year` counts as /v1/timeline?granularity=year does."""
    assert db.request is not None
    settings = app_settings(db.request)
    counted = await db.call(
        service.event_facets,
        filters=filters,
        dimensions=_dimensions(facet, EventFacet, settings),
        size=_size(facet_size, settings),
    )
    return _response(counted)


@router.get(
    "/quotes/facets",
    operation_id="get_quote_facets",
    summary="Count quotes per value of some dimensions",
    response_model=Facets,
    responses=QUERY_RESPONSES,
    tags=["quotes"],
)
async def get_quote_facets(
    db: DatabaseDep,
    filters: QuoteFiltersDep,
    facet: Annotated[
        list[QuoteFacet],
        Query(
            min_length=1,
            description="A dimension to count (`leader` is the speaker); repeat for several "
            "(at most FACET_MAX_DIMENSIONS, default 4). Each is counted under every filter "
            "but its own",
            examples=["leader"],
        ),
    ],
    leader: SpeakerParam = None,
    facet_size: FacetSize = 10,
) -> Response:
    """Exact counts of the quotes matching the filters of /v1/quotes, per value of each
    dimension asked for, with labels; a dimension's own filter is left out of its counts."""
    assert db.request is not None
    settings = app_settings(db.request)
    filters = replace(
        filters, leaders=tuple(dict.fromkeys(leader or [])), speech=filters.speech or "all"
    )
    counted = await db.call(
        service.quote_facets,
        filters=filters,
        dimensions=_dimensions(facet, QuoteFacet, settings),
        size=_size(facet_size, settings),
    )
    return _response(counted)


def _response(counted: list[Facet]) -> Response:
    body = Facets(facets=counted).model_dump(mode="json")
    return Response(orjson.dumps(body), media_type="application/json")
