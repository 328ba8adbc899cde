"""/v1/events.long.csv, /v1/events.dyadic.csv, and /v1/exports: the CSV exports' columns.

Included before the events' router: its `/v1/events.{format}` catch-all (a 400 naming
`format`) would otherwise take these literal paths.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.deps import SortParam
from app.api.event_filters import EventFiltersDep
from app.api.export_forms import DYADIC, LONG, data_dictionary
from app.api.lists import ExportForm, export_response
from app.api.responses import EXPORT_MEDIA, EXPORT_RESPONSES, QUERY_RESPONSES
from app.database import DatabaseDep
from app.readmodel.flatten import csv_header
from app.schemas.exports import ExportDictionary
from app.services import events as service

router = APIRouter(tags=["events"])


def _responses(form: ExportForm) -> dict[int | str, dict[str, Any]]:
    """The CSV export's responses, with this form's own header as the example."""
    ok = dict(EXPORT_RESPONSES["csv"][200])
    ok["content"] = {"text/csv": {"schema": {"type": "string"}, "example": csv_header(form.row)}}
    return {**EXPORT_RESPONSES["csv"], 200: ok}


@router.get(
    "/events.long.csv",
    operation_id="export_events_long_csv",
    summary="Export events as CSV, one row per source passage",
    response_class=EXPORT_MEDIA["csv"],
    responses=_responses(LONG),
)
async def export_events_long(
    db: DatabaseDep, filters: EventFiltersDep, sort: SortParam = "date"
) -> Response:
    """Every event matching the filters of /v1/events, one row per supporting source passage
    (source id, title, outlet, the passage verbatim and its span in the source's text), each
    row repeating the event's id, dates, kind, CAMEO code, status and title. An event without
    a passage has one row with the source columns empty. EXPORT_MAX_ROWS counts events: an
    event's rows always come whole. Columns: /v1/exports."""
    listing = service.event_listing(filters=filters, descending=sort == "-date")
    return await export_response(db, listing, fmt="csv", form=LONG)


@router.get(
    "/events.dyadic.csv",
    operation_id="export_events_dyadic_csv",
    summary="Export events as CSV, one row per pair of participants",
    response_class=EXPORT_MEDIA["csv"],
    responses=_responses(DYADIC),
)
async def export_events_dyadic(
    db: DatabaseDep, filters: EventFiltersDep, sort: SortParam = "date"
) -> Response:
    """Every event matching the filters of /v1/events, one row per unordered pair of its
    participants (ACLED style: actor1 and actor2, in id order), each row repeating the event's
    id, dates, kind, CAMEO code, status and title. An event with one participant has one row
    with actor2 empty. EXPORT_MAX_ROWS counts events. Columns: /v1/exports."""
    listing = service.event_listing(filters=filters, descending=sort == "-date")
    return await export_response(db, listing, fmt="csv", form=DYADIC)


@router.get(
    "/exports",
    operation_id="get_export_dictionary",
    summary="The columns of every CSV export (data dictionary)",
    response_model=ExportDictionary,
    responses=QUERY_RESPONSES,
    tags=["reference"],
)
async def get_export_dictionary() -> ExportDictionary:
    """Each CSV export's path, what one row is, and its columns in order: type, whether it
    may be empty, its vocabulary, its description and the pandas dtype to read it with
    (`pandas.read_csv(url, dtype=export["pandas_dtype"])` keeps codes such as cameo_code `057`
    as text). Derived from the same schemas as the exports themselves."""
    return data_dictionary()
