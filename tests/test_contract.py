"""The contract typed clients consume: JSON lists typed as their page, exports as operations of
their own, headers and statuses documented, and the answers that match them."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.vocab import EventKind, PeriodType, Topic
from tests.helpers import assert_problem, ok

SPEC: dict[str, Any] = create_app().openapi()
OPERATIONS = {
    operation["operationId"]: (path, operation)
    for path, item in SPEC["paths"].items()
    for operation in item.values()
}
SCHEMAS = SPEC["components"]["schemas"]
EXPORT_MEDIA_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
LISTS = {
    "list_events": "EventPage",
    "list_quotes": "QuotePage",
    "list_leader_quotes": "QuotePage",
    "list_leaders": "LeaderPage",
    "list_sources": "SourcePage",
    "list_trade_observations": "TradeObservationPage",
}
# Paged by cursor (a `Link: rel="next"`) but no list of stored items, so no export: hits.
PAGED_NOT_EXPORTED = {"search"}


def test_a_json_list_answers_with_its_page_type_only() -> None:
    for operation_id, page in LISTS.items():
        path, operation = OPERATIONS[operation_id]
        content = operation["responses"]["200"]["content"]
        assert list(content) == ["application/json"], operation_id
        assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{page}"}
        assert "format" not in {p["name"] for p in operation["parameters"]}, operation_id
        # Each list has an export per format at a literal path (a typed client calls
        # `GET("/v1/events.csv")`), with the same filters, no paging, and its one media type.
        list_filters = {p["name"] for p in operation["parameters"]} - {
            "limit",
            "cursor",
            "include_total",
        }
        for fmt, media_type in EXPORT_MEDIA_TYPES.items():
            export_id = operation_id.replace("list_", "export_") + f"_{fmt}"
            export_path, export = OPERATIONS[export_id]
            assert export_path == f"{path}.{fmt}"
            assert list(export["responses"]["200"]["content"]) == [media_type], export_id
            assert {p["name"] for p in export.get("parameters", [])} == list_filters, export_id
    assert not [path for path in SPEC["paths"] if "{format}" in path]


@pytest.mark.parametrize(
    ("export", "legacy"),
    [
        ("/v1/events.csv?kind=exercise", "/v1/events?kind=exercise&format=csv"),
        ("/v1/quotes.ndjson?lang=en", "/v1/quotes?lang=en&format=ndjson"),
        ("/v1/leaders/Q7747/quotes.csv", "/v1/leaders/Q7747/quotes?format=csv"),
        ("/v1/leaders.ndjson", "/v1/leaders?format=ndjson"),
        ("/v1/sources.csv", "/v1/sources?format=csv"),
        ("/v1/trade/series.csv?from=2018", "/v1/trade/series?from=2018&format=csv"),
        ("/v1/trade/observations.ndjson", "/v1/trade/observations?format=ndjson"),
    ],
)
def test_exports_match_the_legacy_format_urls(client: TestClient, export: str, legacy: str) -> None:
    new, old = client.get(export), client.get(legacy)
    assert new.status_code == old.status_code == 200, new.text
    assert new.headers["content-type"] == old.headers["content-type"]
    assert new.content == old.content and new.content.count(b"\n") >= 2
    assert new.headers["content-disposition"].startswith("attachment")


def test_exports_refuse_what_they_cannot_produce(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/events.json"), 400, parameter="format")
    assert body["errors"][0]["location"] == "path"
    assert_problem(client.get("/v1/leaders/nobody/quotes.csv"), 404)
    assert_problem(client.get("/v1/events.csv?kind=teleport"), 400, parameter="kind")


def test_every_operation_documents_its_headers_and_statuses() -> None:
    for operation_id, (path, operation) in OPERATIONS.items():
        responses = operation["responses"]
        headers = set(responses["200"]["headers"])
        assert "X-Request-ID" in headers, operation_id
        assert "503" in responses and "Retry-After" in responses["503"]["headers"]
        if path in ("/healthz", "/readyz"):
            continue
        assert {"ETag", "RateLimit-Limit", "RateLimit-Remaining"} <= headers, operation_id
        assert "304" in responses and "content" not in responses["304"], operation_id
        assert {"Retry-After", "RateLimit-Reset"} <= set(responses["429"]["headers"])
        if path.startswith("/v1/"):
            assert "X-Dataset-Version" in headers, operation_id
        assert ("Link" in headers) == (operation_id in {*LISTS, *PAGED_NOT_EXPORTED}), operation_id
    for name in SPEC["components"]["headers"]:
        assert SPEC["components"]["headers"][name]["description"], name


def test_the_documented_headers_are_sent(client: TestClient) -> None:
    first = client.get("/v1/events", params={"limit": 1})
    assert {"etag", "link", "x-dataset-version", "x-request-id"} <= set(first.headers)
    again = client.get(
        "/v1/events", params={"limit": 1}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


def test_limited_clients_get_the_documented_429(make_client: Any) -> None:
    limited = make_client(rate_limit_per_minute=1, rate_limit_burst=1)
    allowed = limited.get("/v1/vocab")
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(allowed.headers)
    refused = limited.get("/v1/vocab")
    assert_problem(refused, 429)
    # One request a minute and the one token spent: the next comes in about 60 s (a few
    # seconds of a slow machine allowed), and both headers say so.
    retry_after = int(refused.headers["retry-after"])
    assert 50 <= retry_after <= 60, retry_after
    assert int(refused.headers["ratelimit-reset"]) == retry_after


def _property(schema: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = SCHEMAS[schema]["properties"][name]
    return found


def _non_null(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [option for option in schema.get("anyOf", [schema]) if option.get("type") != "null"]


def test_full_dates_closed_sets_and_never_null_fields_are_typed() -> None:
    for schema, name in [
        ("EventPublic", "earliest_date"),
        ("EventPublic", "latest_date"),
        ("QuotePublic", "said_on"),
        ("TradeObservationPublic", "period_start"),
        ("TradeObservationPublic", "period_end"),
    ]:
        assert _non_null(_property(schema, name))[0]["format"] == "date", (schema, name)
    for operation_id in ("list_events", "list_quotes", "list_leader_quotes", "export_events_csv"):
        sort = next(p for p in OPERATIONS[operation_id][1]["parameters"] if p["name"] == "sort")
        assert sort["schema"]["enum"] == ["date", "-date"]
    series = OPERATIONS["get_trade_series"][1]["parameters"]
    select = next(p for p in series if p["name"] == "select")
    assert _non_null(select["schema"])[0]["enum"] == ["preferred", "all"]
    assert _property("TradeSeries", "select")["enum"] == ["preferred", "all"]
    assert _property("ParameterError", "location")["enum"] == ["query", "path", "header"]
    # Absent rather than null: not nullable, not required.
    for schema, name, kind in [("EventPage", "total", "integer"), ("Problem", "errors", "array")]:
        assert _property(schema, name).get("type") == kind, (schema, name)
        assert "anyOf" not in _property(schema, name)
        assert name not in SCHEMAS[schema].get("required", [])


def test_full_dates_in_answers_are_full_dates(client: TestClient) -> None:
    for item in ok(client.get("/v1/events", params={"limit": 200}))["items"]:
        assert len(item["earliest_date"]) == len(item["latest_date"]) == 10


@pytest.mark.parametrize("spelt_out", [{"sort": "date"}, {"include_total": "false"}])
def test_a_cursor_survives_spelling_a_default_out(
    client: TestClient, spelt_out: dict[str, str]
) -> None:
    plain = ok(client.get("/v1/events", params={"limit": 5}))
    explicit = ok(client.get("/v1/events", params={"limit": 5, **spelt_out}))
    assert plain["next_cursor"] and explicit["items"] == plain["items"]
    after_plain = ok(
        client.get("/v1/events", params={"limit": 5, "cursor": plain["next_cursor"], **spelt_out})
    )
    after_explicit = ok(
        client.get("/v1/events", params={"limit": 5, "cursor": explicit["next_cursor"]})
    )
    assert after_plain["items"] == after_explicit["items"]
    assert not {i["id"] for i in after_plain["items"]} & {i["id"] for i in plain["items"]}


def test_a_series_of_targets_returns_the_targets(client: TestClient) -> None:
    targets = ok(client.get("/v1/trade/observations", params={"kind": "target"}))["items"]
    assert targets
    series = ok(
        client.get("/v1/trade/series", params={"country": "CN", "partner": "RU", "kind": "target"})
    )
    assert series["kind"] == "target" and series["period_type"] == PeriodType.open
    assert series["select"] == "all"
    assert {p["id"] for p in series["points"]} == {
        t["id"] for t in targets if t["period_type"] == PeriodType.open
    }
    # The actual series keeps its defaults: yearly, preferred points only.
    actual = ok(client.get("/v1/trade/series"))
    assert (actual["period_type"], actual["select"]) == ("annual", "preferred")


def test_every_vocabulary_value_has_a_plain_label_and_description(client: TestClient) -> None:
    vocab = ok(client.get("/v1/vocab"))
    for name, entries in vocab.items():
        if name == "countries":
            continue
        for entry in entries:
            assert entry["label"] and entry["description"], (name, entry)
            assert "\n" not in entry["description"], (name, entry)
    kinds = {entry["code"]: entry for entry in vocab["event_kinds"]}
    assert set(kinds) == {kind.value for kind in EventKind}
    assert kinds["video_call"]["label"] == "Video call"
    assert kinds["video_call"]["cameo_label"] == "Discuss by telephone"
    assert kinds["message"]["label"] == "Message"
    assert {entry["code"] for entry in vocab["topics"]} == {topic.value for topic in Topic}


def test_every_parameter_states_its_limits() -> None:
    for operation_id, (_, operation) in OPERATIONS.items():
        for parameter in operation.get("parameters", []):
            for option in _non_null(parameter["schema"]):
                if option.get("type") == "array":
                    # The repetition cap, or a lower one of its own (facets: FACET_MAX_DIMENSIONS).
                    assert 1 <= option["maxItems"] <= 20, (operation_id, parameter["name"])
                    option = option["items"]
                if option.get("type") == "string":
                    assert {"enum", "const"} & set(option) or option.get("maxLength"), (
                        operation_id,
                        parameter,
                    )
                if option.get("type") == "integer":
                    assert option["format"] == "int32" and "maximum" in option


def test_a_filter_repeated_past_the_stated_limit_is_refused(client: TestClient) -> None:
    twenty: list[tuple[str, str | int | float | bool | None]] = [("country", "CN")] * 20
    ok(client.get("/v1/events", params=twenty))
    assert_problem(
        client.get("/v1/events", params=[*twenty, ("country", "RU")]), 400, parameter="country"
    )
