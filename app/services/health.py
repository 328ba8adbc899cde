"""Readiness facts about the database."""

from dataclasses import dataclass

from sqlalchemy import Engine

from app import migrations
from app.seeding.load import stored_version


@dataclass(frozen=True)
class Readiness:
    database: str
    revision: str | None
    head: str | None
    dataset_version: str | None

    @property
    def ready(self) -> bool:
        return self.revision is not None and self.revision == self.head


def check_readiness(*, engine: Engine) -> Readiness:
    """Connect, and compare the database's migration revision with the code's head."""
    revision = migrations.current_revision(engine)
    version = stored_version(engine=engine) if revision is not None else None
    return Readiness(
        database=engine.dialect.name,
        revision=revision,
        head=migrations.head_revision(),
        dataset_version=version,
    )
