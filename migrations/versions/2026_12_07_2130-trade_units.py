"""trade units and captured sources

A trade observation states money in a currency or a quantity in a unit.

Energy volumes (billions of cubic metres of gas) have no currency: `currency` becomes nullable
and `unit` (app/vocab.py Unit: m3, t, bbl, kWh) holds the unit of a quantity; exactly one of
the two is set (checked by the seed). A source says whether its text is the whole article
(`captured` full) or only the opening a page showed (opening). The stored documents and CSV
lines gain both, so the upgrade empties the dataset (the next `seed`, or `start`, loads it
again) and adds the NOT NULL column to an empty table.

Revision ID: 6a2b7c8d9e10
Revises: 5e1c0a7d9b21
Create Date: 2026-12-07 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6a2b7c8d9e10"
down_revision: str | None = "5e1c0a7d9b21"
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
    with op.batch_alter_table(
        "trade_observation", recreate="always" if sqlite else "auto"
    ) as batch_op:
        batch_op.add_column(sa.Column("unit", sa.String(length=12), nullable=True))
        batch_op.alter_column("currency", existing_type=sa.String(length=3), nullable=True)
    with op.batch_alter_table("source", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.add_column(sa.Column("captured", sa.String(length=10), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch_op:
        batch_op.drop_column("captured")
    # Quantities have no currency: they cannot be kept in the older schema.
    op.execute("DELETE FROM trade_observation WHERE currency IS NULL")
    with op.batch_alter_table("trade_observation") as batch_op:
        batch_op.alter_column("currency", existing_type=sa.String(length=3), nullable=False)
        batch_op.drop_column("unit")
