"""Issue 23's work-budget findings: a deadline on a request's database work as a whole (not
per statement), searches bounded before they run, a rate limiter that charges by cost, and a
readiness probe that never waits behind busy route threads. On both databases."""

import threading
import time

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from app.database import DatabaseDep, Read, Snapshot
from app.engines import Engines
from app.middleware.rate_limit import RateLimitMiddleware
from tests.conftest import ClientFactory
from tests.helpers import assert_problem, ok

# A statement of about `n` steps that both databases run for a fraction of a second.
COUNT_TO = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
SLOW = COUNT_TO + "SELECT count(*) FROM c"
# The costliest search: twelve prefixes joined by OR.
PREFIXES = ("pre", "con", "par", "ric", "sta", "min", "inc", "acc", "dic", "com", "pro", "rel")


def _seconds_per_statement(client: TestClient, n: int) -> float:
    timings = []
    for _ in range(2):
        started = time.monotonic()
        ok(client.get("/v1/slow", params={"n": n, "times": 1}))
        timings.append(time.monotonic() - started)
    return min(timings)


def _add_slow_route(client: TestClient) -> None:
    async def slow(db: DatabaseDep, n: int, times: int) -> int:
        def work(snapshot: Snapshot) -> int:
            return sum(snapshot.scalar(SLOW.format(n=n)) for _ in range(times))

        return await db.run(Read(work))

    client.app.add_api_route("/v1/slow", slow)  # type: ignore[attr-defined]


def test_the_budget_bounds_a_requests_statements_together(make_client: ClientFactory) -> None:
    budget_ms = 600
    client = make_client(request_work_budget_ms=budget_ms, query_timeout_ms=60_000)
    _add_slow_route(client)
    n = 20_000
    while _seconds_per_statement(client, n) < budget_ms / 1000 / 4:  # each well under budget
        n *= 2
    started = time.monotonic()
    response = client.get("/v1/slow", params={"n": n, "times": 8})  # together, twice over it
    elapsed = time.monotonic() - started
    body = assert_problem(response, 503)
    assert body["type"].endswith("/work-budget-exceeded")
    assert "q" in body["detail"] and "include_total" in body["detail"]
    assert elapsed < budget_ms / 1000 + 1.0, elapsed
    # The connection the budget interrupted is not reused broken.
    assert ok(client.get("/v1/slow", params={"n": 10, "times": 1})) == 10


def test_a_budget_of_zero_turns_the_deadline_off(make_client: ClientFactory) -> None:
    client = make_client(request_work_budget_ms=0)
    _add_slow_route(client)
    assert ok(client.get("/v1/slow", params={"n": 1000, "times": 3})) == 3000


def test_many_prefixes_are_refused_before_the_search_runs(client: TestClient) -> None:
    twelve = " OR ".join(f"{word}*" for word in PREFIXES)
    for path in ("/v1/events", "/v1/quotes"):
        body = assert_problem(
            client.get(path, params={"q": twelve, "include_total": "true"}), 400, parameter="q"
        )
        assert "prefix" in body["detail"]
    ok(client.get("/v1/events", params={"q": "pre* OR con* OR par* OR ric*"}))


def test_readiness_answers_while_every_pooled_connection_is_busy(client: TestClient) -> None:
    engines: Engines = client.app.state.engines  # type: ignore[attr-defined]
    held = [engines.pooled.connect() for _ in range(engines.pooled.pool.size())]  # type: ignore[attr-defined]
    try:
        answer: list[int] = []
        probe = threading.Thread(target=lambda: answer.append(client.get("/readyz").status_code))
        probe.start()
        probe.join(timeout=5)
        assert answer == [200], "/readyz waited for a pooled connection"
    finally:
        for connection in held:
            connection.close()
        probe.join()


# --- the rate limiter's charge ------------------------------------------------------------------


def _costing(seconds: float) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("state", {})["work_seconds"] = seconds
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    return app


def _statuses(limiter: RateLimitMiddleware, count: int) -> list[int]:
    client = TestClient(limiter, client=("198.51.100.9", 40000))
    return [client.get("/v1/x").status_code for _ in range(count)]


@pytest.mark.parametrize(("seconds", "served"), [(0.01, 10), (0.35, 3)])
def test_costly_requests_spend_more_tokens(seconds: float, served: int) -> None:
    limiter = RateLimitMiddleware(_costing(seconds), per_minute=1, burst=10, cost_seconds=0.1)
    statuses = _statuses(limiter, 12)
    assert statuses.count(200) == served, statuses  # 0.35 s: 1 + 3 tokens a request


def test_the_policy_header_states_the_quota_per_window() -> None:
    limiter = RateLimitMiddleware(_costing(0), per_minute=60, burst=5)
    response = TestClient(limiter).get("/v1/x")
    assert response.headers["ratelimit-policy"] == "60;w=60;burst=5"
    assert response.headers["ratelimit-limit"] == "5"
