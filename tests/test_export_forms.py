"""The exports analysts use: the date columns, the long form (a row per event and source
passage), the dyadic form (a row per pair of participants) and the data dictionary.

The rows are read with the csv module and checked against the normalized tables (not against
the stored documents they were rendered from), the passages against the articles' text, and
the columns against the dictionary, which is derived from the schemas.
"""

import csv
import io
import re
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy import text as sql

from app.api.export_forms import COLUMNS_END, COLUMNS_START, columns_section, data_dictionary
from tests.conftest import SEEDS_DIR, ClientFactory
from tests.helpers import assert_problem, ok

# Reads on the event loop (SQLite, where the service allows) and in worker threads alike.
PLACEMENTS = pytest.mark.parametrize("placement", ["auto", "threads"], indirect=True)

PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def rows(response: Any) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a CSV export, read as a spreadsheet would."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    reader = csv.reader(io.StringIO(response.text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def dictionary_columns(client: TestClient, path: str) -> list[str]:
    exports = {export["path"]: export for export in ok(client.get("/v1/exports"))["exports"]}
    return [column["name"] for column in exports[path]["columns"]]


def articles(connection: Connection) -> dict[str, str]:
    named = connection.execute(sql("SELECT id, file_name FROM source")).all()
    return {
        source_id: (SEEDS_DIR / "sources" / file_name).read_text(encoding="utf-8")
        for source_id, file_name in named
    }


def check_event_dates(row: dict[str, str]) -> None:
    """`date` as written at its precision; date_start and date_end the bounds of its period."""
    assert PARTIAL.match(row["date"]), row
    width = {"day": 10, "month": 7, "year": 4}[row["date_precision"]]
    assert len(row["date"]) == width, row
    assert ISO_DAY.match(row["date_start"]) and ISO_DAY.match(row["date_end"]), row
    assert row["date_start"].startswith(row["date"]) and row["date_start"] <= row["date_end"]


@PLACEMENTS
def test_the_wide_export_has_a_date_every_row_has(client: TestClient) -> None:
    header, events = rows(client.get("/v1/events.csv"))
    assert header == dictionary_columns(client, "/v1/events.csv")
    assert header[:4] == ["id", "date", "date_start", "date_end"]
    listed = {item["id"]: item for item in ok(client.get("/v1/events?limit=100"))["items"]}
    assert {row["id"] for row in events} == set(listed)
    for row in events:
        check_event_dates(row)
        item = listed[row["id"]]
        assert row["date"] == item["start_date"] == item["date"]
        assert (row["date_start"], row["date_end"]) == (item["earliest_date"], item["latest_date"])
    precisions = Counter(row["date_precision"] for row in events)
    assert precisions["month"] and precisions["year"], "the seed has coarse dates to check"
    month = next(row for row in events if row["date_precision"] == "month" and not row["end_date"])
    assert month["date_end"][:7] == month["date"] and month["date_end"][8:] in {
        "28",
        "29",
        "30",
        "31",
    }
    # Codes are text: the leading zero stays (a spreadsheet reading them as numbers drops it).
    codes = {row["cameo_code"] for row in events if row["cameo_code"]}
    assert codes and all(re.fullmatch(r"0\d\d", code) for code in codes)


@PLACEMENTS
def test_the_long_export_has_a_row_per_event_and_passage(
    client: TestClient, connection: Connection
) -> None:
    header, long = rows(client.get("/v1/events.long.csv"))
    assert header == dictionary_columns(client, "/v1/events.long.csv")
    excerpts = connection.execute(
        sql("SELECT event_id, source_id, span_start, span_end FROM event_source")
    ).all()
    expected = Counter((e, s, str(a), str(b)) for e, s, a, b in excerpts)
    got = Counter((r["event_id"], r["source_id"], r["span_start"], r["span_end"]) for r in long)
    assert got == expected and sum(got.values()) > len({e for e, *_ in excerpts})
    texts = articles(connection)
    titles: dict[str, str | None] = {
        source_id: title
        for source_id, title in connection.execute(sql("SELECT id, title FROM source"))
    }
    _, wide = rows(client.get("/v1/events.csv"))
    events = {row["id"]: row for row in wide}
    for row in long:
        # The passage is the article's text at the span, verbatim.
        assert (
            texts[row["source_id"]][int(row["span_start"]) : int(row["span_end"])] == row["passage"]
        )
        assert row["source_title"] == (titles[row["source_id"]] or "")
        check_event_dates(row)
        event = events[row["event_id"]]
        for column in ("date", "date_start", "date_end", "kind", "cameo_code", "status", "title"):
            assert row[column] == event[column], column
    # An event's rows come together, in source and position order, events in date order.
    order = [row["event_id"] for row in long]
    assert list(dict.fromkeys(order)) == [row["id"] for row in wide]
    for event_id in events:
        mine = [(r["source_id"], int(r["span_start"])) for r in long if r["event_id"] == event_id]
        assert mine == sorted(mine)


@PLACEMENTS
def test_the_dyadic_export_has_a_row_per_pair_of_participants(
    client: TestClient, connection: Connection
) -> None:
    header, dyads = rows(client.get("/v1/events.dyadic.csv"))
    assert header == dictionary_columns(client, "/v1/events.dyadic.csv")
    people: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for event_id, person_id, role in connection.execute(
        sql("SELECT event_id, person_id, role FROM event_participant")
    ):
        people[event_id].add((person_id, role))
    event_ids = connection.execute(sql("SELECT id FROM event")).scalars().all()
    expected: Counter[tuple[str, str, str]] = Counter()
    for event_id in event_ids:
        ids = sorted(person for person, _ in people[event_id])
        pairs = list(combinations(ids, 2)) or [(ids[0] if ids else "", "")]
        expected.update((event_id, first, second) for first, second in pairs)
    got = Counter((r["event_id"], r["actor1_id"], r["actor2_id"]) for r in dyads)
    assert got == expected
    shapes = Counter(int(row["participant_count"]) for row in dyads)
    assert shapes[0] and shapes[1] and shapes[2], "one-sided, empty and paired events are seeded"
    countries: dict[str, str] = {
        person_id: code
        for person_id, code in connection.execute(sql("SELECT id, country_code FROM person"))
    }
    for row in dyads:
        check_event_dates(row)
        assert int(row["participant_count"]) == len(people[row["event_id"]])
        for actor in ("actor1", "actor2"):
            if row[f"{actor}_id"]:
                assert (row[f"{actor}_id"], row[f"{actor}_role"]) in people[row["event_id"]]
                assert row[f"{actor}_country"] == countries[row[f"{actor}_id"]]


@PLACEMENTS
def test_the_forms_take_the_lists_filters_and_order(client: TestClient) -> None:
    params = {"country": "ru", "from": "2021", "sort": "-date"}
    _, wide = rows(client.get("/v1/events.csv", params=params))
    assert wide
    for path in ("/v1/events.long.csv", "/v1/events.dyadic.csv"):
        _, form = rows(client.get(path, params=params))
        assert list(dict.fromkeys(row["event_id"] for row in form)) == [r["id"] for r in wide]


@PLACEMENTS
def test_the_forms_are_conditional_bounded_and_refuse_bad_input(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    first = client.get("/v1/events.long.csv")
    assert 'filename="events-long-' in first.headers["content-disposition"]
    again = client.get("/v1/events.long.csv", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.text == ""
    # Each form and each filter is its own representation.
    etags = {
        client.get(path, params=params).headers["etag"]
        for path in ("/v1/events.csv", "/v1/events.long.csv", "/v1/events.dyadic.csv")
        for params in ({}, {"country": "CN"})
    }
    assert len(etags) == 6
    head = client.head("/v1/events.dyadic.csv")
    assert head.status_code == 200 and head.text == "" and head.headers["etag"]
    assert_problem(client.get("/v1/events.long.csv?country=XX"), 400, parameter="country")
    assert_problem(client.get("/v1/events.dyadic.csv?limit=5"), 400, parameter="limit")
    assert_problem(client.get("/v1/events.long.csv?from=2021-13"), 400, parameter="from")
    # EXPORT_MAX_ROWS counts events: the first two, each with all its rows.
    capped = make_client(export_max_rows=2)
    _, long = rows(capped.get("/v1/events.long.csv"))
    _, every = rows(client.get("/v1/events.long.csv"))
    kept = list(dict.fromkeys(row["event_id"] for row in long))
    assert len(kept) == 2 and long == [row for row in every if row["event_id"] in kept]


@PLACEMENTS
def test_quotes_and_trade_figures_have_a_date_column(client: TestClient) -> None:
    header, quotes = rows(client.get("/v1/quotes.csv"))
    assert header == dictionary_columns(client, "/v1/quotes.csv")
    for row in quotes:
        assert ISO_DAY.match(row["date"]), row
        assert row["date"] == row["said_on"] or not row["said_on"]
    assert any(not row["said_on"] for row in quotes), "undated quotes are dated by their event"
    header, figures = rows(client.get("/v1/trade/observations.csv"))
    assert header == dictionary_columns(client, "/v1/trade/observations.csv")
    for row in figures:
        if row["period_type"] == "open":
            assert row["date"] == ""
        else:
            assert re.fullmatch(r"\d{4}(-\d{2})?", row["date"]), row
            assert row["period_end"].startswith(row["date"]) or row["period"] == row["date"]
    assert {row["period_type"] for row in figures} >= {"annual", "ytd", "open"}


@PLACEMENTS
def test_the_dictionary_lists_every_csv_export_with_pandas_dtypes(client: TestClient) -> None:
    body = ok(client.get("/v1/exports"))
    assert body == data_dictionary().model_dump(mode="json")
    paths = set(client.get("/openapi.json").json()["paths"])
    for export in body["exports"]:
        assert export["path"] in paths, export["path"]
        names = [column["name"] for column in export["columns"]]
        assert len(names) == len(set(names)) and list(export["pandas_dtype"]) == names
    long = next(e for e in body["exports"] if e["path"] == "/v1/events.long.csv")
    columns = {column["name"]: column for column in long["columns"]}
    assert long["pandas_dtype"]["cameo_code"] == "string"
    assert (
        columns["span_start"]["type"] == "integer"
        and columns["span_start"]["pandas_dtype"] == "Int64"
    )
    assert columns["date_start"]["type"] == "date"
    assert columns["kind"]["values"] and "meeting" in columns["kind"]["values"]
    leaders = dictionary_columns(client, "/v1/leaders.csv")
    assert rows(client.get("/v1/leaders.csv"))[0] == leaders
    assert rows(client.get("/v1/sources.csv"))[0] == dictionary_columns(client, "/v1/sources.csv")


def test_the_docs_list_the_dictionarys_columns() -> None:
    """docs/api.md holds the tables `.venv/bin/python docs/record_columns.py` writes."""
    document = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    written = document.split(COLUMNS_START, 1)[1].split(COLUMNS_END, 1)[0]
    assert written == f"\n{columns_section()}\n", "run .venv/bin/python docs/record_columns.py"
    for export in data_dictionary().exports:
        assert f"`{export.path}`: each row is" in document
