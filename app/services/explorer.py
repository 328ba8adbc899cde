"""Reads of the HTML explorer: what no API endpoint reads (the overview counts, the texts
around a record's spans, every span a source's text is annotated with), and each page's reads
composed in one snapshot, marked inline where they are a few index probes."""

from dataclasses import dataclass
from typing import Any

import orjson

from app.database import Read, Snapshot, in_list, inline_read
from app.errors import not_found
from app.readmodel.contract import EVERYTHING, POSTING_COUNT
from app.services import events, quotes, reference, trade
from app.services.listing import Page
from app.services.reference import TEXT_COLUMN, TextScope
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
def source_texts(
    snapshot: Snapshot, *, source_ids: tuple[str, ...], text_scope: TextScope
) -> dict[str, str]:
    """The texts of a few sources by id: verbatim, or only their cited spans."""
    if not source_ids:
        return {}
    ids, params = in_list("id", source_ids)
    column = TEXT_COLUMN[text_scope]
    return dict(snapshot.rows(f"SELECT id, {column} FROM source WHERE id IN {ids}", params))


@dataclass(frozen=True)
class Annotation:
    """A span of a source and what it is: an event's excerpt, a quote, a trade figure, or a
    span deliberately left out (with the reason)."""

    kind: str  # excerpt | quote | figure | exclusion
    start: int
    end: int
    record: str  # the event, quote or observation id; the excluded kind for exclusions
    note: str | None = None  # the reason of an exclusion
    label: str | None = None  # what a link to the record says: a title, a speaker, a figure


@inline_read
def source_annotations(snapshot: Snapshot, *, source_id: str) -> list[Annotation]:
    """Every annotated span of one source, in text order (the first ANNOTATIONS_PER_KIND of
    each kind)."""
    if snapshot.scalar("SELECT 1 FROM source WHERE id = :id", {"id": source_id}) is None:
        raise not_found("source", source_id, listing="/v1/sources")
    params = {"id": source_id, "cap": ANNOTATIONS_PER_KIND}
    found: list[Annotation] = []
    for kind, sql in (
        (
            "excerpt",
            "SELECT x.span_start, x.span_end, x.event_id, NULL, e.title"
            " FROM event_source AS x JOIN event AS e ON e.id = x.event_id",
        ),
        (
            "quote",
            "SELECT x.span_start, x.span_end, x.id, NULL, p.name"
            " FROM quote AS x JOIN person AS p ON p.id = x.speaker_id",
        ),
        (
            "figure",
            "SELECT x.span_start, x.span_end, x.id, NULL, x.value_text FROM trade_observation AS x",
        ),
        (
            "exclusion",
            "SELECT x.span_start, x.span_end, x.kind, x.reason, NULL FROM exclusion AS x",
        ),
    ):
        rows = snapshot.rows(
            f"{sql} WHERE x.source_id = :id ORDER BY x.span_start, x.span_end LIMIT :cap",
            params,
        )
        found.extend(
            Annotation(kind, start, end, record, note, label)
            for start, end, record, note, label in rows
        )
    return sorted(found, key=lambda a: (a.start, -a.end, a.kind, a.record))


@inline_read
def names(
    snapshot: Snapshot, *, event_ids: tuple[str, ...] = (), person_ids: tuple[str, ...] = ()
) -> dict[str, str]:
    """What links to a few records say: event titles and people's names, by id (a page's
    worth, never a whole table)."""
    found: dict[str, str] = {}
    for table, column, wanted in (("event", "title", event_ids), ("person", "name", person_ids)):
        if wanted:
            ids, params = in_list("id", sorted(set(wanted)))
            found |= dict(
                snapshot.rows(f"SELECT id, {column} FROM {table} WHERE id IN {ids}", params)
            )
    return found


# ---- the reads of each page: one snapshot a page, inline only where the page is a few probes


@inline_read
def countries(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The countries a filter form offers: one read of a small table."""
    found: list[dict[str, Any]] = reference.vocabularies(snapshot)["countries"]
    return found


@inline_read
def country_names(snapshot: Snapshot) -> dict[str, str]:
    """Each country's name by its code, for pages that show names rather than codes."""
    return {c["code"]: c["name"] for c in countries(snapshot)}


def with_event_titles(page: Read[Page]) -> Read[tuple[Page, dict[str, str]]]:
    """A page of quotes and the titles of the events they come from, on one snapshot."""

    def work(snapshot: Snapshot) -> tuple[Page, dict[str, str]]:
        found = page(snapshot)
        quoted = (orjson.loads(doc)["event_id"] for doc in found.documents)
        return found, names(snapshot, event_ids=tuple(e for e in quoted if e))

    return Read(work, inline=page.inline)


@inline_read
def event_page(snapshot: Snapshot, *, event_id: str, text_scope: TextScope) -> dict[str, Any]:
    """An event in full and the texts of every source it, its quotes and figures cite."""
    event = orjson.loads(events.event_detail(snapshot, event_id=event_id))
    ids = {s["id"] for s in event["sources"]} | {q["source"]["id"] for q in event["quotes"]}
    ids |= {s["id"] for o in event["trade_observations"] for s in o["sources"]}
    texts = source_texts(snapshot, source_ids=tuple(sorted(ids)), text_scope=text_scope)
    return {"event": event, "texts": texts, "country_names": country_names(snapshot)}


@inline_read
def quote_page(snapshot: Snapshot, *, quote_id: str, text_scope: TextScope) -> dict[str, Any]:
    quote = orjson.loads(quotes.quote_document(snapshot, quote_id=quote_id))
    texts = source_texts(snapshot, source_ids=(quote["source"]["id"],), text_scope=text_scope)
    event_ids = (quote["event_id"],) if quote["event_id"] else ()
    return {"quote": quote, "texts": texts, "names": names(snapshot, event_ids=event_ids)}


@inline_read
def observation_page(
    snapshot: Snapshot, *, observation_id: str, text_scope: TextScope
) -> dict[str, Any]:
    observation = orjson.loads(trade.observation_document(snapshot, observation_id=observation_id))
    ids = tuple(sorted({s["id"] for s in observation["sources"]}))
    event_ids = (observation["event_id"],) if observation["event_id"] else ()
    person_ids = (observation["stated_by"],) if observation["stated_by"] else ()
    return {
        "observation": observation,
        "texts": source_texts(snapshot, source_ids=ids, text_scope=text_scope),
        "names": names(snapshot, event_ids=event_ids, person_ids=person_ids),
        "country_names": country_names(snapshot),
    }


@inline_read
def source_page(snapshot: Snapshot, *, source_id: str, text_scope: TextScope) -> dict[str, Any]:
    source = orjson.loads(
        reference.source_document(snapshot, source_id=source_id, text_scope=text_scope)
    )
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
        "country_names": country_names(snapshot),
        "pairs": trade_pairs(snapshot),
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


@inline_read
def trade_pairs(snapshot: Snapshot) -> list[tuple[str, str, str]]:
    """Every (country, partner, flow) with at least one trade figure, for the trade page's
    menu: only series that have data."""
    return [
        (str(country), str(partner), str(flow))
        for country, partner, flow in snapshot.rows(
            "SELECT DISTINCT country, partner, flow FROM trade_observation"
            " ORDER BY country, partner, flow"
        )
    ]
