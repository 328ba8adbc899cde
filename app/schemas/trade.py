"""Read models of trade observations and series."""

from pydantic import BaseModel, Field

from app.schemas.common import Page, SourceExcerpt
from app.vocab import Milestone, PeriodType, Qualifier, TradeFlow, TradeKind


class TradeObservationPublic(BaseModel):
    """One trade figure as one source states it."""

    id: str
    country: str = Field(examples=["CN"])
    partner: str = Field(examples=["RU"])
    flow: TradeFlow
    kind: TradeKind
    period: str | None = Field(examples=["2024", "2021-01-01/P10M"])
    period_type: PeriodType
    period_start: str | None
    period_end: str | None
    value: float = Field(description="In units of 10^unit_mult of currency", examples=[244.8])
    value_text: str = Field(description="The number as written", examples=["244.8"])
    currency: str = Field(examples=["USD"])
    unit_mult: int = Field(examples=[9])
    qualifier: Qualifier
    yoy_pct: float | None
    reporter: str | None = Field(description="Whose statistics (alpha-2), when attributed")
    agency: str | None
    stated_by: str | None = Field(description="Person id of whoever stated it")
    milestone: Milestone | None
    note: str | None
    event_id: str | None
    claim_group: str = Field(description="Observations of the same figure share a claim group")
    preferred: bool
    preference_reason: str
    sources: list[SourceExcerpt]


class TradeObservationPage(Page[TradeObservationPublic]):
    pass


class SeriesKey(BaseModel):
    country: str
    partner: str
    flow: TradeFlow
    currency: str
    unit_mult: int


class TradeSeries(BaseModel):
    """A series of trade figures, one point per period unless select=all."""

    series: SeriesKey
    period_type: PeriodType
    kind: TradeKind
    select: str = Field(examples=["preferred"])
    points: list[TradeObservationPublic]
