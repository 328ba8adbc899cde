"""Event queries: filtered keyset pages, one event in full, and timelines."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from app.dates import DATE_WIDTH
from app.services import sql
from app.services.lookup import require_known, resolve_leader
from app.services.search import compile_query, match_condition, sort_index_hint
from app.vocab import EVENT_CODING, DatePrecision


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


_EVENT_COLUMNS = (
    "id",
    "start_date",
    "end_date",
    "date_precision",
    "date_basis",
    "date_lo",
    "date_hi",
    "kind",
    "status",
    "title",
    "summary",
    "location",
    "location_country",
    "duration_minutes",
)
_SELECT_EVENT = f"SELECT {', '.join('event.' + name for name in _EVENT_COLUMNS)} FROM event"


def _only_search_and_dates(filters: EventFilters) -> bool:
    # The sort index holds (date_lo, id, date_hi): other filters would cost a row look-up per
    # index entry walked, and leader, country, topic and source filters have better indexes.
    return not (
        filters.leaders
        or filters.countries
        or filters.kinds
        or filters.topics
        or filters.status is not None
        or filters.source is not None
    )


def _conditions(session: Session, filters: EventFilters) -> tuple[list[str], sql.Params]:
    conditions: list[str] = []
    params: sql.Params = {}
    lows = [day for day in (filters.start, filters.period and filters.period[0]) if day]
    highs = [day for day in (filters.end, filters.period and filters.period[1]) if day]
    if highs:
        conditions.append("event.date_lo <= :high")
        params["high"] = min(highs)
    if lows:
        low = max(lows)
        conditions.append("event.date_hi >= :low")
        params["low"] = low
        span = _max_event_span_days(session)
        if span is not None:
            # Redundant but index-friendly: no event starts longer than `span` days before it
            # ends, so the scan of (date_lo, id) can start there instead of at the beginning.
            conditions.append("event.date_lo >= :earliest_start")
            params["earliest_start"] = low - dt.timedelta(days=span)
    for index, leader in enumerate(filters.leaders):
        conditions.append(
            f"event.id IN (SELECT event_id FROM event_participant WHERE person_id = :leader{index})"
        )
        params[f"leader{index}"] = leader
    for index, code in enumerate(filters.countries):
        conditions.append(
            f"event.id IN (SELECT event_id FROM event_country WHERE country_code = :country{index})"
        )
        params[f"country{index}"] = code
    if filters.kinds:
        kinds, kind_params = sql.in_list("kind", filters.kinds)
        conditions.append(f"event.kind IN {kinds}")
        params.update(kind_params)
    for index, topic in enumerate(filters.topics):
        conditions.append(
            f"event.id IN (SELECT event_id FROM event_topic WHERE topic = :topic{index})"
        )
        params[f"topic{index}"] = topic
    if filters.status is not None:
        conditions.append("event.status = :status")
        params["status"] = filters.status
    if filters.source is not None:
        conditions.append(
            "event.id IN (SELECT event_id FROM event_source WHERE source_id = :source)"
        )
        params["source"] = filters.source
    if filters.q is not None:
        dialect = session.connection().dialect.name
        conditions.append(match_condition(dialect, "event"))
        params["search_q"] = compile_query(dialect, filters.q)
    return conditions, params


def _max_event_span_days(session: Session) -> int | None:
    span = sql.scalar(session, "SELECT max_event_span_days FROM dataset_meta")
    return None if span is None else int(span)


def list_events(
    session: Session,
    *,
    filters: EventFilters,
    descending: bool,
    limit: int,
    after: list[Any] | None,
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of events and the sort key to continue after (None on the last page)."""
    conditions, params = _conditions(session, filters)
    hint = ""
    if filters.q is not None and _only_search_and_dates(filters):
        hint = sort_index_hint(session, kind="event", search_q=params["search_q"])
    page, next_key = sql.date_keyset_page(
        session,
        select=f"{_SELECT_EVENT}{hint}",
        columns=_EVENT_COLUMNS,
        conditions=conditions,
        params=params,
        order=("event.date_lo", "event.id"),
        descending=descending,
        limit=limit,
        after=after,
    )
    return hydrate_events(session, rows=page), next_key


def count_events(session: Session, *, filters: EventFilters) -> int:
    """How many events match `filters`."""
    conditions, params = _conditions(session, filters)
    return int(sql.scalar(session, f"SELECT count(*) FROM event{sql.where(conditions)}", params))


def hydrate_events(session: Session, *, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach participants, countries, topics and source counts with one query each."""
    if not rows:
        return []
    ids, params = sql.in_list("event", [row["id"] for row in rows])
    participants: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event_id, person_id, name, country, role in sql.rows(
        session,
        "SELECT p.event_id, person.id, person.name, person.country_code, p.role "
        f"FROM event_participant AS p JOIN person ON person.id = p.person_id "
        f"WHERE p.event_id IN {ids} ORDER BY p.event_id, person.id",
        params,
    ):
        participants[event_id].append(
            {"id": person_id, "name": name, "country": country, "role": role}
        )
    countries: dict[str, list[str]] = defaultdict(list)
    for event_id, code in sql.rows(
        session,
        f"SELECT event_id, country_code FROM event_country WHERE event_id IN {ids} "
        "ORDER BY country_code",
        params,
    ):
        countries[event_id].append(code)
    topics: dict[str, list[str]] = defaultdict(list)
    for event_id, topic in sql.rows(
        session,
        f"SELECT event_id, topic FROM event_topic WHERE event_id IN {ids} ORDER BY topic",
        params,
    ):
        topics[event_id].append(topic)
    source_counts: dict[str, int] = dict(
        sql.rows(
            session,
            "SELECT event_id, count(DISTINCT source_id) FROM event_source "
            f"WHERE event_id IN {ids} GROUP BY event_id",
            params,
        )
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


_CODING = {kind.value: coding for kind, coding in EVENT_CODING.items()}


def _event_item(
    row: dict[str, Any],
    participants: list[dict[str, Any]],
    countries: list[str],
    topics: list[str],
    source_count: int,
) -> dict[str, Any]:
    # Plain dict look-ups and string slices: this runs for every row of every page and export.
    width = DATE_WIDTH[row["date_precision"]]
    start = str(row["start_date"])
    end = row["end_date"]
    coding = _CODING[row["kind"]]
    return {
        "id": row["id"],
        "start_date": start[:width],
        "end_date": str(end)[:width] if end is not None else None,
        "date_precision": row["date_precision"],
        "date_basis": row["date_basis"],
        "earliest_date": str(row["date_lo"]),
        "latest_date": str(row["date_hi"]),
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
    rows = sql.rows(
        session,
        "SELECT es.source_id, source.title, source.outlet, es.excerpt, es.span_start, es.span_end "
        "FROM event_source AS es JOIN source ON source.id = es.source_id "
        "WHERE es.event_id = :event_id ORDER BY es.source_id, es.span_start",
        {"event_id": event_id},
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
    rows = sql.dicts(
        session,
        f"{_SELECT_EVENT} WHERE event.id = :event_id",
        _EVENT_COLUMNS,
        {"event_id": event_id},
    )
    return hydrate_events(session, rows=rows)[0] if rows else None


def timeline(session: Session, *, filters: EventFilters, granularity: str) -> dict[str, Any]:
    """Event counts per year or month; coarser-dated events are counted separately."""
    conditions, params = _conditions(session, filters)
    rows = sql.rows(
        session,
        f"SELECT event.date_lo, event.date_precision FROM event{sql.where(conditions)}",
        params,
    )
    width = 4 if granularity == "year" else 7
    buckets: dict[str, int] = defaultdict(int)
    coarser: dict[str, int] = defaultdict(int)
    for date_lo, precision in rows:
        if granularity == "month" and precision == DatePrecision.year.value:
            coarser[str(date_lo)[:4]] += 1
        else:
            buckets[str(date_lo)[:width]] += 1
    return {
        "granularity": granularity,
        "buckets": [{"period": k, "count": v} for k, v in sorted(buckets.items())],
        "coarser": [{"period": k, "count": v} for k, v in sorted(coarser.items())],
        "total": len(rows),
    }
