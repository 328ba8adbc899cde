"""The migrations alone build the schema, match the models, and run both ways."""

from sqlalchemy import inspect

from app import migrations
from app.engines import create_db_engine
from app.models import metadata
from tests.conftest import DatabaseFactory


def test_upgrade_check_downgrade_upgrade(backend: str, make_database: DatabaseFactory) -> None:
    empty_database_url = make_database(backend)
    migrations.upgrade(database_url=empty_database_url)
    migrations.check(database_url=empty_database_url)  # raises on drift
    engine = create_db_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        assert {"event_search", "quote_search"} <= tables
        assert migrations.current_revision(engine) == migrations.head_revision()

        migrations.downgrade(database_url=empty_database_url, revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrations.current_revision(engine) is None

        migrations.upgrade(database_url=empty_database_url)
        assert migrations.current_revision(engine) == migrations.head_revision()
    finally:
        engine.dispose()
