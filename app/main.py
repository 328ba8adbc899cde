"""The ASGI application."""

import logging

from fastapi import FastAPI

from app import __version__
from app.api.routes import health, problems
from app.api.v1 import router as v1_router
from app.config import get_settings
from app.errors import install_error_handlers

DESCRIPTION = """\
Structured data on leader-level diplomacy: **events** (calls, video calls, visits, summits,
messages, agreements, exercises) queryable by date, **leader quotes**, and **bilateral trade
series**. Every fact points to the exact character span of the source article it comes from.

Lists are objects `{"items": [...], "next_cursor": ...}`; follow `next_cursor` (or the `Link`
header) to page. Errors are RFC 9457 `application/problem+json`.
"""


def create_app() -> FastAPI:
    """Build the application with its routes and error handlers."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    app = FastAPI(
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
    app.include_router(health.router)
    app.include_router(problems.router)
    app.include_router(v1_router)
    return app


app = create_app()
