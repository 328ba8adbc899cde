"""Reads of the HTML explorer that no API endpoint makes: the overview counts, the texts
around a record's spans, and every span a source's text is annotated with."""

from dataclasses import dataclass
from typing import Any

from app.database import Snapshot, in_list, inline_read
from app.errors import not_found

# A source page lists at most this many records of each kind: at bench scale one synthetic
# article can support thousands of events, and a page must stay bounded.
ANNOTATIONS_PER_KIND = 200


@inline_read
def overview(snapshot: Snapshot) -> dict[str, Any]:
    """What the dataset holds: counts (events and quotes from the seed's posting counts, the
    small tables counted) and its version."""
    posted = dict(
        snapshot.rows(
            "SELECT kind, count FROM posting_count WHERE dimension = :all AND value = :everything",
            {"all": "all", "everything": ""},
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
