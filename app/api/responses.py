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

LIST_RESPONSES: dict[int | str, dict[str, Any]] = {400: PROBLEM_RESPONSES[400]}
ITEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: PROBLEM_RESPONSES[400],
    404: PROBLEM_RESPONSES[404],
}
