"""Run the Alembic migrations programmatically (used by the CLI and the tests)."""

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from app.config import PROJECT_ROOT


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic config for this project, optionally pinned to `database_url`."""
    config = Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))
    if database_url is not None:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(*, database_url: str | None = None, revision: str = "head") -> None:
    """Upgrade the database to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(*, database_url: str | None = None, revision: str = "-1") -> None:
    """Downgrade the database to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


def check(*, database_url: str | None = None) -> None:
    """Raise if the models and the migrations disagree."""
    command.check(alembic_config(database_url))


@cache
def head_revision() -> str | None:
    """The newest revision in the migrations folder (read once: the files ship with the code)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


VERSION_TABLE = "alembic_version"


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database.

    Reads Alembic's version table directly: a MigrationContext would log two INFO lines on
    every call, and the readiness probe calls this on every request.
    """
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(revisions) > 1:
        raise RuntimeError(f"the database is at several heads: {[r[0] for r in revisions]}")
    return str(revisions[0][0]) if revisions else None
