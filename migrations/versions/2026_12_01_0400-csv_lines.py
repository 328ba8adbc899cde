"""csv lines: each listed item's CSV export line stored beside its JSON document

An export then sends stored text only, as NDJSON already did, instead of flattening every
document in Python while the request runs (docs/reliability.md, "Exports under contention").
The lines are rendered by the seed, so the upgrade empties the dataset first (the next `seed`,
or `start`, loads it again) and adds the NOT NULL columns to empty tables.

Revision ID: 8c25fa009a47
Revises: 2a366a38fa8e
Create Date: 2026-12-01 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c25fa009a47"
down_revision: str | None = "2a366a38fa8e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Children before parents; the full-text tables hold rowids of the rows they index.
_DATASET_TABLES = (
    "dataset_meta",
    "event_search",
    "quote_search",
    "event_posting",
    "quote_posting",
    "posting_count",
    "event_timeline_count",
    "trade_observation",
    "exclusion",
    "quote_topic",
    "quote",
    "event_source",
    "event_topic",
    "event_country",
    "event_participant",
    "event",
    "source",
    "person",
    "country",
)
_LISTED_TABLES = ("event", "person", "quote", "source", "trade_observation")


def upgrade() -> None:
    for table in _DATASET_TABLES:
        op.execute(f"DELETE FROM {table}")
    # SQLite adds a NOT NULL column without a default only by rebuilding the (empty) table;
    # PostgreSQL adds it in place.
    sqlite = op.get_context().dialect.name == "sqlite"
    for table in _LISTED_TABLES:
        with op.batch_alter_table(table, recreate="always" if sqlite else "auto") as batch_op:
            batch_op.add_column(sa.Column("csv_line", sa.Text(), nullable=False))


def downgrade() -> None:
    for table in _LISTED_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("csv_line")
