"""Pydantic models of the human-edited seed files under seeds/data/."""

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.vocab import (
    Attribution,
    DateEvidence,
    DatePrecision,
    EventKind,
    EventStatus,
    ExclusionKind,
    Language,
    Milestone,
    ParticipantRole,
    PeriodType,
    Qualifier,
    Topic,
    TradeFlow,
    TradeKind,
    Unit,
)

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _as_text(value: object) -> object:
    # YAML turns 2024 into an int and 2021-12-15 into a date; the files mean the text.
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
Slug = Annotated[str, Field(pattern=SLUG, max_length=120)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


def precision_of(value: str) -> DatePrecision:
    """The precision a partial ISO date is written at (YYYY, YYYY-MM or YYYY-MM-DD)."""
    match = PARTIAL_DATE.match(value)
    if match is None:
        raise ValueError(f"'{value}' is not a date written as YYYY, YYYY-MM or YYYY-MM-DD")
    if match.group(3):
        dt.date.fromisoformat(value)
        return DatePrecision.day
    if match.group(2):
        if not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"'{value}' has no month {match.group(2)}")
        return DatePrecision.month
    return DatePrecision.year


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DraftMark(Record):
    """What `python -m app draft` could not be sure of: how sure it was and the clue it used.
    A record carrying one is refused by the seed until a curator confirms it (and deletes the
    mark) or deletes the record."""

    confidence: float = Field(ge=0, le=1)
    clue: str = Field(min_length=1)


class Draftable(Record):
    draft: DraftMark | None = None


class SpanRef(Record):
    """A passage of a source, found by its exact text (the n-th occurrence, default the first)."""

    source: Slug
    excerpt: str = Field(min_length=1)
    occurrence: int = Field(default=1, ge=1)


class CountryRecord(Record):
    code: CountryCode
    alpha3: str = Field(pattern=r"^[A-Z]{3}$")
    name: str


class AliasRecord(Record):
    """A name the articles use for a person: a spelling, or damage kept only for matching."""

    name: str = Field(min_length=1)
    kind: Literal["spelling", "garbled"]


class PersonRecord(Record):
    id: Slug
    name: str
    country: CountryCode
    office: str | None = None
    wikidata_qid: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    # A plain string is a spelling.
    aliases: list[str | AliasRecord] = Field(default_factory=list)
    # Read by the draft (app/drafting/dates.py) to date "nel giorno del suo 69esimo compleanno";
    # not served.
    born: dt.date | None = None

    def alias_rows(self) -> list[dict[str, str]]:
        return [
            {"name": a, "kind": "spelling"} if isinstance(a, str) else a.model_dump()
            for a in self.aliases
        ]


class SourceRecord(Draftable):
    id: Slug
    file_name: str
    outlet: str | None = None
    author: str | None = None
    title: str | None = None
    language: Language
    published_on: Text
    published_precision: DatePrecision
    published_basis: str | None = None
    url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$", max_length=2000)
    # Whether the file holds the whole article or only the opening a page showed (a paywall,
    # a preview): an opening cannot support "the article does not say".
    captured: Literal["full", "opening"] = "full"

    @model_validator(mode="after")
    def _precision_matches(self) -> "SourceRecord":
        if precision_of(self.published_on) != self.published_precision:
            raise ValueError("published_on is not written at published_precision")
        return self


class ParticipantRecord(Record):
    person: Slug
    role: ParticipantRole


class EventRecord(Draftable):
    id: Slug
    kind: EventKind
    status: EventStatus
    start_date: Text
    end_date: Text | None = None
    date_precision: DatePrecision
    date_evidence: DateEvidence
    date_basis: str | None = None
    title: str = Field(min_length=3, max_length=300)
    summary: str = Field(min_length=10)
    context: str | None = None
    location: str | None = None
    location_country: CountryCode | None = None
    duration_minutes: int | None = Field(default=None, gt=0)
    participants: list[ParticipantRecord] = Field(default_factory=list)
    countries: list[CountryCode] = Field(min_length=1)
    topics: list[Topic] = Field(default_factory=list)
    sources: list[SpanRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates_match_precision(self) -> "EventRecord":
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if value is not None and precision_of(value) != self.date_precision:
                raise ValueError(f"{name} '{value}' is not written at date_precision")
        return self


class QuoteRecord(Draftable):
    id: Slug
    speaker: Slug
    event: Slug | None = None
    source: Slug
    text: str = Field(min_length=1)
    occurrence: int = Field(default=1, ge=1)
    language: Language
    translation_en: str = Field(min_length=1)
    attribution: Attribution
    via: str | None = None
    said_on: dt.date | None = None
    topics: list[Topic] = Field(default_factory=list)
    note: str | None = None


class TradeRecord(Draftable):
    id: Slug
    source: Slug
    excerpt: str = Field(min_length=1)
    occurrence: int = Field(default=1, ge=1)
    event: Slug | None = None
    country: CountryCode
    partner: CountryCode
    flow: TradeFlow
    kind: TradeKind
    period_type: PeriodType
    period: Text | None = None
    value: Text = Field(pattern=r"^\d+(?:\.\d+)?$")
    # Money in a currency, or a quantity in a unit (a gas volume in m3): exactly one of the two.
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    unit: Unit | None = None
    unit_mult: int = Field(ge=0, le=15)
    qualifier: Qualifier
    yoy_pct: Text | None = Field(default=None, pattern=r"^-?\d+(?:\.\d+)?$")
    reporter: CountryCode | None = None
    agency: str | None = None
    stated_by: Slug | None = None
    milestone: Milestone | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _currency_or_unit(self) -> "TradeRecord":
        if (self.currency is None) == (self.unit is None):
            raise ValueError("give either currency (money) or unit (a quantity), not both")
        return self

    @model_validator(mode="after")
    def _period_present(self) -> "TradeRecord":
        if (self.period is None) != (self.period_type == PeriodType.open):
            raise ValueError("period is required unless period_type is 'open', and only then null")
        return self


class ExclusionRecord(Draftable):
    source: Slug
    text: str = Field(min_length=1)
    occurrence: int = Field(default=1, ge=1)
    kind: ExclusionKind
    reason: str = Field(min_length=3)


class RedirectRecord(Record):
    """A public id that changed: the old id answers with a 301 to the new one."""

    kind: Literal["event", "quote"]
    old_id: Slug
    new_id: Slug
    reason: str = Field(min_length=3)
