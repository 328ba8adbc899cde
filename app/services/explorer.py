"""Reads of the HTML explorer that no API endpoint makes: the overview counts, the texts
around a record's spans, and every span a source's text is annotated with."""

from dataclasses import dataclass
from typing import Any

from app.database import Snapshot, in_list, inline_read
from app.errors import not_found
from app.services.reference import TEXT_COLUMN, TextScope

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
