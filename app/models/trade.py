"""Trade figures, one row per figure as one source states it."""

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import app.models.base  # noqa: F401  (naming convention first)


class TradeObservation(SQLModel, table=True):
    __tablename__ = "trade_observation"
    __table_args__ = (
        Index(
            "ix_trade_observation_series",
            "country",
            "partner",
            "flow",
            "kind",
            "period_type",
            "period_start",
        ),
    )

    id: str = Field(primary_key=True, max_length=120)
    source_id: str = Field(foreign_key="source.id", index=True)
    span_start: int
    span_end: int
    excerpt: str = Field(sa_column=Column(Text, nullable=False))
    event_id: str | None = Field(default=None, foreign_key="event.id", index=True)
    country: str = Field(foreign_key="country.code", max_length=2)
    partner: str = Field(foreign_key="country.code", max_length=2)
    flow: str = Field(max_length=10)
    kind: str = Field(max_length=10)
    period_type: str = Field(max_length=10)
    period: str | None = Field(default=None, max_length=40)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    value: float
    value_text: str = Field(max_length=40)
    decimals: int
    # Money in a currency, or a quantity in a unit (app/vocab.py Unit): exactly one is set.
    currency: str | None = Field(default=None, max_length=3)
    unit: str | None = Field(default=None, max_length=12)
    unit_mult: int
    qualifier: str = Field(max_length=12)
    yoy_pct: float | None = None
    reporter: str | None = Field(default=None, foreign_key="country.code", max_length=2)
    agency: str | None = Field(default=None, max_length=200)
    stated_by: str | None = Field(default=None, foreign_key="person.id")
    milestone: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, sa_column=Column(Text))
    claim_group: str = Field(max_length=120, index=True)
    preferred: bool
    preference_reason: str = Field(sa_column=Column(Text, nullable=False))
    # The public JSON of this row, rendered once by the seed (app/readmodel/render.py).
    doc: str = Field(sa_column=Column(Text, nullable=False))
    # Its line in a CSV export (app/readmodel/flatten.py), rendered by the seed as well.
    csv_line: str = Field(sa_column=Column(Text, nullable=False))
