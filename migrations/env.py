"""Alembic environment: URL from the app settings, metadata from the app models."""

from alembic import context
from sqlalchemy import Connection

from app.config import get_settings
from app.engines import create_db_engine
from app.models import metadata
from app.readmodel.contract import SEARCH_TABLES

config = context.config


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    # Full-text tables are dialect-specific and built by raw SQL in the migrations.
    if type_ == "table" and name is not None:
        return not name.startswith(SEARCH_TABLES)
    return True


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or get_settings().database_url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
