"""date evidence and id redirects: how each date was set, outside context, changed ids

Served so that a day curators identified is never shown as the articles' own, background stays
apart from the summary, and a changed public id answers with a 301.

Events gain `date_evidence` (stated | clue | identified) and `context`; quotes gain their
event's `date_evidence`; `public_id_redirect` maps an old event or quote id to its new one.
Documents are rendered by the seed, so the upgrade empties the dataset first (the next `seed`,
or `start`, loads it again) and adds the NOT NULL column to an empty table.

Revision ID: 5d1c2e7a9b40
Revises: 5d1f0c2b7e93
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1c2e7a9b40"
down_revision: str | None = "5d1f0c2b7e93"
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


def upgrade() -> None:
    for table in _DATASET_TABLES:
        op.execute(f"DELETE FROM {table}")
    sqlite = op.get_context().dialect.name == "sqlite"
    with op.batch_alter_table("event", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.add_column(sa.Column("date_evidence", sa.String(length=10), nullable=False))
        batch_op.add_column(sa.Column("context", sa.Text(), nullable=True))
    with op.batch_alter_table("quote") as batch_op:
        batch_op.add_column(sa.Column("date_evidence", sa.String(length=10), nullable=True))
    op.create_table(
        "public_id_redirect",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("old_id", sa.String(length=120), nullable=False),
        sa.Column("new_id", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("kind", "old_id", name=op.f("pk_public_id_redirect")),
    )


def downgrade() -> None:
    op.drop_table("public_id_redirect")
    with op.batch_alter_table("quote") as batch_op:
        batch_op.drop_column("date_evidence")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("context")
        batch_op.drop_column("date_evidence")
