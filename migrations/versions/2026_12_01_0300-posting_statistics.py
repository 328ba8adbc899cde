"""posting statistics: PostgreSQL learns that a posting list's value implies its dimension

Every posting list shares one table, and PostgreSQL multiplies the selectivities of
`dimension = ...` and `value = ...` as if they were independent: it then expects the list of
every event to be a tenth of its size, and, for a date range or an any-of probe, sorts a few
thousand matches instead of walking the list in order (tests/test_read_model.py reads the
plans). Extended statistics on (dimension, value) correct the estimate; ANALYZE, which the
seed runs, fills them. SQLite needs nothing: its sqlite_stat1 already counts rows per prefix
of the primary key.

Revision ID: 2a366a38fa8e
Revises: a9402335331e
Create Date: 2026-12-01 03:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2a366a38fa8e"
down_revision: str | None = "a9402335331e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTING_TABLES = ("event_posting", "quote_posting")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in _POSTING_TABLES:
        op.execute(
            f"CREATE STATISTICS st_{table}_list (dependencies, mcv) "
            f"ON dimension, value FROM {table}"
        )
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in reversed(_POSTING_TABLES):
        op.execute(f"DROP STATISTICS IF EXISTS st_{table}_list")
