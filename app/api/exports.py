"""Export operations: one literal path per format (`/v1/events.csv`, `/v1/events.ndjson`), so
that a typed client calls each by its path (openapi-fetch `GET("/v1/events.csv")`) and gets
its one media type, rather than a `/v1/events.{format}` template it cannot name."""

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, get_args

from fastapi import APIRouter, Depends, Request

from app.api.responses import EXPORT_MEDIA, EXPORT_RESPONSES
from app.errors import invalid_parameter

ExportFormatName = Literal["csv", "ndjson"]
EXPORT_FORMATS: tuple[ExportFormatName, ...] = get_args(ExportFormatName)
LABELS = {"csv": "CSV", "ndjson": "NDJSON"}

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


async def export_format(request: Request) -> ExportFormatName:
    """The format the export path ends in; any other extension is a 400 naming `format`."""
    route = request.scope.get("route")
    extension = request.path_params.get("format")
    if extension is None and route is not None:
        extension = str(getattr(route, "path", "")).rpartition(".")[2]
    for fmt in EXPORT_FORMATS:
        if extension == fmt:
            return fmt
    raise invalid_parameter(
        "format",
        f"an export path ends in .csv or .ndjson (got {str(extension)[:40]!r})",
        location="path",
    )


ExportFormatDep = Annotated[ExportFormatName, Depends(export_format)]


def export_routes(
    router: APIRouter, path: str, *, operation_id: str, what: str, tags: list[str] | None = None
) -> Callable[[Endpoint], Endpoint]:
    """Register `endpoint` as `{path}.csv` and `{path}.ndjson`, operations `{operation_id}_csv`
    and `{operation_id}_ndjson`; `{path}.<anything else>`, left out of OpenAPI, answers the
    400 naming `format` (export_format)."""

    def register(endpoint: Endpoint) -> Endpoint:
        for fmt in EXPORT_FORMATS:
            router.add_api_route(
                f"{path}.{fmt}",
                endpoint,
                methods=["GET"],
                operation_id=f"{operation_id}_{fmt}",
                summary=f"Export {what} as {LABELS[fmt]}",
                response_class=EXPORT_MEDIA[fmt],
                responses=EXPORT_RESPONSES[fmt],
                tags=list(tags) if tags else None,
            )
        router.add_api_route(
            f"{path}.{{format}}",
            endpoint,
            methods=["GET"],
            response_class=EXPORT_MEDIA["csv"],
            include_in_schema=False,
        )
        return endpoint

    return register
