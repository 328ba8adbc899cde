"""All /v1 routes, each rejecting query parameters it does not know."""

from fastapi import APIRouter, Depends

from app.api.deps import check_accept, reject_unknown_query_parameters
from app.api.routes import events, facets, meta, quotes, reference, trade

router = APIRouter(
    prefix="/v1",
    dependencies=[
        Depends(reject_unknown_query_parameters),
        Depends(check_accept),
    ],
)
# Before events: /v1/events/facets is not an event id.
router.include_router(facets.router)
router.include_router(events.router)
router.include_router(quotes.router)
router.include_router(reference.router)
router.include_router(trade.router)
router.include_router(meta.router)
