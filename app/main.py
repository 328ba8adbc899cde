"""The ASGI application."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app import __version__
from app.api.lists import ExportSlots
from app.api.openapi_doc import (
    add_examples,
    bound_inputs,
    document_headers,
    name_text_schemas,
)
from app.api.routes import docs, health, problems
from app.api.v1 import router as v1_router
from app.config import Settings, get_settings
from app.database import Database
from app.engines import probe_engine, serving_engines
from app.errors import ProblemError, install_error_handlers, worded
from app.explorer import routes as explorer
from app.explorer.web import install_html_errors
from app.file_watch import current_engines, watch_database_file
from app.logging import configure_logging
from app.middleware.caching import DATASET_VERSION_HEADER, CachingMiddleware
from app.middleware.compression import NegotiatedGZipMiddleware
from app.middleware.cors import ProblemCORSMiddleware
from app.middleware.header_limits import NegotiationHeaderLimitsMiddleware
from app.middleware.rate_limit import RateLimitMiddleware
from app.middleware.request_id import REQUEST_ID_HEADER, RequestIdMiddleware
from app.middleware.security import SecurityHeadersMiddleware
from app.rights import CODE_LICENSE
from app.services.search import query_pattern

DESCRIPTION = """\
Structured data on leader-level diplomacy: **events** (calls, video calls, visits, summits,
messages, agreements, exercises) queryable by date, **leader quotes**, and **bilateral trade
series**. Every fact points to the exact character span of the source article it comes from.

Lists are objects `{"items": [...], "next_cursor": ...}`; follow `next_cursor` (or the `Link`
header) to page. Errors are RFC 9457 `application/problem+json`.

The code is under the MIT licence and the curated records under CC BY 4.0; the source
articles are third-party news texts quoted for research and criticism, their rights with their
publishers. `GET /v1/meta` says so, with the dataset version and how to cite it.
"""


async def _current_version(app: FastAPI) -> str | None:
    """The dataset version of the file served now (None when it is missing or unreadable)."""
    try:
        engines = current_engines(app)
    except ProblemError:
        return None
    return await Database(engines).current_version()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application with its middleware, routes and error handlers."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # One route thread per pooled connection: more threads would only queue for a
        # connection and fight over the GIL (docs/performance.md).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        yield
        app.state.engines.dispose()
        app.state.probe_engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="Diplomatic Events API",
        # Served by app/api/routes/docs.py from pinned local assets, not from a CDN.
        docs_url=None,
        redoc_url=None,
        version=__version__,
        description=DESCRIPTION,
        # The code's licence; the records' (CC BY 4.0) and the article texts' status: /v1/meta.
        license_info={"name": CODE_LICENSE["name"], "identifier": CODE_LICENSE["spdx"]},
        openapi_tags=[
            {"name": "events", "description": "Diplomatic events with participants and sources"},
            {"name": "leaders", "description": "People who act or speak in the events"},
            {"name": "quotes", "description": "Leader quotes, verbatim, with translations"},
            {"name": "trade", "description": "Bilateral trade figures and series"},
            {"name": "sources", "description": "The source articles and their full text"},
            {
                "name": "reference",
                "description": "Timeline, controlled vocabularies, licences and citation",
            },
            {"name": "health", "description": "Liveness and readiness probes"},
        ],
    )
    # What every request reads from one place: the settings this app was created with.
    app.state.settings = settings
    app.state.engines = serving_engines(settings)
    app.state.probe_engine = probe_engine(settings)
    watch_database_file(app, settings.database_url)
    app.state.export_slots = ExportSlots(
        settings.export_max_concurrent, settings.export_max_per_address
    )
    app.state.search_slots = asyncio.Semaphore(settings.search_max_concurrent)
    install_error_handlers(app)
    install_html_errors(app)
    app.openapi = lambda: _openapi(app, settings)  # type: ignore[method-assign]
    # Added innermost first: the request id wraps everything, gzip sits next to the routes so
    # that ETags describe the bytes actually sent.
    app.add_middleware(
        NegotiatedGZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=5
    )
    app.add_middleware(
        CachingMiddleware,
        max_age=settings.cache_max_age,
        current_version=lambda: _current_version(app),
    )
    if settings.rate_limit_per_minute:
        app.add_middleware(
            RateLimitMiddleware,
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
            cost_seconds=settings.rate_limit_cost_ms / 1000,
        )
    # Before anything parses Accept, Accept-Encoding or If-None-Match; inside CORS, so that a
    # browser can read the 400.
    app.add_middleware(NegotiationHeaderLimitsMiddleware)
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "If-None-Match", REQUEST_ID_HEADER],
        expose_headers=[
            "ETag",
            "Link",
            "Content-Location",
            REQUEST_ID_HEADER,
            DATASET_VERSION_HEADER,
            "Content-Disposition",
            "Retry-After",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
            "RateLimit-Policy",
        ],
        max_age=3600,
    )
    app.add_middleware(SecurityHeadersMiddleware, trusted_hosts=settings.trusted_hosts)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(docs.router)
    app.include_router(health.router)
    app.include_router(problems.router)
    app.include_router(v1_router)
    app.include_router(explorer.router)
    return app


# Query parameters whose bounds are settings: stated from the app's own settings.
def _bounds(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        "limit": {
            "maximum": settings.max_page_size,
            "default": min(settings.default_page_size, settings.max_page_size),
        },
        "cursor": {"maxLength": settings.cursor_max_chars},
        "facet": {"maxItems": settings.facet_max_dimensions},
        "facet_size": {"maximum": settings.facet_max_values},
        "q": {
            "maxLength": settings.search_max_chars,
            "pattern": worded(
                query_pattern(
                    max_words=settings.search_max_words,
                    min_prefix=settings.search_min_prefix_chars,
                ),
                f"1 to {settings.search_max_words} words of letters or digits, with a `*` only "
                f"right after a word of at least {settings.search_min_prefix_chars}",
            ),
        },
    }


def _state_bounds(operation: dict[str, Any], settings: Settings) -> None:
    bounds = _bounds(settings)
    for parameter in operation.get("parameters", []):
        extra = bounds.get(parameter["name"])
        if extra is None:
            continue
        schema = parameter["schema"]
        # `X | None` parameters are an anyOf of the type and null: bound the type.
        target = next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)
        for key, value in extra.items():
            if key == "default":
                schema["default"] = value
            else:
                target[key] = value


def _openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """FastAPI's schema, minus what this API never sends (422s and JSON-typed error bodies),
    with the bounds this app's settings set."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            license_info=app.license_info,
        )
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                _state_bounds(operation, settings)
                responses = operation.get("responses", {})
                responses.pop("422", None)
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response.get("content", {}).pop("application/json", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        bound_inputs(schema)
        name_text_schemas(schema)
        document_headers(schema)
        add_examples(schema)
        app.openapi_schema = schema
    return app.openapi_schema


app = create_app()
