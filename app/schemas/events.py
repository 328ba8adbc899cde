"""Read models of events."""

from pydantic import BaseModel, Field

from app.schemas.common import IsoDate, Page, SourceExcerpt
from app.schemas.quotes import QuotePublic
from app.schemas.trade import TradeObservationPublic
from app.vocab import DateEvidence, DatePrecision, EventKind, EventStatus, ParticipantRole, Topic

PRECISE_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class ParticipantPublic(BaseModel):
    id: str = Field(examples=["vladimir-putin"])
    name: str = Field(examples=["Vladimir Putin"])
    country: str = Field(examples=["RU"])
    role: ParticipantRole


class EventPublic(BaseModel):
    """An event as listed; dates are written at the event's own precision."""

    id: str = Field(examples=["2025-01-21-putin-xi-video-call"])
    date: str = Field(
        pattern=PRECISE_DATE,
        description="The date as written, at date_precision (start_date): YYYY-MM-DD, YYYY-MM "
        "or YYYY; every event has one, and it sorts as text",
        examples=["2025-01-21", "2021-12"],
    )
    date_start: IsoDate = Field(
        description="First day of `date`'s period (2021-12 -> 2021-12-01), always filled"
    )
    date_end: IsoDate = Field(
        description="Last day of the period of end_date, else of `date` (2021-12 -> "
        "2021-12-31), always filled"
    )
    start_date: str = Field(
        pattern=PRECISE_DATE,
        description="YYYY-MM-DD, YYYY-MM or YYYY, at date_precision",
        examples=["2025-01-21", "2021-07"],
    )
    end_date: str | None = Field(pattern=PRECISE_DATE, description="Last day/month/year, if any")
    date_precision: DatePrecision
    date_evidence: DateEvidence = Field(
        description="What sets the date: `stated` (a passage of the sources states it at "
        'date_precision), `clue` (a passage fixes it without stating it: a birthday, "un '
        'giorno dopo"), `identified` (curators added precision from outside knowledge: the '
        "articles give the date more coarsely or not at all; date_basis says what identifies it)"
    )
    date_basis: str | None = Field(
        description="How the date was established: the passages it rests on, and any outside "
        "knowledge (which sets the date only when date_evidence is `identified`)"
    )
    earliest_date: IsoDate = Field(description="First day the event may fall on (ISO date)")
    latest_date: IsoDate = Field(description="Last day the event may fall on (ISO date)")
    kind: EventKind
    cameo_code: str | None = Field(description="CAMEO event code for this kind", examples=["041"])
    plover_event: str | None = Field(description="PLOVER event type", examples=["CONSULT"])
    plover_mode: str | None = Field(description="PLOVER mode", examples=["phone"])
    status: EventStatus
    title: str
    summary: str = Field(description="What the articles say about the event, and only that")
    context: str | None = Field(
        description="Curators' background from outside the articles (world knowledge, such as "
        "the summit at which a meeting took place); not from the sources"
    )
    location: str | None
    location_country: str | None
    duration_minutes: int | None
    participants: list[ParticipantPublic]
    countries: list[str] = Field(examples=[["CN", "RU"]])
    topics: list[Topic]
    source_count: int


class EventDetail(EventPublic):
    """An event with its supporting excerpts, quotes and the trade figures stated with it."""

    sources: list[SourceExcerpt]
    quotes: list[QuotePublic]
    trade_observations: list[TradeObservationPublic]


class EventPage(Page[EventPublic]):
    pass


class TimelineBucket(BaseModel):
    period: str = Field(examples=["2021-07"])
    count: int


class Timeline(BaseModel):
    """Event counts per period; events dated more coarsely than the buckets are counted apart."""

    granularity: str = Field(examples=["month"])
    buckets: list[TimelineBucket]
    coarser: list[TimelineBucket] = Field(
        description="Year-precision events when granularity=month, counted per year"
    )
    total: int
