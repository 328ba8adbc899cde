"""Leaders, sources and vocabularies."""

from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

from app.dates import DATE_WIDTH
from app.services import sql
from app.services import tables as t
from app.services.pagination import page_by_id
from app.vocab import (
    EVENT_CODING,
    TOPIC_DESCRIPTIONS,
    Attribution,
    DatePrecision,
    EventStatus,
    Language,
    ParticipantRole,
    PeriodType,
    Qualifier,
    TradeFlow,
    TradeKind,
)


def _leader_query() -> Select[Any]:
    events = (
        select(func.count())
        .select_from(t.event_participant)
        .where(t.event_participant.c.person_id == t.person.c.id)
        .scalar_subquery()
    )
    quotes = (
        select(func.count())
        .select_from(t.quote)
        .where(t.quote.c.speaker_id == t.person.c.id)
        .scalar_subquery()
    )
    return select(t.person, events.label("event_count"), quotes.label("quote_count"))


def _leader(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "country": row["country_code"],
        "office": row["office"],
        "wikidata_qid": row["wikidata_qid"],
        "aliases": list(row["aliases"] or []),
        "event_count": row["event_count"],
        "quote_count": row["quote_count"],
    }


def list_leaders(
    session: Session, *, limit: int, after: list[Any] | None
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of leaders in id order."""
    rows, next_key = page_by_id(
        session, query=_leader_query(), id_column=t.person.c.id, limit=limit, after=after
    )
    return [_leader(row) for row in rows], next_key


def count_leaders(session: Session) -> int:
    """How many leaders there are."""
    return int(
        session.connection().execute(select(func.count()).select_from(t.person)).scalar_one()
    )


def get_leader(session: Session, *, person_id: str) -> dict[str, Any] | None:
    """One leader by id, or None."""
    row = (
        session.connection()
        .execute(_leader_query().where(t.person.c.id == person_id))
        .mappings()
        .first()
    )
    return _leader(row) if row is not None else None


def _source_query() -> Select[Any]:
    def count(table: Any, column: Any) -> Any:
        return (
            select(func.count(func.distinct(column)))
            .select_from(table)
            .where(table.c.source_id == t.source.c.id)
            .scalar_subquery()
        )

    return select(
        *(column for column in t.source.c if column.name != "text"),
        count(t.event_source, t.event_source.c.event_id).label("events"),
        count(t.quote, t.quote.c.id).label("quotes"),
        count(t.trade_observation, t.trade_observation.c.id).label("trade_observations"),
        count(t.exclusion, t.exclusion.c.span_start).label("exclusions"),
    )


def _source(row: Any) -> dict[str, Any]:
    width = DATE_WIDTH[row["published_precision"]]
    return {
        "id": row["id"],
        "file_name": row["file_name"],
        "outlet": row["outlet"],
        "author": row["author"],
        "title": row["title"],
        "language": row["language"],
        "published_on": row["published_on"].isoformat()[:width],
        "published_precision": row["published_precision"],
        "published_basis": row["published_basis"],
        "sha256": row["sha256"],
        "char_count": row["char_count"],
        "counts": {
            "events": row["events"],
            "quotes": row["quotes"],
            "trade_observations": row["trade_observations"],
            "exclusions": row["exclusions"],
        },
    }


def list_sources(
    session: Session, *, limit: int, after: list[Any] | None
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One page of sources in id order, without their text."""
    rows, next_key = page_by_id(
        session, query=_source_query(), id_column=t.source.c.id, limit=limit, after=after
    )
    return [_source(row) for row in rows], next_key


def count_sources(session: Session) -> int:
    """How many sources there are."""
    return int(
        session.connection().execute(select(func.count()).select_from(t.source)).scalar_one()
    )


def get_source(session: Session, *, source_id: str) -> dict[str, Any] | None:
    """One source with its counts and full text, or None."""
    row = (
        session.connection()
        .execute(_source_query().add_columns(t.source.c.text).where(t.source.c.id == source_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {**_source(row), "text": row["text"]}


def source_text(session: Session, *, source_id: str) -> str | None:
    """The verbatim text of one source, or None."""
    value = (
        session.connection()
        .execute(select(t.source.c.text).where(t.source.c.id == source_id))
        .scalar_one_or_none()
    )
    return None if value is None else str(value)


def vocabularies(session: Session) -> dict[str, Any]:
    """Every controlled vocabulary, with the CAMEO/PLOVER crosswalk of the event kinds."""

    def plain(values: Any) -> list[dict[str, Any]]:
        return [{"code": value.value} for value in values]

    countries = (
        session.connection().execute(select(t.country).order_by(t.country.c.code)).mappings().all()
    )
    return {
        "event_kinds": [
            {
                "code": kind.value,
                "label": coding.cameo_label,
                "cameo_code": coding.cameo_code,
                "plover_event": coding.plover_event,
                "plover_mode": coding.plover_mode,
            }
            for kind, coding in EVENT_CODING.items()
        ],
        "event_statuses": plain(EventStatus),
        "date_precisions": plain(DatePrecision),
        "participant_roles": plain(ParticipantRole),
        "topics": [
            {"code": topic.value, "description": description}
            for topic, description in TOPIC_DESCRIPTIONS.items()
        ],
        "attributions": [
            {"code": Attribution.direct.value, "description": "Direct speech"},
            {
                "code": Attribution.readout.value,
                "description": "Official readout (Kremlin, Chinese foreign ministry)",
            },
            {"code": Attribution.agency.value, "description": "News agency report (e.g. TASS)"},
            {"code": Attribution.press.value, "description": "Press paraphrase in quotes"},
            {
                "code": Attribution.indirect.value,
                "description": "Reported speech, not in quotation marks",
            },
        ],
        "languages": plain(Language),
        "trade_flows": plain(TradeFlow),
        "trade_kinds": plain(TradeKind),
        "period_types": plain(PeriodType),
        "qualifiers": [
            {"code": Qualifier.exact.value, "description": "The figure as stated"},
            {
                "code": Qualifier.approximate.value,
                "description": "A rounded figure where a more precise one exists",
            },
            {"code": Qualifier.lower_bound.value, "description": "'exceeded', 'more than'"},
            {"code": Qualifier.upper_bound.value, "description": "'less than', 'was surpassed'"},
        ],
        "countries": [dict(row) for row in countries],
    }


def current_dataset_version(session: Session) -> str | None:
    """The version of the loaded dataset, or None before the first seed."""
    value = sql.scalar(session, "SELECT version FROM dataset_meta")
    return None if value is None else str(value)
