"""Read models shared by several resources."""

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from app.errors import worded

ItemT = TypeVar("ItemT")

PARTIAL_DATE_PATTERN = worded(
    r"^[1-9]\d{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
    "use YYYY, YYYY-MM or YYYY-MM-DD (such as 2021, 2021-07 or 2021-07-06)",
)


# A value that is always a whole ISO date (YYYY-MM-DD): typed `format: date` for clients, kept a
# string in Python because the stored documents are served as they are.
IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


class Span(BaseModel):
    """Half-open character range [start, end) in the source text (Python str indices)."""

    start: int = Field(ge=0, examples=[812])
    end: int = Field(ge=0, examples=[834])


class SourceRef(BaseModel):
    """Where in which source article a fact is stated."""

    id: str = Field(examples=["cnaworld-2025-putin-xi-video-call"])
    span: Span


class SourceExcerpt(BaseModel):
    """A supporting passage of a source, with its exact span."""

    id: str = Field(description="Source id", examples=["sovranismopopolare-2025-cina-russia"])
    title: str | None
    outlet: str | None
    excerpt: str = Field(description="source.text[span.start:span.end], verbatim")
    span: Span


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; follow `next_cursor` until it is null."""

    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Opaque cursor for the next page; null on the last page"
    )
    # Absent unless asked for, never null: SkipJsonSchema keeps `null` out of the contract.
    total: int | SkipJsonSchema[None] = Field(
        default=None, description="Number of matching items; only with include_total=true"
    )
