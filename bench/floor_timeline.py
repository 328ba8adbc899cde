"""The floor's /v1/timeline: the app's timeline plan (app/services/timelines.py) on stdlib
sqlite3, like the rest of the floor (bench/floor_queries.py): the seed's monthly counts wherever
they answer (no filter or one filter value; the whole months of a date range), walking the rest.
"""

import datetime as dt
import sqlite3
from typing import Any

from bench.floor_queries import Rows, Selection, in_list, plan, where


def _seed_counts(
    db: sqlite3.Connection, chosen: Selection, first: str | None, last: str | None
) -> Rows:
    dimension, values = chosen.memberships[0] if chosen.memberships else ("all", ("",))
    sql_values, params = in_list("value", values)
    conditions = ["dimension = :dimension", f"value IN {sql_values}"]
    if first is not None:
        conditions.append("month >= :first_month")
        params["first_month"] = first[:7]
    if last is not None:
        conditions.append("month <= :last_month")
        params["last_month"] = last[:7]
    return db.execute(
        f"SELECT month, year_precision, sum(count) FROM event_timeline_count{where(conditions)} "
        "GROUP BY month, year_precision",
        {"dimension": dimension, **params},
    ).fetchall()


def _walked_counts(db: sqlite3.Connection, chosen: Selection) -> Rows:
    found = plan(db, chosen, whole=True)
    if found.empty:
        return []
    table = found.sort_key[0].split(".")[0]
    precision = (
        f"{table}.year_precision"
        if table == "p"
        else f"CASE WHEN {table}.date_precision = 'year' THEN 1 ELSE 0 END"
    )
    return db.execute(
        f"SELECT substr({table}.date_lo, 1, 7), {precision}, count(*) FROM "
        f"{found.source}{where(found.conditions)} GROUP BY 1, 2",
        found.params,
    ).fetchall()


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _edge(chosen: Selection, ranges: list[str], name: str, value: str) -> Selection:
    return Selection(
        chosen.postings,
        chosen.memberships,
        ranges,
        {**chosen.params, name: value},
        chosen.q,
        chosen.few,
    )


def timeline(db: sqlite3.Connection, chosen: Selection, granularity: str) -> dict[str, Any]:
    """The app's timeline: the seed's monthly counts wherever they answer (one filter value at
    most; whole months of a date range), walking the rest."""
    single = len(chosen.memberships) == 1 and (
        len(chosen.memberships[0][1]) == 1 or chosen.memberships[0][0] == "kind"
    )
    rows: Rows
    if chosen.q is not None or (chosen.memberships and not single):
        rows = _walked_counts(db, chosen)
    elif not chosen.ranges:
        rows = _seed_counts(db, chosen, None, None)
    else:
        low, high = chosen.params.get("low"), chosen.params.get("high")
        first = last = None
        if low is not None:
            day = dt.date.fromisoformat(low)
            first = (day if day.day == 1 else _month_end(day) + dt.timedelta(days=1)).isoformat()
        if high is not None:
            day = dt.date.fromisoformat(high)
            end = day if day == _month_end(day) else day.replace(day=1) - dt.timedelta(days=1)
            last = end.replace(day=1).isoformat()
        if first is not None and last is not None and first > last:
            rows = _walked_counts(db, chosen)
        else:
            rows = _seed_counts(db, chosen, first, last)
            if first is not None:
                lower = ["{t}.date_hi >= :low", "{t}.date_lo < :whole_from"]
                if "earliest_start" in chosen.params:
                    lower.append("{t}.date_lo >= :earliest_start")
                rows += _walked_counts(db, _edge(chosen, lower, "whole_from", first))
            if last is not None:
                whole_to = _month_end(dt.date.fromisoformat(last)).isoformat()
                upper = ["{t}.date_lo > :whole_to", "{t}.date_lo <= :high"]
                rows += _walked_counts(db, _edge(chosen, upper, "whole_to", whole_to))
    width = 4 if granularity == "year" else 7
    buckets: dict[str, int] = {}
    coarser: dict[str, int] = {}
    for month, year_precision, count in rows:
        if granularity == "month" and year_precision:
            coarser[month[:4]] = coarser.get(month[:4], 0) + int(count)
        else:
            buckets[month[:width]] = buckets.get(month[:width], 0) + int(count)
    return {
        "granularity": granularity,
        "buckets": [{"period": k, "count": v} for k, v in sorted(buckets.items())],
        "coarser": [{"period": k, "count": v} for k, v in sorted(coarser.items())],
        "total": sum(buckets.values()) + sum(coarser.values()),
    }


# ---- quotes (app/services/quotes.py) -----------------------------------------------------
