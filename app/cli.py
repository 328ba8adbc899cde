"""Command line: `python -m app` (or `diplomatic-events`); also the container entrypoint.

Every default comes from `app.config.Settings` (the environment or the `.env` file), so `serve`,
`start`, `make serve` and the container read HOST, PORT, WEB_CONCURRENCY and SEED_ON_START the
same way as every other setting; an option given on the command line wins.
"""

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
import yaml
from pydantic import ValidationError
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import OperationalError

from app import migrations
from app.config import SettingsFileError, get_settings, settings_file
from app.engines import sqlite_file, writer_engine
from app.readmodel.contract import READ_MODEL_TABLES
from app.seeding.build import Dataset, SeedValidationError, build_dataset
from app.seeding.load import load_dataset
from app.seeding.snippets import occurrences
from app.server import PROTOCOL
from app.services.health import stored_version

cli = typer.Typer(help="Diplomatic Events API.", no_args_is_help=True, add_completion=False)
db = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
cli.add_typer(db, name="db")

HostOption = Annotated[
    str | None, typer.Option(help="Interface to bind [default: HOST, else 127.0.0.1]")
]
PortOption = Annotated[
    int | None, typer.Option(min=1, max=65535, help="TCP port [default: PORT, else 8000]")
]
WorkersOption = Annotated[
    int | None,
    typer.Option(min=1, help="Worker processes [default: WEB_CONCURRENCY, else 1]"),
]

# How the seed's tables read in a sentence: (singular, plural).
ROW_NAMES = {
    "country": ("country", "countries"),
    "person": ("person", "people"),
    "source": ("source", "sources"),
    "event": ("event", "events"),
    "event_participant": ("event participant", "event participants"),
    "event_country": ("event country", "event countries"),
    "event_topic": ("event topic", "event topics"),
    "event_source": ("event excerpt", "event excerpts"),
    "quote": ("quote", "quotes"),
    "quote_topic": ("quote topic", "quote topics"),
    "trade_observation": ("trade observation", "trade observations"),
    "exclusion": ("exclusion", "exclusions"),
}


class SeedMode(StrEnum):
    empty = "empty"
    always = "always"
    never = "never"


def count(number: int, singular: str, plural: str | None = None) -> str:
    """`1 problem`, `2 problems`."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _serve(host: str | None, port: int | None, workers: int | None) -> None:
    settings = get_settings()
    path = sqlite_file(settings.database_url) if settings.is_sqlite else None
    if path is not None and not path.is_file():
        # The server opens SQLite read-only and never creates the file: say what does.
        typer.echo(
            f"error: no database at {path}. Create and load it with `python -m app db upgrade` "
            "and `python -m app seed` (or run `make serve`, which does both).",
            err=True,
        )
        raise typer.Exit(2)
    uvicorn.run(
        "app.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.web_concurrency,
        log_level=settings.log_level.lower(),
        server_header=False,
        access_log=False,  # app.middleware.request_id writes a structured one
        proxy_headers=True,
        http=PROTOCOL,  # bounded request heads, a read deadline, MAX_CONNECTIONS
        ws="none",  # the API has no WebSocket: an Upgrade is answered as plain HTTP
    )


@cli.command()
def serve(host: HostOption = None, port: PortOption = None, workers: WorkersOption = None) -> None:
    """Serve the API with uvicorn."""
    _serve(host, port, workers)


@contextmanager
def _writer() -> Iterator[Engine]:
    engine = writer_engine(get_settings())
    try:
        yield engine
    finally:
        engine.dispose()


def _revision_now() -> str | None:
    with _writer() as engine:
        return migrations.current_revision(engine)


def _dataset_version_now() -> str | None:
    with _writer() as engine:
        return stored_version(engine=engine)


@db.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Upgrade the database schema (default: to the newest revision)."""
    before = _revision_now()
    migrations.upgrade(revision=revision)
    after = _revision_now()
    if before == after:
        typer.echo(f"database already at {after or 'an empty schema'}; nothing to upgrade")
    else:
        typer.echo(f"database upgraded from {before or 'an empty schema'} to {after}")


@db.command()
def downgrade(revision: str = typer.Argument("-1")) -> None:
    """Downgrade the database schema (default: one revision; `base` empties it)."""
    before = _revision_now()
    migrations.downgrade(revision=revision)
    after = _revision_now()
    if before == after:
        typer.echo(f"database already at {after or 'an empty schema'}; nothing to downgrade")
    else:
        typer.echo(f"database downgraded from {before} to {after or 'an empty schema'}")


@db.command()
def current() -> None:
    """Print the database's revision and the code's head revision."""
    typer.echo(f"database: {_revision_now() or 'empty'}")
    typer.echo(f"head:     {migrations.head_revision()}")


@db.command()
def check() -> None:
    """Fail if the models and the migrations have drifted apart."""
    migrations.check()
    typer.echo("models and migrations agree")


def _build() -> Dataset:
    try:
        return build_dataset(seeds_dir=get_settings().seeds_dir)
    except SeedValidationError as exc:
        typer.echo(
            f"seed data is invalid ({count(len(exc.problems), 'problem')}); nothing was written:",
            err=True,
        )
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from exc


def _counts(dataset: Dataset) -> str:
    """The curated records in words; the read model derived from them is not news to a user."""
    return ", ".join(
        count(len(rows), *ROW_NAMES.get(name, (name.replace("_", " "), None)))
        for name, rows in dataset.rows.items()
        if rows and name not in READ_MODEL_TABLES
    )


@cli.command()
def seed(
    check_only: Annotated[
        bool, typer.Option("--check", help="Validate the seed files without writing.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Reload even if this version is loaded.")] = False,
) -> None:
    """Load the curated dataset in one transaction (idempotent)."""
    dataset = _build()
    counts = _counts(dataset)
    if check_only:
        typer.echo(f"seed data is valid (version {dataset.version}): {counts}")
        return
    with _writer() as engine:
        changed = load_dataset(engine=engine, dataset=dataset, force=force)
    state = "loaded" if changed else "already loaded; nothing changed"
    typer.echo(f"dataset {dataset.version} {state}: {counts}")


def _source_text(source: str) -> str:
    """The text of a source given by its id in seeds/data/sources.yaml or by a file path."""
    path = Path(source)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    seeds = get_settings().seeds_dir
    records = yaml.safe_load((seeds / "data" / "sources.yaml").read_text(encoding="utf-8")) or []
    names = {r.get("id"): r.get("file_name") for r in records if isinstance(r, dict)}
    if source not in names:
        typer.echo(
            f"error: '{source}' is neither a file nor a source id in "
            f"{seeds / 'data' / 'sources.yaml'}",
            err=True,
        )
        raise typer.Exit(2)
    return (seeds / "sources" / str(names[source])).read_text(encoding="utf-8")


@cli.command()
def occurrence(
    source: Annotated[str, typer.Argument(help="Source id, or the path of an article file.")],
    passage: Annotated[str, typer.Argument(help="The exact passage, as the file prints it.")],
) -> None:
    """Print each occurrence of a passage in a source: the `occurrence` a record gives."""
    text = _source_text(source)
    starts = occurrences(text, passage)
    if not starts:
        typer.echo(
            f"error: {passage!r} does not occur in {source} (check quotes and apostrophes)",
            err=True,
        )
        raise typer.Exit(1)
    for number, start in enumerate(starts, start=1):
        context = text[max(0, start - 40) : start + len(passage) + 40].replace("\n", " ")
        typer.echo(
            f"occurrence: {number}  (characters {start}–{start + len(passage)})  …{context}…"
        )


@cli.command()
def draft(
    article: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="The article text (UTF-8).")
    ],
    published: Annotated[
        str | None,
        typer.Option(help="Publication date: YYYY-MM-DD, YYYY-MM or YYYY."),
    ] = None,
    outlet: Annotated[
        str | None, typer.Option(help="The publication, when the page names it.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="The article's address.")] = None,
) -> None:
    """Draft seed records from a new article, beside it in ARTICLE.draft/ (rule-based, offline)."""
    from app.drafting.report import report  # the drafting rules only when asked
    from app.drafting.run import draft_article

    if published is not None and not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", published):
        typer.echo(f"error: --published {published!r} is not YYYY-MM-DD, YYYY-MM or YYYY", err=True)
        raise typer.Exit(2)
    result = draft_article(
        article, get_settings().seeds_dir, published=published, outlet=outlet, url=url
    )
    directory = article.with_name(article.stem + ".draft")
    written = result.draft.write(directory)
    text = report(result, article.read_text(encoding="utf-8"), [str(path) for path in written])
    (directory / "report.txt").write_text(text + "\n", encoding="utf-8")
    typer.echo(text)


@cli.command()
def start(
    host: HostOption = None,
    port: PortOption = None,
    workers: WorkersOption = None,
    seed_mode: Annotated[
        SeedMode | None,
        typer.Option(
            "--seed", help="When to load the dataset [default: SEED_ON_START, else empty]"
        ),
    ] = None,
) -> None:
    """Container entrypoint: upgrade the schema, seed if asked or empty, then serve."""
    mode = seed_mode or SeedMode(get_settings().seed_on_start)
    upgrade(revision="head")
    if mode is SeedMode.always or (mode is SeedMode.empty and _dataset_version_now() is None):
        seed(check_only=False, force=False)
    _serve(host, port, workers)


@cli.command()
def openapi() -> None:
    """Print the OpenAPI document, as /openapi.json serves it with these settings."""
    from app.main import create_app  # the app only when asked for: the other commands are lighter

    typer.echo(json.dumps(create_app().openapi(), ensure_ascii=False))


def _settings_problem(exc: ValidationError) -> str:
    lines = [f"invalid settings (from the environment or {settings_file()}):"]
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]).upper()
        lines.append(f"  {name}: {error['msg']} (got {error.get('input')!r})")
    return "\n".join(lines)


def _database_problem(exc: OperationalError) -> str:
    url = make_url(get_settings().database_url).render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return (
        f"database error on {url}: {reason}. Check DATABASE_URL (`db upgrade` creates a new "
        "SQLite database)."
    )


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    try:
        sys.exit(cli())
    except SettingsFileError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(2)
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        typer.echo(_settings_problem(exc), err=True)
        sys.exit(2)
    except OperationalError as exc:
        typer.echo(_database_problem(exc), err=True)
        sys.exit(1)
