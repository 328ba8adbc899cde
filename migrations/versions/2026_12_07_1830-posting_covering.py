"""posting covering: PostgreSQL walks and merges event posting lists from the index alone

A walk of `event_posting` needs `date_hi` (the lower edge of a date range) and
`year_precision` (a month timeline's `coarser` bucket) beside the key. SQLite keeps the rows in
the primary-key B-tree (WITHOUT ROWID), so its walks never leave the index; PostgreSQL's
primary key held only the key, so each such walk read the table's pages at random. The key now
INCLUDEs both columns: a date-range edge or a filtered timeline is an index-only scan (a
topic+country timeline at 200k events: a heap bitmap scan and a hash join, 578 ms on a loaded
machine, became a merge of two index-only scans, 196 ms). SQLite needs nothing.

Revision ID: 5d1f0c2b7e93
Revises: 8c25fa009a47
Create Date: 2026-12-07 18:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d1f0c2b7e93"
down_revision: str | None = "8c25fa009a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = "dimension, value, date_lo, event_id"


def _primary_key(include: str) -> None:
    op.execute("ALTER TABLE event_posting DROP CONSTRAINT pk_event_posting")
    op.execute(
        f"ALTER TABLE event_posting ADD CONSTRAINT pk_event_posting PRIMARY KEY ({_KEY}){include}"
    )


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    _primary_key(" INCLUDE (date_hi, year_precision)")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    _primary_key("")
