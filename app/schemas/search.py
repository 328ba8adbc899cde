"""/v1/search: events, quotes and source passages found by one `q`, each a typed hit."""

from enum import StrEnum

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from app.schemas.common import IsoDate, Span


class HitKind(StrEnum):
    event = "event"
    quote = "quote"
    passage = "passage"


class SearchSort(StrEnum):
    relevance = "relevance"
    date = "date"
    newest = "-date"


class PassageSource(BaseModel):
    """Where a passage hit is in its article: the source and the passage's character span
    (`source.text[span.start:span.end]`, as /v1/sources/{id}/text serves it)."""

    id: str = Field(examples=["sovranismopopolare-2025-cina-russia-nuovi-traguardi"])
    title: str | None
    span: Span


class SearchHit(BaseModel):
    """One thing `q` found: an event, a quote or a passage of a source article."""

    kind: HitKind
    id: str = Field(description="The event's or quote's id; a passage's `scope:source:start-end`")
    label: str = Field(
        description="What to call it in a list: the event's title, the quote's speaker, "
        "the passage's article title"
    )
    date: IsoDate = Field(
        description="The date it is ordered by: the event's earliest date, the quote's date, "
        "the passage's publication day"
    )
    snippet: str = Field(
        description="A stretch of its text around the first match (verbatim, `…` where cut)"
    )
    highlights: list[Span] = Field(
        description="The matching words in `snippet`: character offsets, end exclusive"
    )
    url: str = Field(
        description="The item in the API: /v1/events/{id}, /v1/quotes/{id}, or the passage's "
        "source /v1/sources/{id}"
    )
    source: PassageSource | SkipJsonSchema[None] = Field(
        default=None, description="Passages only: the article and the passage's span in it"
    )
    score: int | SkipJsonSchema[None] = Field(
        default=None,
        description="With sort=relevance only: how well it matches (higher first): each "
        "matching word of the label counts 3, of the rest 1",
    )


class SearchPage(BaseModel):
    """One page of hits; follow `next_cursor` until it is null."""

    items: list[SearchHit]
    next_cursor: str | None = Field(
        description="Opaque cursor for the next page; null on the last page"
    )
