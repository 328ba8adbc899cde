"""search stems and passages: the full-text index holds each word's English and Italian stems,
and the source articles' passages get a table and an index of their own

SQLite's FTS5 tables gain the `stem_en` and `stem_it` columns (app/readmodel/analysis.py), so
they are made again; PostgreSQL keeps the three in its one tsvector (by weight) and needs no
change there. `source_passage` holds the passages search finds in each SERVE_ARTICLE_TEXT
scope (app/readmodel/passages.py), `source_passage_search` their index. The seed writes all of
it, so the upgrade empties the dataset first (the next `seed`, or `start`, loads it again).

Revision ID: 7a3f9c2e1b64
Revises: 7b3e9d2c4a10
Create Date: 2026-12-07 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3f9c2e1b64"
down_revision: str | None = "7b3e9d2c4a10"
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
_TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"


def _fts5(kind: str, columns: str) -> None:
    op.execute(f"DROP TABLE IF EXISTS {kind}_search")
    op.execute(
        f"CREATE VIRTUAL TABLE {kind}_search USING fts5({kind}_id UNINDEXED, {columns}, "
        f"{_TOKENIZER})"
    )


def upgrade() -> None:
    for table in _DATASET_TABLES:
        op.execute(f"DELETE FROM {table}")
    sqlite = op.get_context().dialect.name == "sqlite"
    if sqlite:
        for kind in ("event", "quote"):
            _fts5(kind, "body, stem_en, stem_it")
    op.create_table(
        "source_passage",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("source_id", sa.String(length=120), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_source_passage_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_passage")),
    )
    op.create_index(
        "ix_source_passage_scope_date", "source_passage", ["scope", "published_on", "id"]
    )
    op.create_index(op.f("ix_source_passage_source_id"), "source_passage", ["source_id"])
    if sqlite:
        _fts5("source_passage", "body, stem_en, stem_it")
    else:
        op.execute(
            "CREATE TABLE source_passage_search (source_passage_id VARCHAR(200) PRIMARY KEY "
            "REFERENCES source_passage(id) ON DELETE CASCADE, document TSVECTOR NOT NULL)"
        )
        op.execute(
            "CREATE INDEX ix_source_passage_search_document ON source_passage_search "
            "USING GIN (document)"
        )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS source_passage_search")
    op.drop_index(op.f("ix_source_passage_source_id"), table_name="source_passage")
    op.drop_index("ix_source_passage_scope_date", table_name="source_passage")
    op.drop_table("source_passage")
    for table in _DATASET_TABLES:
        op.execute(f"DELETE FROM {table}")
    if op.get_context().dialect.name == "sqlite":
        for kind in ("event", "quote"):
            _fts5(kind, "body")
