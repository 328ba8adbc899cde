"""The explorer's pages: the dataset in a browser, each fact shown in its source passage.

Every page reads through the API's read layer (Database, the services and their Listings) in
one snapshot, where the services say its reads run, and parses its parameters as the API does.
"""

from dataclasses import replace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

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
from app.api.quote_filters import QuoteFiltersDep, SpeakerParam
from app.database import Database, DatabaseDep, read_of, together
from app.errors import invalid_parameter, not_found
from app.explorer import charts
from app.explorer.passages import annotate
from app.explorer.web import HERE, ExplorerRoute, Pager, render, settings_of
from app.schemas.facets import EventFacet
from app.services import events, explorer, facets, quotes, reference, site_search
from app.services.listing import Listing
from app.vocab import (
    EVENT_CODING,
    Attribution,
    EventKind,
    EventStatus,
    Language,
    Topic,
    TradeFlow,
)

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
    """A page of leaders or sources (a walk of the primary key), with country names."""
    pager = Pager(request, listing, cursor, page_size(request))
    page, country_names = await db.run(together(pager.read, read_of(explorer.country_names)))
    pager.show(page)
    return render(request, template, pager=pager, country_names=country_names)


def _scope(request: Request) -> reference.TextScope:
    """What this deployment serves of the article texts (SERVE_ARTICLE_TEXT)."""
    return settings_of(request).serve_article_text


@router.get("/")
async def home(
    request: Request,
    db: DatabaseDep,
    granularity: Annotated[Literal["year", "month"], Query()] = "year",
) -> Response:
    found = await db.call(explorer.home, granularity=granularity)
    timeline_charts = charts.timeline_charts(found["timeline"])
    return render(request, "home.html", granularity=granularity, charts=timeline_charts, **found)


SEARCH_SECTIONS = {"event": "Events", "quote": "Quotes", "passage": "Article passages"}


def _marked(hit: dict[str, Any]) -> list[tuple[str, bool]]:
    """A hit's snippet in pieces, each marked or not (the template wraps marked ones)."""
    text, pieces, at = hit["snippet"], [], 0
    for mark in hit["highlights"]:
        pieces += [(text[at : mark["start"]], False), (text[mark["start"] : mark["end"]], True)]
        at = mark["end"]
    return [*pieces, (text[at:], False)]


def _href(hit: dict[str, Any]) -> str:
    if hit["kind"] == "passage":
        return f"/sources/{hit['source']['id']}"
    return f"/{hit['kind']}s/{hit['id']}"


@router.get("/search")
async def search(
    request: Request,
    db: DatabaseDep,
    q: QParam = None,
    kind: Annotated[Literal["event", "quote", "passage"] | None, Query()] = None,
    sort: Annotated[Literal["date", "-date", "relevance"], Query()] = "date",
    cursor: CursorParam = None,
) -> Response:
    """The hits of /v1/search, a section per kind (or one kind, paged by its cursor)."""
    settings = settings_of(request)
    q = checked_q(q, settings)
    if q is None:
        return render(request, "search.html", q=None, sections=[], sort=sort)
    if cursor is not None and kind is None:
        raise invalid_parameter("cursor", "pages one kind of hit: give the kind it came with")
    searches = []
    for each in (kind,) if kind else site_search.KINDS:
        query = site_search.SearchQuery(q=q, kinds=(each,), sort=sort, scope=_scope(request))
        tokens = site_search.search_cursors(query, settings)
        searches.append((each, tokens, tokens.after(cursor) if kind else None, query))
    found = await db.run(
        together(
            *(
                read_of(
                    site_search.search_page,
                    query=query,
                    after=after,
                    limit=SEARCH_SIZE,
                    window=settings.search_relevance_window,
                )
                for _each, _tokens, after, query in searches
            )
        )
    )
    sections = []
    for (each, tokens, _after, _query), (hits, next_key) in zip(searches, found, strict=True):
        more = None
        if next_key is not None:
            params = [("q", q), ("kind", each), ("sort", sort), ("cursor", tokens.token(next_key))]
            more = f"/search?{urlencode(params)}"
        shown = [{**hit, "href": _href(hit), "pieces": _marked(hit)} for hit in hits]
        sections.append({"kind": each, "title": SEARCH_SECTIONS[each], "hits": shown, "more": more})
    return render(request, "search.html", q=q, sections=sections, sort=sort)


# The events page's counts beside its filters: the dimensions it offers as checkboxes or
# links, a few values each (the API's /v1/events/facets gives the rest).
EXPLORER_FACETS = (EventFacet.kind, EventFacet.topic, EventFacet.country, EventFacet.year)
EXPLORER_FACET_SIZE = 8


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

    counted = read_of(
        facets.event_facets, filters=filters, dimensions=EXPLORER_FACETS, size=EXPLORER_FACET_SIZE
    )
    page, countries, facet_counts = await db.run(
        together(pager.read, read_of(explorer.countries), counted)
    )
    pager.show(page)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return render(
        request,
        "events.html",
        pager=pager,
        params=params,
        facets=facet_counts,
        chosen=request.query_params,
        countries=countries,
        country_names={c["code"]: c["name"] for c in countries},
        facet_names={"kind": "Kind", "topic": "Topic", "country": "Country", "year": "Year"},
        kinds=[k.value for k in EventKind],
        topics=[t.value for t in Topic],
        statuses=[s.value for s in EventStatus],
        sort=sort,
    )


@router.get("/events/{event_id}")
async def event_page(request: Request, db: DatabaseDep, event_id: EventId) -> Response:
    found = await db.call(explorer.event_page, event_id=event_id, text_scope=_scope(request))
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

    document, (page, names), country_names = await db.run(
        together(
            read_of(reference.leader_document, reference=leader_id),
            explorer.with_event_titles(pager.read),
            read_of(explorer.country_names),
        )
    )
    pager.show(page)
    return render(
        request,
        "leader.html",
        leader=orjson.loads(document),
        pager=pager,
        q=q,
        groups=_by_event(pager.items),
        names=names,
        country_names=country_names,
    )


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
    cursor: CursorParam = None,
    sort: SortParam = "date",
) -> Response:
    filters = replace(
        filters, leaders=tuple(dict.fromkeys(leader or [])), speech=filters.speech or "all"
    )
    listing = quotes.quote_listing(filters=filters, descending=sort == "-date")
    pager = Pager(request, listing, cursor, page_size(request))
    speakers = Pager(request, reference.leader_listing(), None, page_size(request))

    (page, names), speaker_page = await db.run(
        together(explorer.with_event_titles(pager.read), speakers.read)
    )
    pager.show(page)
    speakers.show(speaker_page)
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
        speakers=[s for s in speakers.items if s["quote_count"]],
        names=names,
    )


@router.get("/quotes/{quote_id}")
async def quote_page(request: Request, db: DatabaseDep, quote_id: QuoteId) -> Response:
    found = await db.call(explorer.quote_page, quote_id=quote_id, text_scope=_scope(request))
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
            charts.series_charts(
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
        country_names=found["country_names"],
        pairs=found["pairs"],
        country=country,
        partner=partner,
        flow=flow.value,
    )


@router.get("/trade/observations/{observation_id}")
async def observation_page(
    request: Request, db: DatabaseDep, observation_id: ObservationId
) -> Response:
    found = await db.call(
        explorer.observation_page, observation_id=observation_id, text_scope=_scope(request)
    )
    return render(request, "observation.html", **found)


@router.get("/sources")
async def source_list(request: Request, db: DatabaseDep, cursor: CursorParam = None) -> Response:
    return await _reference_list(request, db, reference.source_listing(), cursor, "sources.html")


@router.get("/sources/{source_id}")
async def source_page(request: Request, db: DatabaseDep, source_id: SourceId) -> Response:
    found = await db.call(explorer.source_page, source_id=source_id, text_scope=_scope(request))
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
