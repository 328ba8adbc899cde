"""Event queries: filtered keyset pages, one event in full, and timelines."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, TextClause, func, select, text, tuple_
from sqlmodel import Session

from app.dates import precision_range
from app.services import tables as t
from app.services.lookup import require_known, resolve_leader
from app.services.search import compile_query, match_condition
from app.vocab import EVENT_CODING, DatePrecision, EventKind


@dataclass(frozen=True)
class EventFilters:
    """Filters of /v1/events and /v1/timeline; tuples combine as documented per field."""

    period: tuple[dt.date, dt.date] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    leaders: tuple[str, ...] = ()  # person ids once resolved (slugs or QIDs before)
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    status: str | None = None
    source: str | None = None
    q: str | None = None


def resolve_filters(session: Session, *, filters: EventFilters) -> EventFilters:
    """Resolve leader slugs/QIDs to ids and check that named countries and sources exist."""
    require_known(
        session,
        values=filters.countries,
        column="country.code",
        parameter="country",
        listing="/v1/vocab (countries)",
    )
    if filters.source is not None:
        require_known(
            session,
            values=[filters.source],
            column="source.id",
            parameter="source",
            listing="/v1/sources",
        )
    leaders = tuple(resolve_leader(session, reference=ref) for ref in filters.leaders)
    return replace(filters, leaders=leaders)


def _conditions(session: Session, filters: EventFilters) -> list[ColumnElement[bool] | TextClause]:
    e = t.event.c
    conditions: list[ColumnElement[bool] | TextClause] = []
    lows = [day for day in (filters.start, filters.period and filters.period[0]) if day]
    highs = [day for day in (filters.end, filters.period and filters.period[1]) if day]
    if highs:
        conditions.append(e.date_lo <= min(highs))
    if lows:
        low = max(lows)
        conditions.append(e.date_hi >= low)
        span = _max_event_span_days(session)
        if span is not None:
            # Redundant but index-friendly: no event starts longer than `span` days before it
            # ends, so the scan of (date_lo, id) can start there instead of at the beginning.
            conditions.append(e.date_lo >= low - dt.timedelta(days=span))
    for leader in filters.leaders:
        conditions.append(
            e.id.in_(
                select(t.event_participant.c.event_id).where(
                    t.event_participant.c.person_id == leader
                )
            )
        )
    for code in filters.countries:
        conditions.append(
            e.id.in_(
                select(t.event_country.c.event_id).where(t.event_country.c.country_code == code)
            )
        )
    if filters.kinds:
        conditions.append(e.kind.in_(filters.kinds))
    for topic in filters.topics:
        conditions.append(
            e.id.in_(select(t.event_topic.c.event_id).where(t.event_topic.c.topic == topic))
        )
    if filters.status is not None:
        conditions.append(e.status == filters.status)
    if filters.source is not None:
        conditions.append(
            e.id.in_(
                select(t.event_source.c.event_id).where(
                    t.event_source.c.source_id == filters.source
                )
            )
        )
    if filters.q is not None:
        dialect = session.connection().dialect.name
        conditions.append(
            text(match_condition(dialect, "event")).bindparams(
                search_q=compile_query(dialect, filters.q)
            )
        )
    return conditions


def _max_event_span_days(session: Session) -> int | None:
    query = select(t.dataset_meta.c.max_event_span_days)
    span = session.connection().execute(query).scalar_one_or_none()
    return None if span is None else int(span)


def _keyset(descending: bool, key: list[Any]) -> ColumnElement[bool]:
    # A row-value comparison is one index range on both SQLite and PostgreSQL.
    position = tuple_(t.event.c.date_lo, t.event.c.id)
    after = tuple_(dt.date.fromisoformat(key[0]), key[1])
    return position < after if descending else position > after


def list_events(
    session: Session,
    *,
    filters: EventFilters,
    descending: bool,
    limit: int,
    after: list[Any] | None,
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of events and the sort key to continue after (None on the last page)."""
    query: Select[Any] = select(t.event).where(*_conditions(session, filters))
    if after is not None:
        query = query.where(_keyset(descending, after))
    order = (
        (t.event.c.date_lo.desc(), t.event.c.id.desc())
        if descending
        else (t.event.c.date_lo, t.event.c.id)
    )
    rows = session.connection().execute(query.order_by(*order).limit(limit + 1)).mappings().all()
    page = [dict(row) for row in rows[:limit]]
    next_key = None
    if len(rows) > limit:
        last = page[-1]
        next_key = [last["date_lo"].isoformat(), last["id"]]
    return hydrate_events(session, rows=page), next_key


def count_events(session: Session, *, filters: EventFilters) -> int:
    """How many events match `filters`."""
    query = select(func.count()).select_from(t.event).where(*_conditions(session, filters))
    return int(session.connection().execute(query).scalar_one())


def hydrate_events(session: Session, *, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach participants, countries, topics and source counts with one query each."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    connection = session.connection()
    participants: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in connection.execute(
        select(
            t.event_participant.c.event_id,
            t.person.c.id,
            t.person.c.name,
            t.person.c.country_code,
            t.event_participant.c.role,
        )
        .join(t.person, t.person.c.id == t.event_participant.c.person_id)
        .where(t.event_participant.c.event_id.in_(ids))
        .order_by(t.event_participant.c.event_id, t.person.c.id)
    ):
        participants[row[0]].append(
            {"id": row[1], "name": row[2], "country": row[3], "role": row[4]}
        )
    countries: dict[str, list[str]] = defaultdict(list)
    for event_id, code in connection.execute(
        select(t.event_country.c.event_id, t.event_country.c.country_code)
        .where(t.event_country.c.event_id.in_(ids))
        .order_by(t.event_country.c.country_code)
    ):
        countries[event_id].append(code)
    topics: dict[str, list[str]] = defaultdict(list)
    for event_id, topic in connection.execute(
        select(t.event_topic.c.event_id, t.event_topic.c.topic)
        .where(t.event_topic.c.event_id.in_(ids))
        .order_by(t.event_topic.c.topic)
    ):
        topics[event_id].append(topic)
    source_counts: dict[str, int] = dict(
        connection.execute(
            select(t.event_source.c.event_id, func.count(func.distinct(t.event_source.c.source_id)))
            .where(t.event_source.c.event_id.in_(ids))
            .group_by(t.event_source.c.event_id)
        ).all()
    )
    return [
        _event_item(
            row,
            participants[row["id"]],
            countries[row["id"]],
            topics[row["id"]],
            int(source_counts.get(row["id"], 0)),
        )
        for row in rows
    ]


def _event_item(
    row: dict[str, Any],
    participants: list[dict[str, Any]],
    countries: list[str],
    topics: list[str],
    source_count: int,
) -> dict[str, Any]:
    precision = DatePrecision(row["date_precision"])
    start, end = precision_range(row["start_date"], row["end_date"], precision)
    coding = EVENT_CODING[EventKind(row["kind"])]
    return {
        "id": row["id"],
        "start_date": start,
        "end_date": end if row["end_date"] is not None else None,
        "date_precision": precision.value,
        "date_basis": row["date_basis"],
        "earliest_date": row["date_lo"].isoformat(),
        "latest_date": row["date_hi"].isoformat(),
        "kind": row["kind"],
        "cameo_code": coding.cameo_code,
        "plover_event": coding.plover_event,
        "plover_mode": coding.plover_mode,
        "status": row["status"],
        "title": row["title"],
        "summary": row["summary"],
        "location": row["location"],
        "location_country": row["location_country"],
        "duration_minutes": row["duration_minutes"],
        "participants": participants,
        "countries": countries,
        "topics": topics,
        "source_count": source_count,
    }


def event_excerpts(session: Session, *, event_id: str) -> list[dict[str, Any]]:
    """The supporting excerpts of one event, in source and position order."""
    rows = session.connection().execute(
        select(
            t.event_source.c.source_id,
            t.source.c.title,
            t.source.c.outlet,
            t.event_source.c.excerpt,
            t.event_source.c.span_start,
            t.event_source.c.span_end,
        )
        .join(t.source, t.source.c.id == t.event_source.c.source_id)
        .where(t.event_source.c.event_id == event_id)
        .order_by(t.event_source.c.source_id, t.event_source.c.span_start)
    )
    return [
        {
            "id": r[0],
            "title": r[1],
            "outlet": r[2],
            "excerpt": r[3],
            "span": {"start": r[4], "end": r[5]},
        }
        for r in rows
    ]


def get_event(session: Session, *, event_id: str) -> dict[str, Any] | None:
    """One event with participants, countries, topics and source count, or None."""
    row = (
        session.connection()
        .execute(select(t.event).where(t.event.c.id == event_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    return hydrate_events(session, rows=[dict(row)])[0]


def timeline(session: Session, *, filters: EventFilters, granularity: str) -> dict[str, Any]:
    """Event counts per year or month; coarser-dated events are counted separately."""
    rows = (
        session.connection()
        .execute(
            select(t.event.c.date_lo, t.event.c.date_precision).where(
                *_conditions(session, filters)
            )
        )
        .all()
    )
    width = 4 if granularity == "year" else 7
    buckets: dict[str, int] = defaultdict(int)
    coarser: dict[str, int] = defaultdict(int)
    for date_lo, precision in rows:
        if granularity == "month" and precision == DatePrecision.year.value:
            coarser[date_lo.isoformat()[:4]] += 1
        else:
            buckets[date_lo.isoformat()[:width]] += 1
    return {
        "granularity": granularity,
        "buckets": [{"period": k, "count": v} for k, v in sorted(buckets.items())],
        "coarser": [{"period": k, "count": v} for k, v in sorted(coarser.items())],
        "total": len(rows),
    }
