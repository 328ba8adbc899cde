"""Property-based tests (Hypothesis) of dates, cursors, filters, exports and search syntax.

The HTTP properties run through the `client` fixture on the seeded database of each backend and
judge the API against oracles computed here from the unfiltered lists, independently of the
app's SQL. Examples are derandomized, so every run tries the same inputs.
"""

import base64
import calendar
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.dates import partial_date_bounds
from app.errors import ProblemError
from app.schemas.common import PARTIAL_DATE_PATTERN
from app.services.cursors import Cursors, typed_key
from app.services.search import SearchQueryError, compile_query, normalise, parse_query
from app.vocab import Attribution, EventKind, EventStatus, Language, Topic
from tests.helpers import assert_problem, ok

API = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PURE = settings(max_examples=200, deadline=None, derandomize=True, database=None)

Params = list[tuple[str, str]]

# ---------------------------------------------------------------- an independent date oracle

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def bounds(value: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of YYYY[-MM[-DD]], or None if it is malformed or does not exist."""
    match = _PARTIAL.match(value)
    if match is None:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if year < dt.MINYEAR or (month is not None and not 1 <= month <= 12):
        return None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    length = calendar.monthrange(year, month)[1]
    if day is None:
        return dt.date(year, month, 1), dt.date(year, month, length)
    if not 1 <= day <= length:
        return None
    return dt.date(year, month, day), dt.date(year, month, day)


days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
periods = st.builds(lambda d, width: d.isoformat()[:width], days, st.sampled_from([4, 7, 10]))


@PURE
@given(day=st.dates(), width=st.sampled_from([4, 7, 10]))
def test_partial_date_bounds_are_the_period_of_the_value(day: dt.date, width: int) -> None:
    period = day.isoformat()[:width]
    low, high = partial_date_bounds(period)
    assert low <= day <= high
    assert low.isoformat()[:width] == high.isoformat()[:width] == period
    if low > dt.date.min:
        assert (low - dt.timedelta(days=1)).isoformat()[:width] != period
    if high < dt.date.max:
        assert (high + dt.timedelta(days=1)).isoformat()[:width] != period


@PURE
@given(
    value=st.one_of(
        st.text(max_size=12),
        st.from_regex(PARTIAL_DATE_PATTERN, fullmatch=True),
        st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z"),
    )
)
def test_partial_date_bounds_accept_exactly_the_real_dates(value: str) -> None:
    expected = bounds(value)
    if expected is None:
        with pytest.raises(ValueError):
            partial_date_bounds(value)
    else:
        assert partial_date_bounds(value) == expected


# ---------------------------------------------------------------- the seeded data, unfiltered


@dataclass(frozen=True)
class Seeded:
    events: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    leaders: dict[str, str]  # slug or QID -> person id
    countries: list[str]
    published: dict[str, str]  # source id -> first day of its publication date

    def event_by_id(self) -> dict[str, dict[str, Any]]:
        return {event["id"]: event for event in self.events}


def _all(client: TestClient, path: str) -> list[dict[str, Any]]:
    page = ok(client.get(path, params={"limit": 200}))
    assert page["next_cursor"] is None, "the seed outgrew one page; walk the cursor here"
    items: list[dict[str, Any]] = page["items"]
    return items


@pytest.fixture
def seeded(client: TestClient) -> Seeded:
    leaders: dict[str, str] = {}
    for leader in _all(client, "/v1/leaders"):
        leaders[leader["id"]] = leader["id"]
        if leader["wikidata_qid"]:
            leaders[leader["wikidata_qid"]] = leader["id"]
    countries = [c["code"] for c in ok(client.get("/v1/vocab"))["countries"]]
    return Seeded(
        events=_all(client, "/v1/events"),
        quotes=_all(client, "/v1/quotes"),
        leaders=leaders,
        countries=countries,
        published={
            source["id"]: _first_day(source["published_on"])
            for source in _all(client, "/v1/sources")
        },
    )


def _first_day(partial: str) -> str:
    return {4: f"{partial}-01-01", 7: f"{partial}-01"}.get(len(partial), partial)


def walk(client: TestClient, path: str, params: Params, limit: int) -> list[dict[str, Any]]:
    """Every item of a list, following next_cursor page by page."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(200):
        page = ok(
            client.get(
                path,
                params=[*params, ("limit", str(limit)), *([("cursor", cursor)] * bool(cursor))],
            )
        )
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("next_cursor never ended")


def values(params: Params, name: str) -> list[str]:
    return [value for key, value in params if key == name]


# ---------------------------------------------------------------- filter combinations


def _some(options: list[str], name: str, max_size: int = 3) -> st.SearchStrategy[Params]:
    return st.lists(st.sampled_from(options), max_size=max_size).map(
        lambda chosen: [(name, value) for value in chosen]
    )


def _one(options: st.SearchStrategy[str], name: str) -> st.SearchStrategy[Params]:
    return st.one_of(st.just([]), options.map(lambda value: [(name, value)]))


def _date_range() -> st.SearchStrategy[Params]:
    return st.tuples(_one(periods, "from"), _one(periods, "to")).map(lambda p: p[0] + p[1])


def event_params(seeded: Seeded) -> st.SearchStrategy[Params]:
    parts = [
        _some([k.value for k in EventKind], "kind"),
        _one(st.sampled_from([s.value for s in EventStatus]), "status"),
        _some([t.value for t in Topic], "topic", 2),
        _some(seeded.countries, "country", 2),
        _some(sorted(seeded.leaders), "leader", 2),
        _one(periods, "date"),
        _date_range(),
        _one(st.sampled_from(["date", "-date"]), "sort"),
    ]
    return st.tuples(*parts).map(lambda chosen: [pair for part in chosen for pair in part])


def quote_params(seeded: Seeded) -> st.SearchStrategy[Params]:
    parts = [
        _some(sorted(seeded.leaders), "leader", 2),
        _one(st.sampled_from([lang.value for lang in Language]), "lang"),
        _one(st.sampled_from([a.value for a in Attribution]), "attribution"),
        _some([t.value for t in Topic], "topic", 3),
        _date_range(),
        _one(st.sampled_from(["date", "-date"]), "sort"),
    ]
    return st.tuples(*parts).map(lambda chosen: [pair for part in chosen for pair in part])


def inverted_range(params: Params) -> bool:
    """`from` starts after `to` ends: the API must answer 400 naming `from`."""
    start, end = values(params, "from"), values(params, "to")
    if not start or not end:
        return False
    low, high = bounds(start[0]), bounds(end[0])
    assert low is not None and high is not None
    return low[0] > high[1]


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def in_range(low: dt.date, high: dt.date, params: Params) -> bool:
    """Whether a [low, high] day range passes the date, from and to filters."""
    for value in values(params, "date"):
        period = bounds(value)
        assert period is not None
        if not (low <= period[1] and high >= period[0]):
            return False
    for value in values(params, "from"):
        start = bounds(value)
        assert start is not None
        if high < start[0]:
            return False
    for value in values(params, "to"):
        end = bounds(value)
        assert end is not None
        if low > end[1]:
            return False
    return True


def expected_events(seeded: Seeded, params: Params) -> list[str]:
    """The documented semantics: kinds match any, topics/countries/leaders must all match."""
    kinds = set(values(params, "kind"))
    leaders = {seeded.leaders[ref] for ref in values(params, "leader")}
    matching = [
        event
        for event in seeded.events
        if (not kinds or event["kind"] in kinds)
        and all(event["status"] == status for status in values(params, "status"))
        and set(values(params, "topic")) <= set(event["topics"])
        and set(values(params, "country")) <= set(event["countries"])
        and leaders <= {p["id"] for p in event["participants"]}
        and in_range(_day(event["earliest_date"]), _day(event["latest_date"]), params)
    ]
    matching.sort(key=lambda e: (e["earliest_date"], e["id"]), reverse=_descending(params))
    return [event["id"] for event in matching]


def quote_sort_date(seeded: Seeded, quote: dict[str, Any]) -> str:
    """Documented: a quote without a date sorts and filters by its event's date, and one linked
    to no event by its article's publication date."""
    if quote["said_on"]:
        return str(quote["said_on"])
    if quote["event_id"] is None:
        return seeded.published[quote["source"]["id"]]
    return str(seeded.event_by_id()[quote["event_id"]]["earliest_date"])


def expected_quotes(seeded: Seeded, params: Params) -> list[str]:
    """Documented: leaders and topics match any of their values."""
    leaders = {seeded.leaders[ref] for ref in values(params, "leader")}
    topics = set(values(params, "topic"))
    matching = [
        (quote_sort_date(seeded, quote), quote["id"])
        for quote in seeded.quotes
        if (not leaders or quote["speaker"]["id"] in leaders)
        and all(quote["language"] == lang for lang in values(params, "lang"))
        and all(quote["attribution"] == a for a in values(params, "attribution"))
        and (not topics or topics & set(quote["topics"]))
        and in_range(
            _day(quote_sort_date(seeded, quote)), _day(quote_sort_date(seeded, quote)), params
        )
    ]
    return [quote_id for _, quote_id in sorted(matching, reverse=_descending(params))]


def _descending(params: Params) -> bool:
    return values(params, "sort") == ["-date"]


def _event_key(event: dict[str, Any]) -> tuple[str, str]:
    return event["earliest_date"], event["id"]


def test_the_oracles_see_the_seed(client: TestClient, seeded: Seeded) -> None:
    """Guard: the unfiltered lists are non-trivial, so the properties below test something."""
    assert len(seeded.events) >= 10 and len(seeded.quotes) >= 10
    assert expected_events(seeded, []) == [e["id"] for e in seeded.events]
    assert expected_quotes(seeded, []) == [q["id"] for q in seeded.quotes]


def test_event_filters_are_a_sorted_subset(client: TestClient, seeded: Seeded) -> None:
    @API
    @given(params=event_params(seeded), limit=st.integers(3, 30))
    def check(params: Params, limit: int) -> None:
        if inverted_range(params):
            assert_problem(client.get("/v1/events", params=[*params]), 400, parameter="from")
            return
        items = walk(client, "/v1/events", params, limit)
        got = [item["id"] for item in items]
        assert set(got) <= {event["id"] for event in seeded.events}
        keys = [_event_key(item) for item in items]
        assert keys == sorted(keys, reverse=_descending(params)), "sort order broken"
        assert got == expected_events(seeded, params)
        timeline = [pair for pair in params if pair[0] != "sort"]
        assert ok(client.get("/v1/timeline", params=[*timeline]))["total"] == len(got)

    check()


def test_quote_filters_are_a_sorted_subset(client: TestClient, seeded: Seeded) -> None:
    @API
    @given(params=quote_params(seeded), limit=st.integers(3, 30))
    def check(params: Params, limit: int) -> None:
        if inverted_range(params):
            assert_problem(client.get("/v1/quotes", params=[*params]), 400, parameter="from")
            return
        items = walk(client, "/v1/quotes", params, limit)
        got = [item["id"] for item in items]
        assert set(got) <= {quote["id"] for quote in seeded.quotes}
        keys = [(quote_sort_date(seeded, item), item["id"]) for item in items]
        assert keys == sorted(keys, reverse=_descending(params)), "sort order broken"
        assert got == expected_quotes(seeded, params)

    check()


def test_date_matches_every_event_whose_range_overlaps(client: TestClient, seeded: Seeded) -> None:
    @API
    @given(period=st.one_of(periods, st.sampled_from([e["start_date"] for e in seeded.events])))
    def check(period: str) -> None:
        low, high = partial_date_bounds(period)
        got = {
            item["id"]
            for item in ok(client.get("/v1/events", params={"date": period, "limit": 200}))["items"]
        }
        overlapping = {
            e["id"]
            for e in seeded.events
            if _day(e["earliest_date"]) <= high and _day(e["latest_date"]) >= low
        }
        assert got == overlapping

    check()


# ---------------------------------------------------------------- CSV / NDJSON exports


def flatten(item: dict[str, Any], header: str) -> str:
    """The documented CSV cell of `header`: nested objects become parent_child columns, lists
    of values are joined with |, a list of objects gives a list_field column per field of its
    items (joined with |), and null is empty."""
    return _cell(_resolve(item, header))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(_cell(part) for part in value)
    return str(value)


def _resolve(node: dict[str, Any], header: str) -> Any:
    if header in node:
        return node[header]
    for key, child in node.items():
        if not header.startswith(f"{key}_"):
            continue
        rest = header[len(key) + 1 :]
        if child is None:
            return None
        if isinstance(child, dict):
            return _resolve(child, rest)
        if isinstance(child, list) and all(isinstance(element, dict) for element in child):
            return [_resolve(element, rest) for element in child]
    raise AssertionError(f"CSV column {header!r} is no field of the JSON item")


def _export_equivalence(
    client: TestClient, path: str, params: Params, seeded_ids: set[str]
) -> None:
    items = _all_filtered(client, path, params)
    response = client.get(path, params=[*params, ("format", "csv")])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text, newline=""))
    headers = reader.fieldnames or []
    for key in items[0] if items else []:
        assert key in headers or any(h.startswith(f"{key}_") for h in headers), key
    rows = list(reader)
    assert [row["id"] for row in rows] == [item["id"] for item in items]
    for row, item in zip(rows, items, strict=True):
        assert row == {header: flatten(item, header) for header in headers}
    ndjson = client.get(path, params=[*params, ("format", "ndjson")])
    assert ndjson.status_code == 200, ndjson.text
    assert [orjson.loads(line) for line in ndjson.text.splitlines()] == items
    assert {item["id"] for item in items} <= seeded_ids


def _all_filtered(client: TestClient, path: str, params: Params) -> list[dict[str, Any]]:
    page = ok(client.get(path, params=[*params, ("limit", "200")]))
    assert page["next_cursor"] is None
    items: list[dict[str, Any]] = page["items"]
    return items


def test_event_csv_and_ndjson_equal_the_json(client: TestClient, seeded: Seeded) -> None:
    @API
    @given(params=event_params(seeded))
    def check(params: Params) -> None:
        assume(not inverted_range(params))
        _export_equivalence(client, "/v1/events", params, {e["id"] for e in seeded.events})

    check()


def test_quote_csv_and_ndjson_equal_the_json(client: TestClient, seeded: Seeded) -> None:
    @API
    @given(params=quote_params(seeded))
    def check(params: Params) -> None:
        assume(not inverted_range(params))
        _export_equivalence(client, "/v1/quotes", params, {q["id"] for q in seeded.quotes})

    check()


@pytest.mark.parametrize("path", ["/v1/leaders", "/v1/sources", "/v1/trade/observations"])
def test_other_exports_equal_the_json(client: TestClient, path: str) -> None:
    _export_equivalence(client, path, [], {item["id"] for item in _all(client, path)})


# ---------------------------------------------------------------- cursors


cursor_keys = st.lists(
    st.one_of(
        st.text(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.booleans(),
        st.none(),
        days.map(dt.date.isoformat),
    ),
    max_size=4,
)


SECRET = "property-test-secret"


@PURE
@given(key=cursor_keys, identity=st.text(), other=st.text())
def test_cursors_round_trip_and_bind_to_their_query(
    key: list[Any], identity: str, other: str
) -> None:
    cursors = Cursors(identity=identity, key_shape="date_id", secret=SECRET, max_chars=4096)
    token = cursors.token(key)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    expected = typed_key("date_id", key)
    if expected is not None:
        assert cursors.after(token) == expected
    else:  # a key of another shape (forged, or from another list) is refused, never a 500
        with pytest.raises(ProblemError) as refused:
            cursors.after(token)
        assert refused.value.status == 400
    if other != identity:
        with pytest.raises(ProblemError) as caught:
            Cursors(identity=other, key_shape="date_id", secret=SECRET, max_chars=4096).after(token)
        assert caught.value.status == 400


LISTS_WITH_CURSORS = [
    ("/v1/events", [("sort", "-date")]),
    ("/v1/quotes", [("lang", "it")]),
    ("/v1/leaders/vladimir-putin/quotes", []),
    ("/v1/leaders", []),
    ("/v1/sources", []),
    ("/v1/trade/observations", []),
]


def _issued_cursor(client: TestClient, path: str, params: Params) -> str:
    cursor = ok(client.get(path, params=[*params, ("limit", "1")]))["next_cursor"]
    assert cursor, path
    return str(cursor)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


@dataclass(frozen=True)
class ByteTamper:
    """A change to the signed bytes inside a cursor: flip, drop, insert, truncate, or extend."""

    kind: str
    where: int
    byte: int
    bit: int
    extra: bytes

    def __call__(self, raw: bytes) -> bytes:
        i = self.where % len(raw)
        if self.kind == "flip":
            return raw[:i] + bytes([raw[i] ^ (1 << self.bit)]) + raw[i + 1 :]
        if self.kind == "drop":
            return raw[:i] + raw[i + 1 :]
        if self.kind == "insert":
            return raw[:i] + bytes([self.byte]) + raw[i:]
        if self.kind == "truncate":
            return raw[:i]
        return raw + self.extra


byte_tampering = st.builds(
    ByteTamper,
    kind=st.sampled_from(["flip", "drop", "insert", "truncate", "extend"]),
    where=st.integers(0, 10_000),
    byte=st.integers(0, 255),
    bit=st.integers(0, 7),
    extra=st.binary(min_size=1, max_size=8),
)


@pytest.mark.parametrize(("path", "params"), LISTS_WITH_CURSORS)
def test_tampered_cursor_bytes_are_a_400(client: TestClient, path: str, params: Params) -> None:
    cursor = _issued_cursor(client, path, params)

    @API
    @given(tamper=byte_tampering)
    def check(tamper: ByteTamper) -> None:
        raw = _unb64(cursor)
        forged = tamper(raw)
        assume(forged != raw)
        response = client.get(path, params=[*params, ("cursor", _b64(forged))])
        assert_problem(response, 400, parameter="cursor")

    check()


_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True)
class TextTamper:
    """A change to the cursor text as a client could make it: replace, insert or drop a
    character (from the token alphabet or not), add padding, or use the standard base64
    alphabet."""

    kind: str
    where: int
    char: str

    def __call__(self, token: str) -> str:
        i = self.where % len(token)
        if self.kind == "replace":
            return token[:i] + self.char + token[i + 1 :]
        if self.kind == "insert":
            return token[:i] + self.char + token[i:]
        if self.kind == "drop":
            return token[:i] + token[i + 1 :]
        if self.kind == "pad":
            return token + "=" * (1 + self.where % 3)
        return token.replace("-", "+").replace("_", "/")


text_tampering = st.builds(
    TextTamper,
    kind=st.sampled_from(["replace", "insert", "drop", "pad", "standard-alphabet"]),
    where=st.integers(0, 10_000),
    char=st.one_of(st.sampled_from(_TOKEN_CHARS), st.sampled_from("=+/.!~ %"), st.characters()),
)


@pytest.mark.parametrize(("path", "params"), LISTS_WITH_CURSORS[:2])
def test_tampered_cursor_text_is_a_400(client: TestClient, path: str, params: Params) -> None:
    """Only the exact token issued is a cursor: not even another spelling of the same bytes
    (padding, the standard base64 alphabet, ignored characters) is accepted."""
    cursor = _issued_cursor(client, path, params)

    @API
    @given(tamper=text_tampering)
    def check(tamper: TextTamper) -> None:
        forged = tamper(cursor)
        assume(forged != cursor)
        response = client.get(path, params=[*params, ("limit", "1"), ("cursor", forged)])
        assert_problem(response, 400, parameter="cursor")

    check()


# ---------------------------------------------------------------- search syntax

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORDS = ["putin", "xi", "Xi", "città", "multipolare", "cina", "OR", "or", "*", "and", "NOT"]
search_queries = st.one_of(
    st.text(min_size=1, max_size=200),
    st.lists(
        st.one_of(
            st.sampled_from(_WORDS),
            st.sampled_from(_WORDS).map(lambda w: w + "*"),
            st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(
                lambda ws: '"' + " ".join(ws) + '"'
            ),
            st.text(alphabet="\"*()-:^'\\ ", min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=16,
    )
    .map(" ".join)
    .filter(lambda q: 1 <= len(q) <= 200),
)


@PURE
@given(q=st.one_of(st.text(max_size=300), search_queries))
def test_parse_query_raises_only_search_query_errors(q: str) -> None:
    bounds = Settings()
    try:
        terms = parse_query(q, max_chars=200, max_words=12, min_prefix=3)
    except SearchQueryError:
        return
    assert 1 <= sum(len(term.words) for term in terms) <= bounds.search_max_words
    assert len(q) <= bounds.search_max_chars
    for term in terms:
        assert term.words and all(word and normalise(word) == word for word in term.words)
    assert compile_query("sqlite", q) and compile_query("postgresql", q)


@pytest.mark.parametrize("path", ["/v1/events", "/v1/quotes"])
def test_any_q_is_a_200_or_a_400_naming_q(client: TestClient, path: str) -> None:
    everything = {item["id"] for item in _all(client, path)}
    # The schema states every rule on q (tests/test_query_pattern.py): it is the oracle here.
    (q_schema,) = [
        option
        for parameter in client.app.openapi()["paths"][path]["get"]["parameters"]  # type: ignore[attr-defined]
        if parameter["name"] == "q"
        for option in parameter["schema"]["anyOf"]
        if option.get("type") == "string"
    ]
    stated = jsonschema_rs.validator_for(q_schema).is_valid

    @API
    @given(q=search_queries)
    def check(q: str) -> None:
        response = client.get(path, params={"q": q, "limit": 200})
        if not stated(q):
            assert_problem(response, 400, parameter="q")
            return
        found = {item["id"] for item in ok(response)["items"]}
        assert found <= everything

    check()


# ---------------------------------------------------------------- timelines with empty buckets


def _recased(params: Params) -> Params:
    """The same filters with vocabulary values in another case (`cn`, `VIDEO_CALL`)."""
    recase = {"country": str.lower, "kind": str.upper, "topic": str.upper, "status": str.title}
    return [(name, recase.get(name, str)(value)) for name, value in params]


def _month_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def expected_filled_timeline(
    seeded: Seeded, params: Params, granularity: str
) -> tuple[dict[str, int], dict[str, int]]:
    """(buckets, coarser) counted here from the matching events: every period from the range's
    first to its last (an open end at the data's extent, widened to every counted period);
    by month, `coarser` every year of those months and of the year-precision events."""
    width = 4 if granularity == "year" else 7
    events = seeded.event_by_id()
    buckets: dict[str, int] = {}
    coarser: dict[str, int] = {}
    for event_id in expected_events(seeded, params):
        event = events[event_id]
        if granularity == "month" and event["date_precision"] == "year":
            coarser[event["earliest_date"][:4]] = coarser.get(event["earliest_date"][:4], 0) + 1
        else:
            period = event["earliest_date"][:width]
            buckets[period] = buckets.get(period, 0) + 1
    lows = [b[0] for v in values(params, "from") + values(params, "date") if (b := bounds(v))]
    highs = [b[1] for v in values(params, "to") + values(params, "date") if (b := bounds(v))]
    starts = [e["earliest_date"] for e in seeded.events]
    first = max(lows).isoformat() if lows else min(starts)
    last = min(highs).isoformat() if highs else max(starts)
    start = min([first[:width], *buckets])
    end = max([last[:width], *buckets])
    if width == 4:
        periods = [str(year) for year in range(int(start), int(end) + 1)]
    else:
        indexes = range(_month_index(start), _month_index(end) + 1)
        periods = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in indexes]
    if width == 7:
        # Year-precision events are counted per year: every year of the months, and of any
        # counted year, is listed under `coarser` too.
        years = [int(p[:4]) for p in (*periods, *coarser)]
        every = range(min(years), max(years) + 1) if years else range(0)
        coarser = {str(year): coarser.get(str(year), 0) for year in every}
    return {period: buckets.get(period, 0) for period in periods}, coarser


def test_filled_timelines_count_every_period_of_the_range(
    client: TestClient, seeded: Seeded
) -> None:
    """fill=zero lists every period of the range, contiguous, and each count is the number of
    matching events that start in it; vocabulary values in another case change nothing."""

    @API
    @given(
        params=event_params(seeded),
        granularity=st.sampled_from(["year", "month"]),
        recase=st.booleans(),
    )
    def check(params: Params, granularity: str, recase: bool) -> None:
        params = [pair for pair in params if pair[0] != "sort"]
        sent = [*(_recased(params) if recase else params), ("granularity", granularity)]
        response = client.get("/v1/timeline", params=[*sent, ("fill", "zero")])
        if inverted_range(params):
            assert_problem(response, 400, parameter="from")
            return
        got = ok(response)
        buckets, coarser = expected_filled_timeline(seeded, params, granularity)
        assert [(b["period"], b["count"]) for b in got["buckets"]] == list(buckets.items())
        assert [(b["period"], b["count"]) for b in got["coarser"]] == list(coarser.items())
        assert got["total"] == sum(buckets.values()) + sum(coarser.values())
        sparse = ok(client.get("/v1/timeline", params=[*sent]))
        assert [b for b in got["buckets"] if b["count"]] == sparse["buckets"]

    check()
