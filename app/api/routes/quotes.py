"""/v1/quotes and /v1/leaders/{id}/quotes."""

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.api.deps import (
    ANY_CASE,
    ID_PATTERN,
    AnyCase,
    FromParam,
    IdRef,
    LeaderId,
    PageDep,
    QParam,
    QuoteId,
    SortParam,
    ToParam,
    app_settings,
    checked_q,
    date_range,
)
from app.api.exports import ExportFormatDep, export_routes
from app.api.lists import document, export_response, list_response
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, SUBLIST_RESPONSES
from app.database import DatabaseDep
from app.schemas.quotes import QuotePage, QuotePublic
from app.services import quotes as service
from app.vocab import Attribution, Language, Topic

router = APIRouter(tags=["quotes"])


async def quote_filters(
    request: Request,
    event: Annotated[
        str | None,
        Query(
            pattern=ID_PATTERN,
            description="Only quotes from this event id",
            examples=["2025-01-21-putin-xi-video-call"],
        ),
    ] = None,
    start: FromParam = None,
    end: ToParam = None,
    lang: Annotated[
        Annotated[Language, AnyCase] | None,
        Query(description="Language of the verbatim text." + ANY_CASE, examples=["en"]),
    ] = None,
    attribution: Annotated[
        Annotated[Attribution, AnyCase] | None,
        Query(description="How the words reached the source." + ANY_CASE, examples=["agency"]),
    ] = None,
    topic: Annotated[
        list[Annotated[Topic, AnyCase]] | None,
        Query(description="Topic tag; repeat to match any of them." + ANY_CASE),
    ] = None,
    q: QParam = None,
    speech: Annotated[
        Literal["own", "reported", "all"] | None,
        Query(
            description="`own`: the speaker's own words; `reported`: passages describing what "
            "the speaker said (reported speech, attribution `indirect`); `all`: both. Default: "
            "`own` for a leader's quotes, `all` for /v1/quotes (each item says which it is in "
            "`reported_speech`)",
            examples=["all"],
        ),
    ] = None,
) -> service.QuoteFilters:
    """Parse the filters; the event id is checked against the database by the service."""
    low, high = date_range(start, end)
    return service.QuoteFilters(
        event=event,
        start=low,
        end=high,
        language=lang.value if lang else None,
        attribution=attribution.value if attribution else None,
        topics=tuple(tp.value for tp in dict.fromkeys(topic or [])),
        q=checked_q(q, app_settings(request)),
        speech=speech or "",
    )


QuoteFiltersDep = Annotated[service.QuoteFilters, Depends(quote_filters)]
SpeakerParam = Annotated[
    list[IdRef] | None,
    Query(
        description="Speaker slug or Wikidata QID; repeat to match any of them",
        examples=["vladimir-putin"],
    ),
]


@router.get(
    "/quotes",
    operation_id="list_quotes",
    summary="List quotes",
    response_model=QuotePage,
    responses=LIST_RESPONSES,
)
async def list_quotes(
    db: DatabaseDep,
    filters: QuoteFiltersDep,
    page: PageDep,
    leader: SpeakerParam = None,
    sort: SortParam = "date",
) -> Response:
    """Leader quotes, verbatim with English translations, each with its source span. Quotes
    whose date is unknown sort and filter by the date of their event."""
    filters = replace(
        filters, leaders=tuple(dict.fromkeys(leader or [])), speech=filters.speech or "all"
    )
    listing = service.quote_listing(filters=filters, descending=sort == "-date")
    return await list_response(db, listing, page)


@export_routes(router, "/quotes", operation_id="export_quotes", what="quotes")
async def export_quotes(
    db: DatabaseDep,
    filters: QuoteFiltersDep,
    format: ExportFormatDep,
    leader: SpeakerParam = None,
    sort: SortParam = "date",
) -> Response:
    """Every quote matching the filters of /v1/quotes (no paging), streamed."""
    filters = replace(
        filters, leaders=tuple(dict.fromkeys(leader or [])), speech=filters.speech or "all"
    )
    listing = service.quote_listing(filters=filters, descending=sort == "-date")
    return await export_response(db, listing, fmt=format)


@router.get(
    "/quotes/{quote_id}",
    operation_id="get_quote",
    summary="Get one quote",
    response_model=QuotePublic,
    responses=ITEM_RESPONSES,
)
async def get_quote(quote_id: QuoteId, db: DatabaseDep) -> Response:
    """One quote with speaker, event, attribution and source span."""
    return await document(db, service.quote_document, quote_id=quote_id)


@router.get(
    "/leaders/{leader_id}/quotes",
    operation_id="list_leader_quotes",
    summary="List one leader's quotes",
    response_model=QuotePage,
    responses=SUBLIST_RESPONSES,
    tags=["leaders"],
)
async def list_leader_quotes(
    leader_id: LeaderId,
    db: DatabaseDep,
    filters: QuoteFiltersDep,
    page: PageDep,
    sort: SortParam = "date",
) -> Response:
    """What one leader (slug or Wikidata QID) said, with the same filters as /v1/quotes. By
    default only the leader's own words: passages describing what he said (reported speech)
    are left out unless `speech=reported` or `speech=all`."""
    filters = replace(filters, speaker=leader_id, speech=filters.speech or "own")
    listing = service.quote_listing(filters=filters, descending=sort == "-date")
    return await list_response(db, listing, page)


@export_routes(
    router,
    "/leaders/{leader_id}/quotes",
    operation_id="export_leader_quotes",
    what="one leader's quotes",
    tags=["leaders"],
)
async def export_leader_quotes(
    leader_id: LeaderId,
    db: DatabaseDep,
    filters: QuoteFiltersDep,
    format: ExportFormatDep,
    sort: SortParam = "date",
) -> Response:
    """Every quote of one leader matching the filters (no paging), streamed."""
    filters = replace(filters, speaker=leader_id, speech=filters.speech or "own")
    listing = service.quote_listing(filters=filters, descending=sort == "-date")
    return await export_response(db, listing, fmt=format)
