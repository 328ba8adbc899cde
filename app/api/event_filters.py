"""The filters of /v1/events and /v1/timeline, parsed once for the API and the explorer."""

from typing import Annotated

from fastapi import Depends, Query, Request

from app.api.deps import (
    ANY_CASE,
    ID_PATTERN,
    AnyCase,
    CountryCode,
    FromParam,
    IdRef,
    QParam,
    ToParam,
    app_settings,
    checked_q,
    date_range,
    parse_date_param,
)
from app.schemas.common import PARTIAL_DATE_PATTERN
from app.services.events import EventFilters
from app.vocab import EventKind, EventStatus, Topic


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
) -> EventFilters:
    """Parse the filters; names are checked against the database by the service."""
    low, high = date_range(start, end)
    return EventFilters(
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


EventFiltersDep = Annotated[EventFilters, Depends(event_filters)]
