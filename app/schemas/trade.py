"""Read models of trade observations and series."""

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import IsoDate, Page, SourceExcerpt
from app.vocab import Bound, Milestone, PeriodType, Qualifier, TradeFlow, TradeKind, Unit


class TradeObservationPublic(BaseModel):
    """One trade figure as one source states it."""

    id: str
    country: str = Field(examples=["CN"])
    partner: str = Field(examples=["RU"])
    flow: TradeFlow
    kind: TradeKind
    period: str | None = Field(examples=["2024", "2021-01-01/P10M"])
    period_type: PeriodType
    period_start: IsoDate | None
    period_end: IsoDate | None
    date: str | None = Field(
        pattern=r"^\d{4}(-\d{2})?$",
        description="The period as a partial date an analyst can sort and plot: `2024` for an "
        "annual figure, `2024-03` for a month, and for a year-to-date figure the month it runs "
        "to (`2021-10`: cumulative from period_start); null for an open target",
        examples=["2024", "2021-10"],
    )
    value: float = Field(
        description="In units of 10^unit_mult of `currency` (money) or of `unit` (a quantity "
        "such as a gas volume). When `bound` is set this is a "
        "bound, not the figure: plot it as a bound (an arrow or open interval), never as a "
        "point of the series",
        examples=[244.8],
    )
    value_text: str = Field(description="The number as written", examples=["244.8"])
    currency: str | None = Field(
        description="ISO 4217, for money; null for a quantity", examples=["USD"]
    )
    unit: Unit | None = Field(
        description="For a quantity that is not money: m3 (gas), t, bbl, kWh; null for money",
        examples=[None, "m3"],
    )
    unit_mult: int = Field(examples=[9])
    qualifier: Qualifier = Field(
        description="exact; approximate (rounded where a more precise figure exists); "
        "lower_bound ('exceeded'); upper_bound ('was surpassed by')"
    )
    bound: Bound | None = Field(
        description="null when `value` is the figure; lower: the figure was above `value`; "
        "upper: it was below `value`. Bounds are never the preferred observation, so the "
        "default series (select=preferred) has none; select=all includes them",
        examples=[None, "lower"],
    )
    yoy_pct: float | None
    reporter: str | None = Field(description="Whose statistics (alpha-2), when attributed")
    agency: str | None
    stated_by: str | None = Field(description="Person id of whoever stated it")
    milestone: Milestone | None
    note: str | None
    event_id: str | None
    claim_group: str = Field(description="Observations of the same figure share a claim group")
    preferred: bool = Field(
        description="The one figure served for its claim group by default; a claim group "
        "with only bounds has none"
    )
    preference_reason: str
    sources: list[SourceExcerpt]


class TradeObservationPage(Page[TradeObservationPublic]):
    pass


class SeriesKey(BaseModel):
    country: str
    partner: str
    flow: TradeFlow
    currency: str | None
    unit: Unit | None = Field(description="null: a series of money figures; else its unit")
    unit_mult: int


class TradeSeries(BaseModel):
    """A series of trade figures: with select=preferred (default) one point per period that
    has a stated value, so every point can be plotted; select=all adds every other
    observation, bounds included (see `bound`)."""

    series: SeriesKey
    period_type: PeriodType | Literal["all"] = Field(
        description="The period type asked for; `all`: each point states its own"
    )
    kind: TradeKind | Literal["all"] = Field(
        description="The kind asked for; `all`: actual figures and targets, each point "
        "stating its own"
    )
    select: Literal["preferred", "all"] = Field(examples=["preferred"])
    points: list[TradeObservationPublic]
