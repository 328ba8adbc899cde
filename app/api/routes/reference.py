"""/v1/leaders, /v1/sources and /v1/vocab."""

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from app.api.deps import (
    LeaderId,
    PageDep,
    SourceId,
    json_response,
    list_response,
    record_dataset_version,
)
from app.api.export import LEADER_COLUMNS, SOURCE_COLUMNS
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, QUERY_RESPONSES
from app.database import EngineDep, SessionDep
from app.errors import not_found
from app.schemas.reference import LeaderPage, LeaderPublic, SourceDetail, SourcePage, Vocabularies
from app.services import reference as service
from app.services.lookup import find_person_id

router = APIRouter()


@router.get(
    "/leaders",
    operation_id="list_leaders",
    summary="List leaders",
    response_model=LeaderPage,
    responses=LIST_RESPONSES,
    tags=["leaders"],
)
def list_leaders(
    request: Request, session: SessionDep, engine: EngineDep, page: PageDep
) -> Response:
    """Everyone who acts or speaks in the events, with Wikidata QIDs and counts."""
    return list_response(
        request,
        page,
        session=session,
        engine=engine,
        fetch=lambda s, after, limit: service.list_leaders(s, limit=limit, after=after),
        count=lambda: service.count_leaders(session),
        columns=LEADER_COLUMNS,
        name="leaders",
    )


@router.get(
    "/leaders/{leader_id}",
    operation_id="get_leader",
    summary="Get one leader",
    response_model=LeaderPublic,
    responses=ITEM_RESPONSES,
    tags=["leaders"],
)
def get_leader(leader_id: LeaderId, request: Request, session: SessionDep) -> Response:
    """One leader by slug (`vladimir-putin`) or Wikidata QID (`Q7747`)."""
    record_dataset_version(request, session)
    person_id = find_person_id(session, reference=leader_id)
    item = service.get_leader(session, person_id=person_id) if person_id else None
    if item is None:
        raise not_found("leader", leader_id, listing="/v1/leaders")
    return json_response(item)


@router.get(
    "/sources",
    operation_id="list_sources",
    summary="List source articles",
    response_model=SourcePage,
    responses=LIST_RESPONSES,
    tags=["sources"],
)
def list_sources(
    request: Request, session: SessionDep, engine: EngineDep, page: PageDep
) -> Response:
    """The source articles with their metadata and what was drawn from each."""
    return list_response(
        request,
        page,
        session=session,
        engine=engine,
        fetch=lambda s, after, limit: service.list_sources(s, limit=limit, after=after),
        count=lambda: service.count_sources(session),
        columns=SOURCE_COLUMNS,
        name="sources",
    )


@router.get(
    "/sources/{source_id}",
    operation_id="get_source",
    summary="Get one source article",
    response_model=SourceDetail,
    responses=ITEM_RESPONSES,
    tags=["sources"],
)
def get_source(source_id: SourceId, request: Request, session: SessionDep) -> Response:
    """Metadata, counts and the full verbatim text; every span in the API indexes this text."""
    record_dataset_version(request, session)
    item = service.get_source(session, source_id=source_id)
    if item is None:
        raise not_found("source", source_id, listing="/v1/sources")
    return json_response(item)


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
def get_source_text(
    source_id: SourceId, request: Request, session: SessionDep
) -> PlainTextResponse:
    """The verbatim article as text/plain (UTF-8)."""
    record_dataset_version(request, session)
    text = service.source_text(session, source_id=source_id)
    if text is None:
        raise not_found("source", source_id, listing="/v1/sources")
    return PlainTextResponse(text)


@router.get(
    "/vocab",
    operation_id="get_vocabularies",
    summary="Controlled vocabularies",
    response_model=Vocabularies,
    responses=QUERY_RESPONSES,
    tags=["reference"],
)
def get_vocabularies(request: Request, session: SessionDep) -> Response:
    """Event kinds with their CAMEO and PLOVER codes, topics, attributions, qualifiers and
    every other enum, plus the countries."""
    record_dataset_version(request, session)
    return json_response(service.vocabularies(session))
