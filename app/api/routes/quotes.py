"""/v1/quotes and /v1/leaders/{id}/quotes."""

from dataclasses import replace

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import (
    LeaderId,
    PageDep,
    QuoteId,
    SortParam,
)
from app.api.exports import ExportFormatDep, export_routes
from app.api.lists import document, export_response, list_response
from app.api.quote_filters import QuoteFiltersDep, SpeakerParam
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, SUBLIST_RESPONSES
from app.database import DatabaseDep
from app.schemas.quotes import QuotePage, QuotePublic
from app.services import quotes as service

router = APIRouter(tags=["quotes"])


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
