"""Bulk writers of bench/generate.py: rows as dicts, every column the model of its table has.

SQLite: batched executemany in one transaction with synchronous=OFF and journal_mode=OFF while
loading (the file is left in WAL mode, as the app uses it), then ANALYZE as the seed runs it.
PostgreSQL: COPY in one transaction with foreign-key triggers off and the GIN indexes built
after the load, then VACUUM ANALYZE. Neither checks foreign keys while loading, so tables may be
written in any order; the full-text tables take (rowid, id, body) tuples.

The posting lists (tens of millions of rows at 1M events, arriving in random key order) are
built in key order after the load: on SQLite from a staging table with one sorted INSERT, which
also leaves their B-trees packed; on PostgreSQL by adding the primary key after the COPY.
"""

import sqlite3
from collections.abc import Callable
from operator import itemgetter
from typing import Any, ClassVar

import orjson
from sqlalchemy import JSON, Date, Table

from app.models import tables as t
from app.readmodel.analysis import POSTGRES_DOCUMENT, SEARCH_COLUMNS
from app.readmodel.contract import LISTED, PASSAGE
from bench.dataset import GeneratorError

_STAGED = ", ".join(f"{column} text" for column in SEARCH_COLUMNS)
_DOCUMENT = POSTGRES_DOCUMENT.format(**{column: column for column in SEARCH_COLUMNS})
SEARCH_KEYS = {listed.search: listed.id_column for listed in LISTED} | {
    f"{PASSAGE}_search": f"{PASSAGE}_id"
}
# Built after the load on PostgreSQL: one sort instead of millions of random index inserts.
POSTING_TABLES = ("event_posting", "quote_posting")


def _table(name: str) -> Table:
    table: Table = getattr(t, name)
    return table


def _json_text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else orjson.dumps(value).decode()


class Writer:
    """Bulk writes of dict rows inside one transaction."""

    def __init__(self) -> None:
        self._tuples: dict[str, Callable[[dict[str, Any]], tuple[Any, ...]]] = {}

    def columns(self, name: str) -> tuple[str, ...]:
        if name in SEARCH_KEYS:
            return ("rowid", SEARCH_KEYS[name], *SEARCH_COLUMNS)
        return tuple(_table(name).c.keys())

    def tuples(self, name: str, rows: list[Any]) -> list[tuple[Any, ...]]:
        """Rows in `columns(name)` order, values as this database takes them."""
        if name in SEARCH_KEYS:
            return rows
        convert = self._tuples.get(name)
        if convert is None:
            convert = self._tuples[name] = self._converter(_table(name))
        return [convert(row) for row in rows]

    def _converter(self, table: Table) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        columns = tuple(table.c.keys())
        get = itemgetter(*columns)
        fixes = {
            index: _json_text
            for index, column in enumerate(table.c)
            if isinstance(column.type, JSON)
        }
        fixes.update(self._value_fixes(table))
        if not fixes:
            return get

        def convert(row: dict[str, Any]) -> tuple[Any, ...]:
            values = list(get(row))
            for index, fix in fixes.items():
                values[index] = fix(values[index])
            return tuple(values)

        return convert

    def _value_fixes(self, table: Table) -> dict[int, Callable[[Any], Any]]:
        return {}

    def write(self, name: str, rows: list[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class SqliteWriter(Writer):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA foreign_keys=OFF")
        self.db.execute("PRAGMA cache_size=-1000000")
        self.db.execute("PRAGMA temp_store=FILE")
        self.db.execute("BEGIN")
        self.statements: dict[str, str] = {}
        self.iso: dict[Any, Any] = {}
        for name in POSTING_TABLES:
            self.db.execute(f"CREATE TEMP TABLE staging_{name} AS SELECT * FROM {name} WHERE 0")

    def _iso(self, value: Any) -> Any:
        """A date as the ISO text SQLAlchemy stores on SQLite (few distinct days: cached)."""
        if value is None or isinstance(value, str):
            return value
        text = self.iso.get(value)
        if text is None:
            text = self.iso[value] = value.isoformat()
        return text

    def _value_fixes(self, table: Table) -> dict[int, Callable[[Any], Any]]:
        return {
            index: self._iso
            for index, column in enumerate(table.c)
            if isinstance(column.type, Date)
        }

    def write(self, name: str, rows: list[Any]) -> None:
        if not rows:
            return
        statement = self.statements.get(name)
        if statement is None:
            # Full-text rows share their base row's rowid (app/readmodel/write.py):
            # base rows get rowids 1, 2, ... in insertion order, and search rows say so.
            columns = self.columns(name)
            marks = ",".join("?" * len(columns))
            target = f"staging_{name}" if name in POSTING_TABLES else name
            statement = f"INSERT INTO {target} ({','.join(columns)}) VALUES ({marks})"
            self.statements[name] = statement
        self.db.executemany(statement, self.tuples(name, rows))

    def finish(self) -> None:
        for kind in ("event", "quote"):
            wrong = self.db.execute(
                f"SELECT count(*) FROM {kind} b LEFT JOIN {kind}_search s ON s.rowid = b.rowid "
                f"WHERE s.{kind}_id IS NOT b.id"
            ).fetchone()[0]
            if wrong:
                raise GeneratorError(f"{wrong} {kind} rows have no search row of the same rowid")
        for name in POSTING_TABLES:
            key = ", ".join(_table(name).primary_key.columns.keys())
            self.db.execute(f"INSERT INTO {name} SELECT * FROM staging_{name} ORDER BY {key}")
            self.db.execute(f"DROP TABLE staging_{name}")
        # Planner statistics, as the seed gathers them (app/readmodel/write.py).
        self.db.execute("ANALYZE")
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.close()


class PostgresWriter(Writer):
    GIN: ClassVar[dict[str, str]] = {
        "event_search": "ix_event_search_document",
        "quote_search": "ix_quote_search_document",
        f"{PASSAGE}_search": f"ix_{PASSAGE}_search_document",
    }

    def __init__(self, url: str) -> None:
        super().__init__()
        import psycopg

        self.db = psycopg.connect(url)
        self.cursor = self.db.cursor()
        self.cursor.execute("SET session_replication_role = replica")  # no FK triggers
        for name, index in self.GIN.items():
            self.cursor.execute(f"DROP INDEX IF EXISTS {index}")
            self.cursor.execute(
                f"CREATE TEMP TABLE staging_{name} (id text, {_STAGED}) ON COMMIT DROP"
            )
        self.primary_keys: dict[str, tuple[str, str]] = {}
        for name in POSTING_TABLES:
            self.cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'p'",
                (name,),
            )
            constraint, definition = self.cursor.fetchone() or (None, None)
            if constraint is None:
                raise GeneratorError(f"{name} has no primary key: is the database at head?")
            self.primary_keys[name] = (constraint, definition)
            self.cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {constraint}")

    def write(self, name: str, rows: list[Any]) -> None:
        if not rows:
            return
        if name in SEARCH_KEYS:
            statement = f"COPY staging_{name} (id, {', '.join(SEARCH_COLUMNS)}) FROM STDIN"
            values: list[tuple[Any, ...]] = [row[1:] for row in rows]
        else:
            statement = f"COPY {name} ({','.join(self.columns(name))}) FROM STDIN"
            values = self.tuples(name, rows)
        with self.cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)

    def finish(self) -> None:
        for name, key in SEARCH_KEYS.items():
            self.cursor.execute(
                f"INSERT INTO {name} ({key}, document) SELECT id, {_DOCUMENT} FROM staging_{name}"
            )
            self.cursor.execute(f"CREATE INDEX {self.GIN[name]} ON {name} USING GIN (document)")
        for name, (constraint, definition) in self.primary_keys.items():
            self.cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {constraint} {definition}")
        self.cursor.execute("SET session_replication_role = origin")
        self.db.commit()
        self.db.autocommit = True
        # The visibility map too, as autovacuum would set it soon after a load this size:
        # index-only scans of the posting lists depend on it.
        self.cursor.execute("VACUUM ANALYZE")
        self.db.close()
