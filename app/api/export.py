"""Content negotiation and streamed CSV / NDJSON exports of the list endpoints.

CSV flattening (documented in docs/api.md): nested objects become `parent_child` columns,
lists of values are joined with `|`, and participants are written as `id:role|id:role`.
"""

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any, Literal

import orjson
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import get_settings
from app.errors import ProblemError
from app.middleware.caching import etag_matches
from app.services.reference import current_dataset_version

Format = Literal["json", "csv", "ndjson"]
MEDIA_TYPES: dict[str, Format] = {
    "application/json": "json",
    "application/*": "json",
    "*/*": "json",
    "text/csv": "csv",
    "text/*": "csv",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
EXPORT_BATCH = 2000

PageFetcher = Callable[[Session, list[Any] | None, int], tuple[list[dict[str, Any]], Any]]
Column = tuple[str, Callable[[dict[str, Any]], Any]]


def _accepted(accept: str) -> list[str]:
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = [piece.strip() for piece in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, index, media.lower()))
    return [media for _, _, media in sorted(ranked)]


def negotiate(request: Request, requested: str | None, *, allowed: tuple[Format, ...]) -> Format:
    """The response format: `format=` wins, else the best match of Accept, else 406."""
    if requested is not None:
        return requested  # type: ignore[return-value]  # validated by the Query enum
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return "json"
    for media in _accepted(accept):
        chosen = MEDIA_TYPES.get(media)
        if chosen in allowed:
            return chosen
        if media == "application/problem+json" and "json" in allowed:
            return "json"
    offered = ", ".join(
        sorted({media for media, fmt in MEDIA_TYPES.items() if fmt in allowed and "*" not in media})
    )
    raise ProblemError(
        406,
        f"Cannot answer with any type in Accept: {accept[:100]}. This endpoint offers {offered}"
        + (" (or use format=csv|ndjson)." if len(allowed) > 1 else "."),
    )


def _joined(values: list[Any]) -> str:
    return "|".join(str(value) for value in values)


def _cell(value: Any) -> Any:
    return "" if value is None else value


class ExportInterruptedError(RuntimeError):
    """The dataset was reseeded while an export streamed; the download is cut short."""


def _rows(
    engine: Engine, fetch: PageFetcher, cap: int, version: str | None
) -> Iterator[dict[str, Any]]:
    sent = 0
    after: list[Any] | None = None
    while sent < cap:
        # A session per batch, closed before yielding: an abandoned download (a client that
        # hangs up) then holds no pooled connection while it waits to be garbage-collected.
        with Session(engine) as session:
            if current_dataset_version(session) != version:
                # Never splice two dataset versions into one file: abort the transfer instead.
                raise ExportInterruptedError("the dataset was reseeded during the export")
            items, after = fetch(session, after, min(EXPORT_BATCH, cap - sent))
        yield from items
        sent += len(items)
        if after is None:
            return


def export_response(
    request: Request,
    *,
    engine: Engine,
    fetch: PageFetcher,
    columns: list[Column],
    fmt: Format,
    name: str,
    dataset_version: str | None,
    canonical: str,
) -> Response:
    """Stream every matching item (up to the export cap) as CSV or NDJSON.

    Revalidation is answered here, before any row is read: the ETag is derived from the
    dataset version, the canonical request and whether the body will be gzip-encoded.
    """
    cap = get_settings().export_max_rows
    version = dataset_version or "unversioned"
    gzip = "gzip" in request.headers.get("accept-encoding", "")
    digest = hashlib.sha256(f"{version}|{fmt}|{canonical}|{gzip}".encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    rows = _rows(engine, fetch, cap, dataset_version)

    def csv_lines() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([header for header, _ in columns])
        for count, item in enumerate(rows, start=1):
            writer.writerow([_cell(extract(item)) for _, extract in columns])
            if count % 1000 == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    def ndjson_lines() -> Iterator[bytes]:
        for item in rows:
            yield orjson.dumps(item) + b"\n"

    extension = "csv" if fmt == "csv" else "ndjson"
    return StreamingResponse(
        csv_lines() if fmt == "csv" else ndjson_lines(),
        media_type=CONTENT_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{version}.{extension}"',
            "ETag": etag,
            "X-Export-Max-Rows": str(cap),
        },
    )


def get(*path: str) -> Callable[[dict[str, Any]], Any]:
    """Extract a nested value by keys."""

    def extract(item: dict[str, Any]) -> Any:
        value: Any = item
        for key in path:
            value = None if value is None else value.get(key)
        return _joined(value) if isinstance(value, list) else value

    return extract


def participants(item: dict[str, Any]) -> str:
    return _joined([f"{p['id']}:{p['role']}" for p in item["participants"]])


def first_source(key: str, *path: str) -> Callable[[dict[str, Any]], Any]:
    def extract(item: dict[str, Any]) -> Any:
        value: Any = item["sources"][0] if item["sources"] else None
        for part in (key, *path):
            value = None if value is None else value.get(part)
        return value

    return extract


def columns_of(names: list[str]) -> list[Column]:
    return [(name, get(name)) for name in names]


EVENT_COLUMNS: list[Column] = [
    *columns_of(
        [
            "id",
            "start_date",
            "end_date",
            "date_precision",
            "earliest_date",
            "latest_date",
            "date_basis",
            "kind",
            "cameo_code",
            "plover_event",
            "plover_mode",
            "status",
            "title",
            "summary",
            "location",
            "location_country",
            "duration_minutes",
        ]
    ),
    ("participants", participants),
    *columns_of(["countries", "topics", "source_count"]),
]
QUOTE_COLUMNS: list[Column] = [
    ("id", get("id")),
    ("speaker_id", get("speaker", "id")),
    ("speaker_name", get("speaker", "name")),
    *columns_of(
        [
            "event_id",
            "said_on",
            "language",
            "attribution",
            "via",
            "text",
            "translation_en",
            "topics",
            "note",
        ]
    ),
    ("source_id", get("source", "id")),
    ("source_span_start", get("source", "span", "start")),
    ("source_span_end", get("source", "span", "end")),
]
TRADE_COLUMNS: list[Column] = [
    *columns_of(
        [
            "id",
            "country",
            "partner",
            "flow",
            "kind",
            "period",
            "period_type",
            "period_start",
            "period_end",
            "value",
            "value_text",
            "currency",
            "unit_mult",
            "qualifier",
            "bound",
            "yoy_pct",
            "reporter",
            "agency",
            "stated_by",
            "milestone",
            "note",
            "event_id",
            "claim_group",
            "preferred",
            "preference_reason",
        ]
    ),
    ("source_id", first_source("id")),
    ("source_span_start", first_source("span", "start")),
    ("source_span_end", first_source("span", "end")),
    ("source_excerpt", first_source("excerpt")),
]
LEADER_COLUMNS: list[Column] = columns_of(
    ["id", "name", "country", "office", "wikidata_qid", "aliases", "event_count", "quote_count"]
)
SOURCE_COLUMNS: list[Column] = [
    *columns_of(
        [
            "id",
            "file_name",
            "outlet",
            "author",
            "title",
            "language",
            "published_on",
            "published_precision",
            "published_basis",
            "sha256",
            "char_count",
        ]
    ),
    *[
        (f"counts_{key}", get("counts", key))
        for key in ("events", "quotes", "trade_observations", "exclusions")
    ],
]
