"""OpenAPI descriptions of the problem responses every operation may return."""

from typing import Any

from fastapi.responses import Response

from app.errors import PROBLEM_MEDIA_TYPE, Problem


class CsvExport(Response):
    """The response class a CSV export operation declares, so that OpenAPI lists no JSON 200
    for it (it returns the streamed response of app/api/lists.py export_response)."""

    media_type = "text/csv"


class NdjsonExport(Response):
    """The response class an NDJSON export operation declares."""

    media_type = "application/x-ndjson"


EXPORT_MEDIA: dict[str, type[Response]] = {"csv": CsvExport, "ndjson": NdjsonExport}


def _problem(description: str) -> dict[str, Any]:
    return {
        "model": Problem,
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("Invalid parameter: the problem names each offending parameter"),
    404: _problem("No resource has this id"),
    503: _problem("The database is unreachable, not migrated, or a query ran out of time"),
}

EXPORT_CONTENT: dict[str, dict[str, Any]] = {
    "csv": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "id,start_date,end_date,date_precision,...\r\n",
        },
    },
    "ndjson": {
        "application/x-ndjson": {
            "schema": {"type": "string"},
            "example": '{"id": "2025-01-21-putin-xi-video-call", ...}\n',
        },
    },
}
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    # JSON only: the exports are operations of their own (`/v1/events.csv`, ...), so that a
    # generated client types this 200 as the page.
    200: {"description": "A page of items; follow `next_cursor` or the `Link` header"},
    400: PROBLEM_RESPONSES[400],
    406: _problem("Accept names no media type this endpoint produces"),
}
QUERY_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: PROBLEM_RESPONSES[400],
    406: LIST_RESPONSES[406],
}
ITEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: PROBLEM_RESPONSES[400],
    404: PROBLEM_RESPONSES[404],
    406: LIST_RESPONSES[406],
}
SUBLIST_RESPONSES: dict[int | str, dict[str, Any]] = {**LIST_RESPONSES, **ITEM_RESPONSES}
EXPORT_DESCRIPTIONS = {
    "csv": "CSV (a header row, then one row per item, nested fields flattened)",
    "ndjson": "NDJSON (one JSON item per line)",
}
EXPORT_RESPONSES: dict[str, dict[int | str, dict[str, Any]]] = {
    fmt: {
        200: {
            "description": "Every matching item (up to EXPORT_MAX_ROWS, sent as "
            f"X-Export-Max-Rows), streamed as {EXPORT_DESCRIPTIONS[fmt]}, with a "
            "Content-Disposition file name",
            "content": EXPORT_CONTENT[fmt],
        },
        **ITEM_RESPONSES,
    }
    for fmt in EXPORT_CONTENT
}
