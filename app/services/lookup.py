"""Resolve the names that filters refer to, so an unknown one is an error, not an empty list."""

from collections.abc import Iterable

from sqlmodel import Session

from app.errors import invalid_parameter
from app.services import sql


def find_person_id(session: Session, *, reference: str) -> str | None:
    """The person id for a slug or Wikidata QID, or None."""
    person_id = sql.scalar(
        session,
        "SELECT id FROM person WHERE id = :reference OR wikidata_qid = :reference",
        {"reference": reference},
    )
    return None if person_id is None else str(person_id)


def resolve_leader(session: Session, *, reference: str, parameter: str = "leader") -> str:
    """The person id for a slug or Wikidata QID; 400 if nobody matches."""
    person_id = find_person_id(session, reference=reference)
    if person_id is None:
        raise invalid_parameter(
            parameter,
            f"no leader has the id or Wikidata QID '{reference}'; valid ids are listed at "
            "/v1/leaders",
        )
    return person_id


def require_known(
    session: Session, *, values: Iterable[str], column: str, parameter: str, listing: str
) -> None:
    """Raise a 400 naming `parameter` unless every value exists in `column` ('table.col')."""
    wanted = set(values)
    if not wanted:
        return
    table_name, column_name = column.split(".")
    values_sql, params = sql.in_list("value", sorted(wanted))
    found = {
        row[0]
        for row in sql.rows(
            session,
            f"SELECT {column_name} FROM {table_name} WHERE {column_name} IN {values_sql}",
            params,
        )
    }
    missing = sorted(wanted - found)
    if missing:
        raise invalid_parameter(
            parameter,
            f"unknown value(s) {', '.join(missing)}; valid values are listed at {listing}",
        )
