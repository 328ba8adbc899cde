"""Country codes and vocabulary values in any case: one query, answered in the canonical case,
with one cursor and one ETag; and what the schema says about it. Dates refused in words."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.errors import PATTERN_WORDS
from app.main import create_app
from tests.helpers import assert_problem, ok

SPEC: dict[str, Any] = create_app().openapi()

# (path, the canonical query, the same query in other cases)
SAME_QUERIES = [
    ("/v1/events", {"country": "CN", "limit": "2"}, {"country": "cn", "limit": "2"}),
    (
        "/v1/events",
        {"kind": "video_call", "topic": "multipolar-order", "status": "occurred"},
        {"kind": "Video_Call", "topic": "MULTIPOLAR-ORDER", "status": "OCCURRED"},
    ),
    (
        "/v1/quotes",
        {"lang": "en", "attribution": "agency"},
        {"lang": "EN", "attribution": "Agency"},
    ),
    ("/v1/quotes", {"topic": "energy", "limit": "1"}, {"topic": "Energy", "limit": "1"}),
    (
        "/v1/trade/series",
        {"country": "CN", "partner": "RU", "flow": "total", "kind": "target"},
        {"country": "cn", "partner": "Ru", "flow": "TOTAL", "kind": "TARGET"},
    ),
    ("/v1/trade/series", {"period_type": "all"}, {"period_type": "ALL"}),
    ("/v1/trade/observations", {"period_type": "ytd"}, {"period_type": "YTD"}),
    (
        "/v1/timeline",
        {"country": "RU", "granularity": "month"},
        {"country": "ru", "granularity": "month"},
    ),
    (
        "/v1/events.csv",
        {"country": "RU", "kind": "phone_call"},
        {"country": "rU", "kind": "PHONE_CALL"},
    ),
    ("/v1/quotes.ndjson", {"lang": "it"}, {"lang": "IT"}),
]


@pytest.mark.parametrize(("path", "canonical", "recased"), SAME_QUERIES)
def test_any_case_is_the_same_query(
    client: TestClient, path: str, canonical: dict[str, str], recased: dict[str, str]
) -> None:
    """The same bytes and the same ETag: the cursor fingerprint and the export ETag are made of
    the canonical values, so the answers cannot differ."""
    first, second = client.get(path, params=canonical), client.get(path, params=recased)
    assert first.status_code == second.status_code == 200, second.text
    assert first.content == second.content and first.content.strip()
    assert first.headers["etag"] == second.headers["etag"]
    revalidated = client.get(path, params=recased, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304


def test_a_cursor_continues_across_cases(client: TestClient) -> None:
    lower = ok(client.get("/v1/events", params={"country": "cn", "limit": 2}))
    assert lower["next_cursor"]
    upper = ok(
        client.get(
            "/v1/events", params={"country": "CN", "limit": 2, "cursor": lower["next_cursor"]}
        )
    )
    whole = ok(client.get("/v1/events", params={"country": "CN", "limit": 4}))["items"]
    assert [e["id"] for e in lower["items"] + upper["items"]] == [e["id"] for e in whole]


def test_answers_carry_the_canonical_values(client: TestClient) -> None:
    series = ok(client.get("/v1/trade/series", params={"country": "ru", "partner": "cn"}))
    assert (series["series"]["country"], series["series"]["partner"]) == ("CN", "RU")
    assert series["kind"] == "actual" and series["period_type"] == "annual"
    events = ok(client.get("/v1/events", params={"kind": "VIDEO_CALL", "limit": 200}))["items"]
    assert events and all(event["kind"] == "video_call" for event in events)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/v1/events?country=C1", "country"),
        ("/v1/events?country=CHN", "country"),
        ("/v1/events?kind=video%20call", "kind"),
        # Only ASCII letters change case: a Kelvin sign is not a k.
        ("/v1/quotes?topic=u%E2%84%AAraine", "topic"),
        ("/v1/trade/series?country=%C3%A7n", "country"),
    ],
)
def test_what_is_no_value_in_any_case_is_refused(
    client: TestClient, url: str, parameter: str
) -> None:
    assert_problem(client.get(url), 400, parameter=parameter)


def _parameter(path: str, name: str) -> dict[str, Any]:
    parameters = SPEC["paths"][path]["get"]["parameters"]
    found: dict[str, Any] = next(p for p in parameters if p["name"] == name)
    return found


def test_the_schema_states_the_rules_the_server_applies() -> None:
    """A case-insensitive pattern for codes; enums whose description says any case is read."""
    country = _parameter("/v1/events", "country")["schema"]["anyOf"][0]["items"]
    assert country["pattern"] == "^[A-Za-z]{2}$"
    assert _parameter("/v1/trade/series", "partner")["schema"]["pattern"] == "^[A-Za-z]{2}$"
    for path, name in [
        ("/v1/events", "kind"),
        ("/v1/events", "topic"),
        ("/v1/events", "status"),
        ("/v1/events.csv", "kind"),
        ("/v1/quotes", "lang"),
        ("/v1/quotes", "attribution"),
        ("/v1/trade/series", "flow"),
        ("/v1/trade/series", "kind"),
        ("/v1/trade/series", "period_type"),
        ("/v1/trade/observations", "kind"),
    ]:
        assert "any case" in _parameter(path, name)["description"], (path, name)


@pytest.mark.parametrize(
    "url",
    [
        "/v1/events?date=2021-13",
        "/v1/events?from=21",
        "/v1/events?to=2021-7",
        "/v1/quotes?from=yesterday",
        "/v1/timeline?date=2021-00",
        "/v1/trade/series?to=2021/10",
        "/v1/events.csv?from=0999",
    ],
)
def test_date_errors_are_in_words(client: TestClient, url: str) -> None:
    name = url.split("?")[1].split("=")[0]
    body = assert_problem(client.get(url), 400, parameter=name)
    detail = body["errors"][0]["detail"]
    assert detail.startswith("use YYYY, YYYY-MM or YYYY-MM-DD"), detail
    assert "^" not in body["detail"] and "\\d" not in body["detail"], body["detail"]
    assert body["detail"].startswith(f"Invalid parameter '{name}': use YYYY")


def test_the_explorer_reads_codes_in_any_case(client: TestClient) -> None:
    upper = client.get("/trade", params={"country": "CN", "partner": "RU", "flow": "total"})
    lower = client.get("/trade", params={"country": "cn", "partner": "ru", "flow": "TOTAL"})
    assert upper.status_code == lower.status_code == 200, lower.text
    assert upper.text == lower.text


def test_every_pattern_has_words_for_its_400() -> None:
    """A value that does not match a parameter's pattern gets words, never the expression."""
    patterns = set()
    for item in SPEC["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                for option in schema.get("anyOf", [schema]):
                    option = option.get("items", option)
                    if "pattern" in option:
                        patterns.add(option["pattern"])
    assert patterns and not patterns - set(PATTERN_WORDS), patterns - set(PATTERN_WORDS)


@pytest.mark.parametrize(
    ("url", "parameter", "words"),
    [
        ("/v1/events?country=C1", "country", "two-letter ISO 3166-1 alpha-2 code"),
        ("/v1/events?source=-x", "source", "an id is 1 to 120 letters"),
        ("/v1/events?cursor=a%2Fb", "cursor", "use next_cursor unchanged"),
        ("/v1/trade/observations?period=2024Q1", "period", "SDMX period"),
        ("/problems/Invalid", "slug", "a problem type is lowercase"),
    ],
)
def test_pattern_errors_are_in_words(
    client: TestClient, url: str, parameter: str, words: str
) -> None:
    body = assert_problem(client.get(url), 400, parameter=parameter)
    assert words in body["errors"][0]["detail"] and "^" not in body["detail"], body
