"""Frontend-ready HTTP: caching, conditional requests, exports, CORS, gzip, ids, limits, HEAD."""

import csv
import io
import json
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import migrations
from app.config import Settings
from app.engines import create_db_engine
from app.main import create_app
from app.seeding.build import build_dataset
from app.seeding.load import load_dataset
from tests.conftest import SEEDS_DIR, ClientFactory, DatabaseFactory
from tests.helpers import assert_problem, ok

LIST_ENDPOINTS = [
    "/v1/events",
    "/v1/quotes",
    "/v1/leaders",
    "/v1/leaders/xi-jinping/quotes",
    "/v1/sources",
    "/v1/trade/observations",
]


def test_conditional_get_round_trip(client: TestClient) -> None:
    first = client.get("/v1/events", params={"limit": 5})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "public, max-age=300"
    assert "Accept" in first.headers["vary"]
    assert len(first.headers["x-dataset-version"]) == 16
    again = client.get("/v1/events", params={"limit": 5}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/v1/events", params={"limit": 6}, headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    for url in [
        "/v1/events?limit=3",
        "/v1/events/2025-01-21-putin-xi-video-call",
        "/v1/vocab",
        "/v1/sources/cnaworld-2025-putin-xi-video-call/text",
        "/healthz",
        "/v1/trade/series",
        "/v1/quotes?format=csv",
    ]:
        got = client.get(url)
        head = client.head(url)
        assert head.status_code == 200 and head.content == b"", url
        assert head.headers.get("etag") == got.headers.get("etag"), url
        assert head.headers["content-type"] == got.headers["content-type"], url


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_csv_export_matches_the_json(client: TestClient, path: str) -> None:
    listed = ok(client.get(path, params={"limit": 200}))["items"]
    response = client.get(path, params={"format": "csv", "limit": 1})  # limit is ignored
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["id"] for row in rows] == [item["id"] for item in listed]
    for row, item in zip(rows, listed, strict=True):
        for key, value in item.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                assert row[key] == str(value), (key, row[key], value)
            elif value is None and key in row:
                assert row[key] == ""


def test_csv_keeps_precision_qualifier_and_provenance_columns(client: TestClient) -> None:
    events = list(csv.DictReader(io.StringIO(client.get("/v1/events?format=csv").text)))
    message = next(r for r in events if r["id"] == "2021-07-xi-condolence-message-plane-crash")
    assert (message["start_date"], message["date_precision"]) == ("2021-07", "month")
    assert message["participants_id"] == "vladimir-putin|xi-jinping"
    assert message["participants_role"] == "recipient|sender"
    trade = list(csv.DictReader(io.StringIO(client.get("/v1/trade/observations?format=csv").text)))
    exact = next(r for r in trade if r["id"] == "t-001-2024-total-244-8")
    assert exact["qualifier"] == "exact" and exact["preferred"] == "True"
    source_text = client.get(f"/v1/sources/{exact['sources_id']}/text").text
    span = slice(int(exact["sources_span_start"]), int(exact["sources_span_end"]))
    assert source_text[span] == exact["sources_excerpt"]
    quotes = list(csv.DictReader(io.StringIO(client.get("/v1/quotes?format=csv").text)))
    assert all(q["source_id"] and q["source_span_end"] for q in quotes)


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_ndjson_line_count_equals_the_json_total(client: TestClient, path: str) -> None:
    total = ok(client.get(path, params={"include_total": "true"}))["total"]
    response = client.get(path, headers={"Accept": "application/x-ndjson"})
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = response.text.splitlines()
    assert len(lines) == total
    first = ok(client.get(path, params={"limit": 1}))["items"][0]
    assert orjson.loads(lines[0]) == first


def test_exports_follow_the_filters(client: TestClient) -> None:
    filtered = ok(client.get("/v1/events", params={"kind": "exercise", "limit": 200}))["items"]
    exported = client.get("/v1/events", params={"kind": "exercise", "format": "ndjson"}).text
    assert [json.loads(line)["id"] for line in exported.splitlines()] == [
        item["id"] for item in filtered
    ]
    series = client.get("/v1/trade/series", params={"format": "csv", "select": "all"})
    assert len(list(csv.DictReader(io.StringIO(series.text)))) == len(
        ok(client.get("/v1/trade/series", params={"select": "all"}))["points"]
    )


def test_export_is_conditional_too(client: TestClient) -> None:
    first = client.get("/v1/quotes", params={"format": "csv"})
    again = client.get(
        "/v1/quotes", params={"format": "csv"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


def test_accept_negotiation(client: TestClient) -> None:
    as_csv = client.get("/v1/events", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    browser = client.get(
        "/v1/events",
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert browser.headers["content-type"] == "application/json"
    assert_problem(client.get("/v1/events", headers={"Accept": "image/png"}), 406)
    assert_problem(
        client.get("/v1/events/2025-01-21-putin-xi-video-call", headers={"Accept": "text/csv"}), 406
    )
    assert_problem(client.get("/v1/events", params={"format": "xml"}), 400, parameter="format")


def test_cors_preflight_and_exposed_headers(client: TestClient) -> None:
    origin = "https://dashboard.example.org"
    preflight = client.options(
        "/v1/events",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, x-request-id",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
    actual = client.get("/v1/events", headers={"Origin": origin})
    assert actual.headers["access-control-allow-origin"] == "*"
    exposed = {
        h.strip().lower() for h in actual.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "link", "x-request-id", "content-disposition"} <= exposed
    assert {"retry-after", "x-dataset-version"} <= exposed
    assert {
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
    } <= exposed


def test_plain_options_says_which_methods(client: TestClient) -> None:
    """Not a CORS preflight (no Origin): 204 with Allow on every path that exists."""
    for path in ("/v1/events", "/v1/events/2025-01-21-putin-xi-video-call", "/readyz"):
        response = client.options(path)
        assert response.status_code == 204, path
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"
        assert response.content == b""
    assert_problem(client.options("/v1/nothing-here"), 404)
    assert_problem(client.post("/v1/events"), 405)


def test_cors_origins_are_configurable(make_client: ClientFactory) -> None:
    client = make_client(cors_origins=["https://allowed.example"])
    allowed = client.get("/v1/vocab", headers={"Origin": "https://allowed.example"})
    other = client.get("/v1/vocab", headers={"Origin": "https://other.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    assert "access-control-allow-origin" not in other.headers


def test_gzip_is_negotiated_above_the_threshold(client: TestClient) -> None:
    big = client.get("/v1/events", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    plain = client.get("/v1/events", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert big.json() == plain.json()
    assert big.headers["etag"] != plain.headers["etag"]
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    assert big.num_bytes_downloaded < len(plain.content) / 2


def test_request_ids_are_echoed_or_generated_and_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        given = client.get("/v1/vocab", headers={"X-Request-ID": "frontend-42"})
        minted = client.get("/v1/nothing")
        hostile = client.get("/v1/vocab", headers={"X-Request-ID": "bad id <script>"})
    assert given.headers["x-request-id"] == "frontend-42"
    minted_id, hostile_id = minted.headers["x-request-id"], hostile.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}-[0-9a-f]+", minted_id)
    assert re.fullmatch(r"[0-9a-f]{16}-[0-9a-f]+", hostile_id) and hostile_id != minted_id
    records = [r for r in caplog.records if r.name == "app.access"]
    logged = {r.request_id: r for r in records}  # type: ignore[attr-defined]
    entry = logged["frontend-42"]
    assert (entry.method, entry.path, entry.status) == ("GET", "/v1/vocab", 200)  # type: ignore[attr-defined]
    assert entry.duration_ms >= 0  # type: ignore[attr-defined]
    assert logged[minted.headers["x-request-id"]].status == 404  # type: ignore[attr-defined]


def test_access_log_lines_are_json() -> None:
    from app.logging import JsonFormatter

    record = logging.makeLogRecord(
        {
            "name": "app.access",
            "msg": "request",
            "levelname": "INFO",
            "request_id": "r1",
            "status": 200,
            "duration_ms": 1.5,
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "r1" and line["status"] == 200 and line["message"] == "request"


def test_rate_limit_answers_429_with_retry_after(make_client: ClientFactory) -> None:
    # One token a request whatever it costs, and one token back only every 10 s: a loaded
    # machine can take over a second for the four requests, which at 60 a minute refilled one.
    client = make_client(rate_limit_per_minute=6, rate_limit_burst=3, rate_limit_cost_ms=0)
    responses = [client.get("/v1/vocab") for _ in range(4)]
    assert client.get("/healthz").status_code == 200  # probes are never limited
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["ratelimit-limit"] == "3"
    assert responses[2].headers["ratelimit-remaining"] == "0"
    limited = assert_problem(responses[3], 429)
    assert int(responses[3].headers["retry-after"]) >= 1
    assert "retry after" in limited["detail"]


def test_rate_limit_is_off_by_default(client: TestClient) -> None:
    burst = Settings().rate_limit_burst
    statuses = {client.get("/v1/vocab").status_code for _ in range(burst + 5)}
    assert statuses == {200}
    assert "ratelimit-limit" not in client.get("/v1/vocab").headers


@pytest.fixture
def reseedable(backend: str, make_database: DatabaseFactory) -> Iterator[Engine]:
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    engine = create_db_engine(url)
    load_dataset(engine=engine, dataset=build_dataset(seeds_dir=SEEDS_DIR))
    yield engine
    engine.dispose()


def test_etag_and_dataset_version_change_after_a_reseed(reseedable: Engine, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=reseedable.url.render_as_string(hide_password=False)))
    url = "/v1/quotes/q-2025-01-21-putin-caro-amico"
    with TestClient(app) as client:
        before = client.get(url)
        seeds = tmp_path / "seeds"
        shutil.copytree(SEEDS_DIR, seeds)
        path = seeds / "data" / "quotes.yaml"
        quotes = yaml.safe_load(path.read_text(encoding="utf-8"))
        for quote in quotes:
            if quote["id"] == "q-2025-01-21-putin-caro-amico":
                quote["translation_en"] = "dear friend (revised)"
        path.write_text(yaml.safe_dump(quotes, allow_unicode=True), encoding="utf-8")
        load_dataset(engine=reseedable, dataset=build_dataset(seeds_dir=seeds))
        after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["translation_en"] == "dear friend (revised)"
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["x-dataset-version"] != before.headers["x-dataset-version"]
