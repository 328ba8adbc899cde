"""Leader quotes, and the quoted passages deliberately left out of them."""

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import app.models.base  # noqa: F401  (naming convention first)


class Quote(SQLModel, table=True):
    __table_args__ = (
        Index("ix_quote_said_sort", "sort_date", "id"),
        Index("ix_quote_speaker_sort", "speaker_id", "sort_date", "id"),
    )

    id: str = Field(primary_key=True, max_length=120)
    speaker_id: str = Field(foreign_key="person.id")
    # Null when the article does not say at which event the words were said.
    event_id: str | None = Field(default=None, foreign_key="event.id", index=True)
    source_id: str = Field(foreign_key="source.id", index=True)
    span_start: int
    span_end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    language: str = Field(max_length=8)
    translation_en: str = Field(sa_column=Column(Text, nullable=False))
    attribution: str = Field(max_length=10)
    via: str | None = Field(default=None, max_length=100)
    said_on: dt.date | None = None
    # Its event's date_evidence (how the date it is filed under was set); null with no event.
    date_evidence: str | None = Field(default=None, max_length=10)
    # said_on when known, else the event's first possible day, else the first day of the source's
    # publication date (a quote linked to no event), so quotes sort and filter by date.
    sort_date: dt.date
    note: str | None = Field(default=None, sa_column=Column(Text))
    # The public JSON of this row, rendered once by the seed (app/readmodel/render.py).
    doc: str = Field(sa_column=Column(Text, nullable=False))
    # Its line in a CSV export (app/readmodel/flatten.py), rendered by the seed as well.
    csv_line: str = Field(sa_column=Column(Text, nullable=False))


class QuoteTopic(SQLModel, table=True):
    __tablename__ = "quote_topic"

    quote_id: str = Field(foreign_key="quote.id", primary_key=True, ondelete="CASCADE")
    topic: str = Field(primary_key=True, max_length=40, index=True)


class Exclusion(SQLModel, table=True):
    source_id: str = Field(foreign_key="source.id", primary_key=True)
    span_start: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=10)
    span_end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
