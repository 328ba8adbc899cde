"""The floor: a minimal hand-written ASGI app doing the benchmark's work on the same read model.

    BENCH_DB=/tmp/big.db uvicorn bench.floor:app --port 8002 --no-access-log

No framework, no ORM, no validation, no middleware: stdlib sqlite3 (one connection, queries run
on the event loop) and orjson. It runs the app's plans and SQL (bench/floor_queries.py,
bench/floor_timeline.py) and splices the same stored documents, so each body is byte for byte
the body of our endpoint (bench/run.py checks that before measuring). It knows only what the
scenarios ask for:

    GET /v1/events?date=&from=&to=&leader=&country=&topic=&kind=&status=&source=&q=&sort=
                   &limit=&cursor=&format=csv|ndjson
    GET /v1/events/{id}
    GET /v1/timeline?<the filters of /v1/events>&granularity=
    GET /v1/quotes?leader=&topic=&lang=&attribution=&event=&from=&to=&q=&sort=&limit=&cursor=
    GET /v1/trade/series?country=&partner=&flow=&period_type=&kind=&select=

It assumes well-formed requests and answers anything else with 404. It must not import `app`
(it is the cost of the work without us); tests/test_bench_smoke.py holds it to the app's
constants, cursors, search syntax and CSV columns.
"""

import base64
import calendar
import hashlib
import hmac
import os
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson

from bench import floor_queries as fq
from bench.floor_queries import FETCH_AND_SORT_MAX, NotFoundError
from bench.floor_timeline import timeline

__all__ = ["FETCH_AND_SORT_MAX", "app"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# The app's defaults (app/config.py); the same environment variables override them.
SECRET_DEFAULT = "diplomatic-events-public-cursor-key"
EXPORT_MAX_ROWS_DEFAULT = 100_000
SECRET = os.environ.get("CURSOR_SECRET", SECRET_DEFAULT)
EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", EXPORT_MAX_ROWS_DEFAULT))
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
EXPORT_BATCH = 2000
CACHE_KIB = 16 * 1024  # as app/engines.py gives each connection
SIGNATURE_BYTES = 12
# The CSV header of an event export (app/readmodel/flatten.py applied to EventPublic); the rows
# are the stored `csv_line` of each event.
EVENT_CSV_HEADER = (
    "id",
    "date",
    "date_start",
    "date_end",
    "start_date",
    "end_date",
    "date_precision",
    "date_evidence",
    "date_basis",
    "earliest_date",
    "latest_date",
    "kind",
    "cameo_code",
    "plover_event",
    "plover_mode",
    "status",
    "title",
    "summary",
    "context",
    "location",
    "location_country",
    "duration_minutes",
    "participants_id",
    "participants_name",
    "participants_country",
    "participants_role",
    "countries",
    "topics",
    "source_count",
)


# ---- the connection ----------------------------------------------------------------------
_connection: sqlite3.Connection | None = None
_span: list[int | None] = []


def db() -> sqlite3.Connection:
    """The one connection, opened on first use (BENCH_DB names the SQLite file)."""
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(
            os.environ["BENCH_DB"], check_same_thread=False, isolation_level=None
        )
        _connection.execute("PRAGMA query_only=ON")
        _connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    return _connection


def max_event_span_days() -> int | None:
    """dataset_meta.max_event_span_days, read once (the data never changes under the floor)."""
    if not _span:
        row = db().execute("SELECT max_event_span_days FROM dataset_meta").fetchone()
        _span.append(None if row is None or row[0] is None else int(row[0]))
    return _span[0]


_version: list[str] = []


def dataset_version() -> str:
    """dataset_meta.version, read once (the data never changes under the floor)."""
    if not _version:
        _version.append(str(db().execute("SELECT version FROM dataset_meta").fetchone()[0]))
    return _version[0]


# ---- cursors (app/services/cursors.py) ---------------------------------------------------
def fingerprint(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def _sign(payload: bytes) -> bytes:
    return hmac.new(SECRET.encode(), payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def encode_cursor(key: list[Any], fp: str, version: str | None = None) -> str:
    fields: dict[str, Any] = {"k": key, "f": fp}
    if version is not None:
        fields["v"] = version  # the dataset version the page was read from, as the app's
    payload = orjson.dumps(fields)
    return base64.urlsafe_b64encode(_sign(payload) + payload).rstrip(b"=").decode()


def decode_cursor(token: str, fp: str) -> list[Any]:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    signature, payload = raw[:SIGNATURE_BYTES], raw[SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _sign(payload)):
        raise NotFoundError
    data = orjson.loads(payload)
    if data.get("f") != fp:
        raise NotFoundError
    return list(data["k"])


# ---- parameters as the app's routes validate them ----------------------------------------
def first_day(value: str) -> str:
    parts = [int(part) for part in value.split("-")]
    month, day = (parts[1] if len(parts) > 1 else 1), (parts[2] if len(parts) > 2 else 1)
    return f"{parts[0]:04d}-{month:02d}-{day:02d}"


def last_day(value: str) -> str:
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 3:
        return first_day(value)
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _many(params: list[tuple[str, str]], name: str) -> list[str]:
    return list(dict.fromkeys(value for key, value in params if key == name))


def event_filters(params: list[tuple[str, str]]) -> dict[str, Any]:
    """The fields of app.services.events.EventFilters, defaults applied."""
    one = dict(params)
    date = one.get("date")
    return {
        "period": None if date is None else [first_day(date), last_day(date)],
        "start": first_day(one["from"]) if "from" in one else None,
        "end": last_day(one["to"]) if "to" in one else None,
        "leaders": _many(params, "leader"),
        "countries": _many(params, "country"),
        "kinds": _many(params, "kind"),
        "topics": _many(params, "topic"),
        "status": one.get("status"),
        "source": one.get("source"),
        "q": one.get("q"),
    }


def quote_filters(params: list[tuple[str, str]]) -> dict[str, Any]:
    """The fields of app.services.quotes.QuoteFilters, defaults applied."""
    one = dict(params)
    return {
        "leaders": _many(params, "leader"),
        "speaker": None,
        "event": one.get("event"),
        "start": first_day(one["from"]) if "from" in one else None,
        "end": last_day(one["to"]) if "to" in one else None,
        "language": one.get("lang"),
        "attribution": one.get("attribution"),
        "topics": _many(params, "topic"),
        "q": one.get("q"),
        "speech": "all",  # /v1/quotes lists own words and reported speech alike by default
    }


# ---- lists -------------------------------------------------------------------------------
def json_page(
    plan: fq.Plan, identity: str, params: list[tuple[str, str]], descending: bool
) -> bytes:
    one = dict(params)
    fp = fingerprint(identity)
    after = decode_cursor(one["cursor"], fp) if "cursor" in one else None
    limit = int(one.get("limit", DEFAULT_LIMIT))
    rows = fq.page(db(), plan, descending=descending, limit=limit + 1, after=after)
    cursor = None
    if len(rows) > limit:
        key = [str(part) for part in rows[limit - 1][1:]]
        cursor = encode_cursor(key, fp, dataset_version())
    return orjson.dumps(
        {"items": [orjson.Fragment(row[0]) for row in rows[:limit]], "next_cursor": cursor}
    )


def documents(plan: fq.Plan, descending: bool, column: str = "doc") -> Iterator[str]:
    sent = 0
    after: list[str] | None = None
    while sent < EXPORT_MAX_ROWS:
        batch = min(EXPORT_BATCH, EXPORT_MAX_ROWS - sent)
        rows = fq.page(
            db(), plan, descending=descending, limit=batch + 1, after=after, column=column
        )
        yield from (row[0] for row in rows[:batch])
        sent += min(len(rows), batch)
        if len(rows) <= batch:
            return
        after = [str(part) for part in rows[batch - 1][1:]]


def csv_header() -> list[str]:
    return list(EVENT_CSV_HEADER)


def csv_rows(lines: Iterator[str]) -> Iterator[bytes]:
    """The header, then the stored CSV lines (each ends in CRLF) in batches."""
    yield (",".join(EVENT_CSV_HEADER) + "\r\n").encode()
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == EXPORT_BATCH:
            yield "".join(batch).encode()
            batch.clear()
    if batch:
        yield "".join(batch).encode()


def ndjson_rows(docs: Iterator[str]) -> Iterator[bytes]:
    batch: list[str] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == 1000:
            yield ("\n".join(batch) + "\n").encode()
            batch.clear()
    if batch:
        yield ("\n".join(batch) + "\n").encode()


def list_events(params: list[tuple[str, str]]) -> Any:
    filters = event_filters(params)
    one = dict(params)
    descending = one.get("sort", "date") == "-date"
    chosen = fq.event_selection(db(), filters, max_event_span_days())
    plan = fq.plan(db(), chosen)
    if one.get("format") == "csv":
        return "text/csv; charset=utf-8", csv_rows(documents(plan, descending, "csv_line"))
    if one.get("format") == "ndjson":
        return "application/x-ndjson", ndjson_rows(documents(plan, descending))
    identity = fq.identity("events", filters, {"descending": descending})
    return json_page(plan, identity, params, descending)


def list_quotes(params: list[tuple[str, str]]) -> bytes:
    filters = quote_filters(params)
    descending = dict(params).get("sort", "date") == "-date"
    plan = fq.plan(db(), fq.quote_selection(db(), filters))
    identity = fq.identity("quotes", filters, {"descending": descending})
    return json_page(plan, identity, params, descending)


def get_timeline(params: list[tuple[str, str]]) -> bytes:
    chosen = fq.event_selection(db(), event_filters(params), max_event_span_days())
    return orjson.dumps(timeline(db(), chosen, dict(params).get("granularity", "year")))


# ---- items -------------------------------------------------------------------------------
def get_event(event_id: str) -> bytes:
    found = (
        db()
        .execute("SELECT doc, sources_doc FROM event WHERE id = :id", {"id": event_id})
        .fetchone()
    )
    if found is None:
        raise NotFoundError
    doc, sources = found
    quotes = db().execute(
        "SELECT doc FROM quote WHERE event_id = :id ORDER BY sort_date, id", {"id": event_id}
    )
    observations = db().execute(
        "SELECT doc FROM trade_observation WHERE event_id = :id ORDER BY id", {"id": event_id}
    )
    return (
        f'{doc[:-1]},"sources":{sources},"quotes":[{",".join(r[0] for r in quotes)}],'
        f'"trade_observations":[{",".join(r[0] for r in observations)}]}}'
    ).encode()


def trade_series(params: list[tuple[str, str]]) -> bytes:
    one = dict(params)
    country, partner = one.get("country", "CN"), one.get("partner", "RU")
    flow, period_type = one.get("flow", "total"), one.get("period_type", "annual")
    kind, select = one.get("kind", "actual"), one.get("select", "preferred")
    fq.require_known(db(), "country", "code", [country, partner])
    if flow == "total":
        country, partner = sorted((country, partner))
    preferred = " AND i.preferred = :preferred" if select == "preferred" else ""
    rows = (
        db()
        .execute(
            "SELECT i.doc, i.currency, i.unit_mult FROM trade_observation AS i WHERE "
            "i.country = :country AND i.partner = :partner AND i.flow = :flow AND "
            f"i.period_type = :period_type AND i.kind = :kind{preferred} "
            "ORDER BY i.period_start, i.preferred DESC, i.id",
            {
                "country": country,
                "partner": partner,
                "flow": flow,
                "period_type": period_type,
                "kind": kind,
                "preferred": True,
            },
        )
        .fetchall()
    )
    currency, unit_mult = (rows[0][1], rows[0][2]) if rows else ("USD", 9)
    return orjson.dumps(
        {
            "series": {
                "country": country,
                "partner": partner,
                "flow": flow,
                "currency": currency,
                "unit": None,  # the floor serves the money series only
                "unit_mult": unit_mult,
            },
            "period_type": period_type,
            "kind": kind,
            "select": select,
            "points": [orjson.Fragment(row[0]) for row in rows],
        }
    )


# ---- ASGI --------------------------------------------------------------------------------
def route(path: str, query: str) -> Any:
    params = parse_qsl(query, keep_blank_values=True)
    if path == "/v1/events":
        return list_events(params)
    if path.startswith("/v1/events/"):
        return get_event(unquote(path[len("/v1/events/") :]))
    if path == "/v1/timeline":
        return get_timeline(params)
    if path == "/v1/quotes":
        return list_quotes(params)
    if path == "/v1/trade/series":
        return trade_series(params)
    raise NotFoundError


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    try:
        body = route(scope["path"], scope["query_string"].decode("latin-1"))
    except (NotFoundError, KeyError, ValueError):
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    if isinstance(body, bytes):
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    media_type, chunks = body
    headers = [(b"content-type", media_type.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for chunk in chunks:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
