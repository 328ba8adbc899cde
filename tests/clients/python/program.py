"""A short program against the Python client openapi-python-client generates from the live
schema (tests/test_clients.py): type-checked with mypy --strict, then run against a server.

    python program.py http://127.0.0.1:8000
"""

import sys
from http import HTTPStatus

from diplomatic_events_client import Client
from diplomatic_events_client.api.events import (
    export_events_csv,
    export_events_long_csv,
    get_event,
    list_events,
)
from diplomatic_events_client.api.quotes import list_leader_quotes
from diplomatic_events_client.api.trade import get_trade_series
from diplomatic_events_client.models import (
    EventDetail,
    EventPage,
    Problem,
    QuotePage,
    TradeKind,
    TradeSeries,
)
from diplomatic_events_client.types import UNSET, Unset


def all_event_ids(client: Client) -> list[str]:
    """Every event id, page by page, following next_cursor."""
    ids: list[str] = []
    cursor: str | Unset = UNSET
    while True:
        page = list_events.sync(client=client, limit=10, cursor=cursor)
        if not isinstance(page, EventPage):
            raise SystemExit(f"list_events answered {page!r}")
        ids += [event.id for event in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def main(base_url: str) -> None:
    client = Client(base_url=base_url, raise_on_unexpected_status=True)
    ids = all_event_ids(client)
    assert len(ids) == len(set(ids)) > 10, ids

    first = get_event.sync_detailed(ids[0], client=client)
    detail = first.parsed
    assert isinstance(detail, EventDetail), detail
    assert detail.earliest_date <= detail.latest_date

    # Revalidation, as docs/api.md says to write it: send the ETag back as If-None-Match; a
    # 304 has status_code NOT_MODIFIED and parsed None, and the copy already held is kept.
    again = get_event.sync_detailed(
        ids[0], client=client.with_headers({"If-None-Match": first.headers["ETag"]})
    )
    if again.status_code == HTTPStatus.NOT_MODIFIED:
        current = detail
    else:
        assert isinstance(again.parsed, EventDetail), again.parsed
        current = again.parsed
    assert again.status_code == HTTPStatus.NOT_MODIFIED and again.parsed is None, again
    assert current.id == ids[0]

    # The same detail at its versioned URL (docs/api.md, "Versioned URLs"): cached immutable,
    # named by Content-Location; a version that is not served is a 410 naming the current one.
    version = first.headers["X-Dataset-Version"]
    assert first.headers["Content-Location"] == f"/v1/events/{ids[0]}?version={version}"
    fresh = Client(base_url=base_url, raise_on_unexpected_status=True)  # no If-None-Match
    pinned = get_event.sync_detailed(ids[0], client=fresh, version=version)
    assert isinstance(pinned.parsed, EventDetail) and pinned.parsed.id == ids[0], pinned
    assert pinned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    gone = list_events.sync(client=client, limit=2, version="0000000000000000")
    assert isinstance(gone, Problem) and gone.status == 410, gone
    assert gone.current_version == version, gone
    first_page = gone.first_page if isinstance(gone.first_page, str) else ""
    assert first_page.startswith("/v1/events?") and "limit=2" in first_page, gone
    assert first_page.endswith(f"&version={version}"), gone

    # An export by its literal path: the 200 is the CSV text; codes are matched in any case.
    csv = export_events_csv.sync_detailed(client=client, country=["cn"])
    assert csv.status_code == HTTPStatus.OK and isinstance(csv.parsed, str), csv
    csv_lines = [line for line in csv.parsed.split("\r\n") if line]
    assert csv_lines[0].startswith("id,") and len(csv_lines) > 1, csv_lines[:2]

    # The long form, one row per event and source passage, by its own literal path.
    long = export_events_long_csv.sync_detailed(client=client, country=["CN"])
    assert long.status_code == HTTPStatus.OK and isinstance(long.parsed, str), long
    long_lines = [line for line in long.parsed.split("\r\n") if line]
    assert long_lines[0].startswith("event_id,date,"), long_lines[:1]
    long_events = {line.split(",", 1)[0] for line in long_lines[1:]}

    quotes = list_leader_quotes.sync("vladimir-putin", client=client, limit=3)
    assert isinstance(quotes, QuotePage), quotes
    assert quotes.items and all(quote.speaker.id == "vladimir-putin" for quote in quotes.items)

    series = get_trade_series.sync(client=client, country="CN", partner="RU", kind=TradeKind.TARGET)
    assert isinstance(series, TradeSeries), series
    assert series.points and all(point.kind == TradeKind.TARGET for point in series.points)

    problem = list_events.sync(client=client, leader=["vladimir-putn"])
    assert isinstance(problem, Problem), problem
    assert problem.status == 400
    errors = problem.errors if not isinstance(problem.errors, Unset) else []
    assert [error.parameter for error in errors] == ["leader"], errors

    print(
        f"{len(ids)} events; {detail.id}; 304 kept {current.id}; 410 names {version}; "
        f"{len(csv_lines) - 1} csv rows; {len(long_lines) - 1} long rows of "
        f"{len(long_events)} events; {len(quotes.items)} quotes; "
        f"{len(series.points)} target(s); problem {problem.status} on {errors[0].location}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
