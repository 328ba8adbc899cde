"""/v1/trade/series and /v1/trade/observations."""

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, ids, ok

# Every test here runs with reads placed as the services say (inline on SQLite where cheap)
# and with every read in a worker thread, on both databases.
pytestmark = pytest.mark.parametrize("placement", ["auto", "threads"], indirect=True)


def test_default_series_is_annual_actual_preferred(client: TestClient) -> None:
    series = ok(client.get("/v1/trade/series"))
    assert series["series"] == {
        "country": "CN",
        "partner": "RU",
        "flow": "total",
        "currency": "USD",
        "unit": None,
        "unit_mult": 9,
    }
    points = {point["period"]: point for point in series["points"]}
    assert list(points) == ["2024"]  # 2018–2020 are known only as bounds
    latest = points["2024"]
    assert (latest["value"], latest["qualifier"], latest["yoy_pct"]) == (244.8, "exact", 1.9)
    assert latest["agency"] == "General Administration of Customs of China"
    assert latest["reporter"] == "CN" and latest["preferred"] is True
    source = latest["sources"][0]
    text = client.get(f"/v1/sources/{source['id']}/text").text
    assert text[source["span"]["start"] : source["span"]["end"]] == source["excerpt"]
    assert "244,8" in source["excerpt"]


def test_no_preferred_point_is_a_bound_and_select_all_marks_bounds(client: TestClient) -> None:
    observations = ok(client.get("/v1/trade/observations", params={"limit": 200}))["items"]
    series_keys = {(o["kind"], o["period_type"]) for o in observations}
    served_bounds = []
    for kind, period_type in sorted(series_keys):
        params = {"kind": kind, "period_type": period_type}
        preferred = ok(client.get("/v1/trade/series", params={**params, "select": "preferred"}))[
            "points"
        ]
        assert all(
            p["bound"] is None and p["qualifier"] in ("exact", "approximate") for p in preferred
        )
        every = ok(client.get("/v1/trade/series", params={**params, "select": "all"}))["points"]
        served_bounds += [p for p in every if p["bound"] is not None]
    bounds = [o for o in observations if o["qualifier"].endswith("_bound")]
    assert sorted(p["id"] for p in served_bounds) == sorted(o["id"] for o in bounds) != []
    for point in served_bounds:
        assert point["bound"] == point["qualifier"].removesuffix("_bound")
        assert (
            point["preferred"] is False
            and "a bound is never preferred" in point["preference_reason"]
        )
    first_time = next(p for p in served_bounds if p["milestone"] == "first_time")
    assert (first_time["period"], first_time["value"], first_time["bound"]) == (
        "2018",
        100,
        "lower",
    )


def test_select_all_explains_every_choice(client: TestClient) -> None:
    points = ok(client.get("/v1/trade/series", params={"select": "all", "from": "2024"}))["points"]
    assert len(points) == 3
    preferred = [p for p in points if p["preferred"]]
    assert [p["value"] for p in preferred] == [244.8]
    for loser in (p for p in points if not p["preferred"]):
        assert loser["value"] == 245 and loser["qualifier"] == "approximate"
        assert loser["stated_by"] == "vladimir-putin"
        assert "exact beats approximate" in loser["preference_reason"]


def test_pair_order_does_not_matter_for_total(client: TestClient) -> None:
    forward = ok(client.get("/v1/trade/series", params={"country": "CN", "partner": "RU"}))
    backward = ok(client.get("/v1/trade/series", params={"country": "RU", "partner": "CN"}))
    assert forward == backward


def test_year_to_date_and_targets(client: TestClient) -> None:
    ytd = ok(client.get("/v1/trade/series", params={"period_type": "ytd"}))["points"]
    assert [(p["period"], p["value"], p["period_end"]) for p in ytd] == [
        ("2021-01-01/P10M", 115.6, "2021-10-31"),
        ("2021-01-01/P11M", 123.0, "2021-11-30"),
    ]
    assert ytd[1]["yoy_pct"] == 31
    params = {"kind": "target", "period_type": "open"}
    preferred = {**params, "select": "preferred"}
    assert ok(client.get("/v1/trade/series", params=preferred))["points"] == []  # only a bound
    targets = ok(client.get("/v1/trade/series", params={**params, "select": "all"}))
    assert [(p["value"], p["bound"]) for p in targets["points"]] == [(200.0, "lower")]


def test_every_period_type_and_kind_in_one_call(client: TestClient) -> None:
    """kind=all (period_type and select default to all) is every China–Russia total figure in
    one series: annual, year-to-date, bounds and targets, dated ones in period order on both
    databases, undated targets last."""
    series = ok(client.get("/v1/trade/series", params={"kind": "all"}))
    assert (series["kind"], series["period_type"], series["select"]) == ("all", "all", "all")
    observations = ok(client.get("/v1/trade/observations", params={"limit": 200}))["items"]
    total = [o for o in observations if o["flow"] == "total"]
    assert sorted(p["id"] for p in series["points"]) == sorted(o["id"] for o in total)
    points = series["points"]
    assert {p["period_type"] for p in points} >= {"annual", "ytd", "open"}
    assert {p["kind"] for p in points} == {"actual", "target"}
    assert any(p["bound"] is not None for p in points)
    dated = [p for p in points if p["period_start"] is not None]
    assert points[: len(dated)] == dated, "undated targets come last"
    keys = [(p["period_start"], not p["preferred"], p["id"]) for p in dated]
    assert keys == sorted(keys)
    bounded = ok(client.get("/v1/trade/series", params={"kind": "all", "from": "2019"}))
    assert bounded["points"] == [p for p in dated if p["period_end"] >= "2019-01-01"] != []
    # The same through every spelling: period_type=all on its own keeps kind=actual and the
    # preferred selection, so it is the annual and year-to-date points of the default kind.
    explicit = {"kind": "all", "period_type": "all", "select": "all"}
    assert ok(client.get("/v1/trade/series", params=explicit))["points"] == points
    actual = ok(client.get("/v1/trade/series", params={"period_type": "all"}))
    assert (actual["kind"], actual["period_type"], actual["select"]) == (
        "actual",
        "all",
        "preferred",
    )
    each_type = [
        point["id"]
        for period_type in ("annual", "ytd", "month", "open")
        for point in ok(client.get("/v1/trade/series", params={"period_type": period_type}))[
            "points"
        ]
    ]
    assert sorted(p["id"] for p in actual["points"]) == sorted(each_type)
    assert {p["period_type"] for p in actual["points"]} == {"annual", "ytd"}
    export = client.get("/v1/trade/series.ndjson", params={"kind": "all"})
    assert len([line for line in export.text.splitlines() if line]) == len(points)


def test_from_to_bound_the_series(client: TestClient) -> None:
    params = {"from": "2019", "to": "2020", "select": "all"}
    points = ok(client.get("/v1/trade/series", params=params))["points"]
    assert [p["period"] for p in points] == ["2019", "2020"]


def test_observations_list_filters_and_detail(client: TestClient) -> None:
    everything = ok(client.get("/v1/trade/observations", params={"limit": 200}))["items"]
    assert len(everything) >= 9
    from_004 = ok(
        client.get(
            "/v1/trade/observations",
            params={"source": "anon-2021-12-15-putin-xi-videoconferenza", "limit": 200},
        )
    )["items"]
    assert from_004 and all(o["sources"][0]["id"].startswith("anon-2021-12-15") for o in from_004)
    assert ids(client.get("/v1/trade/observations", params={"kind": "target"})) == [
        "t-004-target-200"
    ]
    assert len(ids(client.get("/v1/trade/observations", params={"period": "2024"}))) == 3
    detail = ok(client.get("/v1/trade/observations/t-001-2024-total-244-8"))
    assert detail["claim_group"] == "cn-ru-total-actual-usd-2024"


def test_trade_errors(client: TestClient) -> None:
    assert_problem(client.get("/v1/trade/observations/t-none"), 404)
    assert_problem(
        client.get("/v1/trade/series", params={"country": "XX"}), 400, parameter="country"
    )
    assert_problem(
        client.get("/v1/trade/series", params={"partner": "CN"}), 400, parameter="partner"
    )
    assert_problem(
        client.get("/v1/trade/series", params={"period_type": "weekly"}),
        400,
        parameter="period_type",
    )
    assert_problem(
        client.get("/v1/trade/observations", params={"source": "x"}), 400, parameter="source"
    )
