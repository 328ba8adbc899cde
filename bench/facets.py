"""Facets and filtered timelines, timed in process on one database: p50 and p99 per scenario.

    nice .venv/bin/python -m bench.facets --database-url sqlite:////tmp/facets-200k.db

Each scenario calls the service a request calls (app/services/facets.py, the timeline of
app/services/events.py) on a fresh snapshot, so the numbers are the database work of one
request without HTTP; the filter values are the dataset's most common ones (posting_count),
the hardest case for counting every match. Prints one JSON line per scenario.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson

from app.database import Snapshot
from app.schemas.facets import EventFacet, QuoteFacet
from app.services import facets
from app.services.events import EventFilters, timeline
from app.services.quotes import QuoteFilters
from bench.scenarios import snapshot

EVENT_DIMS = (EventFacet.kind, EventFacet.topic, EventFacet.country, EventFacet.year)
QUOTE_DIMS = (QuoteFacet.leader, QuoteFacet.topic, QuoteFacet.lang, QuoteFacet.attribution)


@dataclass(frozen=True)
class Timed:
    name: str
    run: Callable[[Snapshot], Any]


def _common(db: Snapshot, kind: str, dimension: str, rank: int = 0) -> str:
    rows = db.column(
        "SELECT value FROM posting_count WHERE kind = :kind AND dimension = :dimension "
        "ORDER BY count DESC, value",
        {"kind": kind, "dimension": dimension},
    )
    return str(rows[rank])


def scenarios(db: Snapshot) -> list[Timed]:
    country, topic = _common(db, "event", "country"), _common(db, "event", "topic")
    kind, leader = _common(db, "event", "kind"), _common(db, "event", "leader")
    speaker, lang = _common(db, "quote", "leader"), _common(db, "quote", "lang")
    event_filters = {
        "none": EventFilters(),
        f"country={country}": EventFilters(countries=(country,)),
        f"country={country}&topic={topic}": EventFilters(countries=(country,), topics=(topic,)),
        f"leader={leader}&kind={kind}": EventFilters(leaders=(leader,), kinds=(kind,)),
    }
    timed = [
        Timed(
            f"event facets kind,topic,country,year {name}",
            partial(facets.event_facets, filters=filters, dimensions=EVENT_DIMS, size=10),
        )
        for name, filters in event_filters.items()
    ]
    quote_filters = {
        "none": QuoteFilters(),
        f"leader={speaker}": QuoteFilters(leaders=(speaker,)),
        f"leader={speaker}&lang={lang}": QuoteFilters(leaders=(speaker,), language=lang),
    }
    timed += [
        Timed(
            f"quote facets leader,topic,lang,attribution {name}",
            partial(facets.quote_facets, filters=filters, dimensions=QUOTE_DIMS, size=10),
        )
        for name, filters in quote_filters.items()
    ]
    timeline_filters = {
        f"country={country}": EventFilters(countries=(country,)),
        f"country={country}&topic={topic}": EventFilters(countries=(country,), topics=(topic,)),
        f"country={country}&topic={topic}&kind={kind}": EventFilters(
            countries=(country,), topics=(topic,), kinds=(kind,)
        ),
        f"leader={leader}&country={country}&topic={topic}": EventFilters(
            leaders=(leader,), countries=(country,), topics=(topic,)
        ),
    }
    timed += [
        Timed(
            f"timeline year {name}",
            partial(timeline, filters=filters, granularity="year"),
        )
        for name, filters in timeline_filters.items()
    ]
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    with snapshot(args.database_url) as db:
        chosen = [s for s in scenarios(db) if args.only in s.name]
    for scenario in chosen:
        times = []
        for _ in range(args.repeat):
            with snapshot(args.database_url) as db:
                started = time.perf_counter()
                scenario.run(db)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
        line = {
            "scenario": scenario.name,
            "p50_ms": round(statistics.median(times), 1),
            "p99_ms": round(p99, 1),
            "runs": len(times),
        }
        print(orjson.dumps(line).decode(), flush=True)


if __name__ == "__main__":
    main()
