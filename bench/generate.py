"""Fill a database migrated to head with a synthetic dataset of N events, deterministically.

    DATABASE_URL=sqlite:////tmp/big.db python -m app db upgrade
    DATABASE_URL=sqlite:////tmp/big.db python -m bench.generate --events 1000000 [--seed 42]

The rows (bench/dataset.py, bench/trade_data.py) go through the seed's own read-model code,
app.readmodel.derive.ReadModelBuilder, chunk by chunk: each event, quote and trade observation
gets its stored document, every filterable value its posting, and once everything has gone by,
people and sources get theirs and the count tables are written. Then both full-text indexes
(FTS5 bodies on SQLite, tsvector documents on PostgreSQL) and the dataset_meta row, as the
read model's writer (app/readmodel/write.py) makes them for the seed. All in one transaction
(bench/writers.py); the database must be at the migrations' head and empty, or the generator
refuses. Timings go to stdout and, for
an SQLite file, to `<file>.generate.json`, where bench.run reports them.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, make_url, select

from app import migrations
from app.config import get_settings
from app.engines import create_db_engine
from app.models import tables as t
from app.readmodel import write
from app.readmodel.contract import PASSAGE
from app.readmodel.derive import ReadModelBuilder
from app.readmodel.passages import passage_rows
from app.readmodel.write import search_row
from bench.dataset import SOURCES, Dataset, GeneratorError
from bench.trade_data import trade_rows
from bench.writers import PostgresWriter, SqliteWriter, Writer

__all__ = ["GeneratorError", "generate", "main"]


def _check_target(engine: Engine) -> None:
    head = migrations.head_revision()
    current = migrations.current_revision(engine)
    if current != head:
        raise GeneratorError(
            f"the database is at revision {current or 'empty'}, not at head {head}: run "
            "`DATABASE_URL=... python -m app db upgrade` first"
        )
    with engine.connect() as connection:
        for table in (t.event, t.person, t.source, t.quote):
            if connection.execute(select(table.c[0]).limit(1)).first() is not None:
                raise GeneratorError(
                    f"table {table.name} is not empty: generate into a freshly migrated database"
                )


def _writer(url: str) -> Writer:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        return SqliteWriter(parsed.database)
    return PostgresWriter(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def _write_events(
    data: Dataset,
    builder: ReadModelBuilder,
    writer: Writer,
    counts: dict[str, int],
    log: Callable[[str], None],
) -> None:
    mark = time.perf_counter()
    rendering = writing = 0.0
    for chunk in data.event_chunks():
        started = time.perf_counter()
        chunk["event_posting"] = builder.add_events(
            chunk["event"],
            participants=chunk["event_participant"],
            countries=chunk["event_country"],
            topics=chunk["event_topic"],
            excerpts=chunk["event_source"],
        )
        chunk["quote_posting"] = builder.add_quotes(chunk["quote"], topics=chunk["quote_topic"])
        rendering += time.perf_counter() - started
        started = time.perf_counter()
        for name, rows in chunk.items():
            writer.write(name, rows)
            counts[name] = counts.get(name, 0) + len(rows)
        writing += time.perf_counter() - started
        done = counts["event"]
        if done % 100_000 == 0 or done == data.events:
            log(
                f"  {done:>9,} events, {counts['quote']:>9,} quotes "
                f"({time.perf_counter() - mark:.1f}s: read model {rendering:.1f}s, "
                f"writing {writing:.1f}s)"
            )


def generate(
    url: str,
    *,
    events: int,
    seed: int,
    sources: int = SOURCES,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fill the database at `url`; return counts and timings."""
    engine = create_db_engine(url)
    try:
        _check_target(engine)
    finally:
        engine.dispose()  # the bulk writer must be alone on the database
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    started = time.perf_counter()
    data = Dataset(seed, events, sources)
    reference = data.reference_rows()
    builder = ReadModelBuilder(people=reference["person"], sources=reference["source"])
    timings["reference"] = time.perf_counter() - started
    log(f"reference data in {timings['reference']:.1f}s")

    writer = _writer(url)
    mark = time.perf_counter()
    _write_events(data, builder, writer, counts, log)
    timings["events_and_quotes"] = time.perf_counter() - mark

    mark = time.perf_counter()
    trade = trade_rows(data)
    builder.add_observations(trade)
    writer.write("trade_observation", trade)
    counts["trade_observation"] = len(trade)
    for table, rows in (reference | builder.finish()).items():
        writer.write(table, rows)
        counts[table] = len(rows)
    # The passages search finds, from the sources' texts as the seed cuts them (their rowids
    # 1, 2, ... in insertion order, which their full-text rows share on SQLite).
    passages = passage_rows(reference["source"])
    writer.write(PASSAGE, passages)
    writer.write(
        f"{PASSAGE}_search",
        [(n, row["id"], *search_row(row["text"])) for n, row in enumerate(passages, start=1)],
    )
    counts[PASSAGE] = len(passages)
    timings["trade_reference_and_counts"] = time.perf_counter() - mark

    mark = time.perf_counter()
    writer.finish()
    timings["indexes_statistics_commit"] = time.perf_counter() - mark

    meta = write.meta_row(
        version=write.dataset_version([f"bench:{seed}:{events}".encode()]),
        max_event_span_days=builder.max_event_span_days,
    )
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            write.write_meta(connection, meta)
    finally:
        engine.dispose()
    timings["total"] = time.perf_counter() - started
    return {
        "counts": counts,
        "timings": {name: round(value, 2) for name, value in timings.items()},
        "version": meta["version"],
        "seed": seed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="default: DATABASE_URL (as the app reads it)")
    args = parser.parse_args(argv)
    url = args.database_url or get_settings().database_url
    print(f"generating {args.events:,} events (seed {args.seed}) into {make_url(url)!r}")
    try:
        result = generate(url, events=args.events, seed=args.seed)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        result["bytes"] = path.stat().st_size
        path.with_name(path.name + ".generate.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
