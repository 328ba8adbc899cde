"""The read model: every stored document is a fresh render of its normalized rows, and every
page of a common filter walks a posting list in sort order instead of sorting its matches.

Both on the curated dataset (as the seed loaded it) and on a generated one (bench.generate,
which goes through the same ReadModelBuilder), on SQLite and PostgreSQL.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, Engine, select, text

from app import migrations
from app.database import Params, Snapshot
from app.engines import create_db_engine
from app.models import tables as t
from app.readmodel.contract import EVERYTHING, LISTED, POSTING_COUNT
from app.readmodel.derive import derive_read_model
from app.readmodel.write import TABLES
from app.services.cursors import typed_key
from app.services.events import EventFilters, event_listing, timeline
from app.services.listing import Listing
from app.services.quotes import quote_listing
from app.services.walks import FETCH_AND_SORT_MAX, Plan
from bench.generate import generate
from bench.matrix import event_filters, event_specs, quote_filters, quote_specs
from bench.scenarios import cursor_at, read_facts
from tests.conftest import DatabaseFactory

# The stored text of each listed table: JSON documents, and each item's CSV export line.
DOCUMENTS = {
    "event": ("doc", "sources_doc", "csv_line"),
    "quote": ("doc", "csv_line"),
    "trade_observation": ("doc", "csv_line"),
    "person": ("doc", "csv_line"),
    "source": ("doc", "csv_line"),
}
DERIVED = (
    "event_posting",
    "quote_posting",
    "posting_count",
    "posting_pair_count",
    "event_timeline_count",
)
# Every table the seed writes but the read model: what the read model is derived from.
NORMALIZED = [name for name in (model.__table__.name for model in TABLES) if name not in DERIVED]
GENERATED_EVENTS = 5_000
PAGE = 50
# Ten pages: below this, sorting every match of a page's filter costs about what walking does.
COMMON_MATCHES = 10 * PAGE
# At 5,000 events nearly every event's text has these: more matches than FETCH_AND_SORT_MAX.
VERY_COMMON_WORD = "il"


def _rows(connection: Connection, table: str) -> list[dict[str, Any]]:
    return [dict(row) for row in connection.execute(select(getattr(t, table))).mappings()]


def _canonical(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as sorted tuples of (column, value), booleans and integers alike (SQLite stores
    booleans as integers)."""
    return sorted(
        tuple(sorted((k, int(v) if isinstance(v, bool) else v) for k, v in row.items()))
        for row in rows
    )


def assert_read_model_is_fresh(connection: Connection) -> None:
    rows = {table: _rows(connection, table) for table in NORMALIZED}
    stored = {
        table: {row["id"]: tuple(row.pop(c) for c in columns) for row in rows[table]}
        for table, columns in DOCUMENTS.items()
    }
    derive_read_model(rows)
    for table, columns in DOCUMENTS.items():
        fresh = {row["id"]: tuple(row[c] for c in columns) for row in rows[table]}
        assert fresh.keys() == stored[table].keys()
        differing = [key for key in fresh if fresh[key] != stored[table][key]]
        assert not differing, f"{table}: {len(differing)} stale documents, first {differing[0]}"
        json_columns = [index for index, c in enumerate(columns) if c != "csv_line"]
        assert all(orjson.loads(docs[index]) for docs in fresh.values() for index in json_columns)
    for table in DERIVED:
        assert _canonical(rows[table]) == _canonical(_rows(connection, table)), table


def test_stored_documents_postings_and_counts_equal_a_fresh_render(connection: Connection) -> None:
    assert_read_model_is_fresh(connection)


def test_the_derivation_posts_every_dimension_of_the_contract(connection: Connection) -> None:
    """Every dimension the contract names has postings in the seeded dataset, and there are
    no others: services filter by the contract's names, the derivation writes the same."""
    for listed in LISTED:
        posted = connection.execute(text(f"SELECT DISTINCT dimension FROM {listed.postings}"))
        assert set(posted.scalars()) == {EVERYTHING[0], *listed.dimensions}, listed.kind
        counted = connection.execute(
            text(f"SELECT DISTINCT dimension FROM {POSTING_COUNT} WHERE kind = :kind"),
            {"kind": listed.kind},
        )
        assert set(counted.scalars()) == {EVERYTHING[0], *listed.dimensions}, listed.kind


@pytest.fixture(scope="module")
def generated(backend: str, make_database: DatabaseFactory) -> Iterator[Engine]:
    """A database filled by bench.generate with a few thousand events."""
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    generate(url, events=GENERATED_EVENTS, seed=11, sources=30, log=lambda _m: None)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def test_generated_read_model_equals_a_fresh_render(generated: Engine) -> None:
    with generated.connect() as connection:
        assert_read_model_is_fresh(connection)


class RecordingSnapshot(Snapshot):
    """A snapshot that remembers the last statement it ran (a page's query is the last)."""

    last: tuple[str, Params]

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        self.last = (sql, dict(params or {}))
        return super().rows(sql, params)


# PostgreSQL plan nodes that read a whole posting list before the page's first row: a probe
# turned into a join (hash, merge, or a semi-join) instead of a per-row subplan.
WHOLE_LIST_JOINS = {"Hash Join", "Merge Join", "Hash"}


def _sorts(snapshot: Snapshot, sql: str, params: Params) -> list[str]:
    """The steps in the plan of `sql` that read every match before the first row: SQLite's
    temporary B-trees for ORDER BY; PostgreSQL's Sort nodes and joins of whole lists."""
    if snapshot.dialect == "sqlite":
        details = [row[-1] for row in snapshot.rows(f"EXPLAIN QUERY PLAN {sql}", params)]
        return [detail for detail in details if "TEMP B-TREE FOR ORDER BY" in detail]
    (plan,) = snapshot.rows(f"EXPLAIN (FORMAT JSON) {sql}", params)[0]
    tree = plan if isinstance(plan, list) else orjson.loads(plan)
    found: list[str] = []

    def visit(node: dict[str, Any]) -> None:
        if node["Node Type"] == "Sort":
            found.append(f"Sort on {node.get('Sort Key')}")
        if node["Node Type"] in WHOLE_LIST_JOINS or node.get("Join Type") in ("Semi", "Anti"):
            found.append(f"{node['Node Type']} ({node.get('Join Type', '')})")
        for child in node.get("Plans", []):
            visit(child)

    visit(tree[0]["Plan"])
    return found


def _listings(url: str) -> list[tuple[str, Listing]]:
    facts = read_facts(url)
    specs: list[tuple[str, Listing]] = []
    events = event_specs(facts) | {
        "q=very-common": [("q", VERY_COMMON_WORD)],
        "q=very-common+leader": [("q", VERY_COMMON_WORD), ("leader", "xi-jinping")],
    }
    for descending in (False, True):
        for name, params in events.items():
            listing = event_listing(filters=event_filters(params), descending=descending)
            specs.append((f"events {name} desc={descending}", listing))
        for name, params in quote_specs(facts).items():
            listing = quote_listing(filters=quote_filters(params), descending=descending)
            specs.append((f"quotes {name} desc={descending}", listing))
    return specs


def _is_walk(plan: Plan) -> bool:
    return plan.source.split()[0].endswith("_posting")


def test_pages_of_common_filters_walk_in_sort_order(generated: Engine) -> None:
    """A filter with more than COMMON_MATCHES items must not sort them for a page (first or
    deep, either order); fewer may be fetched and sorted, which the planner may prefer on
    PostgreSQL at this size, and the app's fetch-and-sort plan is for at most
    FETCH_AND_SORT_MAX matches."""
    url = generated.url.render_as_string(hide_password=False)
    walked: set[str] = set()
    with generated.connect() as connection, connection.begin():
        snapshot = RecordingSnapshot(connection)
        for name, listing in _listings(url):
            plan = listing.plan(snapshot)
            matches = listing.count(snapshot)
            if not _is_walk(plan):
                assert plan.empty or matches <= FETCH_AND_SORT_MAX, name
                continue
            if matches <= COMMON_MATCHES:
                continue
            walked.add(name.split(" desc=")[0])
            pages: list[list[str] | None] = [None]
            deep = cursor_at(snapshot, listing, matches // 2)
            if deep is not None:
                pages.append(deep[1])
            for key in pages:
                after = None if key is None else typed_key(listing.key_shape, key)
                listing.fetch(snapshot, after, PAGE)
                sql, params = snapshot.last
                assert "ORDER BY" in sql and "LIMIT" in sql, sql
                assert _sorts(snapshot, sql, params) == [], f"{name} (after {key}) sorts: {sql}"
    # The filters a frontend sends most, on both lists, were among those walked.
    expected = {
        "events leader=common",
        "events country=common",
        "events kind=common",
        "events status=common",
        "events q=very-common",
        "events q=very-common+leader",
        "events from",
        "events leader+country",
        "events leader+leader",
        "quotes leader=common",
        "quotes lang=common",
        "quotes attribution=common",
        "quotes leaders",
    }
    assert expected <= walked, sorted(expected - walked)


# Date ranges around month edges, open at either end, inside one month, across years.
TIMELINE_RANGES: list[dict[str, Any]] = [
    {},
    {"start": dt.date(2005, 3, 15)},
    {"start": dt.date(2005, 3, 1)},
    {"end": dt.date(2010, 6, 29)},
    {"end": dt.date(2010, 6, 30)},
    {"start": dt.date(2004, 12, 31), "end": dt.date(2006, 1, 1)},
    {"start": dt.date(2007, 2, 1), "end": dt.date(2007, 2, 28)},
    {"start": dt.date(2007, 2, 10), "end": dt.date(2007, 2, 20)},
    {"start": dt.date(2007, 2, 10), "end": dt.date(2007, 3, 5)},
    {"period": (dt.date(2012, 1, 1), dt.date(2012, 12, 31))},
    {"period": (dt.date(2012, 1, 1), dt.date(2012, 12, 31)), "start": dt.date(2012, 5, 17)},
]


def _expected_timeline(
    connection: Connection, filters: EventFilters, granularity: str
) -> dict[str, Any]:
    """The timeline computed in Python from the normalized rows, as the API documents it:
    events whose period overlaps the range, bucketed by the month (or year) they start in."""
    members: dict[str, dict[str, set[str]]] = {"leader": {}, "country": {}, "topic": {}}
    for dimension, table, column in (
        ("leader", "event_participant", "person_id"),
        ("country", "event_country", "country_code"),
        ("topic", "event_topic", "topic"),
    ):
        for event_id, value in connection.execute(text(f"SELECT event_id, {column} FROM {table}")):
            members[dimension].setdefault(event_id, set()).add(value)
    lows = [day for day in (filters.start, filters.period and filters.period[0]) if day]
    highs = [day for day in (filters.end, filters.period and filters.period[1]) if day]
    buckets: dict[str, int] = {}
    coarser: dict[str, int] = {}
    rows = connection.execute(text("SELECT id, date_lo, date_hi, date_precision, kind FROM event"))
    for event_id, date_lo, date_hi, precision, kind in rows:
        lo, hi = str(date_lo)[:10], str(date_hi)[:10]
        if any(lo > str(high) for high in highs) or any(hi < str(low) for low in lows):
            continue
        if not set(filters.leaders) <= members["leader"].get(event_id, set()):
            continue
        if not set(filters.countries) <= members["country"].get(event_id, set()):
            continue
        if not set(filters.topics) <= members["topic"].get(event_id, set()):
            continue
        if filters.kinds and kind not in filters.kinds:
            continue
        if granularity == "month" and precision == "year":
            coarser[lo[:4]] = coarser.get(lo[:4], 0) + 1
        else:
            period = lo[: 4 if granularity == "year" else 7]
            buckets[period] = buckets.get(period, 0) + 1
    return {
        "granularity": granularity,
        "buckets": [{"period": k, "count": v} for k, v in sorted(buckets.items())],
        "coarser": [{"period": k, "count": v} for k, v in sorted(coarser.items())],
        "total": sum(buckets.values()) + sum(coarser.values()),
    }


def test_timelines_equal_counting_every_event(generated: Engine) -> None:
    """Timelines answered from the seed's monthly counts (whole months of a date range
    included, the edges walked) and timelines walked agree with counting in Python."""
    with generated.connect() as connection, connection.begin():
        leader, other = connection.execute(
            text(
                "SELECT value FROM posting_count WHERE kind = 'event' AND dimension = 'leader' "
                "ORDER BY count DESC, value LIMIT 2"
            )
        ).scalars()
        country = connection.execute(
            text(
                "SELECT value FROM posting_count WHERE kind = 'event' AND dimension = 'country' "
                "ORDER BY count DESC, value LIMIT 1"
            )
        ).scalar_one()
        kinds = tuple(
            connection.execute(
                text(
                    "SELECT value FROM posting_count WHERE kind = 'event' AND dimension = 'kind' "
                    "ORDER BY count DESC, value LIMIT 2"
                )
            ).scalars()
        )
        filter_sets: list[dict[str, Any]] = [
            {},
            {"leaders": (leader,)},
            {"kinds": kinds},
            {"countries": (country,)},
            {"leaders": (leader, other)},  # two filters: always walked
        ]
        snapshot = Snapshot(connection)
        for members in filter_sets:
            for dates in TIMELINE_RANGES:
                filters = EventFilters(**members, **dates)
                for granularity in ("year", "month"):
                    answer = timeline(snapshot, filters=filters, granularity=granularity)
                    expected = _expected_timeline(connection, filters, granularity)
                    assert answer == expected, (filters, granularity)
                    assert answer["total"] > 0 or dates, filters
