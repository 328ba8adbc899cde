"""Reference tables: countries, people and source articles."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

import app.models.base  # noqa: F401  (naming convention first)


class Country(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=2, description="ISO 3166-1 alpha-2")
    alpha3: str = Field(max_length=3, unique=True)
    name: str = Field(max_length=100)


class Person(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=80, description="Stable slug")
    name: str = Field(max_length=200)
    country_code: str = Field(foreign_key="country.code", max_length=2, index=True)
    office: str | None = Field(default=None, max_length=200)
    wikidata_qid: str | None = Field(default=None, max_length=20, unique=True)
    # [{"name": ..., "kind": "spelling" | "garbled"}] (a bare string is a spelling)
    aliases: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The public JSON of this row, rendered once by the seed (app/readmodel/render.py).
    doc: str = Field(sa_column=Column(Text, nullable=False))
    # Its line in a CSV export (app/readmodel/flatten.py), rendered by the seed as well.
    csv_line: str = Field(sa_column=Column(Text, nullable=False))


class Source(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=120)
    file_name: str = Field(max_length=200, unique=True)
    outlet: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=500)
    language: str = Field(max_length=8)
    published_on: dt.date = Field(description="First day of the publication period")
    published_precision: str = Field(max_length=8)
    published_basis: str | None = Field(default=None, sa_column=Column(Text))
    sha256: str = Field(max_length=64)
    char_count: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, max_length=2000, description="Where it was published")
    # full | opening: whether the stored text is the whole article or only its opening.
    captured: str = Field(default="full", max_length=10)
    # `text` with every character outside a cited span blanked (newlines kept), rendered by the
    # seed: what SERVE_ARTICLE_TEXT=excerpts serves (app/readmodel/excerpts.py).
    excerpt_text: str = Field(sa_column=Column(Text, nullable=False))
    # The public JSON of this row, rendered once by the seed (app/readmodel/render.py).
    doc: str = Field(sa_column=Column(Text, nullable=False))
    # Its line in a CSV export (app/readmodel/flatten.py), rendered by the seed as well.
    csv_line: str = Field(sa_column=Column(Text, nullable=False))
