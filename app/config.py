"""Runtime settings, read once from the environment and an optional `.env` file.

The `.env` file is `<project root>/.env` (next to pyproject.toml), or the file `ENV_FILE` names,
whatever directory a command runs from. The environment wins over the file.
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "diplomatic_events.db"
ENV_FILE_VARIABLE = "ENV_FILE"


class SettingsFileError(ValueError):
    """ENV_FILE names a file that does not exist."""


def settings_file() -> Path:
    """The `.env` file settings are read from: `ENV_FILE` if set, else `<project root>/.env`."""
    explicit = os.environ.get(ENV_FILE_VARIABLE)
    if not explicit:
        return PROJECT_ROOT / ".env"
    path = Path(explicit)
    if not path.is_file():
        raise SettingsFileError(
            f"{ENV_FILE_VARIABLE}={explicit} names no file; point it at an existing .env file "
            "or unset it to use the project's .env"
        )
    return path


class Settings(BaseSettings):
    """Every knob of the service; each one is documented in README.md and `.env.example`."""

    model_config = SettingsConfigDict(extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file is looked up when settings are read, not relative to the working directory.
        project_dotenv = DotEnvSettingsSource(settings_cls, env_file=settings_file())
        return init_settings, env_settings, project_dotenv, file_secret_settings

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL: an SQLite file by default, or postgresql+psycopg://...",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    default_page_size: int = Field(default=50, ge=1)
    max_page_size: int = Field(default=200, ge=1)
    db_pool_size: int = Field(
        default=8, ge=1, description="Connections per process, and route threads to match"
    )
    db_busy_timeout_ms: int = Field(default=5000, ge=0)
    seeds_dir: Path = Field(
        default=PROJECT_ROOT / "seeds", description="Folder of the seed files `seed` loads"
    )
    query_timeout_ms: int = Field(
        default=5000, ge=0, description="Per-statement time limit of the serving engine; 0 = none"
    )
    search_max_chars: int = Field(default=200, ge=1, description="Longest accepted `q`")
    search_max_words: int = Field(default=12, ge=1, description="Most words in one `q`")
    search_min_prefix_chars: int = Field(
        default=3, ge=1, description="Shortest word a `word*` prefix search accepts"
    )
    cursor_max_chars: int = Field(default=512, ge=64, description="Longest accepted cursor")
    cache_max_age: int = Field(default=300, ge=0, description="Cache-Control max-age, seconds")
    export_max_rows: int = Field(default=100_000, ge=1, description="Row cap of CSV/NDJSON")
    export_max_concurrent: int = Field(
        default=2, ge=1, description="Exports streaming at once per process; more get a 503"
    )
    gzip_min_bytes: int = Field(default=500, ge=0)
    rate_limit_per_minute: int = Field(default=0, ge=0, description="Per client; 0 turns it off")
    rate_limit_burst: int = Field(default=60, ge=1)
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    request_head_max_bytes: int = Field(
        default=16_384, ge=1024, description="Largest request line and headers; over it, a 431"
    )
    request_read_timeout_ms: int = Field(
        default=10_000,
        ge=100,
        description="Time a client has to send a whole request (from connecting, or from its "
        "first byte on a kept-alive connection); over it, a 408 and the connection is closed",
    )
    response_write_timeout_ms: int = Field(
        default=60_000,
        ge=100,
        description="Time a client may read nothing of a response (its socket buffer full); "
        "over it, the connection is aborted and an export's slot freed",
    )
    max_connections: int = Field(
        default=1000, ge=1, description="Open connections per process; over it, a 503"
    )
    cursor_secret: str = Field(
        default="diplomatic-events-public-cursor-key",
        description="HMAC key that makes pagination cursors tamper-evident",
    )

    host: str = Field(default="127.0.0.1", description="Interface `serve`/`start` bind")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port of `serve`/`start`")
    web_concurrency: int = Field(default=1, ge=1, description="uvicorn worker processes")
    seed_on_start: Literal["empty", "always", "never"] = Field(
        default="empty", description="When `start` loads the dataset"
    )
    serve_article_text: Literal["full", "excerpts"] = Field(
        default="full",
        description="`excerpts`: the source articles are served cut down to the passages the "
        "records cite (the rest blanked, offsets kept), for deployments that may not republish "
        "the whole third-party texts",
    )

    @field_validator("cors_origins", "trusted_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, value: str) -> str:
        # Operators paste URLs from hosting dashboards; route them all to psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
