"""Read models of leaders, sources and vocabularies."""

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import Page


class LeaderPublic(BaseModel):
    id: str = Field(examples=["vladimir-putin"])
    name: str
    country: str
    office: str | None
    wikidata_qid: str | None = Field(examples=["Q7747"])
    aliases: list[str] = Field(
        description="Other names the sources use for this person, garbled ones included"
    )
    garbled_aliases: list[str] = Field(
        description="Of the aliases, those that are damage in a source (machine translation, "
        "OCR) rather than spellings of the name: kept so that the text can be matched, not "
        "to be shown as a name",
        examples=[["G"]],
    )
    event_count: int
    quote_count: int = Field(
        description="Quotes in the leader's own words, as /v1/leaders/{id}/quotes lists by "
        "default (reported speech is not counted)"
    )
    reported_speech_count: int = Field(
        description="Passages describing what the leader said (reported speech), listed by "
        "/v1/leaders/{id}/quotes?speech=reported"
    )


class LeaderPage(Page[LeaderPublic]):
    pass


class SourceCounts(BaseModel):
    events: int
    quotes: int
    trade_observations: int
    exclusions: int


class SourcePublic(BaseModel):
    id: str
    file_name: str
    outlet: str | None
    author: str | None
    title: str | None
    language: str
    published_on: str = Field(description="At published_precision", examples=["2021-12-15"])
    published_precision: str
    published_basis: str | None
    url: str | None = Field(
        description="Where the article was published, when known; null when the text came "
        "without its address",
        examples=["https://www.example.org/2021/12/15/putin-xi"],
    )
    captured: Literal["full", "opening"] = Field(
        description="full: the text is the whole article; opening: only the opening the page "
        "showed was kept, so what the text does not say may still be in the article",
        examples=["full"],
    )
    sha256: str
    char_count: int
    counts: SourceCounts


class SourceDetail(SourcePublic):
    text: str = Field(
        description="The article; with text_scope `excerpts`, every character outside a cited "
        "span is a space (newlines kept), so spans still index it"
    )
    text_scope: Literal["full", "excerpts"] = Field(
        description="`full`: the verbatim article; `excerpts`: only the passages the records "
        "cite (this deployment's SERVE_ARTICLE_TEXT)"
    )


class SourcePage(Page[SourcePublic]):
    pass


class VocabEntry(BaseModel):
    code: str = Field(description="The value as the API uses it")
    label: str = Field(description="A plain name to show people")
    description: str = Field(description="What the value means, in one line")


class EventKindEntry(VocabEntry):
    """An event kind, with its coding in the CAMEO and PLOVER event ontologies (a crosswalk to
    other datasets; null for `other`)."""

    cameo_code: str | None = Field(examples=["041"])
    cameo_label: str | None = Field(description="CAMEO's name of the code")
    plover_event: str | None = Field(examples=["CONSULT"])
    plover_mode: str | None = Field(examples=["phone"])


class CountryPublic(BaseModel):
    code: str
    alpha3: str
    name: str


class Vocabularies(BaseModel):
    event_kinds: list[EventKindEntry]
    event_statuses: list[VocabEntry]
    date_precisions: list[VocabEntry]
    participant_roles: list[VocabEntry]
    topics: list[VocabEntry]
    attributions: list[VocabEntry]
    languages: list[VocabEntry]
    trade_flows: list[VocabEntry]
    trade_kinds: list[VocabEntry]
    period_types: list[VocabEntry]
    qualifiers: list[VocabEntry]
    units: list[VocabEntry] = Field(
        description="Units of non-monetary quantities (a trade figure's `unit`), in words"
    )
    countries: list[CountryPublic]
