"""Event queries: filtered pages of stored documents, one event in full, and timelines."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

from app.database import Params, Snapshot, inline_read
from app.readmodel.contract import (
    COUNTRY,
    DATASET_META,
    EVENTS,
    KIND,
    LEADER,
    SOURCE,
    STATUS,
    TOPIC,
)
from app.schemas.events import EventPublic
from app.services import timelines, walks
from app.services.cursors import identity
from app.services.listing import Listing
from app.services.lookup import require_known, require_source, resolve_leader, unknown_id
from app.services.search import compile_query


@dataclass(frozen=True)
class EventFilters:
    """Filters of /v1/events and /v1/timeline; tuples combine as documented per field."""

    period: tuple[dt.date, dt.date] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    leaders: tuple[str, ...] = ()  # every one of them took part (slugs or QIDs)
    countries: tuple[str, ...] = ()  # every one of them was involved
    kinds: tuple[str, ...] = ()  # any of them
    topics: tuple[str, ...] = ()  # every one of them
    status: str | None = None
    source: str | None = None
    q: str | None = None


def _dates(snapshot: Snapshot, filters: EventFilters) -> tuple[list[str], Params]:
    """Conditions on `{t}` (posting list or event) for the date filters: overlap of periods."""
    ranges: list[str] = []
    params: Params = {}
    lows = [day for day in (filters.start, filters.period and filters.period[0]) if day]
    highs = [day for day in (filters.end, filters.period and filters.period[1]) if day]
    if highs:
        ranges.append("{t}.date_lo <= :high")
        params["high"] = min(highs)
    if lows:
        low = max(lows)
        ranges.append("{t}.date_hi >= :low")
        params["low"] = low
        span = snapshot.scalar(f"SELECT max_event_span_days FROM {DATASET_META}")
        if span is not None:
            # Redundant but index-friendly: no event starts longer than `span` days before it
            # ends, so the walk can start there instead of at the beginning.
            ranges.append("{t}.date_lo >= :earliest_start")
            params["earliest_start"] = low - dt.timedelta(days=int(span))
    return ranges, params


def selection(snapshot: Snapshot, filters: EventFilters) -> walks.Selection:
    """The filters as posting-list memberships; unknown names are 400s naming the parameter."""
    require_known(
        snapshot,
        values=filters.countries,
        column="country.code",
        parameter="country",
        listing="/v1/vocab (countries)",
    )
    require_source(snapshot, filters.source)
    leaders = dict.fromkeys(resolve_leader(snapshot, reference=ref) for ref in filters.leaders)
    memberships = [
        *(walks.Membership(LEADER, (leader,)) for leader in leaders),
        *(walks.Membership(COUNTRY, (code,)) for code in filters.countries),
        *(walks.Membership(TOPIC, (topic,)) for topic in filters.topics),
    ]
    if filters.kinds:
        memberships.append(walks.Membership(KIND, filters.kinds))
    if filters.status is not None:
        memberships.append(walks.Membership(STATUS, (filters.status,)))
    if filters.source is not None:
        memberships.append(walks.Membership(SOURCE, (filters.source,)))
    ranges, params = _dates(snapshot, filters)
    return walks.Selection(
        listed=EVENTS,
        memberships=tuple(memberships),
        ranges=tuple(ranges),
        params=params,
        q=None if filters.q is None else compile_query(snapshot.dialect, filters.q),
    )


def event_listing(*, filters: EventFilters, descending: bool) -> Listing:
    """/v1/events with `filters`, in date order (newest first when `descending`)."""
    return Listing(
        name="events",
        item=EventPublic,
        identity=identity("events", filters, {"descending": descending}),
        key_shape="date_id",
        planner=walks.SelectionPlanner(lambda snapshot: selection(snapshot, filters)),
        descending=descending,
        # Unfiltered, a page is the first entries of one posting list from the cursor on.
        inline_pages=filters == EventFilters(),
    )


@inline_read
def event_detail(snapshot: Snapshot, *, event_id: str) -> bytes:
    """One event with its excerpts, quotes and trade figures, as JSON: three queries."""
    row = snapshot.rows("SELECT doc, sources_doc FROM event WHERE id = :id", {"id": event_id})
    if not row:
        raise unknown_id(snapshot, kind="event", identifier=event_id, listing="/v1/events")
    doc, sources = row[0]
    quotes = snapshot.column(
        "SELECT doc FROM quote WHERE event_id = :id ORDER BY sort_date, id", {"id": event_id}
    )
    observations = snapshot.column(
        "SELECT doc FROM trade_observation WHERE event_id = :id ORDER BY id", {"id": event_id}
    )
    # The stored list item ends with '}': the detail's fields follow it, in schema order.
    return (
        f'{doc[:-1]},"sources":{sources},"quotes":[{",".join(quotes)}],'
        f'"trade_observations":[{",".join(observations)}]}}'
    ).encode()


def timeline_document(snapshot: Snapshot, **arguments: Any) -> bytes:
    """Event counts per year or month, as JSON."""
    return orjson.dumps(timeline(snapshot, **arguments))


def timeline(
    snapshot: Snapshot,
    *,
    filters: EventFilters,
    granularity: str,
    fill: str = "none",
    max_buckets: int = 0,
) -> dict[str, Any]:
    """Event counts per year or month; coarser-dated events are counted separately. With
    fill="zero", every period of the range is listed, with a count of 0 where none started,
    and with granularity=month every year of that range under `coarser` too."""
    rows = timelines.monthly_counts(snapshot, selection(snapshot, filters))
    width = 4 if granularity == "year" else 7
    buckets: dict[str, int] = {}
    coarser: dict[str, int] = {}
    for month, year_precision, count in rows:
        if granularity == "month" and year_precision:
            coarser[month[:4]] = coarser.get(month[:4], 0) + int(count)
        else:
            buckets[month[:width]] = buckets.get(month[:width], 0) + int(count)
    if fill == "zero":
        lows = [day for day in (filters.start, filters.period and filters.period[0]) if day]
        highs = [day for day in (filters.end, filters.period and filters.period[1]) if day]
        for period in timelines.filled_periods(
            snapshot,
            low=max(lows, default=None),
            high=min(highs, default=None),
            counted=sorted(buckets),
            granularity=granularity,
            max_buckets=max_buckets,
        ):
            buckets.setdefault(period, 0)
        if granularity == "month":
            # Year-precision events are counted per year: their years are filled as well.
            for year in timelines.filled_years(sorted(buckets), counted=sorted(coarser)):
                coarser.setdefault(year, 0)
    return {
        "granularity": granularity,
        "buckets": [{"period": k, "count": v} for k, v in sorted(buckets.items())],
        "coarser": [{"period": k, "count": v} for k, v in sorted(coarser.items())],
        "total": sum(buckets.values()) + sum(coarser.values()),
    }
