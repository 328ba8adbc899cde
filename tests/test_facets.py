"""/v1/events/facets and /v1/quotes/facets: exact counts under the faceted-search convention.

The oracle is the list itself: every item of /v1/events (or /v1/quotes) under the request's
filters but the counted dimension's own, paged through and counted here from the items' JSON,
independently of the app's counting SQL. On a generated dataset, the counts are checked against
the normalized tables counted in Python, and the plans of the counting statements are read.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from app import migrations
from app.database import Params, Snapshot
from app.engines import create_db_engine
from app.schemas.facets import EventFacet, QuoteFacet
from app.services import facets
from app.services.events import EventFilters
from bench.generate import generate
from tests.conftest import DatabaseFactory
from tests.helpers import assert_problem, ok

API = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Query = list[tuple[str, str]]
EVENT_DIMENSIONS = ("kind", "topic", "country", "leader", "status", "year")
# Each dimension's own filter parameter(s), left out of its counts.
OWN = {"kind": "kind", "topic": "topic", "country": "country", "leader": "leader"}
OWN |= {"status": "status", "source": "source", "lang": "lang", "attribution": "attribution"}
OWN |= {"speech": "speech", "year": "-"}


def _all_items(client: TestClient, path: str, query: Query) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: Any = [*query, ("limit", "200")] + ([("cursor", cursor)] if cursor else [])
        page = ok(client.get(path, params=params))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _event_values(item: dict[str, Any], dimension: str) -> list[str]:
    if dimension == "leader":
        return [p["id"] for p in item["participants"]]
    if dimension == "country":
        return list(item["countries"])
    if dimension == "topic":
        return list(item["topics"])
    if dimension == "year":
        return [item["earliest_date"][:4]]
    return [item[dimension]]


def _quote_values(item: dict[str, Any], dimension: str) -> list[str]:
    if dimension == "leader":
        return [item["speaker"]["id"]]
    if dimension == "topic":
        return list(item["topics"])
    if dimension == "lang":
        return [item["language"]]
    if dimension == "speech":
        return ["reported" if item["reported_speech"] else "own"]
    return [item[dimension]]


def _oracle(client: TestClient, path: str, query: Query, dimension: str) -> Counter[str]:
    others = [(name, value) for name, value in query if name != OWN[dimension]]
    values = _event_values if path == "/v1/events" else _quote_values
    counted: Counter[str] = Counter()
    for item in _all_items(client, path, others):
        counted.update(set(values(item, dimension)))
    return counted


def _facets(client: TestClient, path: str, query: Query, dims: tuple[str, ...]) -> dict[str, Any]:
    params: Any = [*query, *(("facet", d) for d in dims), ("facet_size", "100")]
    body = ok(client.get(f"{path}/facets", params=params))
    assert [facet["dimension"] for facet in body["facets"]] == list(dims)
    return {facet["dimension"]: facet for facet in body["facets"]}


def _assert_exact(client: TestClient, path: str, query: Query, dims: tuple[str, ...]) -> None:
    for dimension, facet in _facets(client, path, query, dims).items():
        got = {value["value"]: value["count"] for value in facet["values"]}
        assert got == dict(_oracle(client, path, query, dimension)), (dimension, query)
        assert not facet["truncated"]
        counts = [value["count"] for value in facet["values"]]
        assert counts == sorted(counts, reverse=True)
        assert all(value["label"] for value in facet["values"])


EVENT_QUERIES: st.SearchStrategy[Query] = st.lists(
    st.sampled_from(
        [
            ("kind", "phone_call"),
            ("kind", "video_call"),
            ("topic", "energy"),
            ("topic", "trade"),
            ("country", "RU"),
            ("country", "UA"),
            ("leader", "vladimir-putin"),
            ("leader", "xi-jinping"),
            ("status", "occurred"),
            ("from", "2022"),
            ("to", "2023-06"),
            ("q", "putin"),
        ]
    ),
    max_size=3,
    unique=True,
)


@pytest.mark.parametrize("dims", [("kind", "topic", "country", "year"), ("leader", "status")])
@given(query=EVENT_QUERIES)
@API
def test_event_facets_count_the_list_without_their_own_filter(
    client: TestClient, query: Query, dims: tuple[str, ...]
) -> None:
    _assert_exact(client, "/v1/events", query, dims)


@given(
    query=st.lists(
        st.sampled_from(
            [
                ("leader", "vladimir-putin"),
                ("leader", "xi-jinping"),
                ("topic", "energy"),
                ("lang", "it"),
                ("attribution", "direct"),
                ("speech", "own"),
                ("from", "2022"),
            ]
        ),
        max_size=3,
        unique=True,
    )
)
@API
def test_quote_facets_count_the_list_without_their_own_filter(
    client: TestClient, query: Query
) -> None:
    _assert_exact(client, "/v1/quotes", query, ("leader", "topic", "lang", "speech"))
    _assert_exact(client, "/v1/quotes", query, ("attribution",))


def test_a_source_count_is_the_total_of_its_filtered_list(client: TestClient) -> None:
    """Sources are not in the list's items: each count is checked against include_total."""
    query = [("country", "CN")]
    for value in _facets(client, "/v1/events", query, ("source",))["source"]["values"]:
        params = [*query, ("source", value["value"]), ("include_total", "true")]
        assert ok(client.get("/v1/events", params=params))["total"] == value["count"]


def test_a_dimensions_own_filter_is_left_out_of_its_counts(client: TestClient) -> None:
    query = [("kind", "phone_call"), ("country", "CN")]
    by = _facets(client, "/v1/events", query, ("kind", "country"))
    kinds = {value["value"] for value in by["kind"]["values"]}
    assert {"phone_call", "video_call"} <= kinds  # the alternatives stay on offer
    phone_calls = _all_items(client, "/v1/events", query)
    country = {value["value"]: value["count"] for value in by["country"]["values"]}
    assert country["CN"] == len(phone_calls)  # other dimensions count under every filter


def test_labels_name_the_values(client: TestClient) -> None:
    by = _facets(client, "/v1/events", [], ("kind", "country", "leader"))
    labels = {v["value"]: v["label"] for facet in by.values() for v in facet["values"]}
    assert labels["phone_call"] == "Phone call"
    assert labels["RU"] == "Russia"
    assert labels["vladimir-putin"] == "Vladimir Putin"


def test_the_year_facet_is_the_timeline_by_year(client: TestClient) -> None:
    for query in ([], [("country", "RU"), ("topic", "energy")], [("leader", "xi-jinping")]):
        timeline = ok(client.get("/v1/timeline", params=[*query, ("granularity", "year")]))
        years = _facets(client, "/v1/events", query, ("year",))["year"]["values"]
        expected = {b["period"]: b["count"] for b in timeline["buckets"]}
        assert {v["value"]: v["count"] for v in years} == expected


def test_facet_size_truncates_the_least_frequent_values(client: TestClient) -> None:
    body = ok(client.get("/v1/events/facets", params={"facet": "topic", "facet_size": "2"}))
    (facet,) = body["facets"]
    assert len(facet["values"]) == 2 and facet["truncated"] is True


@pytest.mark.parametrize(
    ("path", "params", "parameter", "words"),
    [
        ("/v1/events/facets", {"facet": "bogus"}, "facet", "'kind', 'topic'"),
        ("/v1/quotes/facets", {"facet": "kind"}, "facet", "'leader', 'topic'"),
        ("/v1/events/facets", {}, "facet", "is required"),
        ("/v1/events/facets", {"facet": "kind", "facet_size": "0"}, "facet_size", ""),
        ("/v1/events/facets", {"facet": "kind", "facet_size": "101"}, "facet_size", "100"),
        ("/v1/events/facets", {"facet": "kind", "country": "XX"}, "country", "XX"),
        ("/v1/events/facets", {"facet": "kind", "nope": "1"}, "nope", ""),
    ],
)
def test_bad_input_is_a_problem_naming_the_parameter(
    client: TestClient, path: str, params: dict[str, str], parameter: str, words: str
) -> None:
    body = assert_problem(client.get(path, params=params), 400, parameter=parameter)
    assert words in body["detail"]


def test_dimensions_per_request_are_bounded_by_a_setting(make_client: Any) -> None:
    client = make_client(facet_max_dimensions=2)
    two = [("facet", "kind"), ("facet", "topic")]
    ok(client.get("/v1/events/facets", params=two))
    for third in ("year", "kind"):  # counted as sent, as the schema's maxItems states it
        body = assert_problem(
            client.get("/v1/events/facets", params=[*two, ("facet", third)]), 400, parameter="facet"
        )
        assert "FACET_MAX_DIMENSIONS" in body["detail"]
    facet = next(
        p
        for p in client.app.openapi()["paths"]["/v1/events/facets"]["get"]["parameters"]
        if p["name"] == "facet"
    )
    assert facet["schema"]["maxItems"] == 2 and facet["required"] is True


# ------------------------------------------------------------------ a generated dataset

GENERATED_EVENTS = 3_000


@pytest.fixture(scope="module")
def generated(backend: str, make_database: DatabaseFactory) -> Iterator[Engine]:
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    generate(url, events=GENERATED_EVENTS, seed=5, sources=20, log=lambda _m: None)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def _table_counts(engine: Engine, filters: dict[str, str], dimension: str) -> Counter[str]:
    """Count from the normalized tables, in Python: the oracle on generated data."""
    links = {
        "topic": ("event_topic", "topic"),
        "country": ("event_country", "country_code"),
        "leader": ("event_participant", "person_id"),
        "source": ("event_source", "source_id"),
    }
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, kind, status, date_lo FROM event")).all()
        values: dict[str, dict[str, set[str]]] = {
            row.id: {
                "kind": {row.kind},
                "status": {row.status},
                "year": {str(row.date_lo)[:4]},
            }
            for row in rows
        }
        for name, (table, column) in links.items():
            for event_id, value in connection.execute(
                text(f"SELECT event_id, {column} FROM {table}")
            ):
                values[event_id].setdefault(name, set()).add(value)
    counted: Counter[str] = Counter()
    for of_event in values.values():
        if all(
            value in of_event.get(name, set())
            for name, value in filters.items()
            if name != dimension
        ):
            counted.update(of_event.get(dimension, set()))
    return counted


GENERATED_FILTERS = [
    {},
    {"country": "RU"},
    {"country": "RU", "topic": "energy"},
    {"kind": "phone_call", "status": "occurred"},
]


def _filters(chosen: dict[str, str]) -> EventFilters:
    return EventFilters(
        countries=tuple(v for k, v in chosen.items() if k == "country"),
        topics=tuple(v for k, v in chosen.items() if k == "topic"),
        kinds=tuple(v for k, v in chosen.items() if k == "kind"),
        status=chosen.get("status"),
    )


class RecordingSnapshot(Snapshot):
    """A snapshot that keeps every statement it ran."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statements: list[tuple[str, Params]] = []

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        self.statements.append((sql, dict(params or {})))
        return super().rows(sql, params)


def _whole_table_scans(snapshot: Snapshot, sql: str, params: Params) -> list[str]:
    """Steps that read a whole table rather than key ranges of it (SQLite: any table;
    PostgreSQL: a posting list)."""
    if snapshot.dialect == "sqlite":
        details = [row[-1] for row in snapshot.rows(f"EXPLAIN QUERY PLAN {sql}", params)]
        return [d for d in details if d.startswith("SCAN ") and "SUBQUERY" not in d]
    (plan,) = snapshot.rows(f"EXPLAIN (FORMAT JSON) {sql}", params)[0]
    tree = plan if isinstance(plan, list) else orjson.loads(plan)
    found: list[str] = []

    def visit(node: dict[str, Any]) -> None:
        # A count reads every match, so PostgreSQL may hash-join the item rows: the posting
        # lists, which hold every value's entries, must still be read by key range.
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name", "").endswith("_posting"):
            found.append(f"Seq Scan on {node.get('Relation Name')}")
        for child in node.get("Plans", []):
            visit(child)

    visit(tree[0]["Plan"])
    return found


@pytest.mark.parametrize("chosen", GENERATED_FILTERS, ids=str)
def test_generated_facets_equal_the_normalized_tables_counted(
    generated: Engine, chosen: dict[str, str]
) -> None:
    dims = (EventFacet.kind, EventFacet.topic, EventFacet.country, EventFacet.year)
    more = (EventFacet.leader, EventFacet.source, EventFacet.status)
    with generated.connect() as connection, connection.begin():
        snapshot = RecordingSnapshot(connection)
        for asked in (dims, more):
            counted = facets.event_facets(
                snapshot, filters=_filters(chosen), dimensions=asked, size=10_000
            )
            for facet in counted:
                got = {value.value: value.count for value in facet.values}
                assert got == dict(_table_counts(generated, chosen, facet.dimension)), (
                    facet.dimension
                )
        # Counting statements, under two filters, read key ranges of posting lists and links.
        counting = [(sql, params) for sql, params in snapshot.statements if "GROUP BY 1" in sql]
        assert bool(counting) == (len(chosen) >= 2)  # none or one: the seed counted them
        for sql, params in counting:
            assert _whole_table_scans(snapshot, sql, params) == [], sql


def test_generated_quote_facets_count_every_quote(generated: Engine) -> None:
    with generated.connect() as connection, connection.begin():
        snapshot = Snapshot(connection)
        total = snapshot.scalar("SELECT count(*) FROM quote")
        dims = (QuoteFacet.leader, QuoteFacet.lang, QuoteFacet.speech, QuoteFacet.attribution)
        for facet in facets.quote_facets(
            snapshot, filters=facets.quotes.QuoteFilters(), dimensions=dims, size=10_000
        ):
            assert sum(value.count for value in facet.values) == total, facet.dimension
