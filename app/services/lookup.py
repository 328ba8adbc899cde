"""Resolve the names that filters refer to, so an unknown one is an error, not an empty list."""

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlmodel import Session

from app.errors import invalid_parameter
from app.services import tables as t


def find_person_id(session: Session, *, reference: str) -> str | None:
    """The person id for a slug or Wikidata QID, or None."""
    query = select(t.person.c.id).where(
        or_(t.person.c.id == reference, t.person.c.wikidata_qid == reference)
    )
    person_id = session.connection().execute(query).scalar_one_or_none()
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
    col = getattr(t, table_name).c[column_name]
    found = set(session.connection().execute(select(col).where(col.in_(wanted))).scalars())
    missing = sorted(wanted - found)
    if missing:
        raise invalid_parameter(
            parameter,
            f"unknown value(s) {', '.join(missing)}; valid values are listed at {listing}",
        )
