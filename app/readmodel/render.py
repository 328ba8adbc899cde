"""Render each public item once, from its normalized rows, through the public schemas.

The seed stores what these functions return beside each row; requests splice the stored bytes
into their answers without parsing them. Rows are dicts keyed by column name, as the seed
builds them or as any driver reads them back (dates as `date` objects or ISO strings).
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from app.dates import DATE_WIDTH, last_day
from app.readmodel.export_rows import export_lines
from app.readmodel.flatten import csv_line
from app.schemas.common import SourceExcerpt
from app.schemas.events import EventPublic
from app.schemas.quotes import QuotePublic
from app.schemas.reference import LeaderPublic, SourcePublic
from app.schemas.trade import TradeObservationPublic
from app.vocab import (
    EVENT_CODING,
    QUALIFIER_BOUND,
    REPORTED_SPEECH,
    Attribution,
    EventKind,
    PeriodType,
)

Row = Mapping[str, Any]
_APP = Path(__file__).resolve().parent.parent
# The code that decides a document's bytes: a change to any of it must rebuild the documents.
_RENDERING_CODE = ("readmodel/*.py", "schemas/*.py", "vocab.py", "dates.py")


@cache
def render_version() -> str:
    """A digest of the rendering code, part of the dataset version."""
    digest = hashlib.sha256()
    for pattern in _RENDERING_CODE:
        for path in sorted(_APP.glob(pattern)):
            digest.update(path.relative_to(_APP).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _iso(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


def _at_precision(value: Any, precision: str) -> str | None:
    return None if value is None else str(value)[: DATE_WIDTH[precision]]


def _period_date(observation: Row) -> str | None:
    """A trade period as a partial date: the year or month it names, or for a year-to-date
    figure the month it runs to; None for an open period."""
    kind = observation["period_type"]
    if kind in (PeriodType.annual.value, PeriodType.month.value):
        return str(observation["period"])
    if kind == PeriodType.ytd.value and observation["period_end"] is not None:
        return str(observation["period_end"])[:7]
    return None


# What the seed stores beside a row for a listed item: {"doc": its JSON, "csv_line": its CSV}.
Stored = dict[str, str]


def stored(model: BaseModel) -> Stored:
    """A validated public item's JSON, exactly as the API sends it, and its CSV export line."""
    item = model.model_dump(mode="json")
    return {"doc": orjson.dumps(item).decode(), "csv_line": csv_line(type(model), item)}


def dump_list(models: Iterable[BaseModel]) -> bytes:
    return orjson.dumps([model.model_dump(mode="json") for model in models])


def event_document(
    event: Row,
    *,
    participants: Iterable[Row],
    countries: Iterable[str],
    topics: Iterable[str],
    excerpts: Sequence[Row],
    sources: Mapping[str, Row],
) -> Stored:
    """An event as listed, and its long and dyadic export lines (app/readmodel/export_rows.py):
    `participants` rows carry id, name, country and role; `excerpts` are its passages."""
    coding = EVENT_CODING[EventKind(event["kind"])]
    precision = event["date_precision"]
    item = EventPublic(
        id=event["id"],
        date=_at_precision(event["start_date"], precision) or "",
        date_start=_iso(event["start_date"]) or "",
        date_end=last_day(
            _at_precision(event["end_date"] or event["start_date"], precision) or ""
        ).isoformat(),
        start_date=_at_precision(event["start_date"], precision) or "",
        end_date=_at_precision(event["end_date"], precision),
        date_precision=precision,
        date_evidence=event["date_evidence"],
        date_basis=event["date_basis"],
        earliest_date=_iso(event["date_lo"]) or "",
        latest_date=_iso(event["date_hi"]) or "",
        kind=event["kind"],
        cameo_code=coding.cameo_code,
        plover_event=coding.plover_event,
        plover_mode=coding.plover_mode,
        status=event["status"],
        title=event["title"],
        summary=event["summary"],
        context=event["context"],
        location=event["location"],
        location_country=event["location_country"],
        duration_minutes=event["duration_minutes"],
        participants=sorted(
            (
                {"id": p["id"], "name": p["name"], "country": p["country"], "role": p["role"]}
                for p in participants
            ),
            key=lambda p: p["id"],
        ),
        countries=sorted(countries),
        topics=sorted(topics),
        source_count=len({row["source_id"] for row in excerpts}),
    )
    document = item.model_dump(mode="json")
    return {
        "doc": orjson.dumps(document).decode(),
        "csv_line": csv_line(EventPublic, document),
        **export_lines(document, excerpts=excerpts, sources=sources),
    }


def event_sources_document(excerpts: Iterable[Row], *, sources: Mapping[str, Row]) -> bytes:
    """The `sources` of an event's detail: excerpt rows in source and position order."""
    ordered = sorted(excerpts, key=lambda row: (row["source_id"], row["span_start"]))
    return dump_list(
        SourceExcerpt(
            id=row["source_id"],
            title=sources[row["source_id"]]["title"],
            outlet=sources[row["source_id"]]["outlet"],
            excerpt=row["excerpt"],
            span={"start": row["span_start"], "end": row["span_end"]},
        )
        for row in ordered
    )


def quote_document(quote: Row, *, speaker_name: str, topics: Iterable[str]) -> Stored:
    item = QuotePublic(
        id=quote["id"],
        text=quote["text"],
        language=quote["language"],
        translation_en=quote["translation_en"],
        speaker={"id": quote["speaker_id"], "name": speaker_name},
        event_id=quote["event_id"],
        said_on=_iso(quote["said_on"]),
        date=_iso(quote["sort_date"]) or "",
        date_evidence=quote["date_evidence"],
        attribution=quote["attribution"],
        reported_speech=Attribution(quote["attribution"]) in REPORTED_SPEECH,
        via=quote["via"],
        topics=sorted(topics),
        note=quote["note"],
        source={
            "id": quote["source_id"],
            "span": {"start": quote["span_start"], "end": quote["span_end"]},
        },
    )
    return stored(item)


def observation_document(observation: Row, *, source: Row) -> Stored:
    row = observation
    item = TradeObservationPublic(
        id=row["id"],
        country=row["country"],
        partner=row["partner"],
        flow=row["flow"],
        kind=row["kind"],
        period=row["period"],
        period_type=row["period_type"],
        period_start=_iso(row["period_start"]),
        period_end=_iso(row["period_end"]),
        date=_period_date(row),
        value=row["value"],
        value_text=row["value_text"],
        currency=row["currency"],
        unit=row["unit"],
        unit_mult=row["unit_mult"],
        qualifier=row["qualifier"],
        bound=QUALIFIER_BOUND.get(row["qualifier"]),
        yoy_pct=row["yoy_pct"],
        reporter=row["reporter"],
        agency=row["agency"],
        stated_by=row["stated_by"],
        milestone=row["milestone"],
        note=row["note"],
        event_id=row["event_id"],
        claim_group=row["claim_group"],
        preferred=bool(row["preferred"]),
        preference_reason=row["preference_reason"],
        sources=[
            {
                "id": row["source_id"],
                "title": source["title"],
                "outlet": source["outlet"],
                "excerpt": row["excerpt"],
                "span": {"start": row["span_start"], "end": row["span_end"]},
            }
        ],
    )
    return stored(item)


def _alias(alias: str | Mapping[str, str]) -> tuple[str, str]:
    """(name, kind) of a stored alias; a bare string is a spelling."""
    if isinstance(alias, str):
        return alias, "spelling"
    return alias["name"], alias["kind"]


def leader_document(
    person: Row, *, event_count: int, quote_count: int, reported_speech_count: int
) -> Stored:
    aliases = person["aliases"]
    if isinstance(aliases, str | bytes):  # SQLite hands JSON columns back as text
        aliases = orjson.loads(aliases)
    item = LeaderPublic(
        id=person["id"],
        name=person["name"],
        country=person["country_code"],
        office=person["office"],
        wikidata_qid=person["wikidata_qid"],
        aliases=[_alias(a)[0] for a in aliases or []],
        garbled_aliases=[name for name, kind in map(_alias, aliases or []) if kind == "garbled"],
        event_count=event_count,
        quote_count=quote_count,
        reported_speech_count=reported_speech_count,
    )
    return stored(item)


def source_document(source: Row, *, counts: Mapping[str, int]) -> Stored:
    item = SourcePublic(
        id=source["id"],
        file_name=source["file_name"],
        outlet=source["outlet"],
        author=source["author"],
        title=source["title"],
        language=source["language"],
        published_on=_at_precision(source["published_on"], source["published_precision"]) or "",
        published_precision=source["published_precision"],
        published_basis=source["published_basis"],
        url=source.get("url"),
        captured=source.get("captured", "full"),
        sha256=source["sha256"],
        char_count=source["char_count"],
        counts=dict(counts),
    )
    return stored(item)
