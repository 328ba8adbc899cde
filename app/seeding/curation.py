"""The curation rules of docs/dataset.md, checked on every seed (and by `seed --check`).

Each rule returns the problems it finds, naming the file, the record and what to fix; the test
suite runs these same functions, so a rule is enforced in one place.
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.seeding.completeness import completeness_problems
from app.seeding.date_rules import date_problems, said_on_problems
from app.seeding.problems import SeedProblem
from app.seeding.records import EventRecord, PersonRecord, QuoteRecord, SourceRecord
from app.seeding.speech_rules import speech_problems
from app.vocab import QUALIFIER_BOUND

__all__ = ["date_problems", "said_on_problems", "speech_problems"]

Rows = dict[str, list[dict[str, Any]]]

SOURCE_FILE_NAME = re.compile(r"^(\d{3})_([0-9a-f]{16})\.txt$")
# The first five articles were named by the tool that collected them: their hex part is not a
# digest of the text (not SHA-256, SHA-1, MD5 or BLAKE2 of the bytes) and cannot be re-derived.
# Every file added since is named by source_file_name().
COLLECTED_SOURCE_FILES = frozenset(
    {
        "000_2f9d6d6e3bb87fa9.txt",
        "001_3ac86fa510cbe1ca.txt",
        "002_0730612c89c6dd7d.txt",
        "003_a3bf1baf7ef32c25.txt",
        "004_5c27b14f5601f627.txt",
    }
)

# Fields the API serves as our own prose, per table, and the seed file each comes from.
PROSE_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "source": ("seeds/data/sources.yaml", ("published_basis",)),
    "person": ("seeds/data/people.yaml", ("name", "office")),
    "event": ("seeds/data/events.yaml", ("title", "summary", "context", "date_basis", "location")),
    "quote": ("seeds/data/quotes.yaml", ("translation_en", "via", "note")),
    "trade_observation": ("seeds/data/trade.yaml", ("agency", "note", "preference_reason")),
    "exclusion": ("seeds/data/exclusions.yaml", ("reason",)),
}

_QUOTE_ID_DATE = re.compile(r"^q-(\d{4}(?:-\d{2}){0,2})-")
_TRANSLATION_TALK = re.compile(r"\bliterally\b", re.IGNORECASE)
# "the December 2021 article", "the Italian article": a source named neither by outlet nor id.
_VAGUE_SOURCE = re.compile(r"\b[Tt]he\s+((?:[\w–-]+\s+){1,3}?)article\b")


@dataclass(frozen=True)
class SeedRecords:
    """The parsed records the rules need beyond the built rows."""

    people: list[PersonRecord]
    sources: list[SourceRecord]
    events: list[EventRecord]
    quotes: list[QuoteRecord]


def source_file_name(number: int, raw: bytes) -> str:
    """The name a new source file gets: its sequence number and the first 16 hex digits of the
    SHA-256 of its bytes, so the name changes if the verbatim text ever does."""
    return f"{number:03d}_{hashlib.sha256(raw).hexdigest()[:16]}.txt"


def file_number_pattern(numbers: Iterable[str]) -> re.Pattern[str] | None:
    """Matches a source file number standing alone in prose ("source 003", "003 gives"),
    not inside an id (t-004-...), a longer number (2001) or a figure (1,000)."""
    alternatives = sorted(set(numbers))
    if not alternatives:
        return None
    return re.compile(r"(?<![\w,.\-/])(?:" + "|".join(alternatives) + r")(?![\w\-])")


def source_file_problems(seeds_dir: Path, sources: list[SourceRecord]) -> list[SeedProblem]:
    """Every file is NNN_<16 hex>.txt, numbered 000, 001, ... without gaps, and has a record."""
    problems: list[SeedProblem] = []
    recorded = {s.file_name: s.id for s in sources}
    numbers: list[int] = []
    for path in sorted((seeds_dir / "sources").iterdir()):
        file = f"seeds/sources/{path.name}"
        record = recorded.get(path.name, "-")
        match = SOURCE_FILE_NAME.match(path.name)
        if match is None:
            problems.append(
                SeedProblem(file, record, "file_name", "must be named NNN_<16 hex digits>.txt")
            )
            continue
        numbers.append(int(match.group(1)))
        expected = source_file_name(int(match.group(1)), path.read_bytes())
        if path.name not in COLLECTED_SOURCE_FILES and path.name != expected:
            problems.append(
                SeedProblem(
                    file,
                    record,
                    "file_name",
                    f"the hex part must be the first 16 hex digits of the file's SHA-256: "
                    f"rename it {expected} (and its file_name in seeds/data/sources.yaml)",
                )
            )
        if path.name not in recorded:
            problems.append(
                SeedProblem(file, "-", "file_name", "has no record in seeds/data/sources.yaml")
            )
    if sorted(numbers) != list(range(len(numbers))):
        problems.append(
            SeedProblem(
                "seeds/sources/",
                "-",
                "file_name",
                f"file numbers must run 000, 001, ... without gaps or repeats; found "
                f"{', '.join(f'{n:03d}' for n in sorted(numbers))}",
            )
        )
    return problems


def prose_problems(rows: Rows, numbers: Iterable[str]) -> list[SeedProblem]:
    """Prose names a source by its outlet or id: never by its file number, nor by a
    description ("the December 2021 article"), nor as "the article" where the record cites
    several sources."""
    pattern = file_number_pattern(numbers)
    cited: dict[str, set[str]] = defaultdict(set)
    for row in rows.get("event_source", []):
        cited[row["event_id"]].add(row["source_id"])
    problems = []
    for table, (file, fields) in PROSE_FIELDS.items():
        for row in rows.get(table, []):
            record = str(row.get("id") or f"{row.get('source_id')}:{row.get('text')}")
            several = table == "event" and len(cited[row["id"]]) > 1
            for name in fields:
                value = row.get(name)
                if not isinstance(value, str):
                    continue
                for message in _naming_problems(value, pattern, several=several):
                    problems.append(SeedProblem(file, record, name, message))
    return problems


def _naming_problems(value: str, pattern: re.Pattern[str] | None, *, several: bool) -> list[str]:
    found = []
    match = pattern.search(value) if pattern else None
    if match:
        found.append(
            f"names a source by its file number ({match.group()!r}): refer to it by its "
            "outlet or its source id"
        )
    vague = _VAGUE_SOURCE.search(value)
    if vague:
        found.append(
            f"names a source by a description ({vague.group()!r}): refer to it by its outlet "
            "or its source id"
        )
    if several and re.search(r"\b[Tt]he article\b", value):
        found.append(
            "says 'the article', but the event cites several sources: name the one meant by "
            "its outlet or its source id"
        )
    return found


def quote_problems(quotes: list[QuoteRecord], events: list[EventRecord]) -> list[SeedProblem]:
    """A quote id's date is one the record holds; translation notes take one form."""
    file = "seeds/data/quotes.yaml"
    starts = {event.id: event.start_date for event in events}
    problems = []
    for quote in quotes:
        dates = [quote.said_on.isoformat()] if quote.said_on else []
        if quote.event in starts:
            dates.append(starts[quote.event])
        match = _QUOTE_ID_DATE.match(quote.id)
        if match and not any(date.startswith(match.group(1)) for date in dates):
            problems.append(
                SeedProblem(
                    file,
                    quote.id,
                    "id",
                    f"carries the date {match.group(1)}, which is neither said_on nor its event's "
                    "start_date: a quote linked to no event and undated has no date in its id",
                )
            )
        literal = quote.note and _TRANSLATION_TALK.search(quote.note)
        if literal and not str(quote.note).startswith("Translation:"):
            problems.append(
                SeedProblem(
                    file,
                    quote.id,
                    "note",
                    "a note about the translation starts with 'Translation:' and gives the "
                    "literal sense of the Italian",
                )
            )
    return problems


def people_problems(
    people: list[PersonRecord], events: list[EventRecord], quotes: list[QuoteRecord]
) -> list[SeedProblem]:
    """Every person listed takes part in an event or speaks a quote."""
    linked = {p.person for event in events for p in event.participants}
    linked |= {quote.speaker for quote in quotes}
    return [
        SeedProblem(
            "seeds/data/people.yaml",
            person.id,
            "id",
            "is linked to no event (participants) and no quote (speaker): link the person to "
            "what the articles report, or leave them out",
        )
        for person in people
        if person.id not in linked
    ]


def bound_problems(rows: Rows) -> list[SeedProblem]:
    """A bound is never the preferred figure of its claim group."""
    return [
        SeedProblem(
            "seeds/data/trade.yaml",
            row["id"],
            "qualifier",
            f"a {row['qualifier']} figure is preferred; bounds never are",
        )
        for row in rows.get("trade_observation", [])
        if row["preferred"] and row["qualifier"] in QUALIFIER_BOUND
    ]


def curation_problems(seeds_dir: Path, records: SeedRecords, rows: Rows) -> list[SeedProblem]:
    """Every curation rule, in one list."""
    numbers = [
        match.group(1)
        for path in (seeds_dir / "sources").iterdir()
        if (match := SOURCE_FILE_NAME.match(path.name))
    ]
    texts = {row["id"]: row["text"] for row in rows["source"]}
    return [
        *source_file_problems(seeds_dir, records.sources),
        *completeness_problems(rows),
        *prose_problems(rows, numbers),
        *date_problems(records.events, texts),
        *quote_problems(records.quotes, records.events),
        *said_on_problems(records.quotes, records.events),
        *speech_problems(records.quotes, records.people),
        *people_problems(records.people, records.events, records.quotes),
        *bound_problems(rows),
    ]
