"""Every setting is documented in the README table and in .env.example."""

from pathlib import Path

import pytest

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTED_ELSEWHERE = {"seeds_dir"}  # a code path, not an operator setting


@pytest.mark.parametrize("name", sorted(set(Settings.model_fields) - DOCUMENTED_ELSEWHERE))
def test_setting_is_documented(name: str) -> None:
    variable = name.upper()
    assert f"`{variable}`" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{variable}=" in (ROOT / ".env.example").read_text(encoding="utf-8")


def test_postgres_urls_are_routed_to_psycopg() -> None:
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg://u@h/db"
    assert Settings(cors_origins="https://a.example, https://b.example").cors_origins == [
        "https://a.example",
        "https://b.example",
    ]
