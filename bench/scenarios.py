"""What the benchmark asks: facts read off a database, the scenarios built from them, and the
check that the floor's bodies equal ours byte for byte before anything is measured.

Facts are read through the app's own read layer (app.database.Snapshot) so that one piece of
code serves SQLite and PostgreSQL; cursors are made with the app's encoding and secret, and a
cursor the app would not accept shows up as a 400 when the bodies are checked.
"""

import datetime as dt
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote as urlquote

from app.config import Settings
from app.database import Snapshot
from app.engines import create_db_engine
from app.services.cursors import next_key
from app.services.events import EventFilters, event_listing
from app.services.listing import Listing
from bench.servers import BenchError, Server, http_get

PAGE = 50
# Search words of the synthetic vocabulary (bench/words.py): one frequent, and rare ones of
# which the rarest that still matches is taken.
COMMON_WORD = "presidente"
RARE_WORDS = ("gasdotto artico", "gasdotto siberia", "semiconduttori", "gasdotto")


@dataclass
class Scenario:
    name: str
    title: str
    ours: list[str]
    datasette: list[str] = field(default_factory=list)
    connections: int | None = None  # set from the probes; None: the configured number
    group: str = "main"  # main (all servers under load), matrix or timeline (one client)
    matches: int | None = None


@dataclass
class Facts:
    url: str
    counts: dict[str, int]
    event_ids: list[str]
    deep_pages: int
    deep_key: list[str]
    deep_cursor: str
    lo_bound: str
    # dimension -> {"common": value, "rare": value}, for events and for quotes
    event_values: dict[str, dict[str, str]]
    quote_values: dict[str, dict[str, str]]
    words: dict[str, dict[str, str]]  # "event"/"quote" -> {"common": q, "rare": q}


@contextmanager
def snapshot(url: str) -> Iterator[Snapshot]:
    engine = create_db_engine(url, read_only=True)
    try:
        with engine.connect() as connection, connection.begin():
            yield Snapshot(connection)
    finally:
        engine.dispose()


def _day(value: Any) -> str:
    return str(value)[:10]


def deep_pages(events: int) -> int:
    return max(1, min(10_000, events // PAGE // 2))


def cursor_at(snapshot: Snapshot, listing: Listing, depth: int) -> tuple[str, list[str]] | None:
    """The cursor (and its key) of the page after the first `depth` items, or None."""
    plan = listing.plan(snapshot)
    rows = plan.page(
        snapshot, select="i.id", descending=listing.descending, limit=depth + 1, after=None
    )
    key = next_key(rows, depth)
    if key is None:
        return None
    # The servers read the same environment, so the same secret.
    token = listing.cursors(Settings()).token(key)
    return token, key


def _values(snapshot: Snapshot, kind: str, dimension: str) -> dict[str, str]:
    """The most and the least frequent value of a dimension (ties: the first by value)."""
    rows = snapshot.rows(
        "SELECT value, count FROM posting_count WHERE kind = :kind AND dimension = :dimension",
        {"kind": kind, "dimension": dimension},
    )
    if not rows:
        raise BenchError(f"no {kind} has a {dimension}: is the database generated?")
    common = min(rows, key=lambda row: (-row[1], row[0]))[0]
    rare = min(rows, key=lambda row: (row[1], row[0]))[0]
    return {"common": str(common), "rare": str(rare)}


def _matches(snapshot: Snapshot, kind: str, q: str) -> int:
    from app.services.search import compile_query

    table = f"{kind}_search"
    condition = (
        f"{table} MATCH :q"
        if snapshot.dialect == "sqlite"
        else "document @@ to_tsquery('simple', :q)"
    )
    query = compile_query(snapshot.dialect, q)
    return int(snapshot.scalar(f"SELECT count(*) FROM {table} WHERE {condition}", {"q": query}))


def _words(snapshot: Snapshot, kind: str) -> dict[str, str]:
    counted = [(_matches(snapshot, kind, word), word) for word in RARE_WORDS]
    found = [pair for pair in counted if pair[0] > 0]
    rare = min(found)[1] if found else RARE_WORDS[-1]
    return {"common": COMMON_WORD, "rare": rare}


def _event_ids(snapshot: Snapshot) -> list[str]:
    """90 events spread over the date range, and 10 that have trade figures (their detail
    splices those too)."""
    walk = "dimension = 'all' AND value = ''"
    low, high = snapshot.rows(f"SELECT min(date_lo), max(date_lo) FROM event_posting WHERE {walk}")[
        0
    ]
    first, last = dt.date.fromisoformat(_day(low)), dt.date.fromisoformat(_day(high))
    ids: list[str] = []
    for index in range(90):
        day = first + (last - first) * index / 90
        found = snapshot.scalar(
            f"SELECT event_id FROM event_posting WHERE {walk} AND date_lo >= :day "
            "ORDER BY date_lo, event_id LIMIT 1",
            {"day": day},
        )
        if found is not None:
            ids.append(str(found))
    ids += snapshot.column(
        "SELECT DISTINCT event_id FROM trade_observation WHERE event_id IS NOT NULL "
        "ORDER BY event_id LIMIT 10"
    )
    return list(dict.fromkeys(ids))


def read_facts(url: str) -> Facts:
    """Ids, values, words and cursors the scenarios need, read off the database at `url`."""
    with snapshot(url) as s:
        counts = {
            f"{kind}s": int(
                s.scalar(
                    "SELECT count FROM posting_count WHERE kind = :kind AND dimension = 'all'",
                    {"kind": kind},
                )
                or 0
            )
            for kind in ("event", "quote")
        }
        if not counts["events"]:
            raise BenchError(f"{url} has no events: run bench.generate first")
        counts["quotes_of_leader"] = int(
            s.scalar(
                "SELECT count FROM posting_count WHERE kind = 'quote' AND dimension = 'leader' "
                "AND value = 'xi-jinping'"
            )
            or 0
        )
        counts["quotes_matching_q"] = _matches(s, "quote", "gasdotto")
        pages = deep_pages(counts["events"])
        found = cursor_at(s, event_listing(filters=EventFilters(), descending=False), pages * PAGE)
        if found is None:
            raise BenchError("too few events for a deep page")
        days = int(s.scalar("SELECT max_event_span_days FROM dataset_meta") or 0)
        event_dimensions = ("leader", "country", "topic", "kind", "status", "source")
        quote_dimensions = ("leader", "topic", "lang", "attribution")
        return Facts(
            url=url,
            counts=counts,
            event_ids=_event_ids(s),
            deep_pages=pages,
            deep_key=found[1],
            deep_cursor=found[0],
            lo_bound=(dt.date(2010, 1, 1) - dt.timedelta(days=days)).isoformat(),
            event_values={d: _values(s, "event", d) for d in event_dimensions},
            quote_values={d: _values(s, "quote", d) for d in quote_dimensions},
            words={kind: _words(s, kind) for kind in ("event", "quote")},
        )


def build_scenarios(db_name: str, facts: Facts) -> list[Scenario]:
    """The scenarios measured on every server under load (Datasette's canned queries are in
    bench/servers.py)."""
    d = f"/{db_name}"
    day, last_id = facts.deep_key
    return [
        Scenario(
            "events_by_date",
            "events by date range (50 rows)",
            ["/v1/events?from=2010-01&to=2010-03&limit=50"],
            [
                f"{d}/events_by_date.json?_shape=array&lo=2010-01-01&hi=2010-03-31"
                f"&lo_bound={facts.lo_bound}"
            ],
        ),
        Scenario(
            "events_first_page",
            "events, first page (50 rows)",
            ["/v1/events?limit=50"],
            [f"{d}/events_page.json?_shape=array"],
        ),
        Scenario(
            "events_deep_cursor",
            f"events, page {facts.deep_pages + 1:,} by cursor",
            [f"/v1/events?limit=50&cursor={facts.deep_cursor}"],
            [f"{d}/events_after.json?_shape=array&d={day}&id={urlquote(last_id)}"],
        ),
        Scenario(
            "event_by_id",
            f"one event by id ({len(facts.event_ids)} ids)",
            [f"/v1/events/{urlquote(i)}" for i in facts.event_ids],
            [f"{d}/event_by_id.json?_shape=array&id={urlquote(i)}" for i in facts.event_ids],
        ),
        Scenario(
            "quotes_by_leader",
            "quotes by leader (xi-jinping, 50 rows)",
            ["/v1/quotes?leader=xi-jinping&limit=50"],
            [f"{d}/quotes_by_leader.json?_shape=array&leader=xi-jinping"],
        ),
        Scenario(
            "quote_fts",
            "quote full-text search (q=gasdotto)",
            ["/v1/quotes?q=gasdotto&limit=50"],
            [f"{d}/quote_search.json?_shape=array&q=%22gasdotto%22"],
        ),
        Scenario(
            "trade_series",
            "trade series CN-RU annual",
            ["/v1/trade/series?country=CN&partner=RU"],
            [f"{d}/trade_series.json?_shape=array&country=CN&partner=RU"],
        ),
    ]


def _first_difference(ours: bytes, floor: bytes) -> int:
    return next(
        (i for i, (a, b) in enumerate(zip(ours, floor, strict=False)) if a != b),
        min(len(ours), len(floor)),
    )


def verify(
    servers: dict[str, Server], scenarios: list[Scenario], *, exports: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Floor bodies must equal ours byte for byte (the scenarios' and `exports`' URLs);
    Datasette must answer a JSON array. Also probes each server's single-request latency."""
    report: dict[str, Any] = {}
    for path in exports:
        _same_body(servers, path)
    for scenario in scenarios:
        entry: dict[str, Any] = {"urls": len(scenario.ours), "identical": True}
        for path in scenario.ours:
            entry.setdefault("bytes", len(_same_body(servers, path)))
        if "datasette" in servers:
            for path in scenario.datasette[:10]:
                status, body = http_get(servers["datasette"].port, path)
                if status != 200 or not body.startswith(b"["):
                    raise BenchError(f"datasette answered {status} to {path}: {body[:300]!r}")
        if scenario.group == "main":
            # Single-request latency of the slowest server, caches warm: it decides the load.
            probes = {}
            for name, server in servers.items():
                path = (scenario.datasette if name == "datasette" else scenario.ours)[0]
                timings = []
                for _ in range(3):
                    started = time.perf_counter()
                    http_get(server.port, path)
                    timings.append(time.perf_counter() - started)
                probes[name] = round(statistics.median(timings) * 1000, 2)
            entry["single_request_ms"] = probes
        report[scenario.name] = entry
    return report


def _same_body(servers: dict[str, Server], path: str) -> bytes:
    for _attempt in range(3):  # a cold page cache can exceed the statement timeout once
        status, ours = http_get(servers["ours"].port, path)
        if status == 200:
            break
        time.sleep(1)
    if status != 200:
        raise BenchError(f"ours answered {status} to {path}: {ours[:300]!r}")
    if "floor" in servers:
        floor_status, floor = http_get(servers["floor"].port, path)
        if floor != ours:
            at = _first_difference(ours, floor)
            raise BenchError(
                f"floor differs from ours on {path} (status {floor_status}) at byte {at}: ours "
                f"{ours[max(0, at - 60) : at + 60]!r} floor {floor[max(0, at - 60) : at + 60]!r}"
            )
    return ours


def explorer_scenarios(facts: Facts) -> list[Scenario]:
    """The explorer's page types (docs/explorer.md), each measured from one client on ours."""
    event = facts.event_ids[len(facts.event_ids) // 2]
    leader = facts.event_values["leader"]["common"]
    source = facts.event_values["source"]["common"]
    pages = [
        ("home", "/"),
        ("home_by_month", "/?granularity=month"),
        ("events", "/events"),
        ("events_filtered", "/events?kind=video_call&country=CN"),
        ("event", f"/events/{urlquote(event)}"),
        ("leader", f"/leaders/{urlquote(leader)}"),
        ("search", "/search?q=gasdotto"),
        ("trade", "/trade"),
        ("source", f"/sources/{urlquote(source)}"),
    ]
    return [
        Scenario(f"explorer:{name}", f"explorer page {path}", [path], group="explorer")
        for name, path in pages
    ]
