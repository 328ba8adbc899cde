"""/v1/events, /v1/events/{id} and /v1/timeline against the seeded dataset."""

from collections import Counter

import pytest
from fastapi.testclient import TestClient

from app.seeding.build import build_dataset
from tests.conftest import SEEDS_DIR, ClientFactory
from tests.helpers import assert_problem, ids, ok

DATASET = build_dataset(seeds_dir=SEEDS_DIR)

# Every test here runs with reads placed as the services say (inline on SQLite where cheap)
# and with every read in a worker thread, on both databases.
pytestmark = pytest.mark.parametrize("placement", ["auto", "threads"], indirect=True)

CALL_2025 = "2025-01-21-putin-xi-video-call"
BIRTHDAY_CALL = "2022-06-15-putin-xi-phone-call"


def test_date_matches_day_and_coarser_events(client: TestClient) -> None:
    found = ids(client.get("/v1/events", params={"date": "2022-06-15"}))
    assert BIRTHDAY_CALL in found
    assert "2022-02-25-putin-xi-phone-call" not in found
    assert "2022-06-amur-road-bridge-opening" not in found
    # A year-precision window (2020–2021) overlaps any day in it.
    contracts = "2020-sputnik-vaccine-production-contracts"
    assert contracts in ids(client.get("/v1/events", params={"date": "2021-06-15", "limit": 200}))
    # A window at day precision (9–13 August 2021): its days match, the next day does not.
    exercise = "2021-zapad-interaction-2021-exercise"
    assert exercise in ids(client.get("/v1/events", params={"date": "2021-08-11"}))
    assert exercise not in ids(client.get("/v1/events", params={"date": "2021-08-14"}))
    week = ids(client.get("/v1/events", params={"from": "2021-08-13", "to": "2021-08-20"}))
    assert exercise in week


def test_month_precision_event_matches_its_days_month_and_year(client: TestClient) -> None:
    message = "2021-07-xi-condolence-message-plane-crash"
    for date in ("2021-07-06", "2021-07", "2021"):
        assert message in ids(client.get("/v1/events", params={"date": date, "limit": 200}))
    assert message not in ids(client.get("/v1/events", params={"date": "2021-08"}))


def test_from_to_are_inclusive_and_respect_precision(client: TestClient) -> None:
    events = ok(client.get("/v1/events", params={"from": "2022-02", "to": "2022-06-15"}))["items"]
    found = [event["id"] for event in events]
    assert "2022-02-putin-xi-beijing-meeting" in found
    assert BIRTHDAY_CALL in found
    assert "2022-12-30-putin-xi-video-call" not in found
    for event in events:
        assert event["latest_date"] >= "2022-02-01" and event["earliest_date"] <= "2022-06-15"


def test_leader_filter_requires_all_leaders_and_accepts_qids(client: TestClient) -> None:
    both = ids(client.get("/v1/events", params=[("leader", "Q15031"), ("leader", "joe-biden")]))
    assert both == ["2022-03-xi-biden-video-call"]
    by_slug = ids(client.get("/v1/events", params={"leader": "vladimir-putin", "limit": 200}))
    by_qid = ids(client.get("/v1/events", params={"leader": "Q7747", "limit": 200}))
    assert by_slug == by_qid and CALL_2025 in by_slug


def test_country_kind_topic_status_and_source_filters(client: TestClient) -> None:
    assert set(ids(client.get("/v1/events", params={"country": "US"}))) == {
        "2022-03-xi-biden-video-call",
        "2025-01-20-trump-second-inauguration",
    }
    calls = ok(client.get("/v1/events", params=[("kind", "phone_call"), ("kind", "video_call")]))
    assert calls["items"] and {e["kind"] for e in calls["items"]} == {"phone_call", "video_call"}
    assert ids(client.get("/v1/events", params={"topic": "taiwan"})) == [CALL_2025]
    assert ids(client.get("/v1/events", params={"status": "planned"})) == [
        "2023-03-xi-state-visit-to-moscow"
    ]
    from_001 = ids(
        client.get(
            "/v1/events", params={"source": "sovranismopopolare-2025-cina-russia-nuovi-traguardi"}
        )
    )
    assert CALL_2025 in from_001


def test_full_text_search_covers_italian_excerpts_and_english_summaries(
    client: TestClient,
) -> None:
    italian = ids(client.get("/v1/events", params={"q": "compleanno"}))
    english = ids(client.get("/v1/events", params={"q": "birthday"}))
    assert BIRTHDAY_CALL in italian and BIRTHDAY_CALL in english
    assert "2013-10-07-xi-putin-birthday-bali" in english


def test_sort_descending(client: TestClient) -> None:
    items = ok(client.get("/v1/events", params={"sort": "-date", "limit": 200}))["items"]
    keys = [(item["earliest_date"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)
    newest = max(DATASET.rows["event"], key=lambda event: (event["date_lo"], event["id"]))
    assert items[0]["id"] == newest["id"] and len(items) == len(DATASET.rows["event"])


def test_event_item_fields(client: TestClient) -> None:
    event = ok(client.get("/v1/events", params={"date": "2025-01-21"}))["items"]
    call = next(item for item in event if item["id"] == CALL_2025)
    assert call["kind"] == "video_call" and call["cameo_code"] == "041"
    assert call["plover_event"] == "CONSULT" and call["plover_mode"] == "phone"
    assert call["start_date"] == "2025-01-21" and call["date_precision"] == "day"
    assert {p["id"] for p in call["participants"]} == {"vladimir-putin", "xi-jinping"}
    assert set(call["participants"][0]) == {"id", "name", "country", "role"}
    assert call["countries"] == ["CN", "RU"]
    assert call["source_count"] == 2  # two articles describe the same call


def test_month_precision_dates_are_not_invented(client: TestClient) -> None:
    event = ok(client.get("/v1/events/2021-07-xi-condolence-message-plane-crash"))
    assert event["start_date"] == "2021-07" and event["date_precision"] == "month"
    assert (event["earliest_date"], event["latest_date"]) == ("2021-07-01", "2021-07-31")


def test_event_detail_has_sources_quotes_and_trade(client: TestClient) -> None:
    event = ok(client.get(f"/v1/events/{CALL_2025}"))
    texts = {}
    for source in event["sources"]:
        if source["id"] not in texts:
            texts[source["id"]] = client.get(f"/v1/sources/{source['id']}/text").text
        span = source["span"]
        assert texts[source["id"]][span["start"] : span["end"]] == source["excerpt"]
    assert len({source["id"] for source in event["sources"]}) == 2
    assert "q-2025-01-21-putin-caro-amico" in {quote["id"] for quote in event["quotes"]}
    values = {(obs["value"], obs["qualifier"]) for obs in event["trade_observations"]}
    assert (244.8, "exact") in values and (245.0, "approximate") in values


def test_unknown_event_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/events/2025-01-22-nothing"), 404)


def test_filters_naming_nothing_are_400(client: TestClient) -> None:
    assert_problem(
        client.get("/v1/events", params={"leader": "vladimir-putn"}), 400, parameter="leader"
    )
    assert_problem(client.get("/v1/events", params={"country": "XX"}), 400, parameter="country")
    assert_problem(client.get("/v1/events", params={"source": "nope"}), 400, parameter="source")
    assert_problem(
        client.get("/v1/events", params={"kind": "teleconference"}), 400, parameter="kind"
    )


def test_timeline_counts_by_year_and_keeps_coarse_events_out_of_months(
    client: TestClient,
) -> None:
    total = ok(client.get("/v1/events", params={"include_total": "true"}))["total"]
    by_year = ok(client.get("/v1/timeline", params={"granularity": "year"}))
    assert by_year["total"] == total == sum(b["count"] for b in by_year["buckets"])
    in_2021 = ok(client.get("/v1/events", params={"date": "2021", "limit": 200}))["items"]
    year_dated = Counter(e["earliest_date"][:4] for e in in_2021 if e["date_precision"] == "year")
    assert year_dated
    by_month = ok(client.get("/v1/timeline", params={"granularity": "month", "date": "2021"}))
    months = {b["period"]: b["count"] for b in by_month["buckets"]}
    assert all(len(period) == 7 for period in months) and months["2021-07"] >= 1
    assert by_month["coarser"] == [{"period": p, "count": n} for p, n in sorted(year_dated.items())]
    assert by_month["total"] == sum(months.values()) + year_dated.total() == len(in_2021)


def test_timeline_applies_event_filters(client: TestClient) -> None:
    calls = ok(client.get("/v1/timeline", params={"kind": "phone_call"}))
    listed = ok(client.get("/v1/events", params={"kind": "phone_call", "include_total": "true"}))
    assert calls["total"] == listed["total"]


def test_an_identified_date_is_served_as_such(client: TestClient) -> None:
    event = ok(client.get("/v1/events/2022-12-30-putin-xi-video-call"))
    assert (event["start_date"], event["date_evidence"]) == ("2022-12-30", "identified")
    samarkand = ok(client.get("/v1/events/2022-putin-xi-samarkand-meeting"))
    assert samarkand["date_evidence"] == "identified" and "Samarkand" not in samarkand["title"]
    assert "Samarkand" in samarkand["context"]
    stated = ok(client.get("/v1/events/2025-01-21-putin-xi-video-call"))
    assert stated["date_evidence"] == "stated" and stated["context"] is None
    export = client.get("/v1/events.csv", params={"date": "2022-12"})
    header, *lines = export.text.splitlines()
    column = header.split(",").index("date_evidence")
    assert any(line.split(",")[column] == "identified" for line in lines)
    ndjson = client.get("/v1/events.ndjson", params={"date": "2022-12"}).text.splitlines()
    assert '"date_evidence":"identified"' in "".join(ndjson)


def test_filled_timelines_list_every_period_of_the_range(client: TestClient) -> None:
    """fill=zero: the periods between the bounds asked for, an open end at the data's first or
    last period; counts as without fill, 0 elsewhere."""
    sparse = ok(client.get("/v1/timeline"))["buckets"]
    first, last = sparse[0]["period"], sparse[-1]["period"]
    assert int(last) - int(first) + 1 > len(sparse), "the seed has years without events"
    filled = ok(client.get("/v1/timeline", params={"fill": "zero"}))["buckets"]
    assert [b["period"] for b in filled] == [str(y) for y in range(int(first), int(last) + 1)]
    assert [b for b in filled if b["count"]] == sparse
    months = ok(
        client.get(
            "/v1/timeline",
            params={"granularity": "month", "from": "2021-11", "to": "2022-02", "fill": "zero"},
        )
    )["buckets"]
    assert [b["period"] for b in months] == ["2021-11", "2021-12", "2022-01", "2022-02"]
    # By month, year-precision events are counted per year under `coarser`: filled as well,
    # every year of the months listed, 0 where none starts.
    by_month = {"granularity": "month", "from": "2019-11", "to": "2021-02"}
    sparse_years = ok(client.get("/v1/timeline", params=by_month))["coarser"]
    filled_years = ok(client.get("/v1/timeline", params={**by_month, "fill": "zero"}))["coarser"]
    assert [b["period"] for b in filled_years] == ["2019", "2020", "2021"]
    assert [b for b in filled_years if b["count"]] == sparse_years != []
    assert ok(client.get("/v1/timeline", params={"fill": "zero"}))["coarser"] == []
    open_ended = ok(
        client.get("/v1/timeline", params={"granularity": "month", "from": "2024", "fill": "zero"})
    )["buckets"]
    latest = ok(client.get("/v1/events", params={"sort": "-date", "limit": 1}))["items"][0]
    assert open_ended[0]["period"] == "2024-01"
    assert open_ended[-1]["period"] == latest["earliest_date"][:7]
    # Nothing matches: still every period asked for, each with 0.
    empty = ok(client.get("/v1/timeline", params={"date": "1995", "fill": "zero"}))
    assert empty["buckets"] == [{"period": "1995", "count": 0}] and empty["total"] == 0


def test_filled_timelines_are_bounded(make_client: ClientFactory) -> None:
    client = make_client()
    body = assert_problem(
        client.get(
            "/v1/timeline",
            params={"granularity": "month", "from": "1000", "to": "9999", "fill": "zero"},
        ),
        400,
        parameter="fill",
    )
    assert "TIMELINE_MAX_BUCKETS" in body["detail"] and "1200" in body["detail"]
    assert ok(client.get("/v1/timeline", params={"from": "1000", "to": "2000"}))["buckets"] == []
    small = make_client(timeline_max_buckets=3)
    assert_problem(small.get("/v1/timeline", params={"fill": "zero"}), 400, parameter="fill")
    # The range's periods, widened to any period an overlapping event starts in: exactly as
    # many as the setting allows are listed, one more is refused.
    years = {"from": "2021", "to": "2023", "fill": "zero"}
    listed = ok(client.get("/v1/timeline", params=years))["buckets"]
    assert [b["period"] for b in listed][-3:] == ["2021", "2022", "2023"]
    exact = make_client(timeline_max_buckets=len(listed))
    assert ok(exact.get("/v1/timeline", params=years))["buckets"] == listed
    short = make_client(timeline_max_buckets=len(listed) - 1)
    assert_problem(short.get("/v1/timeline", params=years), 400, parameter="fill")
