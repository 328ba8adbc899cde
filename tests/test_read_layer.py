"""The read layer: where reads run, what every data answer carries, settings from one place,
and the bounds on exports, cursors and connections."""

import base64
import datetime as dt
import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event

from app.api import lists
from app.config import Settings
from app.database import DatabaseDep, Params, Read, Snapshot
from app.engines import Engines
from app.main import create_app
from app.services.cursors import fingerprint
from app.services.events import EventFilters, event_listing
from app.services.listing import Listing
from app.services.quotes import QuoteFilters, quote_listing
from app.services.reference import leader_listing, source_listing
from app.services.trade import ObservationFilters, observation_listing
from tests.conftest import ClientFactory
from tests.helpers import assert_problem, ok

DATA_ROUTES = [
    "/v1/events?limit=2",
    "/v1/events/2025-01-21-putin-xi-video-call",
    "/v1/timeline?granularity=month",
    "/v1/quotes?limit=2",
    "/v1/quotes/q-2025-01-21-putin-caro-amico",
    "/v1/leaders",
    "/v1/leaders/Q7747",
    "/v1/leaders/xi-jinping/quotes",
    "/v1/sources",
    "/v1/sources/cnaworld-2025-putin-xi-video-call",
    "/v1/sources/cnaworld-2025-putin-xi-video-call/text",
    "/v1/trade/series",
    "/v1/trade/observations",
    "/v1/trade/observations/t-001-2024-total-244-8",
    "/v1/vocab",
    "/v1/events?format=csv",
    "/v1/quotes?format=ndjson",
    "/v1/trade/series?format=csv",
]


@pytest.mark.parametrize("path", DATA_ROUTES)
def test_every_data_route_sends_etag_and_dataset_version(client: TestClient, path: str) -> None:
    version = ok(client.get("/readyz"))["dataset_version"]
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["etag"].startswith('"')
    assert response.headers["x-dataset-version"] == version
    again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def _checkouts(engine: Engine) -> list[int]:
    seen: list[int] = []
    event.listen(engine, "checkout", lambda *_: seen.append(1))
    return seen


@pytest.mark.parametrize(
    ("placement", "inline_reads"), [("auto", True), ("threads", False)], indirect=["placement"]
)
def test_the_service_decides_where_a_read_runs(
    backend: str, make_client: ClientFactory, inline_reads: bool
) -> None:
    client = make_client()
    engines: Engines = client.app.state.engines  # type: ignore[attr-defined]
    inline, pooled = _checkouts(engines.inline), _checkouts(engines.pooled)
    ok(client.get("/v1/events/2025-01-21-putin-xi-video-call"))  # a primary-key read
    ok(client.get("/v1/events", params={"leader": "xi-jinping", "topic": "trade"}))
    if backend == "postgresql":  # one pool: nothing runs on the event loop
        assert engines.inline is engines.pooled and len(pooled) == 2
    elif inline_reads:
        assert (len(inline), len(pooled)) == (1, 1)
    else:
        assert (len(inline), len(pooled)) == (0, 2)


@pytest.mark.parametrize(
    ("path", "on_the_loop"),
    [
        ("/v1/events?limit=5", True),  # the first entries of one posting list
        ("/v1/events?limit=5&include_total=true", False),  # a count reads every match
        ("/events/2025-01-21-putin-xi-video-call", True),  # the explorer: a few probes
        ("/trade", False),  # every series of a pair: 18 queries
        ("/", False),  # the overview and a timeline
    ],
)
def test_pages_and_explorer_pages_run_where_their_service_says(
    backend: str, client: TestClient, path: str, on_the_loop: bool
) -> None:
    engines: Engines = client.app.state.engines  # type: ignore[attr-defined]
    inline, pooled = _checkouts(engines.inline), _checkouts(engines.pooled)
    response = client.get(path, headers={"Accept": "text/html, application/json"})
    assert response.status_code == 200, response.text
    if backend == "postgresql":  # one pool: nothing runs on the event loop
        assert engines.inline is engines.pooled and len(pooled) == 1
    else:
        assert (len(inline), len(pooled)) == ((1, 0) if on_the_loop else (0, 1))


def test_settings_of_the_app_bound_requests_and_openapi(make_client: ClientFactory) -> None:
    client = make_client(max_page_size=10, default_page_size=3, search_max_words=2)
    schema = ok(client.get("/openapi.json"))
    parameters = {p["name"]: p for p in schema["paths"]["/v1/events"]["get"]["parameters"]}
    limit = parameters["limit"]["schema"]
    bounded = next((s for s in limit.get("anyOf", []) if s.get("type") == "integer"), limit)
    assert bounded["maximum"] == 10 and limit["default"] == 3
    assert len(ok(client.get("/v1/events"))["items"]) == 3
    assert len(ok(client.get("/v1/events?limit=10"))["items"]) == 10
    assert_problem(client.get("/v1/events?limit=11"), 400, parameter="limit")
    assert_problem(client.get("/v1/events", params={"q": "a b c"}), 400, parameter="q")


def test_head_on_an_export_reads_no_rows(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*_args: object, **_kw: object) -> None:
        raise AssertionError("HEAD must not read the export's rows")

    monkeypatch.setattr(lists, "_export_chunks", never)
    response = client.head("/v1/events?format=csv")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["etag"] and "attachment" in response.headers["content-disposition"]


def test_exports_beyond_the_per_process_cap_are_503(make_client: ClientFactory) -> None:
    client = make_client(export_max_concurrent=2)
    slots: lists.ExportSlots = client.app.state.export_slots  # type: ignore[attr-defined]
    held = [slots.take("198.51.100.1"), slots.take("198.51.100.2")]
    assert all(held) and slots.take("198.51.100.3") is None
    busy = client.get("/v1/events?format=csv")
    assert_problem(busy, 503)
    assert busy.headers["retry-after"]
    assert client.head("/v1/events?format=csv").status_code == 200  # HEAD holds no slot
    for release in held:
        assert release is not None
        release()
        release()  # a second release is harmless
    for _ in range(3):  # finished exports hand their slot back
        assert client.get("/v1/events?format=ndjson").status_code == 200
    assert slots.take("198.51.100.1") is not None and slots.take("198.51.100.2") is not None


def _forged(listing: Listing, key: object, version: object = None) -> str:
    """A cursor signed with the (public) default secret, carrying any key (and version)."""
    fields = {"k": key, "f": fingerprint(listing.identity)}
    if version is not None:
        fields["v"] = version
    payload = orjson.dumps(fields)
    secret = Settings().cursor_secret.encode()
    signature = hmac.new(secret, payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(signature + payload).rstrip(b"=").decode()


LISTINGS = [
    ("/v1/events", event_listing(filters=EventFilters(), descending=False)),
    ("/v1/quotes", quote_listing(filters=QuoteFilters(), descending=False)),
    (
        "/v1/leaders/xi-jinping/quotes",
        quote_listing(filters=QuoteFilters(speaker="xi-jinping", speech="own"), descending=False),
    ),
    ("/v1/leaders", leader_listing()),
    ("/v1/sources", source_listing()),
    ("/v1/trade/observations", observation_listing(filters=ObservationFilters())),
]
FORGED_KEYS = [["x", "y"], ["2021-01-01", {"a": 1}], [1, 2], [], ["2021-02-30", "x"], [None]]


@pytest.mark.parametrize(("path", "listing"), LISTINGS)
def test_forged_cursors_never_reach_the_database(
    client: TestClient, path: str, listing: Listing
) -> None:
    genuine = ok(client.get(path, params={"limit": 1}))["next_cursor"]
    decoded = orjson.loads(base64.urlsafe_b64decode(genuine + "==")[12:])
    assert genuine == _forged(listing, decoded["k"], decoded["v"])
    for key in FORGED_KEYS:
        response = client.get(path, params={"cursor": _forged(listing, key)})
        assert_problem(response, 400, parameter="cursor")
    for version in (1, ["x"], {"v": 1}):  # a version that is not a string is no cursor either
        response = client.get(path, params={"cursor": _forged(listing, decoded["k"], version)})
        assert_problem(response, 400, parameter="cursor")


def test_spelling_a_default_out_continues_the_same_list(client: TestClient) -> None:
    implicit = ok(client.get("/v1/events", params={"limit": 5}))["next_cursor"]
    explicit = ok(client.get("/v1/events", params={"limit": 5, "sort": "date"}))["next_cursor"]
    assert implicit == explicit
    following = ok(client.get("/v1/events", params={"sort": "date", "cursor": implicit}))
    assert following["items"]


def test_serving_never_creates_a_database_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{missing}"))) as client:
        assert_problem(client.get("/readyz"), 503)
        assert_problem(client.get("/v1/events"), 503)
        assert_problem(client.get("/v1/events/x"), 503)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("inline", [True, False])
def test_a_connection_that_raised_is_replaced(client: TestClient, inline: bool) -> None:
    app = client.app
    engines: Engines = app.state.engines  # type: ignore[attr-defined]
    engine = engines.inline if inline else engines.pooled
    connects: list[int] = []
    event.listen(engine, "connect", lambda *_: connects.append(1))

    async def broken(db: DatabaseDep) -> None:
        await db.run(Read(lambda snapshot: snapshot.rows("SELECT * FROM no_such_table"), inline))

    async def fine(db: DatabaseDep) -> int:
        return len(await db.run(Read(lambda snapshot: snapshot.rows("SELECT 1"), inline)))

    app.add_api_route("/v1/broken", broken)  # type: ignore[attr-defined]
    app.add_api_route("/v1/fine", fine)  # type: ignore[attr-defined]
    assert ok(client.get("/v1/fine")) == 1
    opened = len(connects)
    assert_problem(client.get("/v1/broken"), 503)
    assert ok(client.get("/v1/fine")) == 1
    assert len(connects) == opened + 1  # the failed connection was thrown away, not reused


def test_readiness_checks_every_engine_the_app_reads_through(client: TestClient) -> None:
    engines: Engines = client.app.state.engines  # type: ignore[attr-defined]
    checked = [_checkouts(engine) for engine in engines.all()]
    ok(client.get("/readyz"))
    assert all(seen for seen in checked)


def test_serve_refuses_to_start_without_a_database_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{missing}"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", "9"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "db upgrade" in result.stderr and str(missing) in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/v1/events?limit=0", {}, 400),
        ("/v1/events?leader=nobody-at-all", {}, 400),
        ("/v1/events/no-such-event", {}, 404),
        ("/v1/events", {"Accept": "image/png"}, 406),
    ],
)
def test_problems_under_v1_name_the_dataset_too(
    client: TestClient, path: str, headers: dict[str, str], status: int
) -> None:
    version = ok(client.get("/readyz"))["dataset_version"]
    response = client.get(path, headers=headers)
    assert_problem(response, status)
    assert response.headers["x-dataset-version"] == version


class CountingSnapshot(Snapshot):
    """A snapshot that keeps every statement it runs."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.statements: list[str] = []

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        self.statements.append(sql)
        return super().rows(sql, params)


def test_a_listing_plans_once_for_its_page_total_and_every_export_batch(
    connection: Connection,
) -> None:
    """The selection's name look-ups, span query and posting counts are read once per dataset
    version: by the first read, not again by the total or by later batches."""
    filters = EventFilters(
        leaders=("vladimir-putin",), countries=("CN",), start=dt.date(2020, 1, 1)
    )
    listing = event_listing(filters=filters, descending=False)
    planning = ("FROM person", "FROM country", "max_event_span_days", "FROM posting_count")
    batches = []
    for _ in range(3):  # a page with its total, then two export batches, each a new snapshot
        snapshot = CountingSnapshot(connection)
        documents, key = listing.fetch(snapshot, None, 2)
        assert documents and key is not None
        listing.count(snapshot)
        batches.append([s for s in snapshot.statements if any(p in s for p in planning)])
    # Two memberships counted, one leader resolved, one country checked, the span read: once.
    assert sum(s.count("FROM posting_count") for s in batches[0]) == 2
    assert sum("FROM person" in s for s in batches[0]) == 1
    assert batches[1:] == [[], []]
