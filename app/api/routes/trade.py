"""/v1/trade: series and observations."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import ID_PATTERN, FromParam, ObservationId, PageDep, ToParam, date_range
from app.api.lists import document, document_or_export, list_response
from app.api.negotiation import Format
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.database import DatabaseDep
from app.schemas.trade import TradeObservationPage, TradeObservationPublic, TradeSeries
from app.services import trade as service
from app.vocab import PeriodType, TradeFlow, TradeKind

router = APIRouter(prefix="/trade", tags=["trade"])

CountryCode = Annotated[str, Query(pattern="^[A-Z]{2}$")]


@router.get(
    "/series",
    operation_id="get_trade_series",
    summary="Get a bilateral trade series",
    response_model=TradeSeries,
    responses=LIST_RESPONSES,
)
async def get_series(
    db: DatabaseDep,
    start: FromParam = None,
    end: ToParam = None,
    country: Annotated[
        str, Query(pattern="^[A-Z]{2}$", description="Reporting side (alpha-2)", examples=["CN"])
    ] = "CN",
    partner: Annotated[
        str, Query(pattern="^[A-Z]{2}$", description="Partner (alpha-2)", examples=["RU"])
    ] = "RU",
    flow: Annotated[
        TradeFlow, Query(description="total turnover (order-insensitive), export or import")
    ] = TradeFlow.total,
    period_type: Annotated[
        PeriodType,
        Query(description="annual, ytd (January to a month), month, or open (undated targets)"),
    ] = PeriodType.annual,
    kind: Annotated[TradeKind, Query(description="actual figures or targets")] = TradeKind.actual,
    select: Annotated[
        Literal["preferred", "all"],
        Query(
            description="preferred: one point per period with a stated value (bounds such as "
            "'exceeded 100 billion' are left out); all: every observation, bounds included, each "
            "with `bound`, `preferred` and the reason it won or lost"
        ),
    ] = "preferred",
    format: Annotated[
        Format | None,
        Query(description="json (default), csv or ndjson: the points as rows"),
    ] = None,
) -> Response:
    """China–Russia (or any pair's) trade as a series, each point with its source excerpt."""
    low, high = date_range(start, end)
    query = service.SeriesQuery(
        country=country,
        partner=partner,
        flow=flow.value,
        period_type=period_type.value,
        kind=kind.value,
        start=low,
        end=high,
        preferred_only=select == "preferred",
    )
    return await document_or_export(
        db,
        format=format,
        listing=service.series_listing(query=query),
        function=service.series_document,
        query=query,
    )


@router.get(
    "/observations",
    operation_id="list_trade_observations",
    summary="List trade observations",
    response_model=TradeObservationPage,
    responses=LIST_RESPONSES,
)
async def list_observations(
    db: DatabaseDep,
    page: PageDep,
    source: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Only figures from this source id")
    ] = None,
    period: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}(-\d{2}){0,2}(/P\d{1,3}[YMD])?$",
            description="SDMX period as stored",
            examples=["2024"],
        ),
    ] = None,
    period_type: Annotated[PeriodType | None, Query(description="Period type")] = None,
    kind: Annotated[TradeKind | None, Query(description="actual or target")] = None,
    event: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Only figures stated with this event id")
    ] = None,
) -> Response:
    """Every trade figure exactly as each source states it, in id order."""
    filters = service.ObservationFilters(
        source=source,
        period=period,
        event=event,
        period_type=period_type.value if period_type else None,
        kind=kind.value if kind else None,
    )
    return await list_response(db, service.observation_listing(filters=filters), page)


@router.get(
    "/observations/{observation_id}",
    operation_id="get_trade_observation",
    summary="Get one trade observation",
    response_model=TradeObservationPublic,
    responses=ITEM_RESPONSES,
)
async def get_observation(observation_id: ObservationId, db: DatabaseDep) -> Response:
    """One figure with its qualifier, attribution, preference and source excerpt."""
    return await document(db, service.observation_document, observation_id=observation_id)
