"""All /v1 routes, each rejecting query parameters it does not know and taking `version`."""

from fastapi import APIRouter, Depends

from app.api.deps import check_accept, dataset_version_parameter, reject_unknown_query_parameters
from app.api.routes import event_exports, events, facets, meta, quotes, reference, search, trade

router = APIRouter(
    prefix="/v1",
    dependencies=[
        Depends(reject_unknown_query_parameters),
        Depends(check_accept),
        Depends(dataset_version_parameter),
    ],
)
# Before events: its `/v1/events.{format}` catch-all would take `/v1/events.long.csv`, and
# /v1/events/facets is not an event id.
router.include_router(event_exports.router)
router.include_router(facets.router)
router.include_router(events.router)
router.include_router(quotes.router)
router.include_router(reference.router)
router.include_router(trade.router)
router.include_router(meta.router)
router.include_router(search.router)
