"""Quote queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.services import sql
from app.services.search import compile_query, match_condition, sort_index_hint


@dataclass(frozen=True)
class QuoteFilters:
    """Filters of /v1/quotes; `leaders` and `topics` match any of their values."""

    leaders: tuple[str, ...] = ()
    event: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    language: str | None = None
    attribution: str | None = None
    topics: tuple[str, ...] = ()
    q: str | None = None


def _conditions(session: Session, filters: QuoteFilters) -> tuple[list[str], sql.Params]:
    conditions: list[str] = []
    params: sql.Params = {}
    if filters.leaders:
        speakers, speaker_params = sql.in_list("speaker", filters.leaders)
        conditions.append(f"quote.speaker_id IN {speakers}")
        params.update(speaker_params)
    if filters.event is not None:
        conditions.append("quote.event_id = :event_id")
        params["event_id"] = filters.event
    if filters.start is not None:
        conditions.append("quote.sort_date >= :start")
        params["start"] = filters.start
    if filters.end is not None:
        conditions.append("quote.sort_date <= :end")
        params["end"] = filters.end
    if filters.language is not None:
        conditions.append("quote.language = :language")
        params["language"] = filters.language
    if filters.attribution is not None:
        conditions.append("quote.attribution = :attribution")
        params["attribution"] = filters.attribution
    if filters.topics:
        topics, topic_params = sql.in_list("topic", filters.topics)
        conditions.append(f"quote.id IN (SELECT quote_id FROM quote_topic WHERE topic IN {topics})")
        params.update(topic_params)
    if filters.q is not None:
        dialect = session.connection().dialect.name
        conditions.append(match_condition(dialect, "quote"))
        params["search_q"] = compile_query(dialect, filters.q)
    return conditions, params


_QUOTE_COLUMNS = (
    "id",
    "text",
    "language",
    "translation_en",
    "speaker_id",
    "speaker_name",
    "event_id",
    "said_on",
    "sort_date",
    "attribution",
    "via",
    "note",
    "source_id",
    "span_start",
    "span_end",
)
_SELECT_QUOTE_FROM = (
    "SELECT quote.id, quote.text, quote.language, quote.translation_en, quote.speaker_id, "
    "person.name, quote.event_id, quote.said_on, quote.sort_date, quote.attribution, quote.via, "
    "quote.note, quote.source_id, quote.span_start, quote.span_end FROM quote"
)
_JOIN_SPEAKER = " JOIN person ON person.id = quote.speaker_id"
_SELECT_QUOTE = _SELECT_QUOTE_FROM + _JOIN_SPEAKER


def list_quotes(
    session: Session,
    *,
    filters: QuoteFilters,
    descending: bool,
    limit: int,
    after: list[Any] | None,
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of quotes and the sort key to continue after (None on the last page)."""
    conditions, params = _conditions(session, filters)
    hint = ""
    if filters.q is not None and _only_search_and_dates(filters):
        hint = sort_index_hint(session, kind="quote", search_q=params["search_q"])
    page, next_key = sql.date_keyset_page(
        session,
        select=f"{_SELECT_QUOTE_FROM}{hint}{_JOIN_SPEAKER}",
        columns=_QUOTE_COLUMNS,
        conditions=conditions,
        params=params,
        order=("quote.sort_date", "quote.id"),
        descending=descending,
        limit=limit,
        after=after,
    )
    return _hydrate(session, page), next_key


def _only_search_and_dates(filters: QuoteFilters) -> bool:
    # The sort index holds only (sort_date, id): any other filter would cost a row look-up
    # per index entry walked, and leader, event and topic filters have better indexes.
    return not (
        filters.leaders
        or filters.event
        or filters.topics
        or filters.language is not None
        or filters.attribution is not None
    )


def count_quotes(session: Session, *, filters: QuoteFilters) -> int:
    """How many quotes match `filters`."""
    conditions, params = _conditions(session, filters)
    return int(sql.scalar(session, f"SELECT count(*) FROM quote{sql.where(conditions)}", params))


def get_quote(session: Session, *, quote_id: str) -> dict[str, Any] | None:
    """One quote, or None."""
    rows = sql.dicts(
        session,
        f"{_SELECT_QUOTE} WHERE quote.id = :quote_id",
        _QUOTE_COLUMNS,
        {"quote_id": quote_id},
    )
    return _hydrate(session, rows)[0] if rows else None


def quotes_of_event(session: Session, *, event_id: str) -> list[dict[str, Any]]:
    """Every quote linked to one event, in date and id order."""
    rows = sql.dicts(
        session,
        f"{_SELECT_QUOTE} WHERE quote.event_id = :event_id ORDER BY quote.sort_date, quote.id",
        _QUOTE_COLUMNS,
        {"event_id": event_id},
    )
    return _hydrate(session, rows)


def _hydrate(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    topics: dict[str, list[str]] = defaultdict(list)
    if rows:
        ids, params = sql.in_list("quote", [row["id"] for row in rows])
        for quote_id, topic in sql.rows(
            session,
            f"SELECT quote_id, topic FROM quote_topic WHERE quote_id IN {ids} ORDER BY topic",
            params,
        ):
            topics[quote_id].append(topic)
    return [
        {
            "id": row["id"],
            "text": row["text"],
            "language": row["language"],
            "translation_en": row["translation_en"],
            "speaker": {"id": row["speaker_id"], "name": row["speaker_name"]},
            "event_id": row["event_id"],
            "said_on": sql.iso(row["said_on"]),
            "attribution": row["attribution"],
            "via": row["via"],
            "topics": topics[row["id"]],
            "note": row["note"],
            "source": {
                "id": row["source_id"],
                "span": {"start": row["span_start"], "end": row["span_end"]},
            },
        }
        for row in rows
    ]
