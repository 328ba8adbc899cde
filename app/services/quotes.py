"""Quote queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, TextClause, func, select, text, tuple_
from sqlmodel import Session

from app.services import tables as t
from app.services.search import compile_query, match_condition


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


def _conditions(session: Session, filters: QuoteFilters) -> list[ColumnElement[bool] | TextClause]:
    c = t.quote.c
    conditions: list[ColumnElement[bool] | TextClause] = []
    if filters.leaders:
        conditions.append(c.speaker_id.in_(filters.leaders))
    if filters.event is not None:
        conditions.append(c.event_id == filters.event)
    if filters.start is not None:
        conditions.append(c.sort_date >= filters.start)
    if filters.end is not None:
        conditions.append(c.sort_date <= filters.end)
    if filters.language is not None:
        conditions.append(c.language == filters.language)
    if filters.attribution is not None:
        conditions.append(c.attribution == filters.attribution)
    if filters.topics:
        conditions.append(
            c.id.in_(
                select(t.quote_topic.c.quote_id).where(t.quote_topic.c.topic.in_(filters.topics))
            )
        )
    if filters.q is not None:
        dialect = session.connection().dialect.name
        conditions.append(
            text(match_condition(dialect, "quote")).bindparams(
                search_q=compile_query(dialect, filters.q)
            )
        )
    return conditions


def _base_query() -> Select[Any]:
    return select(t.quote, t.person.c.name.label("speaker_name")).join(
        t.person, t.person.c.id == t.quote.c.speaker_id
    )


def list_quotes(
    session: Session,
    *,
    filters: QuoteFilters,
    descending: bool,
    limit: int,
    after: list[Any] | None,
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of quotes and the sort key to continue after (None on the last page)."""
    c = t.quote.c
    query = _base_query().where(*_conditions(session, filters))
    if after is not None:
        position = tuple_(c.sort_date, c.id)
        key = tuple_(dt.date.fromisoformat(after[0]), after[1])
        query = query.where(position < key if descending else position > key)
    order = (c.sort_date.desc(), c.id.desc()) if descending else (c.sort_date, c.id)
    rows = session.connection().execute(query.order_by(*order).limit(limit + 1)).mappings().all()
    page = [dict(row) for row in rows[:limit]]
    next_key = None
    if len(rows) > limit:
        next_key = [page[-1]["sort_date"].isoformat(), page[-1]["id"]]
    return _hydrate(session, page), next_key


def count_quotes(session: Session, *, filters: QuoteFilters) -> int:
    """How many quotes match `filters`."""
    query = select(func.count()).select_from(t.quote).where(*_conditions(session, filters))
    return int(session.connection().execute(query).scalar_one())


def get_quote(session: Session, *, quote_id: str) -> dict[str, Any] | None:
    """One quote, or None."""
    row = (
        session.connection()
        .execute(_base_query().where(t.quote.c.id == quote_id))
        .mappings()
        .first()
    )
    return _hydrate(session, [dict(row)])[0] if row is not None else None


def quotes_of_event(session: Session, *, event_id: str) -> list[dict[str, Any]]:
    """Every quote linked to one event, in date and id order."""
    rows = (
        session.connection()
        .execute(
            _base_query()
            .where(t.quote.c.event_id == event_id)
            .order_by(t.quote.c.sort_date, t.quote.c.id)
        )
        .mappings()
        .all()
    )
    return _hydrate(session, [dict(row) for row in rows])


def _hydrate(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    topics: dict[str, list[str]] = defaultdict(list)
    if rows:
        for quote_id, topic in session.connection().execute(
            select(t.quote_topic.c.quote_id, t.quote_topic.c.topic)
            .where(t.quote_topic.c.quote_id.in_([row["id"] for row in rows]))
            .order_by(t.quote_topic.c.topic)
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
            "said_on": row["said_on"].isoformat() if row["said_on"] else None,
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
