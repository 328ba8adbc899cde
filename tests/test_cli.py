"""The command line reads well: counts in words with correct plurals, a line on success."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import migrations
from app.cli import cli, count
from app.config import get_settings
from app.seeding.build import build_dataset
from tests.conftest import SEEDS_DIR, DatabaseFactory


@pytest.fixture
def database_url(
    backend: str, make_database: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database the command line points at through DATABASE_URL."""
    url = make_database(backend)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_counts_are_words_with_plurals() -> None:
    assert count(1, "problem") == "1 problem"
    assert count(2, "problem") == "2 problems"
    assert count(0, "person", "people") == "0 people"
    assert count(1, "person", "people") == "1 person"


def test_db_upgrade_and_downgrade_say_what_they_did(database_url: str) -> None:
    head = migrations.head_revision()
    assert run("db", "upgrade") == f"database upgraded from an empty schema to {head}\n"
    assert run("db", "upgrade") == f"database already at {head}; nothing to upgrade\n"
    assert run("db", "current") == f"database: {head}\nhead:     {head}\n"
    assert run("db", "downgrade", "base") == (
        f"database downgraded from {head} to an empty schema\n"
    )


def test_seed_counts_records_in_words(database_url: str) -> None:
    run("db", "upgrade")
    loaded = run("seed")
    assert loaded.startswith("dataset ") and " loaded: 8 countries, 5 people, 5 sources, " in loaded
    rows = build_dataset(seeds_dir=SEEDS_DIR).rows
    assert f"{len(rows['quote'])} quotes" in loaded
    assert f"{len(rows['trade_observation'])} trade observations" in loaded
    assert "posting" not in loaded, "the read model is not curated data"
    assert "_" not in loaded.split(":", 1)[1], "table names leak into the output"
    assert "already loaded; nothing changed" in run("seed")


def test_one_seed_problem_is_one_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    exclusions = seeds / "data" / "exclusions.yaml"
    text = exclusions.read_text(encoding="utf-8")
    exclusions.write_text(text.replace("kind: quote", "kind: quip", 1), encoding="utf-8")
    monkeypatch.setenv("SEEDS_DIR", str(seeds))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["seed", "--check"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "seed data is invalid (1 problem); nothing was written:" in result.output
