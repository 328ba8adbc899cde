"""The floor: a minimal hand-written ASGI app answering the benchmark's requests.

    BENCH_DB=/tmp/big.db uvicorn bench.floor:app --port 8002 --no-access-log

No framework, no ORM, no validation, no middleware: stdlib sqlite3 (one connection, queries run
on the event loop) and orjson. It runs the same SQL as app/services/*.py and builds the same
dicts in the same key order, so each response body is byte-for-byte the body of our endpoint
(bench/run.py checks that before measuring). It knows only what the scenarios ask for:

    GET /v1/events?from=&to=&limit=&cursor=&format=csv
    GET /v1/events/{id}
    GET /v1/quotes?leader=&q=&limit=&cursor=
    GET /v1/trade/series?country=&partner=

It assumes well-formed requests (leader given as a slug, q a plain word list) and answers
anything else with 404. It must not import `app`: it is the cost of the work without us.
"""

import base64
import calendar
import csv
import hashlib
import hmac
import io
import os
import sqlite3
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson

# The same threshold as app.services.search.ORDERED_SCAN_MIN_MATCHES (kept in step by hand:
# the floor imports nothing from the app).
ORDERED_SCAN_MIN_MATCHES = 2_000

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

PAGING = {"cursor", "limit", "include_total", "format"}
SECRET = os.environ.get("CURSOR_SECRET", "diplomatic-events-public-cursor-key").encode()
DEFAULT_LIMIT = 50
EXPORT_BATCH = 500
EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "100000"))
WIDTH = {"day": 10, "month": 7, "year": 4}
# app.vocab.EVENT_CODING, copied: (cameo_code, plover_event, plover_mode)
CODING: dict[str, tuple[str | None, str | None, str | None]] = {
    "phone_call": ("041", "CONSULT", "phone"),
    "video_call": ("041", "CONSULT", "phone"),
    "meeting": ("040", "CONSULT", None),
    "state_visit": ("042", "CONSULT", "visit"),
    "summit": ("044", "CONSULT", "multilateral"),
    "message": ("018", "SUPPORT", None),
    "ceremony": ("040", "CONSULT", None),
    "agreement": ("057", "SUPPORT", None),
    "exercise": ("062", "COOPERATE", None),
    "other": (None, None, None),
}
EVENT_COLUMNS = (
    "id, kind, status, start_date, end_date, date_precision, date_lo, date_hi, date_basis, "
    "title, summary, location, location_country, duration_minutes"
)
QUOTE_COLUMNS = (
    "quote.id, quote.speaker_id, quote.event_id, quote.source_id, quote.span_start, "
    "quote.span_end, quote.text, quote.language, quote.translation_en, quote.attribution, "
    "quote.via, quote.said_on, quote.sort_date, quote.note, person.name"
)
TRADE_COLUMNS = (
    "id, source_id, span_start, span_end, excerpt, event_id, country, partner, flow, kind, "
    "period_type, period, period_start, period_end, value, value_text, currency, unit_mult, "
    "qualifier, yoy_pct, reporter, agency, stated_by, milestone, note, claim_group, preferred, "
    "preference_reason"
)
CSV_HEADER = [
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
    "participants",
    "countries",
    "topics",
    "source_count",
]


class NotFoundError(Exception):
    pass


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA query_only=ON")
    return db


_connection: sqlite3.Connection | None = None


def db() -> sqlite3.Connection:
    """The one connection, opened on first use (BENCH_DB names the SQLite file)."""
    global _connection
    if _connection is None:
        _connection = connect(os.environ["BENCH_DB"])
    return _connection


# ---- cursors (app/services/pagination.py) ------------------------------------------------
def fingerprint(path: str, params: list[tuple[str, str]]) -> str:
    items = sorted([("", path), *((k, v) for k, v in params if k not in PAGING)])
    return hashlib.sha256(orjson.dumps(items)).hexdigest()[:16]


def encode_cursor(key: list[Any], fp: str) -> str:
    payload = orjson.dumps({"k": key, "f": fp})
    signature = hmac.new(SECRET, payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(signature + payload).rstrip(b"=").decode()


def decode_cursor(token: str, fp: str) -> list[Any]:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    signature, payload = raw[:12], raw[12:]
    if not hmac.compare_digest(signature, hmac.new(SECRET, payload, hashlib.sha256).digest()[:12]):
        raise NotFoundError
    data = orjson.loads(payload)
    if data.get("f") != fp:
        raise NotFoundError
    return list(data["k"])


def marks(values: list[str]) -> str:
    return ",".join("?" * len(values))


# ---- events (app/services/events.py) ----------------------------------------------------
def hydrate_events(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [row[0] for row in rows]
    q = marks(ids)
    participants: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event_id, pid, name, country, role in db().execute(
        "SELECT event_participant.event_id, person.id, person.name, person.country_code, "
        "event_participant.role FROM event_participant JOIN person ON person.id = "
        f"event_participant.person_id WHERE event_participant.event_id IN ({q}) "
        "ORDER BY event_participant.event_id, person.id",
        ids,
    ):
        participants[event_id].append({"id": pid, "name": name, "country": country, "role": role})
    countries: dict[str, list[str]] = defaultdict(list)
    for event_id, code in db().execute(
        "SELECT event_id, country_code FROM event_country "
        f"WHERE event_id IN ({q}) ORDER BY country_code",
        ids,
    ):
        countries[event_id].append(code)
    topics: dict[str, list[str]] = defaultdict(list)
    for event_id, topic in db().execute(
        f"SELECT event_id, topic FROM event_topic WHERE event_id IN ({q}) ORDER BY topic", ids
    ):
        topics[event_id].append(topic)
    counts = dict(
        db()
        .execute(
            "SELECT event_id, count(distinct(source_id)) FROM event_source "
            f"WHERE event_id IN ({q}) GROUP BY event_id",
            ids,
        )
        .fetchall()
    )
    items = []
    for row in rows:
        (eid, kind, status, start, end, precision, lo, hi, basis) = row[:9]
        width = WIDTH[precision]
        cameo, plover_event, plover_mode = CODING[kind]
        items.append(
            {
                "id": eid,
                "start_date": start[:width],
                "end_date": end[:width] if end is not None else None,
                "date_precision": precision,
                "date_basis": basis,
                "earliest_date": lo,
                "latest_date": hi,
                "kind": kind,
                "cameo_code": cameo,
                "plover_event": plover_event,
                "plover_mode": plover_mode,
                "status": status,
                "title": row[9],
                "summary": row[10],
                "location": row[11],
                "location_country": row[12],
                "duration_minutes": row[13],
                "participants": participants[eid],
                "countries": countries[eid],
                "topics": topics[eid],
                "source_count": counts.get(eid, 0),
            }
        )
    return items


def event_page(
    low: str | None, high: str | None, after: list[Any] | None, limit: int
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    where: list[str] = []
    args: list[Any] = []
    if high is not None:
        where.append("date_lo <= ?")
        args.append(high)
    if low is not None:
        where.append("date_hi >= ?")
        args.append(low)
        span = max_event_span_days()
        if span is not None:
            where.append("date_lo >= date(?, ?)")
            args += [low, f"-{span} days"]
    if after is not None:
        where.append("(date_lo, id) > (?, ?)")
        args += [after[0], after[1]]
    sql = f"SELECT {EVENT_COLUMNS} FROM event"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db().execute(sql + " ORDER BY date_lo, id LIMIT ?", [*args, limit + 1]).fetchall()
    page = rows[:limit]
    next_key = [page[-1][6], page[-1][0]] if len(rows) > limit else None
    return hydrate_events(page), next_key


_span: list[int | None] = []


def max_event_span_days() -> int | None:
    """dataset_meta.max_event_span_days, read once (the data never changes under the floor)."""
    if not _span:
        row = db().execute("SELECT max_event_span_days FROM dataset_meta").fetchone()
        _span.append(None if row is None or row[0] is None else int(row[0]))
    return _span[0]


def first_day(value: str) -> str:
    parts = value.split("-")
    return (
        f"{parts[0]}-{parts[1] if len(parts) > 1 else '01'}-{parts[2] if len(parts) > 2 else '01'}"
    )


def last_day(value: str) -> str:
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 3:
        return value
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def list_events(path: str, params: list[tuple[str, str]]) -> Any:
    args = dict(params)
    low = first_day(args["from"]) if "from" in args else None
    high = last_day(args["to"]) if "to" in args else None
    fp = fingerprint(path, params)
    if args.get("format") == "csv":
        return export_events(low, high)
    after = decode_cursor(args["cursor"], fp) if "cursor" in args else None
    items, next_key = event_page(low, high, after, int(args.get("limit", DEFAULT_LIMIT)))
    cursor = encode_cursor(next_key, fp) if next_key is not None else None
    return orjson.dumps({"items": items, "next_cursor": cursor})


def export_events(low: str | None, high: str | None) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    yield buffer.getvalue().encode()
    sent = 0
    after: list[Any] | None = None
    while sent < EXPORT_MAX_ROWS:
        items, after = event_page(low, high, after, min(EXPORT_BATCH, EXPORT_MAX_ROWS - sent))
        buffer.seek(0)
        buffer.truncate()
        for item in items:
            writer.writerow(
                [
                    *("" if item[k] is None else item[k] for k in CSV_HEADER[:17]),
                    "|".join(f"{p['id']}:{p['role']}" for p in item["participants"]),
                    "|".join(item["countries"]),
                    "|".join(item["topics"]),
                    item["source_count"],
                ]
            )
        yield buffer.getvalue().encode()
        sent += len(items)
        if after is None:
            return


def get_event(event_id: str) -> bytes:
    rows = db().execute(f"SELECT {EVENT_COLUMNS} FROM event WHERE id = ?", (event_id,)).fetchall()
    if not rows:
        raise NotFoundError
    item = hydrate_events(rows)[0]
    item["sources"] = [
        {
            "id": r[0],
            "title": r[1],
            "outlet": r[2],
            "excerpt": r[3],
            "span": {"start": r[4], "end": r[5]},
        }
        for r in db().execute(
            "SELECT event_source.source_id, source.title, source.outlet, event_source.excerpt, "
            "event_source.span_start, event_source.span_end FROM event_source JOIN source ON "
            "source.id = event_source.source_id WHERE event_source.event_id = ? "
            "ORDER BY event_source.source_id, event_source.span_start",
            (event_id,),
        )
    ]
    item["quotes"] = hydrate_quotes(
        db()
        .execute(
            f"SELECT {QUOTE_COLUMNS} FROM quote JOIN person ON person.id = quote.speaker_id "
            "WHERE quote.event_id = ? ORDER BY quote.sort_date, quote.id",
            (event_id,),
        )
        .fetchall()
    )
    item["trade_observations"] = trade_items(
        db()
        .execute(
            f"SELECT {TRADE_COLUMNS} FROM trade_observation WHERE event_id = ? ORDER BY id",
            (event_id,),
        )
        .fetchall()
    )
    return orjson.dumps(item)


# ---- quotes (app/services/quotes.py) ----------------------------------------------------
def hydrate_quotes(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    topics: dict[str, list[str]] = defaultdict(list)
    if rows:
        ids = [row[0] for row in rows]
        for quote_id, topic in db().execute(
            f"SELECT quote_id, topic FROM quote_topic WHERE quote_id IN ({marks(ids)}) "
            "ORDER BY topic",
            ids,
        ):
            topics[quote_id].append(topic)
    return [
        {
            "id": r[0],
            "text": r[6],
            "language": r[7],
            "translation_en": r[8],
            "speaker": {"id": r[1], "name": r[14]},
            "event_id": r[2],
            "said_on": r[11] or None,
            "attribution": r[9],
            "via": r[10],
            "topics": topics[r[0]],
            "note": r[13],
            "source": {"id": r[3], "span": {"start": r[4], "end": r[5]}},
        }
        for r in rows
    ]


def list_quotes(path: str, params: list[tuple[str, str]]) -> bytes:
    where, args = [], []
    leaders = [v for k, v in params if k == "leader"]
    if leaders:
        where.append(f"quote.speaker_id IN ({marks(leaders)})")
        args += leaders
    values = dict(params)
    if "q" in values:
        phrase = '"' + " ".join(values["q"].lower().split()) + '"'
        where.append("quote.rowid IN (SELECT rowid FROM quote_search WHERE quote_search MATCH ?)")
        args.append(phrase)
    fp = fingerprint(path, params)
    if "cursor" in values:
        day, quote_id = decode_cursor(values["cursor"], fp)
        where.append("(quote.sort_date, quote.id) > (?, ?)")
        args += [day, quote_id]
    limit = int(values.get("limit", DEFAULT_LIMIT))
    # As app.services.search.sort_index_hint: many matches -> walk the sort index.
    hint = ""
    if "q" in values and not leaders:
        matches = (
            db()
            .execute(
                "SELECT count(*) FROM (SELECT 1 FROM quote_search WHERE quote_search MATCH ? "
                f"LIMIT {ORDERED_SCAN_MIN_MATCHES})",
                [phrase],
            )
            .fetchone()[0]
        )
        if matches >= ORDERED_SCAN_MIN_MATCHES:
            hint = " INDEXED BY ix_quote_said_sort"
    sql = f"SELECT {QUOTE_COLUMNS} FROM quote{hint} JOIN person ON person.id = quote.speaker_id"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db().execute(sql + " ORDER BY quote.sort_date, quote.id LIMIT ?", [*args, limit + 1])
    fetched = rows.fetchall()
    page = fetched[:limit]
    cursor = encode_cursor([page[-1][12], page[-1][0]], fp) if len(fetched) > limit else None
    return orjson.dumps({"items": hydrate_quotes(page), "next_cursor": cursor})


# ---- trade (app/services/trade.py) ------------------------------------------------------
def trade_items(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = list({row[1] for row in rows})
    sources = {
        r[0]: r
        for r in db().execute(
            f"SELECT id, title, outlet FROM source WHERE id IN ({marks(ids)})", ids
        )
    }
    items = []
    for r in rows:
        source = sources[r[1]]
        items.append(
            {
                "id": r[0],
                "country": r[6],
                "partner": r[7],
                "flow": r[8],
                "kind": r[9],
                "period": r[11],
                "period_type": r[10],
                "period_start": r[12],
                "period_end": r[13],
                "value": r[14],
                "value_text": r[15],
                "currency": r[16],
                "unit_mult": r[17],
                "qualifier": r[18],
                "bound": {"lower_bound": "lower", "upper_bound": "upper"}.get(r[18]),
                "yoy_pct": r[19],
                "reporter": r[20],
                "agency": r[21],
                "stated_by": r[22],
                "milestone": r[23],
                "note": r[24],
                "event_id": r[5],
                "claim_group": r[25],
                "preferred": bool(r[26]),
                "preference_reason": r[27],
                "sources": [
                    {
                        "id": r[1],
                        "title": source[1],
                        "outlet": source[2],
                        "excerpt": r[4],
                        "span": {"start": r[2], "end": r[3]},
                    }
                ],
            }
        )
    return items


def trade_series(params: list[tuple[str, str]]) -> bytes:
    args = dict(params)
    country, partner = args.get("country", "CN"), args.get("partner", "RU")
    flow, period_type = args.get("flow", "total"), args.get("period_type", "annual")
    kind, select = args.get("kind", "actual"), args.get("select", "preferred")
    if flow == "total":
        country, partner = sorted((country, partner))
    sql = (
        f"SELECT {TRADE_COLUMNS} FROM trade_observation WHERE country = ? AND partner = ? "
        "AND flow = ? AND period_type = ? AND kind = ?"
    )
    if select == "preferred":
        sql += " AND preferred IS 1"
    rows = (
        db()
        .execute(
            sql + " ORDER BY period_start, preferred DESC, id",
            (country, partner, flow, period_type, kind),
        )
        .fetchall()
    )
    points = trade_items(rows)
    first = points[0] if points else {"currency": "USD", "unit_mult": 9}
    return orjson.dumps(
        {
            "series": {
                "country": country,
                "partner": partner,
                "flow": flow,
                "currency": first["currency"],
                "unit_mult": first["unit_mult"],
            },
            "period_type": period_type,
            "kind": kind,
            "select": select,
            "points": points,
        }
    )


# ---- ASGI -------------------------------------------------------------------------------
def route(path: str, query: str) -> Any:
    params = parse_qsl(query, keep_blank_values=True)
    if path == "/v1/events":
        return list_events(path, params)
    if path.startswith("/v1/events/"):
        return get_event(unquote(path[len("/v1/events/") :]))
    if path == "/v1/quotes":
        return list_quotes(path, params)
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
    headers = [(b"content-type", b"text/csv; charset=utf-8")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for chunk in body:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
