"""All /v1 routes, each rejecting query parameters it does not know."""

from fastapi import APIRouter, Depends

from app.api.deps import check_accept, reject_unknown_query_parameters
from app.api.routes import events, meta, quotes, reference, search, trade

router = APIRouter(
    prefix="/v1",
    dependencies=[
        Depends(reject_unknown_query_parameters),
        Depends(check_accept),
    ],
)
router.include_router(events.router)
router.include_router(quotes.router)
router.include_router(reference.router)
router.include_router(trade.router)
router.include_router(meta.router)
router.include_router(search.router)
