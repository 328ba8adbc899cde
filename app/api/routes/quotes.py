"""/v1/quotes and /v1/leaders/{id}/quotes."""

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.api.deps import (
    ID_PATTERN,
    FromParam,
    IdRef,
    LeaderId,
    PageDep,
    PageParams,
    QParam,
    QuoteId,
    SortParam,
    ToParam,
    checked_q,
    date_range,
    json_response,
    list_response,
    record_dataset_version,
    run_list,
    run_point_read,
)
from app.api.export import QUOTE_COLUMNS
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, SUBLIST_RESPONSES
from app.database import EngineDep, PointSessionDep, SessionDep
from app.errors import not_found
from app.schemas.quotes import QuotePage, QuotePublic
from app.services import quotes as service
from app.services.lookup import find_person_id, require_known, resolve_leader
from app.vocab import Attribution, Language, Topic

router = APIRouter(tags=["quotes"])


async def quote_filters(
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
        Language | None, Query(description="Language of the verbatim text", examples=["en"])
    ] = None,
    attribution: Annotated[
        Attribution | None,
        Query(description="How the words reached the source", examples=["agency"]),
    ] = None,
    topic: Annotated[
        list[Topic] | None, Query(description="Topic tag; repeat to match any of them")
    ] = None,
    q: QParam = None,
) -> service.QuoteFilters:
    """Parse the filters; the event id is checked in the route's thread."""
    low, high = date_range(start, end)
    return service.QuoteFilters(
        event=event,
        start=low,
        end=high,
        language=lang.value if lang else None,
        attribution=attribution.value if attribution else None,
        topics=tuple(tp.value for tp in dict.fromkeys(topic or [])),
        q=checked_q(q),
    )


QuoteFiltersDep = Annotated[service.QuoteFilters, Depends(quote_filters)]


def _page(
    request: Request,
    session: Session,
    engine: EngineDep,
    filters: service.QuoteFilters,
    page: PageDep,
    sort: str,
) -> Response:
    if filters.event is not None:
        require_known(
            session,
            values=[filters.event],
            column="event.id",
            parameter="event",
            listing="/v1/events",
        )
    return list_response(
        request,
        page,
        session=session,
        engine=engine,
        fetch=lambda s, after, limit: service.list_quotes(
            s, filters=filters, descending=sort == "-date", limit=limit, after=after
        ),
        count=lambda: service.count_quotes(session, filters=filters),
        columns=QUOTE_COLUMNS,
        name="quotes",
    )


@router.get(
    "/quotes",
    operation_id="list_quotes",
    summary="List quotes",
    response_model=QuotePage,
    responses=LIST_RESPONSES,
)
async def list_quotes(
    request: Request,
    session: SessionDep,
    point_session: PointSessionDep,
    engine: EngineDep,
    filters: QuoteFiltersDep,
    page: PageDep,
    leader: Annotated[
        list[IdRef] | None,
        Query(
            description="Speaker slug or Wikidata QID; repeat to match any of them",
            examples=["vladimir-putin"],
        ),
    ] = None,
    sort: SortParam = "date",
) -> Response:
    """Leader quotes, verbatim with English translations, each with its source span. Quotes
    whose date is unknown sort and filter by the date of their event."""
    references = tuple(dict.fromkeys(leader or []))

    def work(db: Session) -> Response:
        leaders = tuple(resolve_leader(db, reference=ref) for ref in references)
        return _page(request, db, engine, replace(filters, leaders=leaders), page, sort)

    return await run_list(
        session=session,
        point_session=point_session,
        index_walk=_walks_one_index(filters, page, leaders=len(references)),
        work=work,
    )


def _walks_one_index(filters: service.QuoteFilters, page: PageParams, *, leaders: int) -> bool:
    # No filter but at most one leader: the page is a walk of the (speaker, date) or date index.
    return filters == service.QuoteFilters() and leaders <= 1 and not page.include_total


@router.get(
    "/quotes/{quote_id}",
    operation_id="get_quote",
    summary="Get one quote",
    response_model=QuotePublic,
    responses=ITEM_RESPONSES,
)
async def get_quote(quote_id: QuoteId, request: Request, session: PointSessionDep) -> Response:
    """One quote with speaker, event, attribution and source span."""
    return await run_point_read(session, lambda: _quote_detail(request, session, quote_id))


def _quote_detail(request: Request, session: Session, quote_id: str) -> Response:
    record_dataset_version(request, session)
    item = service.get_quote(session, quote_id=quote_id)
    if item is None:
        raise not_found("quote", quote_id, listing="/v1/quotes")
    return json_response(item)


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
    request: Request,
    session: SessionDep,
    point_session: PointSessionDep,
    engine: EngineDep,
    filters: QuoteFiltersDep,
    page: PageDep,
    sort: SortParam = "date",
) -> Response:
    """What one leader (slug or Wikidata QID) said, with the same filters as /v1/quotes."""

    def work(db: Session) -> Response:
        person_id = find_person_id(db, reference=leader_id)
        if person_id is None:
            raise not_found("leader", leader_id, listing="/v1/leaders")
        return _page(request, db, engine, replace(filters, leaders=(person_id,)), page, sort)

    return await run_list(
        session=session,
        point_session=point_session,
        index_walk=_walks_one_index(filters, page, leaders=1),
        work=work,
    )
