"""Command line: `python -m app` (or `diplomatic-events`); also the container entrypoint."""

import os
import sys
from enum import StrEnum
from typing import Annotated

import typer
import uvicorn

from app import migrations
from app.config import get_settings
from app.engines import sqlite_file, writer_engine
from app.seeding.build import Dataset, SeedValidationError, build_dataset
from app.seeding.load import load_dataset, stored_version
from app.server import PROTOCOL

cli = typer.Typer(help="Diplomatic Events API.", no_args_is_help=True, add_completion=False)
db = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
cli.add_typer(db, name="db")

HostOption = Annotated[str, typer.Option(envvar="HOST", help="Interface to bind.")]
PortOption = Annotated[int, typer.Option(envvar="PORT", help="TCP port.")]
WorkersOption = Annotated[
    int, typer.Option(envvar="WEB_CONCURRENCY", min=1, help="Number of worker processes.")
]


class SeedMode(StrEnum):
    empty = "empty"
    always = "always"
    never = "never"


def _serve(host: str, port: int, workers: int) -> None:
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
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        server_header=False,
        access_log=False,  # app.middleware.request_id writes a structured one
        proxy_headers=True,
        http=PROTOCOL,  # bounded request heads, a read deadline, MAX_CONNECTIONS
    )


@cli.command()
def serve(
    host: HostOption = "127.0.0.1", port: PortOption = 8000, workers: WorkersOption = 1
) -> None:
    """Serve the API with uvicorn."""
    _serve(host, port, workers)


@db.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Upgrade the database schema (default: to the newest revision)."""
    migrations.upgrade(revision=revision)


@db.command()
def downgrade(revision: str = typer.Argument("-1")) -> None:
    """Downgrade the database schema (default: one revision; `base` empties it)."""
    migrations.downgrade(revision=revision)


@db.command()
def current() -> None:
    """Print the database's revision and the code's head revision."""
    typer.echo(f"database: {migrations.current_revision(writer_engine(get_settings())) or 'empty'}")
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
            f"seed data is invalid ({len(exc.problems)} problems); nothing was written:", err=True
        )
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from exc


@cli.command()
def seed(
    check_only: Annotated[
        bool, typer.Option("--check", help="Validate the seed files without writing.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Reload even if this version is loaded.")] = False,
) -> None:
    """Load the curated dataset in one transaction (idempotent)."""
    dataset = _build()
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in dataset.rows.items() if rows)
    if check_only:
        typer.echo(f"seed data is valid (version {dataset.version}): {counts}")
        return
    engine = writer_engine(get_settings())
    try:
        changed = load_dataset(engine=engine, dataset=dataset, force=force)
    finally:
        engine.dispose()
    state = "loaded" if changed else "already loaded; nothing changed"
    typer.echo(f"dataset {dataset.version} {state}: {counts}")


@cli.command()
def start(
    host: HostOption = "0.0.0.0",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    seed_mode: Annotated[
        SeedMode,
        typer.Option("--seed", envvar="SEED_ON_START", help="When to load the dataset."),
    ] = SeedMode.empty,
) -> None:
    """Container entrypoint: upgrade the schema, seed if asked or empty, then serve."""
    migrations.upgrade()
    if seed_mode is SeedMode.always or (
        seed_mode is SeedMode.empty and stored_version(engine=writer_engine(get_settings())) is None
    ):
        seed(check_only=False, force=False)
    _serve(host, port, workers)


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(cli())
