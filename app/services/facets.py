"""Facet counts: how many events or quotes have each value of a dimension, under the filters.

The faceted-search convention: a dimension is counted under every filter of the request but
its own (a UI offers `kind=visit (4)` beside a chosen `kind=phone_call`), so each dimension is
counted under its own selection. Counting is exact and done where it is cheapest:

- under no filter but its own, a dimension's counts are the seed's (`posting_count`), read in
  one index range whatever the size of the dataset; under one filter, the seed's counts of
  value pairs (`posting_pair_count`), likewise;
- `year` is the timeline's counting (app/services/timelines.py): the seed's monthly counts
  with no filter or one, and the timeline's walk otherwise, so the year facet is
  /v1/timeline?granularity=year by construction;
- otherwise the list's own plan (app/services/walks.py, every match read: the rarest posting
  list walked and the other filters probed by key) is grouped by the dimension's value, read
  from the item row or its link table by primary key.

Every statement runs under the request's work budget (app/database.py), as a count does.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from app.database import Snapshot, in_list, where
from app.readmodel.contract import (
    ATTRIBUTION,
    COUNTRY,
    EVENTS,
    KIND,
    LANG,
    LEADER,
    POSTING_COUNT,
    POSTING_PAIR_COUNT,
    QUOTES,
    SOURCE,
    SPEECH,
    STATUS,
    TOPIC,
    ListedKind,
)
from app.schemas.facets import EventFacet, Facet, FacetValue, QuoteFacet
from app.services import events, quotes, timelines, walks
from app.vocab import REPORTED_SPEECH
from app.vocab_labels import (
    ATTRIBUTION_LABELS,
    EVENT_KIND_LABELS,
    EVENT_STATUS_LABELS,
    LANGUAGE_LABELS,
    TOPIC_LABELS,
    Labelled,
)

Counts = dict[str, int]
# Dimensions of which an item has one value: an any-of filter on them is a sum of its values.
SINGLE_VALUED = frozenset({KIND, STATUS, LANG, ATTRIBUTION, SPEECH})
SPEECH_LABELS = {"own": "Own words", "reported": "Reported speech"}


@dataclass(frozen=True)
class Dimension:
    """How one dimension is counted and labelled.

    `posting`: its name in the read model, whose seed counts answer it under no other filter.
    `column`: its value on the item row `i`, when an item has one value; `link`: the table and
    column holding its values by item id, when an item may have several. `labels`: a
    vocabulary's labels, or a (table, key, name) whose rows name the values.
    """

    name: str
    posting: str | None
    column: str | None = None
    link: tuple[str, str, str] | None = None  # (table, item id column, value column)
    labels: Labelled | tuple[str, str, str] | None = None


_SPEECH_CASE = (
    "CASE WHEN i.attribution IN ("
    + ", ".join(f"'{attribution.value}'" for attribution in sorted(REPORTED_SPEECH))
    + ") THEN 'reported' ELSE 'own' END"
)
EVENT_DIMENSIONS = {
    EventFacet.kind: Dimension("kind", KIND, column="i.kind", labels=EVENT_KIND_LABELS),
    EventFacet.status: Dimension("status", STATUS, column="i.status", labels=EVENT_STATUS_LABELS),
    EventFacet.topic: Dimension(
        "topic", TOPIC, link=("event_topic", "event_id", "topic"), labels=TOPIC_LABELS
    ),
    EventFacet.country: Dimension(
        "country",
        COUNTRY,
        link=("event_country", "event_id", "country_code"),
        labels=("country", "code", "name"),
    ),
    EventFacet.leader: Dimension(
        "leader",
        LEADER,
        link=("event_participant", "event_id", "person_id"),
        labels=("person", "id", "name"),
    ),
    # An event cites a source once per passage: counted once per event (DISTINCT below).
    EventFacet.source: Dimension(
        "source",
        SOURCE,
        link=("event_source", "event_id", "source_id"),
        labels=("source", "id", "title"),
    ),
    EventFacet.year: Dimension("year", None),
}
QUOTE_DIMENSIONS = {
    QuoteFacet.leader: Dimension(
        "leader", LEADER, column="i.speaker_id", labels=("person", "id", "name")
    ),
    QuoteFacet.topic: Dimension(
        "topic", TOPIC, link=("quote_topic", "quote_id", "topic"), labels=TOPIC_LABELS
    ),
    QuoteFacet.lang: Dimension("lang", LANG, column="i.language", labels=LANGUAGE_LABELS),
    QuoteFacet.attribution: Dimension(
        "attribution", ATTRIBUTION, column="i.attribution", labels=ATTRIBUTION_LABELS
    ),
    QuoteFacet.speech: Dimension("speech", SPEECH, column=_SPEECH_CASE),
}
# Each dimension's own filter, cleared: the selection its counts are taken under.
_EVENT_WITHOUT: dict[EventFacet, Callable[[events.EventFilters], events.EventFilters]] = {
    EventFacet.kind: lambda f: replace(f, kinds=()),
    EventFacet.status: lambda f: replace(f, status=None),
    EventFacet.topic: lambda f: replace(f, topics=()),
    EventFacet.country: lambda f: replace(f, countries=()),
    EventFacet.leader: lambda f: replace(f, leaders=()),
    EventFacet.source: lambda f: replace(f, source=None),
    # Dates filter by overlap, not by the year of the first day: they stay, as in a timeline.
    EventFacet.year: lambda f: f,
}
_QUOTE_WITHOUT: dict[QuoteFacet, Callable[[quotes.QuoteFilters], quotes.QuoteFilters]] = {
    QuoteFacet.leader: lambda f: replace(f, leaders=()),
    QuoteFacet.topic: lambda f: replace(f, topics=()),
    QuoteFacet.lang: lambda f: replace(f, language=None),
    QuoteFacet.attribution: lambda f: replace(f, attribution=None),
    QuoteFacet.speech: lambda f: replace(f, speech="all"),
}


def event_facets(
    snapshot: Snapshot,
    *,
    filters: events.EventFilters,
    dimensions: tuple[EventFacet, ...],
    size: int,
) -> list[Facet]:
    """The counts of each of `dimensions` under `filters` but its own (one value per event
    and year: see the module docstring)."""
    events.selection(snapshot, filters)  # every name checked, own filters included: a 400
    facets = []
    for facet in dimensions:
        chosen = events.selection(snapshot, _EVENT_WITHOUT[facet](filters))
        dimension = EVENT_DIMENSIONS[facet]
        if facet is EventFacet.year:
            counts: Counts = {}
            for month, _precision, count in timelines.monthly_counts(snapshot, chosen):
                counts[month[:4]] = counts.get(month[:4], 0) + int(count)
        else:
            counts = _counts(snapshot, EVENTS, dimension, chosen)
        facets.append(_facet(snapshot, dimension, counts, size=size))
    return facets


def quote_facets(
    snapshot: Snapshot,
    *,
    filters: quotes.QuoteFilters,
    dimensions: tuple[QuoteFacet, ...],
    size: int,
) -> list[Facet]:
    """The counts of each of `dimensions` under `filters` but its own."""
    quotes.selection(snapshot, filters)
    facets = []
    for facet in dimensions:
        chosen = quotes.selection(snapshot, _QUOTE_WITHOUT[facet](filters))
        dimension = QUOTE_DIMENSIONS[facet]
        counts = _counts(snapshot, QUOTES, dimension, chosen)
        facets.append(_facet(snapshot, dimension, counts, size=size))
    return facets


def _counts(
    snapshot: Snapshot, listed: ListedKind, dimension: Dimension, chosen: walks.Selection
) -> Counts:
    unfiltered = not (chosen.memberships or chosen.ranges or chosen.q or chosen.few)
    if unfiltered and dimension.posting is not None:
        rows = snapshot.rows(
            f"SELECT value, count FROM {POSTING_COUNT} "
            "WHERE kind = :kind AND dimension = :dimension",
            {"kind": listed.kind, "dimension": dimension.posting},
        )
        return {str(value): int(count) for value, count in rows}
    if dimension.posting is not None and _one_filter(chosen):
        # One filter (any of its values, each item having one at most, or one value): the
        # seed's pair counts, summed over the filter's values.
        only = chosen.memberships[0]
        values, params = in_list("value", only.values)
        rows = snapshot.rows(
            f"SELECT other_value, sum(count) FROM {POSTING_PAIR_COUNT} "
            "WHERE kind = :kind AND dimension = :dimension "
            f"AND value IN {values} AND other_dimension = :other GROUP BY other_value",
            {"kind": listed.kind, "dimension": only.dimension, "other": dimension.posting} | params,
        )
        return {str(value): int(count) for value, count in rows}
    plan = walks.plan(snapshot, chosen, every_match=True)
    if plan.empty:
        return {}
    source, conditions, counted = plan.source, list(plan.conditions), "count(*)"
    if dimension.link is not None:
        table, item_id, column = dimension.link
        # CROSS JOIN: the link rows are read by their key from each match, never the reverse.
        source += f" CROSS JOIN {table} AS f"
        conditions.append(f"f.{item_id} = i.id")
        value = f"f.{column}"
        if table == "event_source":
            counted = "count(DISTINCT i.id)"
    else:
        assert dimension.column is not None
        value = dimension.column
    rows = snapshot.rows(
        f"SELECT {value}, {counted} FROM {source}{where(conditions)} GROUP BY 1", plan.params
    )
    return {str(key): int(count) for key, count in rows}


def _one_filter(chosen: walks.Selection) -> bool:
    """`chosen` is one membership and nothing else, whose values no item has two of (so pair
    counts add up over them): one value, or any of several of a single-valued dimension."""
    if chosen.ranges or chosen.q or chosen.few or len(chosen.memberships) != 1:
        return False
    only = chosen.memberships[0]
    return len(only.values) == 1 or only.dimension in SINGLE_VALUED


def _facet(snapshot: Snapshot, dimension: Dimension, counts: Counts, *, size: int) -> Facet:
    ranked = sorted(
        ((value, count) for value, count in counts.items() if count), key=lambda p: (-p[1], p[0])
    )
    shown = ranked[:size]
    labels = _labels(snapshot, dimension, [value for value, _count in shown])
    return Facet(
        dimension=dimension.name,
        values=[
            FacetValue(value=value, label=labels.get(value) or value, count=count)
            for value, count in shown
        ],
        truncated=len(ranked) > size,
    )


def _labels(snapshot: Snapshot, dimension: Dimension, values: list[str]) -> dict[str, Any]:
    labels = dimension.labels
    if dimension.name == "speech":
        return dict(SPEECH_LABELS)
    if labels is None or not values:
        return {}
    if isinstance(labels, tuple):
        table, key, name = labels
        value_list, params = in_list("label", values)
        return dict(
            snapshot.rows(f"SELECT {key}, {name} FROM {table} WHERE {key} IN {value_list}", params)
        )
    return {code.value: label for code, (label, _description) in labels.items()}
