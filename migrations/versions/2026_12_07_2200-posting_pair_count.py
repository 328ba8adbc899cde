"""posting pair counts: a facet's counts under one filter, counted by the seed

How many items have both a (dimension, value) and an (other_dimension, other_value) of two
different dimensions (app/readmodel/derive.py): /v1/events/facets and /v1/quotes/facets read a
dimension's counts under one filter in one key range. The seed derives them with the rest of
the read model, so the upgrade empties the dataset (the next `seed`, or `start`, loads it
again): an empty pair table beside a loaded dataset would count nothing.

Revision ID: 7a3f2c9d4e10
Revises: 7a3f9c2e1b64
Create Date: 2026-12-07 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3f2c9d4e10"
down_revision: str | None = "7a3f9c2e1b64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Children before parents; the full-text tables hold rowids of the rows they index.
_DATASET_TABLES = (
    "dataset_meta",
    "public_id_redirect",
    "event_search",
    "quote_search",
    "source_passage_search",
    "source_passage",
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
    op.create_table(
        "posting_pair_count",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.Column("other_dimension", sa.String(length=12), nullable=False),
        sa.Column("other_value", sa.String(length=120), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind",
            "dimension",
            "value",
            "other_dimension",
            "other_value",
            name=op.f("pk_posting_pair_count"),
        ),
    )


def downgrade() -> None:
    op.drop_table("posting_pair_count")
