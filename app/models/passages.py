"""The source articles' passages, as the search over them finds and links them."""

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

import app.models.base  # noqa: F401  (naming convention first)


class SourcePassage(SQLModel, table=True):
    """A passage of a source article that search may find and show, rendered by the seed
    (app/readmodel/passages.py) for each SERVE_ARTICLE_TEXT scope: with `full`, each paragraph;
    with `excerpts`, each run of cited text, so a deployment that may not republish whole
    articles never finds, nor shows, a word outside the cited spans."""

    __tablename__ = "source_passage"
    __table_args__ = (Index("ix_source_passage_scope_date", "scope", "published_on", "id"),)

    id: str = Field(primary_key=True, max_length=200, description="scope:source:start-end")
    scope: str = Field(max_length=10)
    source_id: str = Field(foreign_key="source.id", max_length=120, index=True)
    span_start: int
    span_end: int
    published_on: dt.date
    text: str = Field(sa_column=Column(Text, nullable=False))
