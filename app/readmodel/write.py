"""Write a dataset and its read model: the one writer of what app/readmodel/contract.py names.

The seed (app/seeding/load.py) replaces the whole dataset in one transaction through
`replace_dataset`; bench/generate.py streams a million events' rows through its bulk writers
(bench/writers.py) and takes from here what those rows must be: the full-text bodies
(`search_row`), the `dataset_meta` row (`meta_row`, `write_meta`) and the version
(`dataset_version`). So both fill a database the services read the same way.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, insert, select, text

from app.models import (
    Country,
    DatasetMeta,
    Event,
    EventCountry,
    EventParticipant,
    EventPosting,
    EventSource,
    EventTimelineCount,
    EventTopic,
    Exclusion,
    Person,
    PostingCount,
    PostingPairCount,
    PublicIdRedirect,
    Quote,
    QuotePosting,
    QuoteTopic,
    Source,
    SourcePassage,
    TradeObservation,
)
from app.readmodel.analysis import POSTGRES_DOCUMENT, SEARCH_COLUMNS, SearchRow, analyse
from app.readmodel.contract import LISTED, PASSAGE
from app.readmodel.render import render_version

Row = dict[str, Any]
# Parents before children; deletion runs in reverse.
TABLES: list[Any] = [
    Country,
    Person,
    Source,
    SourcePassage,
    Event,
    EventParticipant,
    EventCountry,
    EventTopic,
    EventSource,
    Quote,
    QuoteTopic,
    Exclusion,
    TradeObservation,
    EventPosting,
    QuotePosting,
    PostingCount,
    PostingPairCount,
    EventTimelineCount,
    PublicIdRedirect,
]


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def dataset_version(inputs: Iterable[bytes]) -> str:
    """A digest of what the dataset is made from and of the rendering code: it changes
    whenever the stored data would, documents included."""
    digest = hashlib.sha256(render_version().encode())
    for part in inputs:
        digest.update(part)
    return digest.hexdigest()[:16]


def search_row(document: str) -> SearchRow:
    """What the full-text index holds for a search document (contract.*_search_text): its
    folded words and their stems (app/readmodel/analysis.py)."""
    return analyse(document)


def meta_row(*, version: str, max_event_span_days: int) -> Row:
    return {
        "id": 1,
        "version": version,
        "loaded_at": dt.datetime.now(dt.UTC),
        "max_event_span_days": max_event_span_days,
    }


def write_meta(connection: Connection, row: Row) -> None:
    """Replace the `dataset_meta` row: the dataset is served under its version from now on."""
    meta = _table(DatasetMeta)
    connection.execute(delete(meta))
    connection.execute(insert(meta), [row])


def _index_documents(connection: Connection, *, kind: str, documents: dict[str, str]) -> None:
    """Replace the full-text index of `kind` (an item table with a `{kind}_search` table) with
    `documents` (id -> search text)."""
    connection.execute(text(f"DELETE FROM {kind}_search"))
    if not documents:
        return
    rows = [{"id": key, **search_row(body)._asdict()} for key, body in documents.items()]
    columns = ", ".join(SEARCH_COLUMNS)
    values = ", ".join(f":{column}" for column in SEARCH_COLUMNS)
    if connection.dialect.name == "sqlite":
        # The full-text row shares its base row's rowid: the cheapest lookup there is.
        statement = (
            f"INSERT INTO {kind}_search (rowid, {kind}_id, {columns}) "
            f"SELECT rowid, :id, {values} FROM {kind} WHERE id = :id"
        )
    else:
        document = POSTGRES_DOCUMENT.format(**{column: f":{column}" for column in SEARCH_COLUMNS})
        statement = f"INSERT INTO {kind}_search ({kind}_id, document) VALUES (:id, {document})"
    connection.execute(text(statement), rows)


def replace_dataset(
    engine: Engine,
    *,
    version: str,
    rows: dict[str, list[Row]],
    search_documents: dict[str, dict[str, str]],
    force: bool = False,
) -> bool:
    """Replace the stored dataset in one transaction: all or nothing. `rows` holds every
    table's rows, read model included (app/readmodel/derive.py); `search_documents` maps each
    listed kind to its items' search texts. Return False when `version` is already loaded."""
    meta = _table(DatasetMeta)
    with engine.begin() as connection:
        current = connection.execute(select(meta.c.version)).scalar_one_or_none()
        if current == version and not force:
            return False
        for kind in (*(listed.kind for listed in LISTED), PASSAGE):
            _index_documents(connection, kind=kind, documents={})
        connection.execute(delete(meta))
        for model in reversed(TABLES):
            connection.execute(delete(_table(model)))
        for model in TABLES:
            table = _table(model)
            table_rows = rows.get(table.name, [])
            if table_rows:
                connection.execute(insert(table), table_rows)
        for kind, documents in search_documents.items():
            _index_documents(connection, kind=kind, documents=documents)
        spans = [(row["date_hi"] - row["date_lo"]).days for row in rows.get("event", [])]
        # Statistics for SQLite's planner (sqlite_stat1) and PostgreSQL's, on the new rows.
        connection.exec_driver_sql("ANALYZE")
        write_meta(connection, meta_row(version=version, max_event_span_days=max(spans, default=0)))
    return True
