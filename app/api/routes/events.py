"""/v1/events and /v1/timeline."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.api.deps import (
    ANY_CASE,
    ID_PATTERN,
    AnyCase,
    CountryCode,
    EventId,
    FromParam,
    IdRef,
    PageDep,
    QParam,
    SortParam,
    ToParam,
    app_settings,
    checked_q,
    date_range,
    parse_date_param,
)
from app.api.exports import ExportFormatDep, export_routes
from app.api.lists import document, export_response, list_response
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, QUERY_RESPONSES
from app.database import DatabaseDep
from app.schemas.common import PARTIAL_DATE_PATTERN
from app.schemas.events import EventDetail, EventPage, Timeline
from app.services import events as service
from app.vocab import EventKind, EventStatus, Topic

router = APIRouter(tags=["events"])


async def event_filters(
    request: Request,
    date: Annotated[
        str | None,
        Query(
            pattern=PARTIAL_DATE_PATTERN,
            description=(
                "YYYY, YYYY-MM or YYYY-MM-DD: events whose possible dates overlap that period "
                "(a month-precision 2021-07 event matches date=2021-07-06 and date=2021)"
            ),
            examples=["2022-06-15"],
        ),
    ] = None,
    start: FromParam = None,
    end: ToParam = None,
    leader: Annotated[
        list[IdRef] | None,
        Query(
            description="Person slug or Wikidata QID; repeat for events all of them took part in",
            examples=["vladimir-putin"],
        ),
    ] = None,
    country: Annotated[
        list[CountryCode] | None,
        Query(
            description="ISO alpha-2 country involved, in any case (`cn` reads as `CN`); "
            "repeat for events involving all of them",
            examples=["CN"],
        ),
    ] = None,
    kind: Annotated[
        list[Annotated[EventKind, AnyCase]] | None,
        Query(
            description="Event kind; repeat to match any of them." + ANY_CASE,
            examples=["video_call"],
        ),
    ] = None,
    topic: Annotated[
        list[Annotated[Topic, AnyCase]] | None,
        Query(
            description="Topic tag; repeat for events with all of them." + ANY_CASE,
            examples=["taiwan"],
        ),
    ] = None,
    status: Annotated[
        Annotated[EventStatus, AnyCase] | None,
        Query(description="occurred or planned." + ANY_CASE, examples=["planned"]),
    ] = None,
    source: Annotated[
        str | None,
        Query(
            pattern=ID_PATTERN,
            description="Only events supported by this source id",
            examples=["cnaworld-2025-putin-xi-video-call"],
        ),
    ] = None,
    q: QParam = None,
) -> service.EventFilters:
    """Parse the filters; names are checked against the database by the service."""
    low, high = date_range(start, end)
    return service.EventFilters(
        period=parse_date_param(date, "date"),
        start=low,
        end=high,
        leaders=tuple(dict.fromkeys(leader or [])),
        countries=tuple(dict.fromkeys(country or [])),
        kinds=tuple(k.value for k in dict.fromkeys(kind or [])),
        topics=tuple(tp.value for tp in dict.fromkeys(topic or [])),
        status=status.value if status else None,
        source=source,
        q=checked_q(q, app_settings(request)),
    )


EventFiltersDep = Annotated[service.EventFilters, Depends(event_filters)]


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
            "no event starts (at most TIMELINE_MAX_BUCKETS periods, default 1200)"
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
