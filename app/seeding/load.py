"""Write a validated dataset to the database in one transaction: all or nothing."""

import datetime as dt
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, insert, select

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
    PublicIdRedirect,
    Quote,
    QuotePosting,
    QuoteTopic,
    Source,
    TradeObservation,
)
from app.seeding.build import Dataset
from app.services.search import index_documents

# Parents before children; deletion runs in reverse.
TABLES: list[Any] = [
    Country,
    Person,
    Source,
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
    EventTimelineCount,
    PublicIdRedirect,
]


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def load_dataset(*, engine: Engine, dataset: Dataset, force: bool = False) -> bool:
    """Replace the stored dataset with `dataset`; return False when it was already loaded."""
    meta = _table(DatasetMeta)
    with engine.begin() as connection:
        current = connection.execute(select(meta.c.version)).scalar_one_or_none()
        if current == dataset.version and not force:
            return False
        for kind in ("quote", "event"):
            index_documents(connection, kind=kind, documents={})
        connection.execute(delete(meta))
        for model in reversed(TABLES):
            connection.execute(delete(_table(model)))
        for model in TABLES:
            table = _table(model)
            rows = dataset.rows.get(table.name, [])
            if rows:
                connection.execute(insert(table), rows)
        for kind, documents in dataset.search_documents.items():
            index_documents(connection, kind=kind, documents=documents)
        spans = [(row["date_hi"] - row["date_lo"]).days for row in dataset.rows["event"]]
        # Statistics for SQLite's planner (sqlite_stat1) and PostgreSQL's, on the new rows.
        connection.exec_driver_sql("ANALYZE")
        connection.execute(
            insert(meta),
            [
                {
                    "id": 1,
                    "version": dataset.version,
                    "loaded_at": dt.datetime.now(dt.UTC),
                    "max_event_span_days": max(spans, default=0),
                }
            ],
        )
    return True


def stored_version(*, engine: Engine) -> str | None:
    """The version of the dataset in the database, or None before the first seed."""
    with engine.connect() as connection:
        return connection.execute(select(_table(DatasetMeta).c.version)).scalar_one_or_none()
