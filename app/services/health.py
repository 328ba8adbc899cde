"""Readiness facts about the database."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, text

from app import migrations
from app.readmodel.contract import DATASET_META


def stored_version(*, engine: Engine) -> str | None:
    """The version of the dataset in the database, or None before the first seed."""
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT version FROM {DATASET_META}")).scalar()
    return None if value is None else str(value)


@dataclass(frozen=True)
class Readiness:
    database: str
    revision: str | None
    head: str | None
    dataset_version: str | None

    @property
    def migrated(self) -> bool:
        return self.revision is not None and self.revision == self.head


def check_readiness(*, engines: Sequence[Engine]) -> Readiness:
    """Connect through each engine (a broken pooled connection is found and replaced), compare
    the database's migration revision with the code's head, and read the loaded dataset's
    version."""
    engine = engines[0]
    for other in engines[1:]:
        migrations.current_revision(other)
    revision = migrations.current_revision(engine)
    head = migrations.head_revision()
    # Only the head schema is sure to hold the dataset table this code reads.
    version = stored_version(engine=engine) if revision is not None and revision == head else None
    return Readiness(
        database=engine.dialect.name, revision=revision, head=head, dataset_version=version
    )
