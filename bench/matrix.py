"""The filter matrix: what frontends ask most, each measured with one client.

Every filter of /v1/events alone (a common and a rare value of each), the pairs and triples a
frontend sends, the filters of /v1/quotes, each in both sort orders, on the first page and on a
deep page (by cursor, halfway through the matches or at most MATRIX_DEEP_MAX items in); and
/v1/timeline unfiltered and with each single filter. The issue-12 targets: one-client p50 <= 50
ms and p99 <= 200 ms for every list, <= 100 ms for every timeline, at 1M events.
"""

from urllib.parse import urlencode

from app.database import Snapshot
from app.dates import first_day, last_day, partial_date_bounds
from app.services.events import EventFilters, event_listing
from app.services.listing import Listing
from app.services.quotes import QuoteFilters, quote_listing
from bench.scenarios import PAGE, Facts, Scenario, cursor_at, snapshot

MATRIX_DEEP_MAX = 10_000
Params = list[tuple[str, str]]


def _many(params: Params, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for key, value in params if key == name))


def event_filters(params: Params) -> EventFilters:
    """The filters as the route builds them (app/api/routes/events.py)."""
    one = dict(params)
    return EventFilters(
        period=partial_date_bounds(one["date"]) if "date" in one else None,
        start=first_day(one["from"]) if "from" in one else None,
        end=last_day(one["to"]) if "to" in one else None,
        leaders=_many(params, "leader"),
        countries=_many(params, "country"),
        kinds=_many(params, "kind"),
        topics=_many(params, "topic"),
        status=one.get("status"),
        source=one.get("source"),
        q=one.get("q"),
    )


def quote_filters(params: Params) -> QuoteFilters:
    """The filters as the route builds them (app/api/routes/quotes.py)."""
    one = dict(params)
    return QuoteFilters(
        leaders=_many(params, "leader"),
        event=one.get("event"),
        start=first_day(one["from"]) if "from" in one else None,
        end=last_day(one["to"]) if "to" in one else None,
        language=one.get("lang"),
        attribution=one.get("attribution"),
        topics=_many(params, "topic"),
        q=one.get("q"),
    )


def event_specs(facts: Facts) -> dict[str, Params]:
    values, words = facts.event_values, facts.words["event"]
    common = {dimension: chosen["common"] for dimension, chosen in values.items()}
    specs: dict[str, Params] = {}
    for level in ("common", "rare"):
        for dimension in ("leader", "country", "topic", "kind", "status", "source"):
            specs[f"{dimension}={level}"] = [(dimension, values[dimension][level])]
        specs[f"q={level}"] = [("q", words[level])]
    specs |= {
        "date=year": [("date", "2024")],
        "date=day": [("date", "1990-03-15")],
        "from": [("from", "2020")],
        "to": [("to", "1991")],
        "from+to": [("from", "2010-01"), ("to", "2010-03")],
        "leader+country": [("leader", common["leader"]), ("country", common["country"])],
        "leader+country=rare": [
            ("leader", common["leader"]),
            ("country", values["country"]["rare"]),
        ],
        "leader+topic": [("leader", common["leader"]), ("topic", common["topic"])],
        "leader+country+topic": [
            ("leader", common["leader"]),
            ("country", common["country"]),
            ("topic", common["topic"]),
        ],
        "leader+leader": [("leader", "xi-jinping"), ("leader", "vladimir-putin")],
        "date+leader": [("date", "2024"), ("leader", common["leader"])],
        "from+to+leader": [("from", "2010"), ("to", "2012"), ("leader", common["leader"])],
        "kind+leader": [("kind", common["kind"]), ("leader", common["leader"])],
        "kinds+leader": [("kind", "video_call"), ("kind", "summit"), ("leader", common["leader"])],
        "status+leader": [("status", values["status"]["rare"]), ("leader", common["leader"])],
        "source+leader": [("source", common["source"]), ("leader", common["leader"])],
        "q+leader": [("q", words["common"]), ("leader", common["leader"])],
        "q=rare+leader": [("q", words["rare"]), ("leader", common["leader"])],
        "country+topic": [("country", common["country"]), ("topic", common["topic"])],
    }
    return specs


def quote_specs(facts: Facts) -> dict[str, Params]:
    values, words = facts.quote_values, facts.words["quote"]
    specs: dict[str, Params] = {}
    for level in ("common", "rare"):
        for dimension in ("leader", "topic", "lang", "attribution"):
            specs[f"{dimension}={level}"] = [(dimension, values[dimension][level])]
        specs[f"q={level}"] = [("q", words[level])]
    leader = values["leader"]["common"]
    specs |= {
        "from+to": [("from", "2010"), ("to", "2012")],
        "leader+q": [("leader", leader), ("q", words["common"])],
        "leader+topic": [("leader", leader), ("topic", values["topic"]["common"])],
        "leader+from": [("leader", leader), ("from", "2020")],
        "leaders": [("leader", "xi-jinping"), ("leader", "vladimir-putin")],
    }
    return specs


def _list_scenarios(
    kind: str, name: str, params: Params, listings: list[Listing], s: Snapshot
) -> list[Scenario]:
    """First and deep page of one filter in each order of `listings` (one per sort order)."""
    matches = listings[0].count(s)
    depth = min(matches // 2 // PAGE * PAGE, MATRIX_DEEP_MAX)
    scenarios = []
    for listing in listings:
        order = "desc" if listing.descending else "asc"
        sort = [("sort", "-date")] if listing.descending else []
        base = f"/v1/{kind}?" + urlencode([*params, *sort, ("limit", str(PAGE))])
        label = f"{kind}:{name}:{order}"
        scenarios.append(Scenario(f"{label}:first", f"{kind} {name}", [base], group="matrix"))
        found = cursor_at(s, listing, depth) if depth >= PAGE else None
        if found is not None:
            title = f"{kind} {name}, {depth:,} items in"
            deep = [f"{base}&cursor={found[0]}"]
            scenarios.append(Scenario(f"{label}:deep", title, deep, group="matrix"))
    for scenario in scenarios:
        scenario.matches = matches
    return scenarios


def build_matrix(facts: Facts) -> list[Scenario]:
    """The matrix's scenarios on the database the facts were read from (counts and cursors
    come from it)."""
    scenarios: list[Scenario] = []
    orders = (False, True)
    with snapshot(facts.url) as s:
        for name, params in event_specs(facts).items():
            filters = event_filters(params)
            listings = [event_listing(filters=filters, descending=d) for d in orders]
            scenarios += _list_scenarios("events", name, params, listings, s)
        for name, params in quote_specs(facts).items():
            quoted = quote_filters(params)
            listings = [quote_listing(filters=quoted, descending=d) for d in orders]
            scenarios += _list_scenarios("quotes", name, params, listings, s)
    timelines: dict[str, Params] = {"none": [], "none:month": [("granularity", "month")]}
    for name, params in event_specs(facts).items():
        if "+" not in name and not name.endswith("=rare"):
            timelines[name.removesuffix("=common")] = params
    for name, params in timelines.items():
        url = "/v1/timeline" + (f"?{urlencode(params)}" if params else "")
        scenarios.append(Scenario(f"timeline:{name}", f"timeline {name}", [url], group="timeline"))
    return scenarios


def export_checks(facts: Facts) -> tuple[str, ...]:
    """Small exports whose bodies the floor must match (the full ones are only timed)."""
    leader = facts.event_values["leader"]["rare"]
    return tuple(
        f"/v1/events?format={fmt}&leader={leader}{extra}"
        for fmt in ("csv", "ndjson")
        for extra in ("", "&sort=-date")
    )
