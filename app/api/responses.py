"""OpenAPI descriptions of the problem responses every operation may return."""

from typing import Any

from app.errors import PROBLEM_MEDIA_TYPE, Problem


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

EXPORT_CONTENT: dict[str, Any] = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "id,start_date,end_date,date_precision,...\r\n",
    },
    "application/x-ndjson": {
        "schema": {"type": "string"},
        "example": '{"id": "2025-01-21-putin-xi-video-call", ...}\n',
    },
}
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A page of items as JSON, or with format=csv|ndjson (or Accept) every "
        "matching item as a streamed export",
        "content": EXPORT_CONTENT,
    },
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
