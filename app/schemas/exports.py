"""The rows of the events' long and dyadic CSV exports (one per source passage, one per pair of
participants): their columns, the data dictionary and the docs derive from these models."""

from pydantic import BaseModel, Field

from app.schemas.common import IsoDate
from app.schemas.events import PRECISE_DATE
from app.vocab import DatePrecision, EventKind, EventStatus, ParticipantRole


class EventRowBase(BaseModel):
    """The event's own columns, which every row of a long or dyadic export repeats."""

    event_id: str = Field(description="The event's id, as in /v1/events/{event_id}")
    date: str = Field(
        pattern=PRECISE_DATE,
        description="The event's date as written, at date_precision (YYYY-MM-DD, YYYY-MM or YYYY)",
    )
    date_start: IsoDate = Field(description="First day of `date`'s period")
    date_end: IsoDate = Field(description="Last day of the event's period (end_date, else `date`)")
    date_precision: DatePrecision
    kind: EventKind
    cameo_code: str | None = Field(
        description="CAMEO code, text with its leading zero (`057`): read it as a string"
    )
    status: EventStatus
    title: str


class EventSourceRow(EventRowBase):
    """One row per event and supporting source passage (the long form of /v1/events.csv)."""

    source_id: str | None = Field(
        description="The source article, as in /v1/sources/{source_id}; empty only for an event "
        "without a passage (one row, the source columns empty)"
    )
    source_title: str | None
    source_outlet: str | None
    passage: str | None = Field(
        description="The passage, verbatim: the source's text[span_start:span_end]"
    )
    span_start: int | None = Field(description="First character of the passage (0-based)")
    span_end: int | None = Field(description="One past its last character (half-open)")


class EventDyadRow(EventRowBase):
    """One row per event and unordered pair of participants, ACLED style (the dyadic form)."""

    actor1_id: str | None = Field(
        description="The pair's first participant (ids in order); empty for an event without one"
    )
    actor1_name: str | None
    actor1_country: str | None
    actor1_role: ParticipantRole | None
    actor2_id: str | None = Field(
        description="The pair's second participant; empty for an event with one participant "
        "(a one-sided event, one row)"
    )
    actor2_name: str | None
    actor2_country: str | None
    actor2_role: ParticipantRole | None
    participant_count: int = Field(description="How many people took part in the event")


class ExportColumn(BaseModel):
    """One column of a CSV export, derived from the public schema of its rows."""

    name: str = Field(examples=["cameo_code"])
    type: str = Field(
        description="string, integer, number, boolean or date (YYYY-MM-DD); `list` when "
        "several values are joined with `|` in one cell",
        examples=["string"],
    )
    nullable: bool = Field(description="Whether the cell may be empty")
    values: list[str] | None = Field(
        description="The values the column takes, when they are a fixed vocabulary"
    )
    description: str | None
    pandas_dtype: str = Field(
        description="The dtype to read the column with in pandas (`string` keeps `057` as "
        "written; `Int64` keeps an integer column with empty cells integer)",
        examples=["string"],
    )


class ExportTable(BaseModel):
    """A CSV export: its path, what one row is, and its columns in order."""

    path: str = Field(examples=["/v1/events.long.csv"])
    row: str = Field(description="What one row stands for", examples=["an event's source passage"])
    columns: list[ExportColumn]
    pandas_dtype: dict[str, str] = Field(
        description="`dtype=` for pandas.read_csv: every column that is not a plain number, read "
        "as written (codes such as cameo_code `057` stay text)"
    )


class ExportDictionary(BaseModel):
    """The data dictionary of every CSV export."""

    exports: list[ExportTable]
