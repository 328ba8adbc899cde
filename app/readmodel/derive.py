"""Derive the read model from the normalized rows: documents, posting lists and counts.

`ReadModelBuilder` takes the rows in chunks (the seed passes one, bench/generate.py a million
events' worth), so both derive it through the same code, under the names of
app/readmodel/contract.py; app/readmodel/write.py writes what it returns. Event-side rows must come
before the quotes and observations that refer to them only for the counts; documents of
people and sources need every count, so they are rendered by `finish()`.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from app.readmodel import render
from app.readmodel.contract import (
    ATTRIBUTION,
    COUNTRY,
    EVENT_TIMELINE_COUNT,
    EVENTS,
    EVERYTHING,
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
)
from app.readmodel.excerpts import cited_only
from app.vocab import REPORTED_SPEECH, Attribution, DatePrecision

Row = dict[str, Any]


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _grouped(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


class ReadModelBuilder:
    """Accumulates what the read model needs while the rows go by."""

    def __init__(self, *, people: Iterable[Row], sources: Iterable[Row]) -> None:
        self.people = {row["id"]: row for row in people}
        self.sources = {row["id"]: row for row in sources}
        self.posting_counts: Counter[tuple[str, str, str]] = Counter()
        self.pair_counts: Counter[tuple[str, str, str, str, str]] = Counter()
        self.timeline: Counter[tuple[str, str, str, bool]] = Counter()
        self.person_events: Counter[str] = Counter()
        self.person_quotes: Counter[tuple[str, str]] = Counter()
        self.source_counts: dict[str, Counter[str]] = defaultdict(Counter)
        # The spans cited from each source: what its excerpt_text keeps.
        self.cited: dict[str, set[tuple[int, int]]] = defaultdict(set)
        self.max_event_span_days = 0

    def add_events(
        self,
        events: list[Row],
        *,
        participants: Iterable[Row],
        countries: Iterable[Row],
        topics: Iterable[Row],
        excerpts: Iterable[Row],
    ) -> list[Row]:
        """Set `doc`, `csv_line`, `csv_long`, `csv_dyadic` and `sources_doc` on each event row;
        return its postings."""
        by_event = {
            name: _grouped(rows, "event_id")
            for name, rows in (
                ("participants", participants),
                ("countries", countries),
                ("topics", topics),
                ("excerpts", excerpts),
            )
        }
        postings: list[Row] = []
        for event in events:
            event_id = event["id"]
            people = by_event["participants"].get(event_id, [])
            codes = [row["country_code"] for row in by_event["countries"].get(event_id, [])]
            tags = [row["topic"] for row in by_event["topics"].get(event_id, [])]
            excerpt_rows = by_event["excerpts"].get(event_id, [])
            for row in excerpt_rows:
                self.cited[row["source_id"]].add((row["span_start"], row["span_end"]))
            source_ids = sorted({row["source_id"] for row in excerpt_rows})
            event |= render.event_document(
                event,
                participants=(
                    {
                        "id": row["person_id"],
                        "name": self.people[row["person_id"]]["name"],
                        "country": self.people[row["person_id"]]["country_code"],
                        "role": row["role"],
                    }
                    for row in people
                ),
                countries=codes,
                topics=tags,
                excerpts=excerpt_rows,
                sources=self.sources,
            )
            event["sources_doc"] = render.event_sources_document(
                excerpt_rows, sources=self.sources
            ).decode()
            lo, hi = _date(event["date_lo"]), _date(event["date_hi"])
            self.max_event_span_days = max(self.max_event_span_days, (hi - lo).days)
            year_precision = event["date_precision"] == DatePrecision.year.value
            values = [
                EVERYTHING,
                *((LEADER, row["person_id"]) for row in people),
                *((COUNTRY, code) for code in codes),
                *((TOPIC, tag) for tag in tags),
                *((SOURCE, source_id) for source_id in source_ids),
                (KIND, event["kind"]),
                (STATUS, event["status"]),
            ]
            month = lo.isoformat()[:7]
            for dimension, value in dict.fromkeys(values):
                postings.append(
                    {
                        "dimension": dimension,
                        "value": value,
                        "date_lo": lo,
                        "event_id": event_id,
                        "date_hi": hi,
                        "year_precision": year_precision,
                    }
                )
                self.posting_counts[EVENTS.kind, dimension, value] += 1
                self.timeline[dimension, value, month, year_precision] += 1
            self._count_pairs(EVENTS.kind, values)
            for row in people:
                self.person_events[row["person_id"]] += 1
            for source_id in source_ids:
                self.source_counts[source_id]["events"] += 1
        return postings

    def add_quotes(self, quotes: list[Row], *, topics: Iterable[Row]) -> list[Row]:
        """Set `doc` and `csv_line` on each quote row; return its posting rows."""
        by_quote = _grouped(topics, "quote_id")
        postings: list[Row] = []
        for quote in quotes:
            tags = [row["topic"] for row in by_quote.get(quote["id"], [])]
            quote |= render.quote_document(
                quote, speaker_name=self.people[quote["speaker_id"]]["name"], topics=tags
            )
            values = [
                EVERYTHING,
                (LEADER, quote["speaker_id"]),
                *((TOPIC, tag) for tag in tags),
                (LANG, quote["language"]),
                (ATTRIBUTION, quote["attribution"]),
                (SPEECH, speech_of(quote["attribution"])),
            ]
            for dimension, value in dict.fromkeys(values):
                postings.append(
                    {
                        "dimension": dimension,
                        "value": value,
                        "sort_date": _date(quote["sort_date"]),
                        "quote_id": quote["id"],
                    }
                )
                self.posting_counts[QUOTES.kind, dimension, value] += 1
            self._count_pairs(QUOTES.kind, values)
            # Own words and reported speech are counted apart, as his quotes list them.
            self.person_quotes[quote["speaker_id"], speech_of(quote["attribution"])] += 1
            self.source_counts[quote["source_id"]]["quotes"] += 1
            self.cited[quote["source_id"]].add((quote["span_start"], quote["span_end"]))
        return postings

    def _count_pairs(self, kind: str, values: list[tuple[str, str]]) -> None:
        """Count each ordered pair of an item's values of two different dimensions: the
        counts of a facet under one filter (app/services/facets.py)."""
        filtered = [pair for pair in dict.fromkeys(values) if pair != EVERYTHING]
        counts = self.pair_counts
        for dimension, value in filtered:
            for other_dimension, other_value in filtered:
                if other_dimension != dimension:
                    counts[kind, dimension, value, other_dimension, other_value] += 1

    def add_observations(self, observations: list[Row]) -> None:
        """Set `doc` and `csv_line` on each trade observation row."""
        for row in observations:
            row |= render.observation_document(row, source=self.sources[row["source_id"]])
            self.source_counts[row["source_id"]]["trade_observations"] += 1
            self.cited[row["source_id"]].add((row["span_start"], row["span_end"]))

    def add_exclusions(self, exclusions: Iterable[Row]) -> None:
        for row in exclusions:
            self.source_counts[row["source_id"]]["exclusions"] += 1

    def finish(self) -> dict[str, list[Row]]:
        """Set `doc` and `csv_line` on each person and source row given to the builder (their
        documents need every count) and each source's `excerpt_text`; return the count tables."""
        for person_id, person in self.people.items():
            person |= render.leader_document(
                person,
                event_count=self.person_events[person_id],
                quote_count=self.person_quotes[person_id, "own"],
                reported_speech_count=self.person_quotes[person_id, "reported"],
            )
        for source_id, source in self.sources.items():
            source["excerpt_text"] = cited_only(source["text"], self.cited[source_id])
            source |= render.source_document(
                source, counts=source_counts(self.source_counts[source_id])
            )
        return {
            POSTING_COUNT: [
                {"kind": kind, "dimension": dimension, "value": value, "count": count}
                for (kind, dimension, value), count in sorted(self.posting_counts.items())
            ],
            POSTING_PAIR_COUNT: [
                {
                    "kind": kind,
                    "dimension": dimension,
                    "value": value,
                    "other_dimension": other_dimension,
                    "other_value": other_value,
                    "count": count,
                }
                for (kind, dimension, value, other_dimension, other_value), count in sorted(
                    self.pair_counts.items()
                )
            ],
            EVENT_TIMELINE_COUNT: [
                {
                    "dimension": dimension,
                    "value": value,
                    "month": month,
                    "year_precision": year_precision,
                    "count": count,
                }
                for (dimension, value, month, year_precision), count in sorted(
                    self.timeline.items()
                )
            ],
        }


def speech_of(attribution: str) -> str:
    """`reported` when the words describe what the speaker said, else `own`."""
    return "reported" if Attribution(attribution) in REPORTED_SPEECH else "own"


def source_counts(counts: Mapping[str, int]) -> dict[str, int]:
    return {
        key: counts.get(key, 0) for key in ("events", "quotes", "trade_observations", "exclusions")
    }


def derive_read_model(rows: dict[str, list[Row]]) -> None:
    """Add the read model to a whole dataset's rows (table name -> rows), in place."""
    builder = ReadModelBuilder(people=rows["person"], sources=rows["source"])
    rows[EVENTS.postings] = builder.add_events(
        rows["event"],
        participants=rows["event_participant"],
        countries=rows["event_country"],
        topics=rows["event_topic"],
        excerpts=rows["event_source"],
    )
    rows[QUOTES.postings] = builder.add_quotes(rows["quote"], topics=rows["quote_topic"])
    builder.add_observations(rows["trade_observation"])
    builder.add_exclusions(rows["exclusion"])
    rows |= builder.finish()
