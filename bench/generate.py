"""Fill a database migrated to head with a synthetic dataset of N events, deterministically.

    DATABASE_URL=sqlite:////tmp/big.db python -m app db upgrade
    DATABASE_URL=sqlite:////tmp/big.db python -m bench.generate --events 1000000 [--seed 42]

Writes through the project's own schema (the tables of app.models): a few hundred people,
countries and sources (with text), N events (dates 1990-2026 at day, month or year precision,
date_lo/date_hi computed as app/seeding/build.py does) with participants, countries, topics and
source excerpts, about 2N quotes, a few thousand trade observations ranked into claim groups by
app.seeding.trade_preference (one preferred per group, none where it holds only bounds), a
dataset_meta row and both full-text indexes (app.services.search: FTS5 bodies on SQLite,
tsvector documents on PostgreSQL).
Every excerpt and quote is the exact substring of its source at its span.

SQLite: batched executemany in one transaction with synchronous=OFF and journal_mode=OFF while
loading (the file is left in WAL mode, as the app uses it). PostgreSQL: COPY in one transaction
with foreign-key triggers off and the GIN indexes rebuilt after the load, then ANALYZE.
The database must be at the migrations' head and empty; the generator refuses otherwise.
"""

import argparse
import datetime as dt
import hashlib
import itertools
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Engine, Table, insert, make_url, select

from app import migrations
from app.config import get_settings
from app.dates import period_bounds
from app.engines import create_db_engine
from app.models import tables as t
from app.seeding.trade_preference import rank_claim_group
from app.services.search import normalise
from app.vocab import PeriodType
from bench import words as w

FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
CHUNK_EVENTS = 20_000
SOURCES = 500
SENTENCES_PER_SOURCE = 300
PEOPLE = 400
SPECIAL_PEOPLE = [
    ("vladimir-putin", "Vladimir Putin", "RU", "President of Russia", "Q7747", ["Putin"]),
    ("xi-jinping", "Xi Jinping", "CN", "President of China", "Q15031", ["Xi"]),
]
KINDS = {
    "phone_call": 30,
    "video_call": 12,
    "meeting": 20,
    "state_visit": 10,
    "summit": 8,
    "message": 10,
    "ceremony": 3,
    "agreement": 4,
    "exercise": 2,
    "other": 1,
}
ROLES = {
    "phone_call": ("caller", "callee"),
    "video_call": ("caller", "callee"),
    "state_visit": ("host", "visitor"),
    "message": ("sender", "recipient"),
    "agreement": ("signatory", "signatory"),
}
TOPICS = [
    "trade",
    "energy",
    "nuclear",
    "security",
    "ukraine",
    "taiwan",
    "multipolar-order",
    "military",
    "space",
    "health",
    "afghanistan",
    "science",
    "treaty",
    "sanctions",
    "infrastructure",
    "personal",
    "sport",
    "united-states",
]
# Explicit column orders; checked against the models so that a schema change fails loudly.
COLUMNS: dict[str, tuple[str, ...]] = {
    "event": (
        "id",
        "kind",
        "status",
        "start_date",
        "end_date",
        "date_precision",
        "date_lo",
        "date_hi",
        "date_basis",
        "title",
        "summary",
        "location",
        "location_country",
        "duration_minutes",
    ),
    "event_participant": ("event_id", "person_id", "role"),
    "event_country": ("event_id", "country_code"),
    "event_topic": ("event_id", "topic"),
    "event_source": ("event_id", "source_id", "span_start", "span_end", "excerpt"),
    "quote": (
        "id",
        "speaker_id",
        "event_id",
        "source_id",
        "span_start",
        "span_end",
        "text",
        "language",
        "translation_en",
        "attribution",
        "via",
        "said_on",
        "sort_date",
        "note",
    ),
    "quote_topic": ("quote_id", "topic"),
}
SEARCH_COLUMNS = {"event_search": "event_id", "quote_search": "quote_id"}


class GeneratorError(Exception):
    """The target database cannot be filled (not at head, not empty, ...)."""


def _zipf(vocabulary: Sequence[str], rare: dict[str, float]) -> tuple[list[str], list[float]]:
    words = [*vocabulary, *rare]
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))] + list(rare.values())
    return words, list(itertools.accumulate(weights))


@dataclass
class Sentence:
    start: int
    end: int
    body: str  # normalise(text of the span)
    translation: str  # English text (the sentence itself for English sources)
    translation_body: str


@dataclass
class SourceDoc:
    id: str
    language: str
    text: str
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Person:
    id: str
    name: str
    country: str
    body: str  # normalise(name)
    short: str  # the last name as a slug, for ids


def slugify(value: str) -> str:
    return "-".join(normalise(value).encode("ascii", "ignore").decode().split())


class Dataset:
    """Everything derived from the seed: reference data, then events in chunks."""

    def __init__(self, seed: int, events: int, sources: int = SOURCES) -> None:
        self.seed = seed
        self.source_count = sources
        self.events = events
        self.rng = random.Random(seed)
        self.norm: dict[str, str] = {}
        self.italian = _zipf(w.ITALIAN, w.RARE_ITALIAN)
        self.english = _zipf(w.ENGLISH, w.RARE_ENGLISH)
        days = (LAST_DAY - FIRST_DAY).days + 1
        self.days = [FIRST_DAY + dt.timedelta(days=i) for i in range(days)]
        # Coverage grows over time: 2026 is about seven times as dense as 1990.
        self.day_weights = list(
            itertools.accumulate(1.0 + 0.17 * (day.year - 1990) for day in self.days)
        )
        self.kinds = list(KINDS)
        self.kind_weights = list(itertools.accumulate(KINDS.values()))
        self.people: list[Person] = []
        self.person_weights: list[float] = []
        self.sources: list[SourceDoc] = []
        self.event_ids_sample: list[str] = []
        self.search_checked = 0
        self.max_span = 0
        self.quotes_made = 0

    # ---- words -------------------------------------------------------------------------
    def _n(self, word: str) -> str:
        body = self.norm.get(word)
        if body is None:
            body = self.norm[word] = normalise(word)
        return body

    def _words(self, language: str, count: int) -> list[str]:
        vocabulary, weights = self.italian if language == "it" else self.english
        return self.rng.choices(vocabulary, cum_weights=weights, k=count)

    def _sentence(self, language: str, low: int, high: int) -> tuple[str, str]:
        tokens = self._words(language, self.rng.randint(low, high))
        body = " ".join(self._n(token) for token in tokens)
        tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
        return " ".join(tokens) + ".", body

    # ---- reference data ----------------------------------------------------------------
    def reference_rows(self) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        rows: dict[str, list[dict[str, Any]]] = {"country": [], "person": [], "source": []}
        rows["country"] = [
            {"code": code, "alpha3": alpha3, "name": name} for code, alpha3, name in w.COUNTRIES
        ]
        codes = [code for code, _, _ in w.COUNTRIES]
        for slug, name, country, office, qid, aliases in SPECIAL_PEOPLE:
            rows["person"].append(
                {
                    "id": slug,
                    "name": name,
                    "country_code": country,
                    "office": office,
                    "wikidata_qid": qid,
                    "aliases": aliases,
                }
            )
            short = slugify(name.split()[0 if country == "CN" else -1])  # family names
            self.people.append(Person(slug, name, country, normalise(name), short))
        for index in range(len(SPECIAL_PEOPLE), PEOPLE):
            first, last = rng.choice(w.FIRST_NAMES), rng.choice(w.LAST_NAMES)
            name = f"{first} {last}"
            slug = f"{slugify(name)}-{index}"
            country = codes[min(int(rng.expovariate(0.12)), len(codes) - 1)]
            rows["person"].append(
                {
                    "id": slug,
                    "name": name,
                    "country_code": country,
                    "office": f"{rng.choice(w.OFFICES)} ({country})"
                    if rng.random() < 0.9
                    else None,
                    "wikidata_qid": f"Q9{index:07d}" if rng.random() < 0.5 else None,
                    "aliases": [last] if rng.random() < 0.3 else [],
                }
            )
            self.people.append(Person(slug, name, country, normalise(name), slugify(last)))
        # Putin and Xi take part in about a third of the events each; the rest: a long tail.
        weights = [5.0, 4.5] + [1.0 / (rank + 1) ** 0.7 for rank in range(PEOPLE - 2)]
        self.person_weights = list(itertools.accumulate(weights))

        for index in range(self.source_count):
            language = "it" if rng.random() < 0.7 else "en"
            outlet = rng.choice(w.OUTLETS)
            source_id = f"src-{index:04d}-{slugify(outlet)}"
            doc = SourceDoc(source_id, language, "")
            parts: list[str] = []
            offset = 0
            for _ in range(SENTENCES_PER_SOURCE):
                sentence, body = self._sentence(language, 8, 24)
                if language == "it":
                    translation, translation_body = self._sentence("en", 8, 24)
                else:
                    translation, translation_body = sentence, body
                doc.sentences.append(
                    Sentence(offset, offset + len(sentence), body, translation, translation_body)
                )
                parts.append(sentence)
                offset += len(sentence) + 1
            doc.text = " ".join(parts)
            self.sources.append(doc)
            published = rng.choice(self.days[-3650:])
            raw = doc.text.encode()
            rows["source"].append(
                {
                    "id": source_id,
                    "file_name": f"{source_id}.txt",
                    "outlet": outlet,
                    "author": f"{rng.choice(w.FIRST_NAMES)} {rng.choice(w.LAST_NAMES)}",
                    "title": self._sentence(language, 5, 12)[0].rstrip("."),
                    "language": language,
                    "published_on": published,
                    "published_precision": "day",
                    "published_basis": None,
                    "sha256": hashlib.sha256(raw).hexdigest(),
                    "char_count": len(doc.text),
                    "text": doc.text,
                }
            )
        return rows

    def _excerpt(self, source: SourceDoc) -> tuple[int, int, str, Sentence]:
        index = self.rng.randrange(len(source.sentences))
        sentence = source.sentences[index]
        return sentence.start, sentence.end, source.text[sentence.start : sentence.end], sentence

    # ---- events and quotes -------------------------------------------------------------
    def event_chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        """Rows of the event-side tables, CHUNK_EVENTS events at a time."""
        rng = self.rng
        people, weights = self.people, self.person_weights
        sources = self.sources
        quote_counts = [0, 1, 2, 3, 4]
        quote_weights = list(itertools.accumulate([0.15, 0.2, 0.3, 0.2, 0.15]))
        pending_quotes = 2
        chunk = _empty_chunk()
        for number in range(self.events):
            day = rng.choices(self.days, cum_weights=self.day_weights)[0]
            kind = rng.choices(self.kinds, cum_weights=self.kind_weights)[0]
            precision_draw = rng.random()
            end_date: str | None = None
            if precision_draw < 0.8:
                precision = "day"
                start_date = date_lo = date_hi = day.isoformat()
                if kind in ("state_visit", "summit", "exercise") and rng.random() < 0.5:
                    last = min(day + dt.timedelta(days=rng.randint(1, 3)), LAST_DAY)
                    end_date = date_hi = last.isoformat()
                start_text = start_date
            elif precision_draw < 0.95:
                precision = "month"
                first = day.replace(day=1)
                following = (first + dt.timedelta(days=32)).replace(day=1)
                start_date = date_lo = first.isoformat()
                date_hi = (following - dt.timedelta(days=1)).isoformat()
                start_text = start_date[:7]
            else:
                precision = "year"
                start_date = date_lo = f"{day.year}-01-01"
                date_hi = f"{day.year}-12-31"
                start_text = start_date[:4]
            size = 2 if kind not in ("summit", "meeting") else rng.choice((2, 2, 3, 4))
            chosen: list[Person] = []
            while len(chosen) < size:
                person = rng.choices(people, cum_weights=weights)[0]
                if person not in chosen:
                    chosen.append(person)
            roles = ROLES.get(kind, ("participant", "participant"))
            names = f"{chosen[0].short}-{chosen[1].short}"
            event_id = f"{start_text}-{names}-{kind.replace('_', '-')}-{number}"
            if number % max(1, self.events // 5000) == 0:
                self.event_ids_sample.append(event_id)
            english = rng.random() < 0.3
            label = w.KIND_TITLES[kind][1 if english else 0]
            joiner = " and " if english else " e "
            title = f"{chosen[0].name}{joiner}{chosen[1].name}: {label}"
            title_body = f"{chosen[0].body} {joiner.strip()} {chosen[1].body} {self._n(label)}"
            summary, summary_body = self._sentence("en" if english else "it", 12, 30)
            location = location_country = None
            if kind in ("state_visit", "summit", "meeting", "ceremony", "agreement"):
                location, location_country = rng.choice(w.CITIES)
            duration = rng.choice((30, 45, 60, 75, 90, 120)) if kind.endswith("call") else None
            if date_lo >= "2026-11-15":
                status = "planned"
            else:
                status = "planned" if rng.random() < 0.005 else "occurred"
            chunk["event"].append(
                (
                    event_id,
                    kind,
                    status,
                    start_date,
                    end_date,
                    precision,
                    date_lo,
                    date_hi,
                    "inferred from the article's dateline" if rng.random() < 0.05 else None,
                    title,
                    summary,
                    location,
                    location_country,
                    duration,
                )
            )
            for index, person in enumerate(chosen):
                role = roles[index] if index < 2 else "participant"
                chunk["event_participant"].append((event_id, person.id, role))
            countries = dict.fromkeys(person.country for person in chosen)
            for code in countries:
                chunk["event_country"].append((event_id, code))
            topics = rng.sample(TOPICS, rng.choice((0, 1, 1, 2, 2, 3)))
            for topic in topics:
                chunk["event_topic"].append((event_id, topic))
            event_sources = rng.sample(sources, 2 if rng.random() < 0.3 else 1)
            excerpts: list[str] = []
            excerpt_bodies: list[str] = []
            for source in event_sources:
                start, end, excerpt, sentence = self._excerpt(source)
                chunk["event_source"].append((event_id, source.id, start, end, excerpt))
                excerpts.append(excerpt)
                excerpt_bodies.append(sentence.body)
            document = "\n".join([title, summary, *excerpts])
            body = " ".join([title_body, summary_body, *excerpt_bodies])
            self._check_search(document, body)
            chunk["event_search"].append((number + 1, event_id, body))
            span = (dt.date.fromisoformat(date_hi) - dt.date.fromisoformat(date_lo)).days
            self.max_span = max(self.max_span, span)

            # Quotes come in pairs of events whose counts add up to 4: exactly 2N in all.
            if number % 2 == 0:
                count = rng.choices(quote_counts, cum_weights=quote_weights)[0]
                pending_quotes = 4 - count
            else:
                count = pending_quotes
            if number == self.events - 1 and number % 2 == 0:
                count = 2
            for index in range(count):
                if rng.random() < 0.85:
                    speaker = rng.choice(chosen)
                else:
                    speaker = rng.choices(people, cum_weights=weights)[0]
                source = event_sources[0] if rng.random() < 0.7 else rng.choice(sources)
                start, end, text, sentence = self._excerpt(source)
                said_on = start_date if precision == "day" and rng.random() < 0.7 else None
                attribution = rng.choices(
                    ("direct", "readout", "agency", "press"), cum_weights=(40, 70, 90, 100)
                )[0]
                quote_id = f"q-{start_text}-{speaker.short}-{number}-{index}"
                chunk["quote"].append(
                    (
                        quote_id,
                        speaker.id,
                        event_id,
                        source.id,
                        start,
                        end,
                        text,
                        source.language,
                        sentence.translation,
                        attribution,
                        rng.choice(w.VIA) if attribution == "agency" else None,
                        said_on,
                        said_on or date_lo,
                        "paraphrase in the source" if rng.random() < 0.02 else None,
                    )
                )
                quote_topics = rng.sample(topics, min(len(topics), rng.choice((0, 1, 1, 2))))
                for topic in quote_topics:
                    chunk["quote_topic"].append((quote_id, topic))
                document = f"{text}\n{sentence.translation}"
                body = f"{sentence.body} {sentence.translation_body}"
                self._check_search(document, body)
                self.quotes_made += 1
                chunk["quote_search"].append((self.quotes_made, quote_id, body))
            if (number + 1) % CHUNK_EVENTS == 0:
                yield chunk
                chunk = _empty_chunk()
        if chunk["event"]:
            yield chunk

    def _check_search(self, document: str, body: str) -> None:
        # The bodies are assembled from pre-normalised words for speed; spot-check that they
        # equal app.services.search.normalise of the whole document, as the seed loader builds.
        if self.search_checked < 3000 and self.rng.random() < 0.05:
            self.search_checked += 1
            if normalise(document) != body:
                raise GeneratorError(f"search body mismatch: {normalise(document)!r} != {body!r}")

    # ---- trade -------------------------------------------------------------------------
    def trade_rows(self) -> list[dict[str, Any]]:
        rng = self.rng
        pairs = [("CN", "RU"), ("CN", "US"), ("DE", "RU"), ("IT", "RU"), ("CN", "IT")]
        pairs += [("IN", "RU"), ("CN", "DE"), ("CN", "KZ"), ("RU", "TR"), ("CN", "BR")]
        periods: list[tuple[str, str, str, str]] = []  # (country, partner, period_type, period)
        for country, partner in pairs:
            for year in range(1990, 2027):
                periods.append((country, partner, "annual", str(year)))
        for year in range(2015, 2027):
            for month in range(1, 13):
                periods.append(("CN", "RU", "month", f"{year}-{month:02d}"))
            for months in (3, 6, 9, 10, 11):
                periods.append(("CN", "RU", "ytd", f"{year}-01-01/P{months}M"))
        rows: list[dict[str, Any]] = []
        counter = itertools.count(1)
        people = [person.id for person in self.people[:40]]
        for country, partner, period_type, period in periods:
            for flow in ("total", "export", "import"):
                if flow != "total" and period_type != "annual":
                    continue
                low, high = (country, partner) if flow != "total" else sorted((country, partner))
                start, end = period_bounds(period, PeriodType(period_type))
                base = rng.uniform(5, 250)
                for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                    rows.append(
                        self._observation(
                            next(counter),
                            low,
                            high,
                            flow,
                            "actual",
                            period_type,
                            period,
                            start,
                            end,
                            base,
                            people,
                        )
                    )
        for number in range(20):
            country, partner = pairs[number % len(pairs)]
            low, high = sorted((country, partner))
            rows.append(
                self._observation(
                    next(counter),
                    low,
                    high,
                    "total",
                    "target",
                    "open",
                    None,
                    None,
                    None,
                    100.0 + 50 * number,
                    people,
                )
            )
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(row["claim_group"], []).append(row)
        for members in groups.values():
            rank_claim_group(members)
        return rows

    def _observation(
        self,
        number: int,
        country: str,
        partner: str,
        flow: str,
        kind: str,
        period_type: str,
        period: str | None,
        start: dt.date | None,
        end: dt.date | None,
        base: float,
        people: list[str],
    ) -> dict[str, Any]:
        rng = self.rng
        source = rng.choice(self.sources)
        span_start, span_end, excerpt, _ = self._excerpt(source)
        decimals = rng.choice((0, 1, 1, 2))
        value_text = f"{base * rng.uniform(0.97, 1.03):.{decimals}f}"
        agency = rng.choice(w.AGENCIES) if rng.random() < 0.4 else None
        slug = (period or "open").replace("/", "-").lower()
        return {
            "id": f"t-{number:05d}-{country.lower()}-{partner.lower()}-{flow}-{slug}",
            "source_id": source.id,
            "span_start": span_start,
            "span_end": span_end,
            "excerpt": excerpt,
            "event_id": rng.choice(self.event_ids_sample) if rng.random() < 0.2 else None,
            "country": country,
            "partner": partner,
            "flow": flow,
            "kind": kind,
            "period_type": period_type,
            "period": period,
            "period_start": start,
            "period_end": end,
            "value": float(value_text),
            "value_text": value_text,
            "decimals": decimals,
            "currency": "USD",
            "unit_mult": 9,
            "qualifier": rng.choices(
                ("exact", "approximate", "lower_bound", "upper_bound"),
                cum_weights=(60, 85, 95, 100),
            )[0],
            "yoy_pct": round(rng.uniform(-30, 40), 1) if rng.random() < 0.5 else None,
            "reporter": rng.choice((country, partner, None)),
            "agency": agency,
            "stated_by": rng.choice(people) if agency is None and rng.random() < 0.5 else None,
            "milestone": "record" if rng.random() < 0.05 else None,
            "note": None,
            "claim_group": "-".join(
                [country, partner, flow, kind, "USD", period or "open"]
            ).lower(),
        }


def _empty_chunk() -> dict[str, list[tuple[Any, ...]]]:
    return {name: [] for name in (*COLUMNS, *SEARCH_COLUMNS)}


def _check_columns() -> None:
    for name, columns in COLUMNS.items():
        table: Table = getattr(t, name)
        if set(columns) != set(table.c.keys()):
            raise GeneratorError(f"bench/generate.py is out of date with the model of {name}")


# ---- writers ----------------------------------------------------------------------------
class Writer:
    """Bulk writes of tuples in COLUMNS order, inside one transaction."""

    def write(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class SqliteWriter(Writer):
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-1000000")
        self.db.execute("PRAGMA temp_store=MEMORY")
        self.db.execute("BEGIN")
        self.statements: dict[str, str] = {}

    def write(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        statement = self.statements.get(name)
        if statement is None:
            # Full-text rows share their base row's rowid (app.services.search.index_documents):
            # base rows get rowids 1, 2, ... in insertion order, and search rows say so.
            columns = COLUMNS.get(name) or ("rowid", SEARCH_COLUMNS[name], "body")
            marks = ",".join("?" * len(columns))
            statement = f"INSERT INTO {name} ({','.join(columns)}) VALUES ({marks})"
            self.statements[name] = statement
        self.db.executemany(statement, rows)

    def finish(self) -> None:
        for kind in ("event", "quote"):
            wrong = self.db.execute(
                f"SELECT count(*) FROM {kind} b LEFT JOIN {kind}_search s ON s.rowid = b.rowid "
                f"WHERE s.{kind}_id IS NOT b.id"
            ).fetchone()[0]
            if wrong:
                raise GeneratorError(f"{wrong} {kind} rows have no search row of the same rowid")
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.close()


class PostgresWriter(Writer):
    GIN: ClassVar[dict[str, str]] = {
        "event_search": "ix_event_search_document",
        "quote_search": "ix_quote_search_document",
    }

    def __init__(self, url: str) -> None:
        import psycopg

        self.db = psycopg.connect(url)
        self.cursor = self.db.cursor()
        self.cursor.execute("SET session_replication_role = replica")  # no FK triggers
        for name, index in self.GIN.items():
            self.cursor.execute(f"DROP INDEX IF EXISTS {index}")
            self.cursor.execute(
                f"CREATE TEMP TABLE staging_{name} (id text, body text) ON COMMIT DROP"
            )

    def write(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        if name in SEARCH_COLUMNS:
            statement = f"COPY staging_{name} (id, body) FROM STDIN"
        else:
            statement = f"COPY {name} ({','.join(COLUMNS[name])}) FROM STDIN"
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row[1:] if name in SEARCH_COLUMNS else row)

    def finish(self) -> None:
        for name, key in SEARCH_COLUMNS.items():
            self.cursor.execute(
                f"INSERT INTO {name} ({key}, document) "
                f"SELECT id, to_tsvector('simple', body) FROM staging_{name}"
            )
            self.cursor.execute(f"CREATE INDEX {self.GIN[name]} ON {name} USING GIN (document)")
        self.cursor.execute("SET session_replication_role = origin")
        self.db.commit()
        self.db.autocommit = True
        self.cursor.execute("ANALYZE")
        self.db.close()


def _check_target(engine: Engine) -> None:
    head = migrations.head_revision()
    current = migrations.current_revision(engine)
    if current != head:
        raise GeneratorError(
            f"the database is at revision {current or 'empty'}, not at head {head}: run "
            "`DATABASE_URL=... python -m app db upgrade` first"
        )
    with engine.connect() as connection:
        for table in (t.event, t.person, t.source, t.quote):
            if connection.execute(select(table.c[0]).limit(1)).first() is not None:
                raise GeneratorError(
                    f"table {table.name} is not empty: generate into a freshly migrated database"
                )


def generate(
    url: str,
    *,
    events: int,
    seed: int,
    sources: int = SOURCES,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fill the database at `url`; return counts and timings."""
    _check_columns()
    engine = create_db_engine(url)
    try:
        _check_target(engine)
        timings: dict[str, float] = {}
        counts: dict[str, int] = {}
        started = time.perf_counter()
        data = Dataset(seed, events, sources)
        reference = data.reference_rows()
        with engine.begin() as connection:
            for name in ("country", "person", "source"):
                connection.execute(insert(getattr(t, name)), reference[name])
                counts[name] = len(reference[name])
        timings["reference"] = time.perf_counter() - started
        log(f"reference data: {counts} in {timings['reference']:.1f}s")

        backend = make_url(url).get_backend_name()
        engine.dispose()  # the bulk writer must be alone on the database
        writer: Writer
        if backend == "sqlite":
            database = make_url(url).database
            assert database
            writer = SqliteWriter(database)
        else:
            writer = PostgresWriter(
                make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            )
        mark = time.perf_counter()
        for chunk in data.event_chunks():
            for name, rows in chunk.items():
                writer.write(name, rows)
                counts[name] = counts.get(name, 0) + len(rows)
            done = counts["event"]
            if done % 100_000 == 0 or done == events:
                log(
                    f"  {done:>9,} events, {counts['quote']:>9,} quotes "
                    f"({time.perf_counter() - mark:.1f}s)"
                )
        timings["events_and_quotes"] = time.perf_counter() - mark
        mark = time.perf_counter()
        writer.finish()
        timings["commit_and_indexes"] = time.perf_counter() - mark

        mark = time.perf_counter()
        trade = data.trade_rows()
        version = hashlib.sha256(f"bench:{seed}:{events}".encode()).hexdigest()[:16]
        meta: dict[str, Any] = {"id": 1, "version": version, "loaded_at": dt.datetime.now(dt.UTC)}
        if "max_event_span_days" in t.dataset_meta.c:  # as app/seeding/load.py writes it
            meta["max_event_span_days"] = data.max_span
        with engine.begin() as connection:
            connection.execute(insert(t.trade_observation), trade)
            connection.execute(insert(t.dataset_meta), [meta])
        counts["trade_observation"] = len(trade)
        timings["trade_and_meta"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started
        return {"counts": counts, "timings": timings, "version": version, "seed": seed}
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="default: DATABASE_URL (as the app reads it)")
    args = parser.parse_args(argv)
    url = args.database_url or get_settings().database_url
    print(f"generating {args.events:,} events (seed {args.seed}) into {make_url(url)!r}")
    try:
        result = generate(url, events=args.events, seed=args.seed)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
