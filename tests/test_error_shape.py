"""Every error path answers with the same RFC 9457 problem shape (as Datasette tests its own)."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import migrations
from app.config import Settings
from app.engines import create_db_engine
from app.main import create_app
from tests.conftest import ClientFactory, DatabaseFactory
from tests.helpers import assert_problem

BAD_REQUESTS = [
    ("/v1/events?leadr=vladimir-putin", "leadr"),
    ("/v1/events?date=2021-13", "date"),
    ("/v1/events?date=2021-02-30", "date"),
    ("/v1/events?date=yesterday", "date"),
    ("/v1/events?from=2022&to=2021", "from"),
    ("/v1/events?limit=0", "limit"),
    ("/v1/events?limit=201", "limit"),
    ("/v1/events?sort=title", "sort"),
    ("/v1/events?kind=teleconference", "kind"),
    ("/v1/events?status=rumoured", "status"),
    ("/v1/events?country=CHN", "country"),
    ("/v1/events?country=XX", "country"),
    ("/v1/events?leader=vladimir-putn", "leader"),
    ("/v1/events?cursor=abc", "cursor"),
    ("/v1/events?q=%22%22", "q"),
    ("/v1/events?q=" + "x" * 201, "q"),
    ("/v1/events?q=" + "+".join(["w"] * 13), "q"),
    ("/v1/timeline?granularity=week", "granularity"),
    ("/v1/quotes?attribution=rumour", "attribution"),
    ("/v1/quotes?include_total=maybe", "include_total"),
    ("/v1/trade/series?select=some", "select"),
    ("/v1/trade/series?flow=barter", "flow"),
    ("/v1/leaders?limit=1&sort=date", "sort"),
]


@pytest.mark.parametrize(("url", "parameter"), BAD_REQUESTS)
def test_400_names_the_parameter(client: TestClient, url: str, parameter: str) -> None:
    body = assert_problem(client.get(url), 400, parameter=parameter)
    assert body["instance"].startswith(url.split("?")[0])
    assert body["title"] == "Invalid request parameter"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/events/nothing",
        "/v1/quotes/nothing",
        "/v1/leaders/nothing",
        "/v1/leaders/nothing/quotes",
        "/v1/sources/nothing",
        "/v1/sources/nothing/text",
        "/v1/trade/observations/nothing",
        "/v2/events",
        "/nothing",
    ],
)
def test_404(client: TestClient, url: str) -> None:
    assert_problem(client.get(url), 404)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_405_on_writes(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/events")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_500_hides_the_exception() -> None:
    app = create_app()

    def explode() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/v1/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/explode")
    body = assert_problem(response, 500)
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert body["title"] == "Internal Server Error"


@pytest.fixture
def unmigrated_url(tmp_path: Path) -> str:
    """An SQLite file that exists but holds no tables."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = create_db_engine(url)
    with engine.connect():
        pass
    engine.dispose()
    return url


def _readiness(url: str) -> dict[str, Any]:
    with TestClient(create_app(Settings(database_url=url))) as client:
        response = client.get("/readyz")
    body = assert_problem(response, 503)
    # A caching proxy must not keep reporting an old state, and a balancer may retry.
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["retry-after"] == "5"
    return body


def test_503_when_the_database_is_not_migrated(unmigrated_url: str) -> None:
    body = _readiness(unmigrated_url)
    assert "db upgrade" in body["detail"]


def test_503_when_migrated_but_not_seeded(backend: str, make_database: DatabaseFactory) -> None:
    """After `db downgrade base` and `db upgrade` every list is empty: not ready."""
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    body = _readiness(url)
    assert "no dataset" in body["detail"] and "seed" in body["detail"]


def test_503_when_the_database_is_unreachable() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    body = _readiness(url)
    assert "not reachable" in body["detail"]
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert_problem(client.get("/v1/events"), 503)


def test_503_when_tables_are_missing(unmigrated_url: str) -> None:
    with TestClient(create_app(Settings(database_url=unmigrated_url))) as client:
        response = client.get("/v1/events")
    assert_problem(response, 503)
    assert response.headers["retry-after"] == "5"
    assert "no such table" not in response.text


def test_406_when_nothing_acceptable(client: TestClient) -> None:
    assert_problem(client.get("/v1/events", headers={"Accept": "image/png"}), 406)
    assert_problem(client.get("/v1/quotes/none", headers={"Accept": "text/csv"}), 406)
    assert_problem(client.get("/v1/sources/x/text", headers={"Accept": "application/json"}), 406)


def test_429_when_rate_limited(make_client: ClientFactory) -> None:
    client = make_client(rate_limit_per_minute=1, rate_limit_burst=1)
    client.get("/v1/vocab")
    response = client.get("/v1/vocab")
    assert_problem(response, 429)
    assert response.headers["retry-after"]
