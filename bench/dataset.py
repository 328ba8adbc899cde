"""The synthetic benchmark dataset: reference rows, then events and quotes in chunks.

Deterministic for a seed: a few hundred people, countries and sources (with text), N events
(dates 1990-2026 at day, month or year precision, date_lo/date_hi computed as
app/seeding/build.py does) with participants, countries, topics and source excerpts, exactly 2N
quotes, and a few thousand trade observations ranked into claim groups by
app.seeding.trade_preference (exactly one preferred per group). Every excerpt and quote is the
exact substring of its source at its span. Rows are dicts keyed by column name, as the seed
builds them, so the read model is derived from them by the seed's own code.
"""

import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.readmodel.analysis import analyse_words
from app.readmodel.contract import SEARCH_TABLES, event_search_text, normalise, quote_search_text
from app.readmodel.write import search_row
from bench import words as w

FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
CHUNK_EVENTS = 20_000
SOURCES = 500
SENTENCES_PER_SOURCE = 300
PEOPLE = 400
EVENT_TABLES = (
    "event",
    "event_participant",
    "event_country",
    "event_topic",
    "event_source",
    "quote",
    "quote_topic",
)
Chunk = dict[str, list[Any]]


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
        self.kinds = list(w.KINDS)
        self.kind_weights = list(itertools.accumulate(w.KINDS.values()))
        self.people: list[Person] = []
        self.person_weights: list[float] = []
        self.sources: list[SourceDoc] = []
        self.event_ids_sample: list[str] = []
        self.search_checked = 0
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
        for slug, name, country, office, qid, aliases in w.SPECIAL_PEOPLE:
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
        for index in range(len(w.SPECIAL_PEOPLE), PEOPLE):
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
                    "url": None,
                    "captured": "full",
                }
            )
        return rows

    def excerpt(self, source: SourceDoc) -> tuple[int, int, str, Sentence]:
        index = self.rng.randrange(len(source.sentences))
        sentence = source.sentences[index]
        return sentence.start, sentence.end, source.text[sentence.start : sentence.end], sentence

    # ---- events and quotes -------------------------------------------------------------
    def event_chunks(self) -> Iterator[Chunk]:
        """Rows of the event-side tables (dicts by column; the full-text tables get
        (rowid, id, body) tuples), CHUNK_EVENTS events at a time."""
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
            roles = w.ROLES.get(kind, ("participant", "participant"))
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
                {
                    "id": event_id,
                    "kind": kind,
                    "status": status,
                    "start_date": start_date,
                    "end_date": end_date,
                    "date_precision": precision,
                    "date_evidence": "stated",
                    "date_lo": date_lo,
                    "date_hi": date_hi,
                    "date_basis": "inferred from the article's dateline"
                    if rng.random() < 0.05
                    else None,
                    "title": title,
                    "summary": summary,
                    "context": None,
                    "location": location,
                    "location_country": location_country,
                    "duration_minutes": duration,
                }
            )
            for index, person in enumerate(chosen):
                role = roles[index] if index < 2 else "participant"
                chunk["event_participant"].append(
                    {"event_id": event_id, "person_id": person.id, "role": role}
                )
            countries = dict.fromkeys(person.country for person in chosen)
            for code in countries:
                chunk["event_country"].append({"event_id": event_id, "country_code": code})
            topics = rng.sample(w.TOPICS, rng.choice((0, 1, 1, 2, 2, 3)))
            for topic in topics:
                chunk["event_topic"].append({"event_id": event_id, "topic": topic})
            event_sources = rng.sample(sources, 2 if rng.random() < 0.3 else 1)
            excerpts: list[str] = []
            excerpt_bodies: list[str] = []
            for source in event_sources:
                start, end, excerpt, sentence = self.excerpt(source)
                chunk["event_source"].append(
                    {
                        "event_id": event_id,
                        "source_id": source.id,
                        "span_start": start,
                        "span_end": end,
                        "excerpt": excerpt,
                    }
                )
                excerpts.append(excerpt)
                excerpt_bodies.append(sentence.body)
            document = event_search_text(title=title, summary=summary, excerpts=excerpts)
            body = " ".join([title_body, summary_body, *excerpt_bodies])
            self._check_search(document, body)
            chunk["event_search"].append((number + 1, event_id, *analyse_words(body)))

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
                start, end, text, sentence = self.excerpt(source)
                said_on = start_date if precision == "day" and rng.random() < 0.7 else None
                attribution = rng.choices(
                    ("direct", "readout", "agency", "press"), cum_weights=(40, 70, 90, 100)
                )[0]
                quote_id = f"q-{start_text}-{speaker.short}-{number}-{index}"
                chunk["quote"].append(
                    {
                        "id": quote_id,
                        "speaker_id": speaker.id,
                        "event_id": event_id,
                        "source_id": source.id,
                        "span_start": start,
                        "span_end": end,
                        "text": text,
                        "language": source.language,
                        "translation_en": sentence.translation,
                        "attribution": attribution,
                        "via": rng.choice(w.VIA) if attribution == "agency" else None,
                        "said_on": said_on,
                        "date_evidence": "stated",
                        "sort_date": said_on or date_lo,
                        "note": "paraphrase in the source" if rng.random() < 0.02 else None,
                    }
                )
                quote_topics = rng.sample(topics, min(len(topics), rng.choice((0, 1, 1, 2))))
                for topic in quote_topics:
                    chunk["quote_topic"].append({"quote_id": quote_id, "topic": topic})
                document = quote_search_text(text=text, translation_en=sentence.translation)
                body = f"{sentence.body} {sentence.translation_body}"
                self._check_search(document, body)
                self.quotes_made += 1
                chunk["quote_search"].append((self.quotes_made, quote_id, *analyse_words(body)))
            if (number + 1) % CHUNK_EVENTS == 0:
                yield chunk
                chunk = _empty_chunk()
        if chunk["event"]:
            yield chunk

    def _check_search(self, document: str, body: str) -> None:
        # The bodies are assembled from pre-normalised words for speed; spot-check that they
        # equal the writer's body of the whole document (app/readmodel/write.py), as the seed's.
        if self.search_checked < 3000 and self.rng.random() < 0.05:
            self.search_checked += 1
            expected = search_row(document).body
            if expected != body:
                raise GeneratorError(f"search body mismatch: {expected!r} != {body!r}")


def _empty_chunk() -> Chunk:
    return {name: [] for name in (*EVENT_TABLES, *SEARCH_TABLES)}
