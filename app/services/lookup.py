"""Resolve the names that filters refer to, so an unknown one is an error, not an empty list."""

from collections.abc import Iterable

from app.database import Snapshot, in_list
from app.errors import MovedError, invalid_parameter, not_found


def find_person_id(snapshot: Snapshot, *, reference: str) -> str | None:
    """The person id for a slug or Wikidata QID, or None."""
    person_id = snapshot.scalar(
        "SELECT id FROM person WHERE id = :reference OR wikidata_qid = :reference",
        {"reference": reference},
    )
    return None if person_id is None else str(person_id)


def resolve_leader(snapshot: Snapshot, *, reference: str, parameter: str = "leader") -> str:
    """The person id for a slug or Wikidata QID; 400 if nobody matches."""
    person_id = find_person_id(snapshot, reference=reference)
    if person_id is None:
        raise invalid_parameter(
            parameter,
            f"no leader has the id or Wikidata QID '{reference}'; valid ids are listed at "
            "/v1/leaders",
        )
    return person_id


def require_known(
    snapshot: Snapshot, *, values: Iterable[str], column: str, parameter: str, listing: str
) -> None:
    """Raise a 400 naming `parameter` unless every value exists in `column` ('table.col')."""
    wanted = set(values)
    if not wanted:
        return
    table_name, column_name = column.split(".")
    values_sql, params = in_list("value", sorted(wanted))
    found = set(
        snapshot.column(
            f"SELECT {column_name} FROM {table_name} WHERE {column_name} IN {values_sql}", params
        )
    )
    missing = sorted(wanted - found)
    if missing:
        raise invalid_parameter(
            parameter,
            f"unknown value(s) {', '.join(missing)}; valid values are listed at {listing}",
        )


def require_source(snapshot: Snapshot, source_id: str | None) -> None:
    """400 naming `source` unless it is None or a source id."""
    if source_id is not None:
        require_known(
            snapshot,
            values=[source_id],
            column="source.id",
            parameter="source",
            listing="/v1/sources",
        )


def require_event(snapshot: Snapshot, event_id: str | None) -> None:
    """400 naming `event` unless it is None or an event id (saying the new id of a changed
    one: a filter value is not redirected, since a 301 would change what the list means)."""
    if event_id is not None:
        new_id = _new_id(snapshot, kind="event", identifier=event_id)
        if new_id is not None:
            raise invalid_parameter(
                "event", f"the event '{event_id}' is now '{new_id}'; filter on the new id"
            )
        require_known(
            snapshot,
            values=[event_id],
            column="event.id",
            parameter="event",
            listing="/v1/events",
        )


def unknown_id(snapshot: Snapshot, *, kind: str, identifier: str, listing: str) -> Exception:
    """What to raise for an id nothing has now: a redirect when the id was changed (the
    record lives on under its new id), else a 404."""
    new_id = _new_id(snapshot, kind=kind, identifier=identifier)
    if new_id is not None:
        return MovedError(kind, identifier, new_id)
    return not_found(kind, identifier, listing=listing)


def _new_id(snapshot: Snapshot, *, kind: str, identifier: str) -> str | None:
    new_id = snapshot.scalar(
        "SELECT new_id FROM public_id_redirect WHERE kind = :kind AND old_id = :id",
        {"kind": kind, "id": identifier},
    )
    return None if new_id is None else str(new_id)
