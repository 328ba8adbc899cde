"""Read models of quotes."""

from pydantic import BaseModel, Field

from app.schemas.common import IsoDate, Page, SourceRef
from app.vocab import Attribution, DateEvidence, Language, Topic


class SpeakerRef(BaseModel):
    id: str = Field(examples=["vladimir-putin"])
    name: str = Field(examples=["Vladimir Putin"])


class QuotePublic(BaseModel):
    """A quote, verbatim as the source prints it, with our English translation."""

    id: str
    text: str = Field(
        description="Verbatim text of the source: the words between the quotation marks, or "
        "for attribution `indirect` the passage of reported speech"
    )
    language: Language
    translation_en: str
    speaker: SpeakerRef
    event_id: str | None = Field(
        description="The event at which the words were said; null when the article does not "
        "say (the quote is then dated by said_on, else by its article)"
    )
    said_on: IsoDate | None = Field(
        description="ISO date it was said, only when the articles fix the day (never a day "
        "curators identified from outside knowledge)"
    )
    date: IsoDate = Field(
        description="The day the quote is dated and sorted by: said_on, else the first "
        "possible day of its event, else its article's publication day; always filled"
    )
    date_evidence: DateEvidence | None = Field(
        description="How the date of its event was set (`identified`: by curators from outside "
        "knowledge, not by the articles); null for a quote linked to no event"
    )
    attribution: Attribution = Field(
        description="How the words reached the source: `direct`, official `readout`, `agency`, "
        "`press`, or `indirect` (reported speech: someone describing what the speaker said, "
        "not the speaker's own words)"
    )
    reported_speech: bool = Field(
        description="True when the text describes what the speaker said (attribution "
        "`indirect`) rather than giving the speaker's own words; a leader's quotes leave "
        "these out unless speech=reported or speech=all"
    )
    via: str | None = Field(description="Channel: Kremlin readout, TASS, ...", examples=["TASS"])
    topics: list[Topic]
    note: str | None
    source: SourceRef


class QuotePage(Page[QuotePublic]):
    pass
