"""Reads of the HTML explorer: what no API endpoint reads (the overview counts, the texts
around a record's spans, every span a source's text is annotated with), and each page's reads
composed in one snapshot, marked inline where they are a few index probes."""

from dataclasses import dataclass
from typing import Any

import orjson

from app.database import Snapshot, in_list, inline_read
from app.errors import not_found
from app.readmodel.contract import EVERYTHING, POSTING_COUNT
from app.services import events, quotes, reference, trade
from app.vocab import PeriodType

# A source page lists at most this many records of each kind: at bench scale one synthetic
# article can support thousands of events, and a page must stay bounded.
ANNOTATIONS_PER_KIND = 200


@inline_read
def overview(snapshot: Snapshot) -> dict[str, Any]:
    """What the dataset holds: counts (events and quotes from the seed's posting counts, the
    small tables counted) and its version."""
    posted = dict(
        snapshot.rows(
            f"SELECT kind, count FROM {POSTING_COUNT} "
            "WHERE dimension = :dimension AND value = :value",
            dict(zip(("dimension", "value"), EVERYTHING, strict=True)),
        )
    )
    return {
        "version": snapshot.dataset_version(),
        "events": int(posted.get("event", 0)),
        "quotes": int(posted.get("quote", 0)),
        "leaders": int(snapshot.scalar("SELECT count(*) FROM person") or 0),
        "sources": int(snapshot.scalar("SELECT count(*) FROM source") or 0),
        "trade_observations": int(snapshot.scalar("SELECT count(*) FROM trade_observation") or 0),
    }


@inline_read
def source_texts(snapshot: Snapshot, *, source_ids: tuple[str, ...]) -> dict[str, str]:
    """The verbatim texts of a few sources, by id."""
    if not source_ids:
        return {}
    ids, params = in_list("id", source_ids)
    return dict(snapshot.rows(f"SELECT id, text FROM source WHERE id IN {ids}", params))


@dataclass(frozen=True)
class Annotation:
    """A span of a source and what it is: an event's excerpt, a quote, a trade figure, or a
    span deliberately left out (with the reason)."""

    kind: str  # excerpt | quote | figure | exclusion
    start: int
    end: int
    record: str  # the event, quote or observation id; the excluded kind for exclusions
    note: str | None = None  # the reason of an exclusion


@inline_read
def source_annotations(snapshot: Snapshot, *, source_id: str) -> list[Annotation]:
    """Every annotated span of one source, in text order (the first ANNOTATIONS_PER_KIND of
    each kind)."""
    if snapshot.scalar("SELECT 1 FROM source WHERE id = :id", {"id": source_id}) is None:
        raise not_found("source", source_id, listing="/v1/sources")
    params = {"id": source_id, "cap": ANNOTATIONS_PER_KIND}
    found: list[Annotation] = []
    for kind, sql in (
        ("excerpt", "SELECT span_start, span_end, event_id, NULL FROM event_source"),
        ("quote", "SELECT span_start, span_end, id, NULL FROM quote"),
        ("figure", "SELECT span_start, span_end, id, NULL FROM trade_observation"),
        ("exclusion", "SELECT span_start, span_end, kind, reason FROM exclusion"),
    ):
        rows = snapshot.rows(
            f"{sql} WHERE source_id = :id ORDER BY span_start, span_end LIMIT :cap", params
        )
        found.extend(
            Annotation(kind, start, end, record, note) for start, end, record, note in rows
        )
    return sorted(found, key=lambda a: (a.start, -a.end, a.kind, a.record))


# ---- the reads of each page: one snapshot a page, inline only where the page is a few probes


@inline_read
def countries(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The countries a filter form offers: one read of a small table."""
    found: list[dict[str, Any]] = reference.vocabularies(snapshot)["countries"]
    return found


@inline_read
def event_page(snapshot: Snapshot, *, event_id: str) -> dict[str, Any]:
    """An event in full and the texts of every source it, its quotes and figures cite."""
    event = orjson.loads(events.event_detail(snapshot, event_id=event_id))
    ids = {s["id"] for s in event["sources"]} | {q["source"]["id"] for q in event["quotes"]}
    ids |= {s["id"] for o in event["trade_observations"] for s in o["sources"]}
    return {"event": event, "texts": source_texts(snapshot, source_ids=tuple(sorted(ids)))}


@inline_read
def quote_page(snapshot: Snapshot, *, quote_id: str) -> dict[str, Any]:
    quote = orjson.loads(quotes.quote_document(snapshot, quote_id=quote_id))
    texts = source_texts(snapshot, source_ids=(quote["source"]["id"],))
    return {"quote": quote, "texts": texts}


@inline_read
def observation_page(snapshot: Snapshot, *, observation_id: str) -> dict[str, Any]:
    observation = orjson.loads(trade.observation_document(snapshot, observation_id=observation_id))
    ids = tuple(sorted({s["id"] for s in observation["sources"]}))
    return {"observation": observation, "texts": source_texts(snapshot, source_ids=ids)}


@inline_read
def source_page(snapshot: Snapshot, *, source_id: str) -> dict[str, Any]:
    source = orjson.loads(reference.source_document(snapshot, source_id=source_id))
    return {"source": source, "annotations": source_annotations(snapshot, source_id=source_id)}


def trade_page(snapshot: Snapshot, *, country: str, partner: str, flow: str) -> dict[str, Any]:
    """Every series of a pair and flow, actual and target, per period type: two queries per
    period type, so a worker thread's read, not the event loop's."""

    def series(period_type: str, kind: str) -> list[dict[str, Any]]:
        query = trade.SeriesQuery(
            country=country,
            partner=partner,
            flow=flow,
            period_type=period_type,
            kind=kind,
            preferred_only=False,
        )
        points: list[dict[str, Any]] = orjson.loads(trade.series_document(snapshot, query=query))[
            "points"
        ]
        return points

    return {
        "actual": {p.value: series(p.value, "actual") for p in PeriodType},
        "targets": [o for p in PeriodType for o in series(p.value, "target")],
        "countries": countries(snapshot),
    }


def home(snapshot: Snapshot, *, granularity: str) -> dict[str, Any]:
    """The overview, the timeline of every event and the first sources: a worker thread's."""
    sources, _ = reference.source_listing().fetch(snapshot, None, 10)
    return {
        "overview": overview(snapshot),
        "timeline": events.timeline(
            snapshot, filters=events.EventFilters(), granularity=granularity
        ),
        "sources": [orjson.loads(doc) for doc in sources],
    }
