"""Answers built from stored documents: items, JSON pages, and streamed CSV / NDJSON exports.

A route parses its parameters and makes one call here. Which query answers it, and whether
that read runs on the event loop, is the service's business (its `Listing`, or the mark of its
function); running it there is the `Database`'s (app/database.py).
"""

import functools
import hashlib
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from app.api.deps import PageParams, app_settings
from app.api.negotiation import Format, negotiate
from app.clients import client_key
from app.conditional import etag_matches
from app.content_coding import response_coding
from app.database import Database, DatabaseError, Snapshot, pinned
from app.errors import RESPONSE_CUT_SHORT, ProblemError
from app.readmodel.flatten import csv_header
from app.services.cursors import Key, typed_key
from app.services.listing import Listing, StoredColumn
from app.versioned_urls import versioned_url

logger = logging.getLogger("app.export")

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
EXPORT_BATCH = 2000
# What an export streams: each item's stored CSV line, or its stored JSON and a newline.
EXPORT_COLUMNS: dict[str, StoredColumn] = {"csv": "csv_line", "ndjson": "doc"}


@dataclass(frozen=True)
class ExportForm:
    """A CSV export of a list in rows other than its items' (app/api/export_forms.py): each
    item's stored `column` holds its rows, whose columns derive from `row`."""

    name: str
    column: StoredColumn
    row: type[BaseModel]


async def document(db: Database, function: Callable[..., bytes], **arguments: Any) -> Response:
    """One stored (or spliced) JSON document, from `function(snapshot, **arguments)`."""
    body = await db.call(function, **arguments)
    return Response(body, media_type="application/json")


async def page_response(
    db: Database, listing: Listing, *, limit: int, cursor: str | None, include_total: bool
) -> Response:
    """A JSON page with its opaque `next_cursor` and an RFC 8288 `Link: rel="next"` to the
    next page's versioned URL (the cursor continues only the version it was read from)."""
    request = db.request
    assert request is not None
    tokens = listing.cursors(app_settings(request))
    after, cursor_version = tokens.read(cursor)
    page = await db.run(
        pinned(listing.page(after, limit, include_total=include_total), cursor_version)
    )
    body: dict[str, Any] = {
        "items": [orjson.Fragment(item) for item in page.documents],
        "next_cursor": None,
    }
    headers: dict[str, str] = {}
    version = getattr(request.state, "dataset_version", None)
    if page.next_key is not None:
        body["next_cursor"] = token = tokens.token(page.next_key, version)
        # Relative to the request: never built from a Host header the client chose.
        if version is None:
            url = request.url.include_query_params(cursor=token)
            headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
        else:
            next_url = versioned_url(
                request.url.path, request.url.query, version, replace={"cursor": token}
            )
            headers["Link"] = f'<{next_url}>; rel="next"'
    if page.total is not None:
        body["total"] = page.total
    return Response(orjson.dumps(body), media_type="application/json", headers=headers)


class ExportInterruptedError(RuntimeError):
    """The dataset was reseeded while an export streamed; the download is cut short."""


class ExportSlots:
    """A per-process cap on concurrent exports (each holds a worker thread for its length),
    and on those of one client address, so that one address cannot hold them all."""

    def __init__(self, size: int, per_address: int | None = None) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self.per_address = per_address or size
        self._lock = threading.Lock()
        self._held: Counter[str] = Counter()

    def take(self, address: str = "") -> Callable[[], None] | None:
        """A slot's release function (safe to call more than once), or None when full (for
        everyone, or for `address`)."""
        with self._lock:
            if self._held[address] >= self.per_address:
                return None
            if not self._slots.acquire(blocking=False):
                return None
            self._held[address] += 1
        released = threading.Event()

        def release() -> None:
            with self._lock:
                if released.is_set():
                    return
                released.set()
                self._held[address] -= 1
                if self._held[address] <= 0:
                    del self._held[address]
                self._slots.release()

        return release


def _export_chunks(
    db: Database,
    listing: Listing,
    *,
    fmt: str,
    cap: int,
    version: str | None,
    form: ExportForm | None = None,
) -> Iterator[bytes]:
    """The export's bytes, a batch of stored items per chunk: no request parses or flattens a
    document, so a streaming export holds the GIL for little more than the driver's rows.
    `cap` counts items: a form's rows of one item always come whole."""
    column = form.column if form else EXPORT_COLUMNS[fmt]
    if fmt == "csv":
        yield csv_header(form.row if form else listing.item).encode()
    sent = 0
    after: Key | None = None
    while sent < cap:
        # A snapshot per batch, closed before yielding: an abandoned download holds no pooled
        # connection while it waits to be collected. A standby that fails mid-export hands
        # the next batch to another database holding the same version.
        documents, next_key = db.batch(
            functools.partial(
                _batch, listing, after, min(EXPORT_BATCH, cap - sent), column, version
            )
        )
        if documents:
            # Stored CSV lines end in CRLF already; JSON documents get their newline here.
            yield ("".join(documents) if fmt == "csv" else "\n".join(documents) + "\n").encode()
        sent += len(documents)
        if next_key is None:
            return
        after = typed_key(listing.key_shape, next_key)
        if after is None:  # a stored id the cursors could not carry: never restart the walk
            raise ExportInterruptedError(f"the export cannot continue after {next_key}")


def _batch(
    listing: Listing,
    after: Key | None,
    size: int,
    column: StoredColumn,
    version: str | None,
    snapshot: Snapshot,
) -> tuple[list[str], list[str] | None]:
    if snapshot.dataset_version() != version:
        # Never splice two dataset versions into one file: abort the transfer instead.
        raise ExportInterruptedError("the dataset was reseeded during the export")
    return listing.fetch(snapshot, after, size, column=column)


def _released(chunks: Iterator[bytes], release: Callable[[], None]) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        release()


async def export_response(
    db: Database, listing: Listing, *, fmt: str, form: ExportForm | None = None
) -> Response:
    """Every matching item (up to the export cap) streamed as CSV or NDJSON, or as the rows of
    a CSV `form` (long, dyadic).

    Revalidation and HEAD are answered before any row is read: the ETag is derived from the
    dataset version, the canonical query and the content coding the body will be sent in.
    """
    request = db.request
    assert request is not None
    settings = app_settings(request)

    # Planning checks the names the filters use: a bad one is a 400 now, not a failure after
    # the 200 has been sent; the plan is kept for every batch.
    version = await db.run(listing.check())
    gzip = response_coding(request) == "gzip"
    shape = f"{fmt}.{form.name}" if form else fmt
    canonical = f"{version or 'unversioned'}|{shape}|{listing.identity}|{gzip}"
    etag = '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'
    extension = "csv" if fmt == "csv" else "ndjson"
    headers = {
        "Content-Disposition": (
            f'attachment; filename="{listing.name}{"-" + form.name if form else ""}-'
            f'{version or "unversioned"}.{extension}"'
        ),
        "ETag": etag,
        "X-Export-Max-Rows": str(settings.export_max_rows),
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    if getattr(request.state, "is_head", False):
        # Headed like the GET's stream: no Content-Length, the same coding (and ETag).
        return StreamingResponse(iter(()), media_type=CONTENT_TYPES[fmt], headers=headers)
    slots: ExportSlots = request.app.state.export_slots
    address = client_key(request.client.host if request.client else "")
    release = slots.take(address)
    if release is None:
        raise ProblemError(
            503,
            f"{settings.export_max_concurrent} exports are already running in this process, or "
            f"{settings.export_max_per_address} from this address; retry shortly, or page "
            "through the JSON list instead.",
            headers={"Retry-After": "5"},
        )
    chunks = _export_chunks(
        db, listing, fmt=fmt, cap=settings.export_max_rows, version=version, form=form
    )
    return ExportResponse(
        _released(chunks, release), release=release, media_type=CONTENT_TYPES[fmt], headers=headers
    )


class ExportResponse(StreamingResponse):
    """A streamed export that gives its slot back however the response ends: finished,
    failed, or abandoned by a client that hung up (even before the first chunk)."""

    def __init__(self, content: Iterator[bytes], *, release: Callable[[], None], **kw: Any):
        super().__init__(content, **kw)
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except (ExportInterruptedError, DatabaseError) as exc:
            # The 200 went out long ago: all that is left is to end the download without its
            # last chunk, so the client sees it was cut. One line says why; the server closes
            # the connection without a traceback of its own (app/server.py).
            logger.warning("export of %s cut short: %s", scope.get("path"), _cut_reason(exc))
            RESPONSE_CUT_SHORT.set(True)
        finally:
            self.release()


def _cut_reason(exc: Exception) -> str:
    if isinstance(exc, ExportInterruptedError):
        return str(exc)
    return f"the database failed ({exc.__class__.__name__}: {str(getattr(exc, 'orig', exc))[:200]})"


async def list_response(db: Database, listing: Listing, page: PageParams) -> Response:
    """A JSON page, or (by `format` or Accept) a streamed CSV / NDJSON export of every item."""
    assert db.request is not None
    fmt = negotiate(db.request, page.format, allowed=("json", "csv", "ndjson"))
    if fmt != "json":
        return await export_response(db, listing, fmt=fmt)
    return await page_response(
        db, listing, limit=page.limit, cursor=page.cursor, include_total=page.include_total
    )


async def document_or_export(
    db: Database,
    *,
    format: Format | None,
    listing: Listing,
    function: Callable[..., bytes],
    **arguments: Any,
) -> Response:
    """A whole JSON document (such as a trade series), or its items exported as rows."""
    assert db.request is not None
    fmt = negotiate(db.request, format, allowed=("json", "csv", "ndjson"))
    if fmt != "json":
        return await export_response(db, listing, fmt=fmt)
    return await document(db, function, **arguments)
