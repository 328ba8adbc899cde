"""The read model against an oracle it did not write: for a few records (an event of each date
precision and one spanning days, a direct and a reported quote, a trade observation, a leader,
a source) the expected stored JSON documents and CSV lines are kept in tests/fixtures/read_model,
reviewed by hand against the articles, and the seeded database of each backend must hold exactly
them, byte for byte. tests/test_read_model.py proves the stored documents are fresh renders;
this proves the renders are right.

The fixtures are checked against the articles too: every span they give is the text they quote.
"""

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, select
from sqlalchemy import text as sql

from app.models import tables as t
from tests.conftest import SEEDS_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "read_model"
# table -> the stored columns the fixture gives
COLUMNS = {
    "event": ("doc", "sources_doc", "csv_line", "csv_long", "csv_dyadic"),
    "quote": ("doc", "csv_line"),
    "trade_observation": ("doc", "csv_line"),
    "person": ("doc", "csv_line"),
    "source": ("doc", "csv_line"),
}
RECORDS = sorted(tuple(path.stem.split(".", 1)) for path in FIXTURES.glob("*.json"))
CASES = [pytest.param(table, record, id=f"{table}.{record}") for table, record in RECORDS]


def _fixture(table: str, record: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{table}.{record}.json").read_text())
    return loaded


def _article(source_id: str, connection: Connection) -> str:
    file_name = connection.execute(
        select(t.source.c.file_name).where(t.source.c.id == source_id)
    ).scalar_one()
    return (SEEDS_DIR / "sources" / file_name).read_text(encoding="utf-8")


def test_the_fixtures_cover_each_kind_and_precision() -> None:
    tables = {table for table, _ in RECORDS}
    assert tables == set(COLUMNS)
    precisions = {
        _fixture(table, record)["doc"]["date_precision"]
        for table, record in RECORDS
        if table == "event"
    }
    assert precisions == {"day", "month", "year"}
    attributions = {
        _fixture(table, record)["doc"]["attribution"]
        for table, record in RECORDS
        if table == "quote"
    }
    assert "direct" in attributions and len(attributions) >= 2


@pytest.mark.parametrize(("table", "record"), CASES)
def test_stored_documents_are_the_expected_ones(
    connection: Connection, table: str, record: str
) -> None:
    expected = _fixture(table, record)
    columns = COLUMNS[table]
    assert set(expected) == set(columns)
    stored = connection.execute(
        sql(f"SELECT {', '.join(columns)} FROM {table} WHERE id = :id"), {"id": record}
    ).one()
    for column, value in zip(columns, stored, strict=True):
        if column.startswith("csv_"):
            assert value == expected[column], column
        else:
            # Parsed first, for a readable difference; then the bytes, key order included.
            assert orjson.loads(value) == expected[column], column
            assert value == orjson.dumps(expected[column]).decode(), column


@pytest.mark.parametrize(("table", "record"), CASES)
def test_the_fixtures_quote_their_articles(connection: Connection, table: str, record: str) -> None:
    """The oracle itself is checked against the articles, not against the app."""
    expected = _fixture(table, record)
    doc = expected["doc"]
    spans: list[tuple[str, dict[str, int], str]] = []
    if table == "event":
        spans = [(s["id"], s["span"], s["excerpt"]) for s in expected["sources_doc"]]
        # The long export's rows: one per passage, each the article's text at its span.
        long_rows = list(csv.reader(io.StringIO(expected["csv_long"])))
        assert len(long_rows) == len(spans)
        spans += [
            (row[-6], {"start": int(row[-2]), "end": int(row[-1])}, row[-3]) for row in long_rows
        ]
    elif table == "trade_observation":
        spans = [(s["id"], s["span"], s["excerpt"]) for s in doc["sources"]]
        assert spans
    elif table == "quote":
        spans = [(doc["source"]["id"], doc["source"]["span"], doc["text"])]
    elif table == "source":
        article = _article(record, connection)
        assert doc["char_count"] == len(article)
        assert doc["sha256"] == hashlib.sha256(article.encode()).hexdigest()
    for source_id, span, quoted in spans:
        assert _article(source_id, connection)[span["start"] : span["end"]] == quoted
