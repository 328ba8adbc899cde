"""Trade observations and series."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from app.services import sql
from app.services import tables as t
from app.services.pagination import page_by_id
from app.vocab import QUALIFIER_BOUND


@dataclass(frozen=True)
class ObservationFilters:
    """Filters of /v1/trade/observations."""

    source: str | None = None
    period: str | None = None
    period_type: str | None = None
    kind: str | None = None
    event: str | None = None


def _conditions(filters: ObservationFilters) -> list[ColumnElement[bool]]:
    c = t.trade_observation.c
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (c.source_id, filters.source),
        (c.period, filters.period),
        (c.period_type, filters.period_type),
        (c.kind, filters.kind),
        (c.event_id, filters.event),
    ):
        if value is not None:
            conditions.append(column == value)
    return conditions


_COLUMNS = tuple(t.trade_observation.c.keys())
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM trade_observation"


def _items(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids, params = sql.in_list("source", sorted({row["source_id"] for row in rows}))
    sources = {
        source_id: (title, outlet)
        for source_id, title, outlet in sql.rows(
            session, f"SELECT id, title, outlet FROM source WHERE id IN {ids}", params
        )
    }
    return [_item(row, *sources[row["source_id"]]) for row in rows]


def _item(row: dict[str, Any], source_title: str, source_outlet: str | None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "country": row["country"],
        "partner": row["partner"],
        "flow": row["flow"],
        "kind": row["kind"],
        "period": row["period"],
        "period_type": row["period_type"],
        "period_start": sql.iso(row["period_start"]),
        "period_end": sql.iso(row["period_end"]),
        "value": row["value"],
        "value_text": row["value_text"],
        "currency": row["currency"],
        "unit_mult": row["unit_mult"],
        "qualifier": row["qualifier"],
        "bound": QUALIFIER_BOUND.get(row["qualifier"]),
        "yoy_pct": row["yoy_pct"],
        "reporter": row["reporter"],
        "agency": row["agency"],
        "stated_by": row["stated_by"],
        "milestone": row["milestone"],
        "note": row["note"],
        "event_id": row["event_id"],
        "claim_group": row["claim_group"],
        "preferred": bool(row["preferred"]),
        "preference_reason": row["preference_reason"],
        "sources": [
            {
                "id": row["source_id"],
                "title": source_title,
                "outlet": source_outlet,
                "excerpt": row["excerpt"],
                "span": {"start": row["span_start"], "end": row["span_end"]},
            }
        ],
    }


def list_observations(
    session: Session, *, filters: ObservationFilters, limit: int, after: list[Any] | None
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of observations in id order."""
    query = select(t.trade_observation).where(*_conditions(filters))
    rows, next_key = page_by_id(
        session, query=query, id_column=t.trade_observation.c.id, limit=limit, after=after
    )
    return _items(session, rows), next_key


def count_observations(session: Session, *, filters: ObservationFilters) -> int:
    """How many observations match `filters`."""
    query = select(func.count()).select_from(t.trade_observation).where(*_conditions(filters))
    return int(session.connection().execute(query).scalar_one())


def get_observation(session: Session, *, observation_id: str) -> dict[str, Any] | None:
    """One observation, or None."""
    rows = sql.dicts(session, f"{_SELECT} WHERE id = :id", _COLUMNS, {"id": observation_id})
    return _items(session, rows)[0] if rows else None


def observations_of_event(session: Session, *, event_id: str) -> list[dict[str, Any]]:
    """The trade figures stated in the context of one event."""
    rows = sql.dicts(
        session,
        f"{_SELECT} WHERE event_id = :event_id ORDER BY id",
        _COLUMNS,
        {"event_id": event_id},
    )
    return _items(session, rows)


@dataclass(frozen=True)
class SeriesQuery:
    country: str
    partner: str
    flow: str
    period_type: str
    kind: str
    start: Any = None
    end: Any = None
    preferred_only: bool = True


def series_points(session: Session, *, query: SeriesQuery) -> list[dict[str, Any]]:
    """Observations of one series in period order; only preferred ones unless asked."""
    country, partner = query.country, query.partner
    if query.flow == "total":
        country, partner = sorted((country, partner))
    conditions = [
        "country = :country",
        "partner = :partner",
        "flow = :flow",
        "period_type = :period_type",
        "kind = :kind",
    ]
    params: sql.Params = {
        "country": country,
        "partner": partner,
        "flow": query.flow,
        "period_type": query.period_type,
        "kind": query.kind,
    }
    if query.start is not None:
        conditions.append("coalesce(period_end, period_start) >= :start")
        params["start"] = query.start
    if query.end is not None:
        conditions.append("period_start <= :end")
        params["end"] = query.end
    if query.preferred_only:
        conditions.append("preferred = :preferred")
        params["preferred"] = True
    rows = sql.dicts(
        session,
        f"{_SELECT} WHERE {' AND '.join(conditions)} ORDER BY period_start, preferred DESC, id",
        _COLUMNS,
        params,
    )
    return _items(session, rows)
