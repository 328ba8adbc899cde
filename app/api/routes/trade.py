"""/v1/trade: series and observations."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlmodel import Session

from app.api.deps import (
    ID_PATTERN,
    FromParam,
    ObservationId,
    PageDep,
    ToParam,
    date_range,
    fingerprint,
    json_response,
    list_response,
    record_dataset_version,
    run_point_read,
)
from app.api.export import TRADE_COLUMNS, Format, export_response, negotiate
from app.api.responses import ITEM_RESPONSES, LIST_RESPONSES
from app.database import EngineDep, PointSessionDep, SessionDep
from app.errors import invalid_parameter, not_found
from app.schemas.trade import TradeObservationPage, TradeObservationPublic, TradeSeries
from app.services import trade as service
from app.services.lookup import require_known
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
    request: Request,
    session: PointSessionDep,
    engine: EngineDep,
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

    # One series is one range of ix_trade_observation_series: bounded by the series' length.
    return await run_point_read(
        session,
        lambda: _series(
            request,
            session,
            engine,
            series=(country, partner, flow, period_type, kind, select),
            period=(start, end),
            format=format,
        ),
    )


def _series(
    request: Request,
    session: Session,
    engine: Engine,
    *,
    series: tuple[str, str, TradeFlow, PeriodType, TradeKind, str],
    period: tuple[str | None, str | None],
    format: Format | None,
) -> Response:
    country, partner, flow, period_type, kind, select = series
    start, end = period
    record_dataset_version(request, session)
    if country == partner:
        raise invalid_parameter("partner", "must differ from country")
    require_known(
        session,
        values=[country, partner],
        column="country.code",
        parameter="country",
        listing="/v1/vocab (countries)",
    )
    low, high = date_range(start, end)
    fmt = negotiate(request, format, allowed=("json", "csv", "ndjson"))
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
    if fmt != "json":
        session.close()  # the export streams through a session of its own
        return export_response(
            request,
            engine=engine,
            fetch=lambda s, _after, _limit: (service.series_points(s, query=query), None),
            columns=TRADE_COLUMNS,
            fmt=fmt,
            name="trade-series",
            dataset_version=getattr(request.state, "dataset_version", None),
            canonical=fingerprint(request),
        )
    points = service.series_points(session, query=query)
    key_country, key_partner = (
        sorted((country, partner)) if flow is TradeFlow.total else (country, partner)
    )
    first = points[0] if points else {"currency": "USD", "unit_mult": 9}
    return json_response(
        {
            "series": {
                "country": key_country,
                "partner": key_partner,
                "flow": flow.value,
                "currency": first["currency"],
                "unit_mult": first["unit_mult"],
            },
            "period_type": period_type.value,
            "kind": kind.value,
            "select": select,
            "points": points,
        }
    )


@router.get(
    "/observations",
    operation_id="list_trade_observations",
    summary="List trade observations",
    response_model=TradeObservationPage,
    responses=LIST_RESPONSES,
)
def list_observations(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
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
    if source is not None:
        require_known(
            session, values=[source], column="source.id", parameter="source", listing="/v1/sources"
        )
    if event is not None:
        require_known(
            session, values=[event], column="event.id", parameter="event", listing="/v1/events"
        )
    filters = service.ObservationFilters(
        source=source,
        period=period,
        event=event,
        period_type=period_type.value if period_type else None,
        kind=kind.value if kind else None,
    )
    return list_response(
        request,
        page,
        session=session,
        engine=engine,
        fetch=lambda s, after, limit: service.list_observations(
            s, filters=filters, limit=limit, after=after
        ),
        count=lambda: service.count_observations(session, filters=filters),
        columns=TRADE_COLUMNS,
        name="trade-observations",
    )


@router.get(
    "/observations/{observation_id}",
    operation_id="get_trade_observation",
    summary="Get one trade observation",
    response_model=TradeObservationPublic,
    responses=ITEM_RESPONSES,
)
async def get_observation(
    observation_id: ObservationId, request: Request, session: PointSessionDep
) -> Response:
    """One figure with its qualifier, attribution, preference and source excerpt."""
    return await run_point_read(
        session, lambda: _observation_detail(request, session, observation_id)
    )


def _observation_detail(request: Request, session: Session, observation_id: str) -> Response:
    record_dataset_version(request, session)
    item = service.get_observation(session, observation_id=observation_id)
    if item is None:
        raise not_found("trade observation", observation_id, listing="/v1/trade/observations")
    return json_response(item)
