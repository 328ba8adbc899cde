"""The explorer's pages: the dataset in a browser, each fact shown in its source passage.

Every page reads through the API's read layer (Database, the services and their Listings) in
one snapshot, where the services say its reads run, and parses its parameters as the API does.
"""

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from app.api.deps import (
    AnyCase,
    CountryCode,
    CursorParam,
    EventId,
    LeaderId,
    ObservationId,
    QParam,
    QuoteId,
    SortParam,
    SourceId,
    checked_q,
    reject_unknown_query_parameters,
)
from app.api.event_filters import EventFiltersDep
from app.database import Database, DatabaseDep, read_of, together
from app.errors import not_found
from app.explorer import charts
from app.explorer.passages import annotate
from app.explorer.web import HERE, ExplorerRoute, Pager, render, settings_of
from app.services import events, explorer, quotes, reference
from app.services.listing import Listing
from app.vocab import EVENT_CODING, EventKind, EventStatus, Topic, TradeFlow

router = APIRouter(
    route_class=ExplorerRoute,
    include_in_schema=False,
    dependencies=[Depends(reject_unknown_query_parameters)],
)

SEARCH_SIZE = 20
Country = Annotated[CountryCode, Query()]


STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
STATIC = {path.name: path.read_bytes() for path in (HERE / "static").iterdir()}


def page_size(request: Request) -> int:
    """Rows of a list page: the API's default page size (its settings)."""
    settings = settings_of(request)
    return min(settings.default_page_size, settings.max_page_size)


async def _reference_list(
    request: Request, db: Database, listing: Listing, cursor: str | None, template: str
) -> Response:
    """A page of leaders or sources: a walk of the primary key."""
    pager = Pager(request, listing, cursor, page_size(request))
    pager.show(await db.run(pager.read))
    return render(request, template, pager=pager)


@router.get("/")
async def home(
    request: Request,
    db: DatabaseDep,
    granularity: Annotated[Literal["year", "month"], Query()] = "year",
) -> Response:
    found = await db.call(explorer.home, granularity=granularity)
    chart = charts.timeline_chart(found["timeline"])
    return render(request, "home.html", granularity=granularity, chart=chart, **found)


@router.get("/search")
async def search(request: Request, db: DatabaseDep, q: QParam = None) -> Response:
    q = checked_q(q, settings_of(request))
    if q is None:
        return render(request, "search.html", q=None, events=None, quotes=None)
    found_events = Pager(
        request,
        events.event_listing(filters=events.EventFilters(q=q), descending=False),
        None,
        SEARCH_SIZE,
    )
    found_quotes = Pager(
        request,
        quotes.quote_listing(filters=quotes.QuoteFilters(q=q), descending=False),
        None,
        SEARCH_SIZE,
    )

    event_page, quote_page = await db.run(together(found_events.read, found_quotes.read))
    found_events.show(event_page)
    found_quotes.show(quote_page)
    return render(request, "search.html", q=q, events=found_events, quotes=found_quotes)


@router.get("/events")
async def event_list(
    request: Request,
    db: DatabaseDep,
    filters: EventFiltersDep,
    cursor: CursorParam = None,
    sort: SortParam = "date",
) -> Response:
    listing = events.event_listing(filters=filters, descending=sort == "-date")
    pager = Pager(request, listing, cursor, page_size(request))

    page, countries = await db.run(together(pager.read, read_of(explorer.countries)))
    pager.show(page)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return render(
        request,
        "events.html",
        pager=pager,
        params=params,
        chosen=request.query_params,
        countries=countries,
        kinds=[k.value for k in EventKind],
        topics=[t.value for t in Topic],
        statuses=[s.value for s in EventStatus],
        sort=sort,
    )


@router.get("/events/{event_id}")
async def event_page(request: Request, db: DatabaseDep, event_id: EventId) -> Response:
    found = await db.call(explorer.event_page, event_id=event_id)
    coding = EVENT_CODING[EventKind(found["event"]["kind"])]
    return render(request, "event.html", coding=coding, **found)


@router.get("/leaders")
async def leader_list(request: Request, db: DatabaseDep, cursor: CursorParam = None) -> Response:
    return await _reference_list(request, db, reference.leader_listing(), cursor, "leaders.html")


@router.get("/leaders/{leader_id}")
async def leader_page(
    request: Request,
    db: DatabaseDep,
    leader_id: LeaderId,
    q: QParam = None,
    cursor: CursorParam = None,
) -> Response:
    q = checked_q(q, settings_of(request))
    listing = quotes.quote_listing(
        # His own words, as /v1/leaders/{id}/quotes: reported speech is on its event's page.
        filters=quotes.QuoteFilters(speaker=leader_id, q=q, speech="own"),
        descending=False,
    )
    pager = Pager(request, listing, cursor, page_size(request))

    document, page = await db.run(
        together(read_of(reference.leader_document, reference=leader_id), pager.read)
    )
    pager.show(page)
    leader = orjson.loads(document)
    return render(request, "leader.html", leader=leader, pager=pager, q=q)


@router.get("/quotes/{quote_id}")
async def quote_page(request: Request, db: DatabaseDep, quote_id: QuoteId) -> Response:
    found = await db.call(explorer.quote_page, quote_id=quote_id)
    return render(request, "quote.html", **found)


@router.get("/trade")
async def trade_page(
    request: Request,
    db: DatabaseDep,
    country: Country = "CN",
    partner: Country = "RU",
    flow: Annotated[Annotated[TradeFlow, AnyCase], Query()] = TradeFlow.total,
) -> Response:
    found = await db.call(explorer.trade_page, country=country, partner=partner, flow=flow.value)
    panels = [
        # A target is drawn in the chart of its own period type: an undated (open) one is
        # listed below the charts, never drawn as a level across years it does not concern.
        (
            period_type,
            points,
            charts.series_chart(
                points, [t for t in found["targets"] if t["period_type"] == period_type]
            ),
        )
        for period_type, points in found["actual"].items()
        if points
    ]
    return render(
        request,
        "trade.html",
        panels=panels,
        targets=found["targets"],
        countries=found["countries"],
        country=country,
        partner=partner,
        flow=flow.value,
        flows=[f.value for f in TradeFlow],
    )


@router.get("/trade/observations/{observation_id}")
async def observation_page(
    request: Request, db: DatabaseDep, observation_id: ObservationId
) -> Response:
    found = await db.call(explorer.observation_page, observation_id=observation_id)
    return render(request, "observation.html", **found)


@router.get("/sources")
async def source_list(request: Request, db: DatabaseDep, cursor: CursorParam = None) -> Response:
    return await _reference_list(request, db, reference.source_listing(), cursor, "sources.html")


@router.get("/sources/{source_id}")
async def source_page(request: Request, db: DatabaseDep, source_id: SourceId) -> Response:
    found = await db.call(explorer.source_page, source_id=source_id)
    pieces = annotate(found["source"]["text"], found["annotations"])
    return render(
        request,
        "source.html",
        pieces=pieces,
        cap=explorer.ANNOTATIONS_PER_KIND,
        **found,
    )


@router.get("/static/{name}")
async def static_file(
    name: Annotated[str, Path(pattern=r"^[a-z0-9-]+\.(css|js|svg)$")],
) -> Response:
    """The explorer's stylesheet and icon, from memory (a few kilobytes)."""
    if name not in STATIC:
        raise not_found("static file", name, listing="/")
    return Response(STATIC[name], media_type=STATIC_TYPES[name[name.rindex(".") :]])
