"""The filters of /v1/quotes and /v1/leaders/{id}/quotes, parsed once for the API and the
explorer."""

from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from app.api.deps import (
    ANY_CASE,
    ID_PATTERN,
    AnyCase,
    FromParam,
    IdRef,
    QParam,
    ToParam,
    app_settings,
    checked_q,
    date_range,
)
from app.services import quotes as service
from app.vocab import Attribution, Language, Topic


async def quote_filters(
    request: Request,
    event: Annotated[
        str | None,
        Query(
            pattern=ID_PATTERN,
            description="Only quotes from this event id",
            examples=["2025-01-21-putin-xi-video-call"],
        ),
    ] = None,
    start: FromParam = None,
    end: ToParam = None,
    lang: Annotated[
        Annotated[Language, AnyCase] | None,
        Query(description="Language of the verbatim text." + ANY_CASE, examples=["en"]),
    ] = None,
    attribution: Annotated[
        Annotated[Attribution, AnyCase] | None,
        Query(description="How the words reached the source." + ANY_CASE, examples=["agency"]),
    ] = None,
    topic: Annotated[
        list[Annotated[Topic, AnyCase]] | None,
        Query(description="Topic tag; repeat to match any of them." + ANY_CASE),
    ] = None,
    q: QParam = None,
    speech: Annotated[
        Literal["own", "reported", "all"] | None,
        Query(
            description="`own`: the speaker's own words; `reported`: passages describing what "
            "the speaker said (reported speech, attribution `indirect`); `all`: both. Default: "
            "`own` for a leader's quotes, `all` for /v1/quotes (each item says which it is in "
            "`reported_speech`)",
            examples=["all"],
        ),
    ] = None,
) -> service.QuoteFilters:
    """Parse the filters; the event id is checked against the database by the service."""
    low, high = date_range(start, end)
    return service.QuoteFilters(
        event=event,
        start=low,
        end=high,
        language=lang.value if lang else None,
        attribution=attribution.value if attribution else None,
        topics=tuple(tp.value for tp in dict.fromkeys(topic or [])),
        q=checked_q(q, app_settings(request)),
        speech=speech or "",
    )


QuoteFiltersDep = Annotated[service.QuoteFilters, Depends(quote_filters)]
SpeakerParam = Annotated[
    list[IdRef] | None,
    Query(
        description="Speaker slug or Wikidata QID; repeat to match any of them",
        examples=["vladimir-putin"],
    ),
]
