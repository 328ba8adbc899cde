"""The explorer's pages: the dataset in a browser, each fact shown in its source passage.

Every page reads through the API's read layer (Database, Snapshot, the services and their
Listings) in one snapshot, and parses its parameters as the API does.
"""

from dataclasses import replace
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from app.api.deps import (
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
from app.api.routes.events import EventFiltersDep
from app.api.routes.quotes import QuoteFiltersDep, SpeakerParam
from app.database import Database, DatabaseDep, Snapshot
from app.errors import not_found
from app.explorer import charts
from app.explorer.passages import annotate
from app.explorer.web import HERE, ExplorerRoute, Pager, read, render, settings_of
from app.services import events, explorer, quotes, reference, trade
from app.services.listing import Listing
from app.vocab import (
    EVENT_CODING,
    Attribution,
    EventKind,
    EventStatus,
    Language,
    PeriodType,
    Topic,
    TradeFlow,
)

router = APIRouter(
    route_class=ExplorerRoute,
    include_in_schema=False,
    dependencies=[Depends(reject_unknown_query_parameters)],
)

SEARCH_SIZE = 20
Cursor = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]+$", max_length=2000)]
Country = Annotated[str, Query(pattern="^[A-Z]{2}$")]


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
    await read(db, pager.fetch, inline=True)
    return render(request, template, pager=pager)


def _scope(request: Request) -> reference.TextScope:
    """What this deployment serves of the article texts (SERVE_ARTICLE_TEXT)."""
    return settings_of(request).serve_article_text


def _country_names(snapshot: Snapshot) -> dict[str, str]:
    return {c["code"]: c["name"] for c in reference.vocabularies(snapshot)["countries"]}


def _loads(document: bytes) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(document)
    return value


@router.get("/")
async def home(
    request: Request,
    db: DatabaseDep,
    granularity: Annotated[Literal["year", "month"], Query()] = "year",
) -> Response:
    def work(snapshot: Snapshot) -> dict[str, Any]:
        timeline = events.timeline(snapshot, filters=events.EventFilters(), granularity=granularity)
        sources, _ = reference.source_listing().fetch(snapshot, None, 10)
        return {
            "overview": explorer.overview(snapshot),
            "timeline": timeline,
            "charts": charts.timeline_charts(timeline),
            "sources": [orjson.loads(doc) for doc in sources],
        }

    return render(request, "home.html", granularity=granularity, **await read(db, work))


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

    def work(snapshot: Snapshot) -> None:
        found_events.fetch(snapshot)
        found_quotes.fetch(snapshot)

    await read(db, work)
    return render(request, "search.html", q=q, events=found_events, quotes=found_quotes)


@router.get("/events")
async def event_list(
    request: Request,
    db: DatabaseDep,
    filters: EventFiltersDep,
    cursor: Cursor = None,
    sort: SortParam = "date",
) -> Response:
    listing = events.event_listing(filters=filters, descending=sort == "-date")
    pager = Pager(request, listing, cursor, page_size(request))

    def work(snapshot: Snapshot) -> dict[str, Any]:
        pager.fetch(snapshot)
        return reference.vocabularies(snapshot)

    vocab = await read(db, work, inline=listing.inline)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return render(
        request,
        "events.html",
        pager=pager,
        params=params,
        chosen=request.query_params,
        countries=vocab["countries"],
        country_names={c["code"]: c["name"] for c in vocab["countries"]},
        kinds=[k.value for k in EventKind],
        topics=[t.value for t in Topic],
        statuses=[s.value for s in EventStatus],
        sort=sort,
    )


@router.get("/events/{event_id}")
async def event_page(request: Request, db: DatabaseDep, event_id: EventId) -> Response:
    def work(snapshot: Snapshot) -> dict[str, Any]:
        event = _loads(events.event_detail(snapshot, event_id=event_id))
        ids = {s["id"] for s in event["sources"]} | {q["source"]["id"] for q in event["quotes"]}
        ids |= {s["id"] for o in event["trade_observations"] for s in o["sources"]}
        texts = explorer.source_texts(
            snapshot, source_ids=tuple(sorted(ids)), text_scope=_scope(request)
        )
        return {"event": event, "texts": texts, "country_names": _country_names(snapshot)}

    found = await read(db, work, inline=True)
    coding = EVENT_CODING[EventKind(found["event"]["kind"])]
    return render(request, "event.html", coding=coding, **found)


@router.get("/leaders")
async def leader_list(request: Request, db: DatabaseDep, cursor: Cursor = None) -> Response:
    pager = Pager(request, reference.leader_listing(), cursor, page_size(request))

    def work(snapshot: Snapshot) -> dict[str, str]:
        pager.fetch(snapshot)
        return _country_names(snapshot)

    names = await read(db, work, inline=True)
    return render(request, "leaders.html", pager=pager, country_names=names)


@router.get("/leaders/{leader_id}")
async def leader_page(
    request: Request,
    db: DatabaseDep,
    leader_id: LeaderId,
    q: QParam = None,
    cursor: Cursor = None,
) -> Response:
    q = checked_q(q, settings_of(request))
    listing = quotes.quote_listing(
        filters=quotes.QuoteFilters(speaker=leader_id, q=q), descending=False
    )
    pager = Pager(request, listing, cursor, page_size(request))

    def work(snapshot: Snapshot) -> dict[str, Any]:
        leader = _loads(reference.leader_document(snapshot, reference=leader_id))
        pager.fetch(snapshot)
        event_ids = tuple(q["event_id"] for q in pager.items if q["event_id"])
        return {
            "leader": leader,
            "names": explorer.names(snapshot, event_ids=event_ids),
            "country_names": _country_names(snapshot),
        }

    found = await read(db, work, inline=listing.inline)
    return render(request, "leader.html", pager=pager, q=q, groups=_by_event(pager.items), **found)


def _by_event(items: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Quotes in a row from the same event, as one group (quotes come in date order, so an
    event's quotes are together)."""
    groups: list[tuple[str | None, list[dict[str, Any]]]] = []
    for item in items:
        if groups and groups[-1][0] == item["event_id"]:
            groups[-1][1].append(item)
        else:
            groups.append((item["event_id"], [item]))
    return groups


@router.get("/quotes")
async def quote_list(
    request: Request,
    db: DatabaseDep,
    filters: QuoteFiltersDep,
    leader: SpeakerParam = None,
    cursor: Cursor = None,
    sort: SortParam = "date",
) -> Response:
    filters = replace(filters, leaders=tuple(dict.fromkeys(leader or [])))
    listing = quotes.quote_listing(filters=filters, descending=sort == "-date")
    pager = Pager(request, listing, cursor, page_size(request))

    def work(snapshot: Snapshot) -> dict[str, Any]:
        pager.fetch(snapshot)
        speakers, _ = reference.leader_listing().fetch(snapshot, None, page_size(request))
        event_ids = tuple(q["event_id"] for q in pager.items if q["event_id"])
        return {
            "speakers": [s for s in map(orjson.loads, speakers) if s["quote_count"]],
            "names": explorer.names(snapshot, event_ids=event_ids),
        }

    found = await read(db, work, inline=listing.inline)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return render(
        request,
        "quotes.html",
        pager=pager,
        params=params,
        chosen=request.query_params,
        topics=[t.value for t in Topic],
        languages=[lang.value for lang in Language],
        attributions=[a.value for a in Attribution],
        sort=sort,
        **found,
    )


@router.get("/quotes/{quote_id}")
async def quote_page(request: Request, db: DatabaseDep, quote_id: QuoteId) -> Response:
    def work(snapshot: Snapshot) -> dict[str, Any]:
        quote = _loads(quotes.quote_document(snapshot, quote_id=quote_id))
        texts = explorer.source_texts(
            snapshot, source_ids=(quote["source"]["id"],), text_scope=_scope(request)
        )
        event_ids = (quote["event_id"],) if quote["event_id"] else ()
        names = explorer.names(snapshot, event_ids=event_ids)
        return {"quote": quote, "texts": texts, "names": names}

    return render(request, "quote.html", **await read(db, work, inline=True))


@router.get("/trade")
async def trade_page(
    request: Request,
    db: DatabaseDep,
    country: Country = "CN",
    partner: Country = "RU",
    flow: Annotated[TradeFlow, Query()] = TradeFlow.total,
) -> Response:
    def series(snapshot: Snapshot, period_type: str, kind: str) -> list[dict[str, Any]]:
        query = trade.SeriesQuery(
            country=country,
            partner=partner,
            flow=flow.value,
            period_type=period_type,
            kind=kind,
            preferred_only=False,
        )
        points: list[dict[str, Any]] = _loads(trade.series_document(snapshot, query=query))[
            "points"
        ]
        return points

    def work(snapshot: Snapshot) -> dict[str, Any]:
        actual = {p.value: series(snapshot, p.value, "actual") for p in PeriodType}
        targets = {p.value: series(snapshot, p.value, "target") for p in PeriodType}
        return {
            "actual": actual,
            "targets": targets,
            "countries": reference.vocabularies(snapshot)["countries"],
            "pairs": explorer.trade_pairs(snapshot),
        }

    found = await read(db, work, inline=True)
    # A target is drawn on the chart of its own period type; one with no date is a note.
    panels = [
        (period_type, points, charts.series_charts(points, found["targets"][period_type]))
        for period_type, points in found["actual"].items()
        if points
    ]
    return render(
        request,
        "trade.html",
        panels=panels,
        targets=[t for period_targets in found["targets"].values() for t in period_targets],
        country_names={c["code"]: c["name"] for c in found["countries"]},
        pairs=found["pairs"],
        country=country,
        partner=partner,
        flow=flow.value,
    )


@router.get("/trade/observations/{observation_id}")
async def observation_page(
    request: Request, db: DatabaseDep, observation_id: ObservationId
) -> Response:
    def work(snapshot: Snapshot) -> dict[str, Any]:
        observation = _loads(trade.observation_document(snapshot, observation_id=observation_id))
        ids = tuple(sorted({s["id"] for s in observation["sources"]}))
        event_ids = (observation["event_id"],) if observation["event_id"] else ()
        person_ids = (observation["stated_by"],) if observation["stated_by"] else ()
        return {
            "observation": observation,
            "texts": explorer.source_texts(snapshot, source_ids=ids, text_scope=_scope(request)),
            "names": explorer.names(snapshot, event_ids=event_ids, person_ids=person_ids),
            "country_names": _country_names(snapshot),
        }

    return render(request, "observation.html", **await read(db, work, inline=True))


@router.get("/sources")
async def source_list(request: Request, db: DatabaseDep, cursor: Cursor = None) -> Response:
    return await _reference_list(request, db, reference.source_listing(), cursor, "sources.html")


@router.get("/sources/{source_id}")
async def source_page(request: Request, db: DatabaseDep, source_id: SourceId) -> Response:
    def work(snapshot: Snapshot) -> dict[str, Any]:
        source = _loads(
            reference.source_document(snapshot, source_id=source_id, text_scope=_scope(request))
        )
        annotations = explorer.source_annotations(snapshot, source_id=source_id)
        return {"source": source, "annotations": annotations}

    found = await read(db, work, inline=True)
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
