"""/v1/events and /v1/timeline."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import EventId, PageDep, SortParam, app_settings
from app.api.event_filters import EventFiltersDep
from app.api.exports import ExportFormatDep, export_routes
from app.api.lists import document, export_response, list_response
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, QUERY_RESPONSES
from app.database import DatabaseDep
from app.schemas.events import EventDetail, EventPage, Timeline
from app.services import events as service

router = APIRouter(tags=["events"])


@router.get(
    "/events",
    operation_id="list_events",
    summary="List events",
    response_model=EventPage,
    responses=LIST_RESPONSES,
)
async def list_events(
    db: DatabaseDep, filters: EventFiltersDep, page: PageDep, sort: SortParam = "date"
) -> Response:
    """Events matching every given filter, in date order, one page at a time.

    Dates respect each event's precision: an event known only to the month matches any day of
    that month. Follow `next_cursor` (or the `Link` header) for the next page;
    `/v1/events.csv` or `/v1/events.ndjson` exports every matching event.
    """
    listing = service.event_listing(filters=filters, descending=sort == "-date")
    return await list_response(db, listing, page)


@export_routes(router, "/events", operation_id="export_events", what="events")
async def export_events(
    db: DatabaseDep, filters: EventFiltersDep, format: ExportFormatDep, sort: SortParam = "date"
) -> Response:
    """Every event matching the filters of /v1/events (no paging), streamed."""
    listing = service.event_listing(filters=filters, descending=sort == "-date")
    return await export_response(db, listing, fmt=format)


@router.get(
    "/events/{event_id}",
    operation_id="get_event",
    summary="Get one event",
    response_model=EventDetail,
    responses=ITEM_RESPONSES,
)
async def get_event(event_id: EventId, db: DatabaseDep) -> Response:
    """One event with participants, topics, supporting excerpts (text and span), its quotes,
    and the trade figures stated with it."""
    return await document(db, service.event_detail, event_id=event_id)


@router.get(
    "/timeline",
    operation_id="get_timeline",
    summary="Count events per year or month",
    response_model=Timeline,
    responses=QUERY_RESPONSES,
)
async def get_timeline(
    db: DatabaseDep,
    filters: EventFiltersDep,
    granularity: Annotated[Literal["year", "month"], Query(description="Bucket size")] = "year",
    fill: Annotated[
        Literal["none", "zero"],
        Query(
            description="none: only periods with events; zero: every period from `from` (or "
            "`date`) to `to`, each open end at the data's first or last period, with 0 where "
            "no event starts (at most TIMELINE_MAX_BUCKETS periods, default 1200); by month, "
            "`coarser` lists every year of those months too"
        ),
    ] = "none",
) -> Response:
    """Event counts per period, with the same filters as /v1/events. An event is counted in the
    bucket of its first possible day; with granularity=month, year-precision events are counted
    per year under `coarser` instead of being forced into a month."""
    assert db.request is not None
    return await document(
        db,
        service.timeline_document,
        filters=filters,
        granularity=granularity,
        fill=fill,
        max_buckets=app_settings(db.request).timeline_max_buckets,
    )
