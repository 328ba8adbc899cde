"""/v1/trade: series and observations."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.api.deps import (
    ANY_CASE,
    ID_PATTERN,
    AnyCase,
    CountryCode,
    FromParam,
    LegacyFormatParam,
    ObservationId,
    PageDep,
    ToParam,
    date_range,
)
from app.api.exports import ExportFormatDep, export_routes
from app.api.lists import document, document_or_export, export_response, list_response
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES, QUERY_RESPONSES
from app.database import DatabaseDep
from app.errors import worded
from app.schemas.trade import TradeObservationPage, TradeObservationPublic, TradeSeries
from app.services import trade as service
from app.vocab import PeriodType, TradeFlow, TradeKind, Unit

router = APIRouter(prefix="/trade", tags=["trade"])

# Defaults by kind. Actual figures: the yearly series, one plottable point per year. Targets are
# goals with no period ("to 200 billion") and often stated as bounds ("more than"), which the
# preferred selection leaves out: a request for targets that names neither gets all of them
# rather than an empty series.
# `all` (of kinds or of period types) asks for every figure in one call: actual figures and
# targets, annual, year-to-date, monthly and open, bounds included unless select=preferred.
ALL = service.ALL
SeriesKind = Annotated[TradeKind | Literal["all"], AnyCase]
SeriesPeriodType = Annotated[PeriodType | Literal["all"], AnyCase]
DEFAULT_PERIOD_TYPE: dict[str, str] = {
    TradeKind.actual: PeriodType.annual,
    TradeKind.target: PeriodType.open,
    ALL: ALL,
}
DEFAULT_SELECT: dict[str, Literal["preferred", "all"]] = {
    TradeKind.actual: "preferred",
    TradeKind.target: "all",
    ALL: "all",
}


async def series_query(
    start: FromParam = None,
    end: ToParam = None,
    country: Annotated[
        CountryCode,
        Query(description="Reporting side (alpha-2, any case)", examples=["CN"]),
    ] = "CN",
    partner: Annotated[
        CountryCode, Query(description="Partner (alpha-2, any case)", examples=["RU"])
    ] = "RU",
    flow: Annotated[
        Annotated[TradeFlow, AnyCase],
        Query(description="total turnover (order-insensitive), export or import." + ANY_CASE),
    ] = TradeFlow.total,
    period_type: Annotated[
        SeriesPeriodType | None,
        Query(
            description="annual, ytd (January to a month), month, open (undated targets), or "
            "all (every period type in one series). Default: annual for kind=actual, open for "
            "kind=target, all for kind=all." + ANY_CASE
        ),
    ] = None,
    kind: Annotated[
        SeriesKind,
        Query(description="actual figures, targets, or all (both in one series)." + ANY_CASE),
    ] = TradeKind.actual,
    select: Annotated[
        Literal["preferred", "all"] | None,
        Query(
            description="preferred: one point per period with a stated value (bounds such as "
            "'exceeded 100 billion' are left out); all: every observation, bounds included, each "
            "with `bound`, `preferred` and the reason it won or lost. Default: preferred for "
            "kind=actual, all for kind=target and kind=all"
        ),
    ] = None,
    unit: Annotated[
        Unit | None,
        Query(
            description="Omit for money figures (the default); m3, t, bbl or kWh for the series "
            "of quantities in that unit (energy volumes)"
        ),
    ] = None,
) -> service.SeriesQuery:
    low, high = date_range(start, end)
    return service.SeriesQuery(
        country=country,
        partner=partner,
        flow=flow.value,
        period_type=str(period_type or DEFAULT_PERIOD_TYPE[kind]),
        kind=str(kind),
        start=low,
        end=high,
        preferred_only=(select or DEFAULT_SELECT[kind]) == "preferred",
        unit=unit.value if unit else None,
    )


SeriesQueryDep = Annotated[service.SeriesQuery, Depends(series_query)]


@router.get(
    "/series",
    operation_id="get_trade_series",
    summary="Get a bilateral trade series",
    response_model=TradeSeries,
    responses=QUERY_RESPONSES,
)
async def get_series(
    db: DatabaseDep, query: SeriesQueryDep, format: LegacyFormatParam = None
) -> Response:
    """China–Russia (or any pair's) trade as a series, each point with its source excerpt;
    `/v1/trade/series.csv` or `.ndjson` exports the points as rows."""
    return await document_or_export(
        db,
        format=format,
        listing=service.series_listing(query=query),
        function=service.series_document,
        query=query,
    )


@export_routes(router, "/series", operation_id="export_trade_series", what="a trade series")
async def export_series(
    db: DatabaseDep, query: SeriesQueryDep, format: ExportFormatDep
) -> Response:
    """The points of the series /v1/trade/series answers with the same parameters, as rows."""
    return await export_response(db, service.series_listing(query=query), fmt=format)


async def observation_filters(
    source: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Only figures from this source id")
    ] = None,
    period: Annotated[
        str | None,
        Query(
            pattern=worded(
                r"^\d{4}(-\d{2}){0,2}(/P\d{1,3}[YMD])?$",
                "use an SDMX period as stored, such as 2024, 2021-10 or 2021-01-01/P10M",
            ),
            description="SDMX period as stored",
            examples=["2024"],
        ),
    ] = None,
    period_type: Annotated[
        Annotated[PeriodType, AnyCase] | None, Query(description="Period type." + ANY_CASE)
    ] = None,
    kind: Annotated[
        Annotated[TradeKind, AnyCase] | None, Query(description="actual or target." + ANY_CASE)
    ] = None,
    event: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Only figures stated with this event id")
    ] = None,
) -> service.ObservationFilters:
    return service.ObservationFilters(
        source=source,
        period=period,
        event=event,
        period_type=period_type.value if period_type else None,
        kind=kind.value if kind else None,
    )


ObservationFiltersDep = Annotated[service.ObservationFilters, Depends(observation_filters)]


@router.get(
    "/observations",
    operation_id="list_trade_observations",
    summary="List trade observations",
    response_model=TradeObservationPage,
    responses=LIST_RESPONSES,
)
async def list_observations(
    db: DatabaseDep, page: PageDep, filters: ObservationFiltersDep
) -> Response:
    """Every trade figure exactly as each source states it, in id order."""
    return await list_response(db, service.observation_listing(filters=filters), page)


@export_routes(
    router, "/observations", operation_id="export_trade_observations", what="trade observations"
)
async def export_observations(
    db: DatabaseDep, filters: ObservationFiltersDep, format: ExportFormatDep
) -> Response:
    """Every trade figure matching the filters of /v1/trade/observations, streamed."""
    return await export_response(db, service.observation_listing(filters=filters), fmt=format)


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
