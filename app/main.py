"""The ASGI application."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from app.api.routes import health, problems
from app.api.v1 import router as v1_router
from app.config import Settings, get_settings
from app.errors import install_error_handlers
from app.logging import configure_logging
from app.middleware.caching import DATASET_VERSION_HEADER, CachingMiddleware
from app.middleware.rate_limit import RateLimitMiddleware
from app.middleware.request_id import REQUEST_ID_HEADER, RequestIdMiddleware
from app.middleware.security import SecurityHeadersMiddleware

DESCRIPTION = """\
Structured data on leader-level diplomacy: **events** (calls, video calls, visits, summits,
messages, agreements, exercises) queryable by date, **leader quotes**, and **bilateral trade
series**. Every fact points to the exact character span of the source article it comes from.

Lists are objects `{"items": [...], "next_cursor": ...}`; follow `next_cursor` (or the `Link`
header) to page. Errors are RFC 9457 `application/problem+json`.
"""


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

    app = FastAPI(
        lifespan=lifespan,
        title="Diplomatic Events API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "events", "description": "Diplomatic events with participants and sources"},
            {"name": "leaders", "description": "People who act or speak in the events"},
            {"name": "quotes", "description": "Leader quotes, verbatim, with translations"},
            {"name": "trade", "description": "Bilateral trade figures and series"},
            {"name": "sources", "description": "The source articles and their full text"},
            {"name": "reference", "description": "Timeline and controlled vocabularies"},
            {"name": "health", "description": "Liveness and readiness probes"},
        ],
    )
    install_error_handlers(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # Added innermost first: the request id wraps everything, gzip sits next to the routes so
    # that ETags describe the bytes actually sent.
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=5)
    app.add_middleware(CachingMiddleware, max_age=settings.cache_max_age)
    if settings.rate_limit_per_minute:
        app.add_middleware(
            RateLimitMiddleware,
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
        )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "If-None-Match", REQUEST_ID_HEADER],
        expose_headers=[
            "ETag",
            "Link",
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
    app.include_router(health.router)
    app.include_router(problems.router)
    app.include_router(v1_router)
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, minus what this API never sends: 422s and JSON-typed error bodies."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                responses.pop("422", None)
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response.get("content", {}).pop("application/json", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


app = create_app()
