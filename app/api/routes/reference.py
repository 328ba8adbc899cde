"""/v1/leaders, /v1/sources and /v1/vocab."""

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from app.api.deps import LeaderId, PageDep, SettingsDep, SourceId
from app.api.exports import ExportFormatDep, export_routes
from app.api.lists import document, export_response, list_response
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, QUERY_RESPONSES
from app.database import DatabaseDep
from app.schemas.reference import LeaderPage, LeaderPublic, SourceDetail, SourcePage, Vocabularies
from app.services import reference as service

router = APIRouter()


@router.get(
    "/leaders",
    operation_id="list_leaders",
    summary="List leaders",
    response_model=LeaderPage,
    responses=LIST_RESPONSES,
    tags=["leaders"],
)
async def list_leaders(db: DatabaseDep, page: PageDep) -> Response:
    """Everyone who acts or speaks in the events, with Wikidata QIDs and counts."""
    return await list_response(db, service.leader_listing(), page)


@export_routes(router, "/leaders", operation_id="export_leaders", what="leaders", tags=["leaders"])
async def export_leaders(db: DatabaseDep, format: ExportFormatDep) -> Response:
    """Every leader, streamed."""
    return await export_response(db, service.leader_listing(), fmt=format)


@router.get(
    "/leaders/{leader_id}",
    operation_id="get_leader",
    summary="Get one leader",
    response_model=LeaderPublic,
    responses=ITEM_RESPONSES,
    tags=["leaders"],
)
async def get_leader(leader_id: LeaderId, db: DatabaseDep) -> Response:
    """One leader by slug (`vladimir-putin`) or Wikidata QID (`Q7747`)."""
    return await document(db, service.leader_document, reference=leader_id)


@router.get(
    "/sources",
    operation_id="list_sources",
    summary="List source articles",
    response_model=SourcePage,
    responses=LIST_RESPONSES,
    tags=["sources"],
)
async def list_sources(db: DatabaseDep, page: PageDep) -> Response:
    """The source articles with their metadata and what was drawn from each."""
    return await list_response(db, service.source_listing(), page)


@export_routes(router, "/sources", operation_id="export_sources", what="sources", tags=["sources"])
async def export_sources(db: DatabaseDep, format: ExportFormatDep) -> Response:
    """Every source with its metadata, streamed."""
    return await export_response(db, service.source_listing(), fmt=format)


@router.get(
    "/sources/{source_id}",
    operation_id="get_source",
    summary="Get one source article",
    response_model=SourceDetail,
    responses=ITEM_RESPONSES,
    tags=["sources"],
)
async def get_source(source_id: SourceId, db: DatabaseDep, settings: SettingsDep) -> Response:
    """Metadata, counts and the verbatim text; every span in the API indexes this text. A
    deployment with SERVE_ARTICLE_TEXT=excerpts serves only the cited passages (`text_scope`)."""
    return await document(
        db,
        service.source_document,
        source_id=source_id,
        text_scope=settings.serve_article_text,
    )


@router.get(
    "/sources/{source_id}/text",
    operation_id="get_source_text",
    summary="Get a source article's text",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **ITEM_RESPONSES,
    },
    tags=["sources"],
)
async def get_source_text(
    source_id: SourceId, db: DatabaseDep, settings: SettingsDep
) -> PlainTextResponse:
    """The verbatim article as text/plain (UTF-8); with SERVE_ARTICLE_TEXT=excerpts, only the
    passages the records cite, every other character a space (newlines kept)."""
    text = await db.call(
        service.source_text, source_id=source_id, text_scope=settings.serve_article_text
    )
    return PlainTextResponse(text, headers={"X-Text-Scope": settings.serve_article_text})


@router.get(
    "/vocab",
    operation_id="get_vocabularies",
    summary="Controlled vocabularies",
    response_model=Vocabularies,
    responses=QUERY_RESPONSES,
    tags=["reference"],
)
async def get_vocabularies(db: DatabaseDep) -> Response:
    """Event kinds with their CAMEO and PLOVER codes, topics, attributions, qualifiers and
    every other enum, plus the countries."""
    return await document(db, service.vocabularies_document)
