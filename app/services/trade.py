"""Trade observations and series, from their stored documents."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

from app.database import Params, Snapshot, inline_read
from app.errors import invalid_parameter, not_found
from app.schemas.trade import TradeObservationPublic
from app.services.cursors import identity
from app.services.listing import Listing
from app.services.lookup import require_event, require_known, require_source
from app.services.walks import Plan


@dataclass(frozen=True)
class ObservationFilters:
    """Filters of /v1/trade/observations."""

    source: str | None = None
    period: str | None = None
    period_type: str | None = None
    kind: str | None = None
    event: str | None = None


def _observations_plan(snapshot: Snapshot, filters: ObservationFilters) -> Plan:
    require_source(snapshot, filters.source)
    require_event(snapshot, filters.event)
    conditions: list[str] = []
    params: Params = {}
    for column, value in (
        ("source_id", filters.source),
        ("period", filters.period),
        ("period_type", filters.period_type),
        ("kind", filters.kind),
        ("event_id", filters.event),
    ):
        if value is not None:
            conditions.append(f"i.{column} = :{column}")
            params[column] = value
    return Plan("trade_observation AS i", conditions, params, ("i.id",))


def observation_listing(*, filters: ObservationFilters) -> Listing:
    """/v1/trade/observations with `filters`, in id order."""
    return Listing(
        name="trade-observations",
        item=TradeObservationPublic,
        identity=identity("trade-observations", filters),
        key_shape="id",
        planner=lambda snapshot, _every_match: _observations_plan(snapshot, filters),
    )


@inline_read
def observation_document(snapshot: Snapshot, *, observation_id: str) -> bytes:
    """One observation as JSON."""
    doc = snapshot.scalar(
        "SELECT doc FROM trade_observation WHERE id = :id", {"id": observation_id}
    )
    if doc is None:
        raise not_found("trade observation", observation_id, listing="/v1/trade/observations")
    return str(doc).encode()


# A series' `kind` or `period_type` that stands for every value.
ALL = "all"


@dataclass(frozen=True)
class SeriesQuery:
    country: str
    partner: str
    flow: str
    period_type: str
    kind: str
    start: dt.date | None = None
    end: dt.date | None = None
    preferred_only: bool = True
    # None: the money series; a unit (app/vocab.py Unit): the series of quantities in it.
    unit: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(country, partner) as stored: in code order for total trade, which has no side."""
        if self.flow == "total":
            low, high = sorted((self.country, self.partner))
            return low, high
        return self.country, self.partner


def _series_plan(snapshot: Snapshot, query: SeriesQuery) -> Plan:
    if query.country == query.partner:
        raise invalid_parameter("partner", "must differ from country")
    require_known(
        snapshot,
        values=[query.country, query.partner],
        column="country.code",
        parameter="country",
        listing="/v1/vocab (countries)",
    )
    country, partner = query.key
    conditions = ["i.country = :country", "i.partner = :partner", "i.flow = :flow"]
    params: Params = {"country": country, "partner": partner, "flow": query.flow}
    for column in ("period_type", "kind"):
        value = getattr(query, column)
        if value != ALL:
            conditions.append(f"i.{column} = :{column}")
            params[column] = value
    if query.start is not None:
        conditions.append("coalesce(i.period_end, i.period_start) >= :start")
        params["start"] = query.start
    if query.end is not None:
        conditions.append("i.period_start <= :end")
        params["end"] = query.end
    if query.unit is None:
        conditions.append("i.currency IS NOT NULL")
    else:
        conditions.append("i.unit = :unit")
        params["unit"] = query.unit
    if query.preferred_only:
        conditions.append("i.preferred = :preferred")
        params["preferred"] = True
    # One series is one range of ix_trade_observation_series: a point per period at most.
    # Undated targets (no period_start) come last on both databases, whose NULLs sort apart.
    return Plan(
        "trade_observation AS i",
        conditions,
        params,
        ("i.period_start IS NULL", "i.period_start", "i.preferred DESC", "i.id"),
        unpaged=True,
    )


def series_listing(*, query: SeriesQuery) -> Listing:
    """The points of one series, for exports."""
    return Listing(
        name="trade-series",
        item=TradeObservationPublic,
        identity=identity("trade-series", query),
        key_shape="id",
        planner=lambda snapshot, _every_match: _series_plan(snapshot, query),
        inline_pages=True,
    )


@inline_read
def series_document(snapshot: Snapshot, *, query: SeriesQuery) -> bytes:
    """A whole series as JSON, its points spliced in as stored."""
    rows = _series_plan(snapshot, query).page(
        snapshot, select="i.doc, i.currency, i.unit_mult", descending=False, limit=0, after=None
    )
    country, partner = query.key
    currency, unit_mult = (rows[0][1], rows[0][2]) if rows else (None, 9)
    if query.unit is None and currency is None:
        currency = "USD"  # an empty money series: the dataset's currency
    body: dict[str, Any] = {
        "series": {
            "country": country,
            "partner": partner,
            "flow": query.flow,
            "currency": currency,
            "unit": query.unit,
            "unit_mult": unit_mult,
        },
        "period_type": query.period_type,
        "kind": query.kind,
        "select": "preferred" if query.preferred_only else "all",
        "points": [orjson.Fragment(row[0]) for row in rows],
    }
    return orjson.dumps(body)
