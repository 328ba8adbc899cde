"""Monthly event counts for /v1/timeline: from the seed's counts wherever they answer, walked
only where they cannot.

The seed counts events per (filter value, month of `date_lo`, year precision) in
`event_timeline_count`. With no filter or one filter value, those counts answer a timeline
whole. A date range (`from`, `to`, `date`: periods that overlap it) is answered from them too
for every month lying wholly inside the range, since an event that starts in such a month
overlaps the range whatever its end; only the events starting before the first whole month or
after the last one are walked, with the range's own conditions.
"""

import calendar
import datetime as dt
from dataclasses import replace
from typing import Any

from app.database import Snapshot, in_list, where
from app.errors import invalid_parameter
from app.readmodel.contract import EVENT_TIMELINE_COUNT, EVERYTHING, KIND
from app.services import walks

Rows = list[tuple[Any, ...]]


def monthly_counts(snapshot: Snapshot, chosen: walks.Selection) -> Rows:
    """(month `YYYY-MM` of `date_lo`, year precision, count) rows of the events `chosen`
    selects; a month may come in several rows, to be added up."""
    counted = _counted_at_seed(chosen)
    if counted is None:
        return _count_by_walking(snapshot, chosen)
    if not chosen.ranges:
        return _seed_counts(snapshot, counted)
    low, high = chosen.params.get("low"), chosen.params.get("high")
    first = None if low is None else _first_whole_month(low)
    last = None if high is None else _last_whole_month(high)
    if first is not None and last is not None and first > last:
        return _count_by_walking(snapshot, chosen)  # the range is inside one month
    rows = _seed_counts(snapshot, counted, first=first, last=last)
    # Each edge gets only the bounds that matter to it: with two bounds on one side of
    # `date_lo`, SQLite may walk the index between the looser ones.
    if first is not None:
        lower = ["{t}.date_hi >= :low", "{t}.date_lo < :whole_from"]
        if "earliest_start" in chosen.params:
            lower.append("{t}.date_lo >= :earliest_start")
        rows += _count_by_walking(snapshot, _edge(chosen, lower, whole_from=first))
    if last is not None:
        upper = ["{t}.date_lo > :whole_to", "{t}.date_lo <= :high"]
        rows += _count_by_walking(snapshot, _edge(chosen, upper, whole_to=_month_end(last)))
    return rows


def _counted_at_seed(chosen: walks.Selection) -> tuple[str, tuple[str, ...]] | None:
    """The (dimension, values) whose counts the seed wrote, when they answer `chosen` but for
    its date range: no filter, or one filter on a dimension where each event has one value at
    most per value listed (any-of kinds add up, as an event has one kind)."""
    if chosen.q is not None or len(chosen.memberships) > 1:
        return None
    if not chosen.memberships:
        return EVERYTHING[0], (EVERYTHING[1],)
    only = chosen.memberships[0]
    if len(only.values) > 1 and only.dimension != KIND:
        return None
    return only.dimension, only.values


def _first_whole_month(low: dt.date) -> dt.date:
    """The first day of the first month starting on or after `low`."""
    if low.day == 1:
        return low
    return _month_end(low) + dt.timedelta(days=1)


def _last_whole_month(high: dt.date) -> dt.date:
    """The first day of the last month ending on or before `high`."""
    if high == _month_end(high):
        return high.replace(day=1)
    return (high.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _edge(chosen: walks.Selection, ranges: list[str], **params: Any) -> walks.Selection:
    """`chosen` with its date conditions replaced by `ranges`: the events starting outside
    the whole months. Below them, `date_lo < whole_from <= high` makes `date_lo <= high` hold;
    above them, `date_lo > whole_to >= low` makes the lower bounds hold."""
    return replace(chosen, ranges=tuple(ranges), params={**chosen.params, **params})


def _seed_counts(
    snapshot: Snapshot,
    counted: tuple[str, tuple[str, ...]],
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Rows:
    dimension, values = counted
    value_list, params = in_list("value", values)
    conditions = ["dimension = :dimension", f"value IN {value_list}"]
    if first is not None:
        conditions.append("month >= :first_month")
        params["first_month"] = first.isoformat()[:7]
    if last is not None:
        conditions.append("month <= :last_month")
        params["last_month"] = last.isoformat()[:7]
    return snapshot.rows(
        f"SELECT month, year_precision, sum(count) FROM {EVENT_TIMELINE_COUNT}{where(conditions)} "
        "GROUP BY month, year_precision",
        {"dimension": dimension, **params},
    )


def _count_by_walking(snapshot: Snapshot, chosen: walks.Selection) -> Rows:
    plan = walks.plan(snapshot, chosen, every_match=True)
    if plan.empty:
        return []
    table = plan.sort_key[0].split(".")[0]
    day = f"{table}.date_lo"
    month = f"substr({day}, 1, 7)" if snapshot.dialect == "sqlite" else f"to_char({day}, 'YYYY-MM')"
    precision = (
        f"{table}.year_precision"
        if table == "p"
        else f"CASE WHEN {table}.date_precision = 'year' THEN 1 ELSE 0 END"
    )
    return snapshot.rows(
        f"SELECT {month}, {precision}, count(*) FROM {plan.counted()} GROUP BY 1, 2",
        plan.params,
    )


def filled_periods(
    snapshot: Snapshot,
    *,
    low: dt.date | None,
    high: dt.date | None,
    counted: list[str],
    granularity: str,
    max_buckets: int,
) -> list[str]:
    """Every period (`YYYY` or `YYYY-MM`) from the first to the last of a filled timeline: the
    filters' range where they bound it, else the extent of the data, widened to every period in
    `counted` (an event starting before `from` is counted where it starts). Bounded: more than
    `max_buckets` periods is a 400."""
    width = 4 if granularity == "year" else 7
    extent = snapshot.rows(
        "SELECT min(month), max(month) FROM event_timeline_count "
        "WHERE dimension = :dimension AND value = :value",
        {"dimension": walks.EVERYTHING[0], "value": walks.EVERYTHING[1]},
    )
    data_first, data_last = extent[0] if extent else (None, None)
    first = low.isoformat() if low else data_first
    last = high.isoformat() if high else data_last
    starts = [p[:width] for p in (first, *counted[:1]) if p]
    ends = [p[:width] for p in (last, *counted[-1:]) if p]
    if not starts or not ends:
        return []
    start, end = min(starts), max(ends)
    if start > end:
        return []
    count = _index(end) - _index(start) + 1
    if count > max_buckets:
        raise invalid_parameter(
            "fill",
            f"fill=zero would list {count} periods ({start} to {end}); at most "
            f"{max_buckets} are listed (TIMELINE_MAX_BUCKETS): narrow from/to, or use "
            "granularity=year",
        )
    if width == 4:
        return [str(year) for year in range(int(start), int(end) + 1)]
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(_index(start), _index(end) + 1)]


def filled_years(months: list[str], *, counted: list[str]) -> list[str]:
    """Every year from the first to the last of the filled `months` (`YYYY-MM`, sorted),
    widened to the years in `counted` (sorted): the `coarser` list of a filled monthly
    timeline, where year-precision events are counted. At most one per twelve months listed,
    so TIMELINE_MAX_BUCKETS bounds it too."""
    years = [period[:4] for period in (*months[:1], *months[-1:], *counted[:1], *counted[-1:])]
    if not years:
        return []
    return [str(year) for year in range(int(min(years)), int(max(years)) + 1)]


def _index(period: str) -> int:
    """A year's number, or a month's number counted from year 0."""
    if len(period) == 4:
        return int(period)
    return int(period[:4]) * 12 + int(period[5:7]) - 1
