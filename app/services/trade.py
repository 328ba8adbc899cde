"""Trade observations and series."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from app.services import tables as t
from app.services.pagination import page_by_id


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


def _items(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = {row["source_id"] for row in rows}
    sources = {
        source.id: source
        for source in session.connection().execute(
            select(t.source.c.id, t.source.c.title, t.source.c.outlet).where(t.source.c.id.in_(ids))
        )
    }
    return [_item(row, sources[row["source_id"]]) for row in rows]


def _item(row: dict[str, Any], source: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "country": row["country"],
        "partner": row["partner"],
        "flow": row["flow"],
        "kind": row["kind"],
        "period": row["period"],
        "period_type": row["period_type"],
        "period_start": row["period_start"].isoformat() if row["period_start"] else None,
        "period_end": row["period_end"].isoformat() if row["period_end"] else None,
        "value": row["value"],
        "value_text": row["value_text"],
        "currency": row["currency"],
        "unit_mult": row["unit_mult"],
        "qualifier": row["qualifier"],
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
                "title": source.title,
                "outlet": source.outlet,
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
    row = (
        session.connection()
        .execute(select(t.trade_observation).where(t.trade_observation.c.id == observation_id))
        .mappings()
        .first()
    )
    return _items(session, [dict(row)])[0] if row is not None else None


def observations_of_event(session: Session, *, event_id: str) -> list[dict[str, Any]]:
    """The trade figures stated in the context of one event."""
    c = t.trade_observation.c
    rows = (
        session.connection()
        .execute(select(t.trade_observation).where(c.event_id == event_id).order_by(c.id))
        .mappings()
        .all()
    )
    return _items(session, [dict(row) for row in rows])


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
    c = t.trade_observation.c
    country, partner = query.country, query.partner
    if query.flow == "total":
        country, partner = sorted((country, partner))
    conditions = [
        c.country == country,
        c.partner == partner,
        c.flow == query.flow,
        c.period_type == query.period_type,
        c.kind == query.kind,
    ]
    if query.start is not None:
        conditions.append(func.coalesce(c.period_end, c.period_start) >= query.start)
    if query.end is not None:
        conditions.append(c.period_start <= query.end)
    if query.preferred_only:
        conditions.append(c.preferred.is_(True))
    rows = (
        session.connection()
        .execute(
            select(t.trade_observation)
            .where(*conditions)
            .order_by(c.period_start, c.preferred.desc(), c.id)
        )
        .mappings()
        .all()
    )
    return _items(session, [dict(row) for row in rows])
