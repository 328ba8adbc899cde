"""source rights: each source's original address, and its text cut down to the cited spans

`url` is where the article was published, when known. `excerpt_text` is the article with every
character outside an event excerpt, quote or trade figure span blanked (newlines kept), so that
spans still index it: a deployment with SERVE_ARTICLE_TEXT=excerpts serves it in place of the
whole text. The seed renders it, so the upgrade empties the dataset first (the next `seed`, or
`start`, loads it again) and adds the NOT NULL column to an empty table.

Revision ID: 5e1c0a7d9b21
Revises: 5d1c2e7a9b40
Create Date: 2026-12-07 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1c0a7d9b21"
down_revision: str | None = "5d1c2e7a9b40"
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
    with op.batch_alter_table("source", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.add_column(sa.Column("url", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("excerpt_text", sa.Text(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch_op:
        batch_op.drop_column("excerpt_text")
        batch_op.drop_column("url")
