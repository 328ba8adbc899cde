"""Events and their participants, countries, topics and supporting excerpts."""

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import app.models.base  # noqa: F401  (naming convention first)


class Event(SQLModel, table=True):
    __table_args__ = (
        # Keyset pages walk (date_lo, id); date_hi rides along so date filters stay in the index.
        Index("ix_event_date_lo_id_hi", "date_lo", "id", "date_hi"),
        Index("ix_event_date_hi", "date_hi"),
    )

    id: str = Field(primary_key=True, max_length=120)
    kind: str = Field(max_length=20, index=True)
    status: str = Field(max_length=10)
    start_date: dt.date
    end_date: dt.date | None = None
    date_precision: str = Field(max_length=8)
    # First and last day the event may fall on, given its precision; every date filter uses these.
    date_lo: dt.date
    date_hi: dt.date
    # stated | clue | identified (app.vocab.DateEvidence): identified days are the curators'.
    date_evidence: str = Field(max_length=10)
    date_basis: str | None = Field(default=None, sa_column=Column(Text))
    title: str = Field(max_length=300)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    # Curators' background from outside the articles, kept apart from title and summary.
    context: str | None = Field(default=None, sa_column=Column(Text))
    location: str | None = Field(default=None, max_length=200)
    location_country: str | None = Field(default=None, foreign_key="country.code", max_length=2)
    duration_minutes: int | None = None
    # The public JSON of this row, rendered once by the seed (app/readmodel/render.py).
    doc: str = Field(sa_column=Column(Text, nullable=False))
    # Its line in a CSV export (app/readmodel/flatten.py), rendered by the seed as well.
    csv_line: str = Field(sa_column=Column(Text, nullable=False))
    # The detail's `sources` list (supporting excerpts), rendered by the seed as well.
    sources_doc: str = Field(sa_column=Column(Text, nullable=False))
    # Its lines in the long export (one per source passage) and the dyadic one (one per pair
    # of participants), rendered by the seed as well (app/readmodel/export_rows.py).
    csv_long: str = Field(sa_column=Column(Text, nullable=False))
    csv_dyadic: str = Field(sa_column=Column(Text, nullable=False))


class EventParticipant(SQLModel, table=True):
    __tablename__ = "event_participant"

    event_id: str = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    person_id: str = Field(foreign_key="person.id", primary_key=True, index=True)
    role: str = Field(max_length=20)


class EventCountry(SQLModel, table=True):
    __tablename__ = "event_country"

    event_id: str = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    country_code: str = Field(foreign_key="country.code", primary_key=True, index=True)


class EventTopic(SQLModel, table=True):
    __tablename__ = "event_topic"

    event_id: str = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    topic: str = Field(primary_key=True, max_length=40, index=True)


class EventSource(SQLModel, table=True):
    __tablename__ = "event_source"

    event_id: str = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    source_id: str = Field(foreign_key="source.id", primary_key=True, index=True)
    span_start: int = Field(primary_key=True)
    span_end: int
    excerpt: str = Field(sa_column=Column(Text, nullable=False))
