"""Facet counts of /v1/events/facets and /v1/quotes/facets: the one declaration of their shape."""

from enum import StrEnum

from pydantic import BaseModel, Field


class EventFacet(StrEnum):
    """A dimension events are counted by: each is also the name of the filter it counts."""

    kind = "kind"
    topic = "topic"
    country = "country"
    leader = "leader"
    status = "status"
    source = "source"
    year = "year"  # of the first possible day, as /v1/timeline?granularity=year counts


class QuoteFacet(StrEnum):
    """A dimension quotes are counted by: each is also the name of the filter it counts."""

    leader = "leader"  # the speaker
    topic = "topic"
    lang = "lang"
    attribution = "attribution"
    speech = "speech"


class FacetValue(BaseModel):
    value: str = Field(description="The value, as its filter takes it", examples=["phone_call"])
    label: str = Field(description="The value in words, for a UI", examples=["Phone call"])
    count: int = Field(description="Matching items with this value (exact)", examples=[12])


class Facet(BaseModel):
    """The counts of one dimension under every filter of the request but its own."""

    dimension: str = Field(examples=["kind"])
    values: list[FacetValue] = Field(
        description="Most frequent first (ties by value); values with no match are left out"
    )
    truncated: bool = Field(description="More values have matches than `facet_size` lets through")


class Facets(BaseModel):
    """Counts per value of the dimensions asked for, in the order asked."""

    facets: list[Facet]
