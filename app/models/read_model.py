"""The read model: what the seed derives from the normalized rows so requests need not.

Every row here is rebuilt by the seed in the same transaction as the rows it is derived from
(derived by app/readmodel/derive.py, written by app/readmodel/write.py, under the names of
app/readmodel/contract.py); nothing else writes them, and no filter trusts anything but them
and the normalized tables.
"""

import datetime as dt

from sqlalchemy import PrimaryKeyConstraint
from sqlmodel import Field, SQLModel

import app.models.base  # noqa: F401  (naming convention first)


class EventPosting(SQLModel, table=True):
    """One row per event and filterable value (`all` for every event), in the events' sort
    order, so any filter of /v1/events walks one key range instead of sorting its matches."""

    __tablename__ = "event_posting"
    # SQLite keeps the rows inside the primary-key B-tree: a walk reads no second table.
    # PostgreSQL's key INCLUDEs the two other columns a walk reads, to the same end.
    __table_args__ = (
        PrimaryKeyConstraint(
            "dimension",
            "value",
            "date_lo",
            "event_id",
            postgresql_include=["date_hi", "year_precision"],
        ),
        {"sqlite_with_rowid": False},
    )

    dimension: str = Field(primary_key=True, max_length=12)
    value: str = Field(primary_key=True, max_length=120)
    date_lo: dt.date = Field(primary_key=True)
    event_id: str = Field(primary_key=True, max_length=120)
    date_hi: dt.date
    year_precision: bool = Field(description="Counted under `coarser` in month timelines")


class QuotePosting(SQLModel, table=True):
    """One row per quote and filterable value (`all` for every quote), in the quotes' sort
    order (sort_date, id)."""

    __tablename__ = "quote_posting"
    __table_args__ = {"sqlite_with_rowid": False}

    dimension: str = Field(primary_key=True, max_length=12)
    value: str = Field(primary_key=True, max_length=120)
    sort_date: dt.date = Field(primary_key=True)
    quote_id: str = Field(primary_key=True, max_length=120)


class PostingCount(SQLModel, table=True):
    """How many postings each (kind, dimension, value) has: which filter is rarest."""

    __tablename__ = "posting_count"

    kind: str = Field(primary_key=True, max_length=8)
    dimension: str = Field(primary_key=True, max_length=12)
    value: str = Field(primary_key=True, max_length=120)
    count: int


class PostingPairCount(SQLModel, table=True):
    """How many items have both a (dimension, value) and an (other_dimension, other_value),
    of two different dimensions: a facet's counts under one filter, read in one key range."""

    __tablename__ = "posting_pair_count"

    kind: str = Field(primary_key=True, max_length=8)
    dimension: str = Field(primary_key=True, max_length=12)
    value: str = Field(primary_key=True, max_length=120)
    other_dimension: str = Field(primary_key=True, max_length=12)
    other_value: str = Field(primary_key=True, max_length=120)
    count: int


class EventTimelineCount(SQLModel, table=True):
    """Events per month of their first possible day, for all events and per filter value."""

    __tablename__ = "event_timeline_count"

    dimension: str = Field(primary_key=True, max_length=12)
    value: str = Field(primary_key=True, max_length=120)
    month: str = Field(primary_key=True, max_length=7)
    year_precision: bool = Field(primary_key=True)
    count: int
