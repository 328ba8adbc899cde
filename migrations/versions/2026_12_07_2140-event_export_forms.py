"""event export forms: each event's lines in the long and dyadic CSV exports

`csv_long` holds one CSV line per supporting source passage of the event and `csv_dyadic` one
per pair of its participants (app/readmodel/export_rows.py), so /v1/events.long.csv and
/v1/events.dyadic.csv splice stored text as /v1/events.csv does. The seed renders them, so the
upgrade empties the dataset first (the next `seed`, or `start`, loads it again) and adds the
NOT NULL columns to an empty table.

Revision ID: 7b3e9d2c4a10
Revises: 6a2b7c8d9e10
Create Date: 2026-12-07 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b3e9d2c4a10"
down_revision: str | None = "6a2b7c8d9e10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Children before parents; the full-text tables hold rowids of the rows they index.
_DATASET_TABLES = (
    "dataset_meta",
    "public_id_redirect",
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


def upgrade() -> None:
    for table in _DATASET_TABLES:
        op.execute(f"DELETE FROM {table}")
    sqlite = op.get_context().dialect.name == "sqlite"
    with op.batch_alter_table("event", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.add_column(sa.Column("csv_long", sa.Text(), nullable=False))
        batch_op.add_column(sa.Column("csv_dyadic", sa.Text(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("csv_dyadic")
        batch_op.drop_column("csv_long")
