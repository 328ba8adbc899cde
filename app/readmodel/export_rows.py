"""The long and dyadic CSV rows of an event, rendered once by the seed beside its wide line.

An event's rows are stored together as one text (CRLF-terminated lines), so an export of these
forms walks the same posting lists, cursors and batches as /v1/events.csv and splices the
stored text: one row read per event, however many lines it holds.
"""

from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any

from app.readmodel.contract import EVENT_DYADIC_CSV, EVENT_LONG_CSV
from app.readmodel.flatten import csv_line
from app.schemas.exports import EventDyadRow, EventSourceRow

Row = Mapping[str, Any]

_EVENT_FIELDS = tuple(
    name for name in EventSourceRow.model_fields if name in EventDyadRow.model_fields
)


def _event_part(item: Mapping[str, Any]) -> dict[str, Any]:
    """The columns every row of the event repeats, from its public JSON (`item`)."""
    part = {name: item.get(name) for name in _EVENT_FIELDS if name != "event_id"}
    part["event_id"] = item["id"]
    return part


def long_lines(
    item: Mapping[str, Any], *, excerpts: Iterable[Row], sources: Mapping[str, Row]
) -> str:
    """One line per supporting passage, in source and position order; one line with the
    source columns empty for an event without a passage."""
    event = _event_part(item)
    ordered = sorted(excerpts, key=lambda row: (row["source_id"], row["span_start"]))
    rows = [
        event
        | {
            "source_id": row["source_id"],
            "source_title": sources[row["source_id"]]["title"],
            "source_outlet": sources[row["source_id"]]["outlet"],
            "passage": row["excerpt"],
            "span_start": row["span_start"],
            "span_end": row["span_end"],
        }
        for row in ordered
    ]
    return "".join(csv_line(EventSourceRow, row) for row in rows or [event])


def _actor(number: int, participant: Mapping[str, Any] | None) -> dict[str, Any]:
    if participant is None:
        return {}
    return {f"actor{number}_{key}": participant[key] for key in ("id", "name", "country", "role")}


def dyadic_lines(item: Mapping[str, Any]) -> str:
    """One line per unordered pair of participants (in id order); an event with one
    participant, or none, has one line with the missing actors empty."""
    event = _event_part(item)
    participants = sorted(item["participants"], key=lambda p: p["id"])
    event["participant_count"] = len(participants)
    pairs: list[tuple[Any, Any]] = list(combinations(participants, 2))
    if not pairs:
        pairs = [(participants[0] if participants else None, None)]
    return "".join(
        csv_line(EventDyadRow, event | _actor(1, first) | _actor(2, second))
        for first, second in pairs
    )


def export_lines(
    item: Mapping[str, Any], *, excerpts: Iterable[Row], sources: Mapping[str, Row]
) -> dict[str, str]:
    """The stored long and dyadic lines of an event, `item` being its public JSON."""
    return {
        EVENT_LONG_CSV: long_lines(item, excerpts=excerpts, sources=sources),
        EVENT_DYADIC_CSV: dyadic_lines(item),
    }
