"""Runtime settings, read once from the environment and an optional `.env` file.

The `.env` file is `<project root>/.env` (next to pyproject.toml), or the file `ENV_FILE` names,
whatever directory a command runs from. The environment wins over the file.
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "diplomatic_events.db"
# How the API reaches PostgreSQL: directly, or through a pooler in transaction mode (PgBouncer).
Pooler = Literal["none", "transaction"]
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
    read_database_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated PostgreSQL hot standbys to read from, round robin, with "
        "DATABASE_URL (the primary) as the fallback when none answers; writes never go there",
    )
    read_replica_retry_ms: int = Field(
        default=2000,
        ge=100,
        le=600_000,
        description="How long a standby that failed stays out of the rotation before a request "
        "tries it again",
    )
    read_replica_connect_timeout_s: int = Field(
        default=2,
        ge=1,
        le=30,
        description="Time limit for opening a connection to a standby (libpq connect_timeout)",
    )
    db_busy_timeout_ms: int = Field(default=5000, ge=0)
    db_pooler: Pooler = Field(
        default="none",
        description="`transaction` when DATABASE_URL points at PgBouncer in transaction pooling "
        "mode: no startup options or prepared statements; limits set per transaction",
    )
    seeds_dir: Path = Field(
        default=PROJECT_ROOT / "seeds", description="Folder of the seed files `seed` loads"
    )
    query_timeout_ms: int = Field(
        default=5000, ge=0, description="Per-statement time limit of the serving engine; 0 = none"
    )
    request_work_budget_ms: int = Field(
        default=5000,
        ge=0,
        description="Database work one request may do, all its statements together (waits for "
        "a thread or a search slot included; exports excepted); over it, a 503 naming what to "
        "narrow. 0 = none",
    )
    search_max_concurrent: int = Field(
        default=4,
        ge=1,
        description="Searches and counts (`q`, `include_total`) running at once per process; "
        "more wait for a slot within their budget, so cheap requests keep threads",
    )
    search_max_prefixes: int = Field(
        default=4, ge=1, description="Most `word*` prefix terms in one `q`"
    )
    search_max_chars: int = Field(default=200, ge=1, description="Longest accepted `q`")
    search_max_words: int = Field(default=12, ge=1, description="Most words in one `q`")
    search_min_prefix_chars: int = Field(
        default=3, ge=1, description="Shortest word a `word*` prefix search accepts"
    )
    search_relevance_window: int = Field(
        default=300,
        ge=1,
        le=5000,
        description="Newest matches of each kind /v1/search?sort=relevance ranks",
    )
    cursor_max_chars: int = Field(default=512, ge=64, description="Longest accepted cursor")
    cache_max_age: int = Field(default=300, ge=0, description="Cache-Control max-age, seconds")
    export_max_rows: int = Field(default=100_000, ge=1, description="Row cap of CSV/NDJSON")
    export_max_concurrent: int = Field(
        default=2, ge=1, description="Exports streaming at once per process; more get a 503"
    )
    export_max_per_address: int = Field(
        default=1,
        ge=1,
        description="Exports streaming at once per client address (IPv6: per /64) per process; "
        "more get a 503, so one address cannot hold every slot",
    )
    gzip_min_bytes: int = Field(default=500, ge=0)
    timeline_max_buckets: int = Field(
        default=1200, ge=1, description="Most periods a fill=zero timeline lists (a 400 beyond)"
    )
    facet_max_dimensions: int = Field(
        default=4,
        ge=1,
        description="Most dimensions one facets request counts (`facet` repeated; a 400 beyond): "
        "each is a count of every match",
    )
    facet_max_values: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Largest `facet_size`: values listed per dimension",
    )
    rate_limit_per_minute: int = Field(default=0, ge=0, description="Per client; 0 turns it off")
    rate_limit_burst: int = Field(default=60, ge=1)
    rate_limit_cost_ms: int = Field(
        default=500,
        ge=0,
        description="Each full this-many ms of a request's database work costs one more token "
        "of the rate limit; 0 = one token a request",
    )
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
        description="Time a client may take nothing of a response while bytes wait for it "
        "(bytes counted as delivered by the kernel); over it, the connection is aborted and an "
        "export's slot freed",
    )
    request_target_max_bytes: int = Field(
        default=8192,
        ge=256,
        description="Longest request line (method, target, version); over it, a 414",
    )
    pipeline_max_requests: int = Field(
        default=16,
        ge=1,
        description="Requests a connection may have parsed and waiting behind the one being "
        "answered; the rest stays unread until answers catch up",
    )
    response_min_bytes_per_second: int = Field(
        default=16_384,
        ge=0,
        description="Slowest a client may take a response while bytes wait for it, averaged "
        "over RESPONSE_WRITE_TIMEOUT_MS; slower, the connection is aborted",
    )
    max_connections: int = Field(
        default=1000,
        ge=1,
        description="Open connections per process; idle ones are closed first near it, and "
        "new ones beyond it get a 503",
    )
    max_connections_per_address: int = Field(
        default=100,
        ge=1,
        description="Open connections per client address (IPv6: per /64); beyond it a new one "
        "gets a 503. Behind a reverse proxy, raise it to MAX_CONNECTIONS",
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

    @field_validator("read_database_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [url.strip() for url in value.split(",") if url.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, value: str) -> str:
        return _psycopg_url(value)

    @field_validator("read_database_urls")
    @classmethod
    def _standbys_are_postgres(cls, value: list[str]) -> list[str]:
        urls = [_psycopg_url(url) for url in value]
        for url in urls:
            if not url.startswith("postgresql"):
                raise ValueError(
                    "READ_DATABASE_URLS takes PostgreSQL standbys only (postgresql://...)"
                )
        return urls

    @model_validator(mode="after")
    def _standbys_need_a_postgres_primary(self) -> "Settings":
        if self.read_database_urls and self.is_sqlite:
            raise ValueError("READ_DATABASE_URLS needs a PostgreSQL DATABASE_URL (the primary)")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _psycopg_url(value: str) -> str:
    # Operators paste URLs from hosting dashboards; route them all to psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
