"""The curation rules of docs/dataset.md, checked on every seed (and by `seed --check`).

Each rule returns the problems it finds, naming the file, the record and what to fix; the test
suite runs these same functions, so a rule is enforced in one place.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.seeding.completeness import completeness_problems
from app.seeding.problems import SeedProblem
from app.seeding.records import DateEvidence, EventRecord, PersonRecord, QuoteRecord, SourceRecord
from app.vocab import QUALIFIER_BOUND, DatePrecision

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
    "event": ("seeds/data/events.yaml", ("title", "summary", "date_basis", "location")),
    "quote": ("seeds/data/quotes.yaml", ("translation_en", "via", "note")),
    "trade_observation": ("seeds/data/trade.yaml", ("agency", "note", "preference_reason")),
    "exclusion": ("seeds/data/exclusions.yaml", ("reason",)),
}

ITALIAN_MONTHS = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]
_MONTH = re.compile(r"\b(?:" + "|".join(ITALIAN_MONTHS) + r")\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_QUOTED_IN_PROSE = re.compile(r'"([^"]+)"')
_ID_DATE = re.compile(r"^(\d{4}(?:-\d{2}){0,2})-")
_QUOTE_ID_DATE = re.compile(r"^q-(\d{4}(?:-\d{2}){0,2})-")
_TRANSLATION_TALK = re.compile(r"\bliterally\b", re.IGNORECASE)


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
    """No prose field names a source by its file number: use its outlet or id."""
    pattern = file_number_pattern(numbers)
    if pattern is None:
        return []
    problems = []
    for table, (file, fields) in PROSE_FIELDS.items():
        for row in rows.get(table, []):
            for name in fields:
                value = row.get(name)
                match = pattern.search(value) if isinstance(value, str) else None
                if match:
                    problems.append(
                        SeedProblem(
                            file,
                            str(row.get("id") or f"{row.get('source_id')}:{row.get('text')}"),
                            name,
                            f"names a source by its file number ({match.group()!r}): refer to "
                            "it by its outlet or its source id",
                        )
                    )
    return problems


def _stated_at_precision(event: EventRecord) -> bool:
    excerpts = [ref.excerpt for ref in event.sources]
    if event.date_precision is DatePrecision.year:
        return any(re.search(rf"(?<!\d){event.start_date}(?!\d)", e) for e in excerpts)
    month = ITALIAN_MONTHS[int(event.start_date[5:7]) - 1]
    if event.date_precision is DatePrecision.month:
        return any(re.search(rf"\b{month}\b", e, re.IGNORECASE) for e in excerpts)
    day = int(event.start_date[8:10])
    return any(re.search(rf"(?<!\d)0?{day}\s+{month}\b", e, re.IGNORECASE) for e in excerpts)


def date_problems(events: list[EventRecord], texts: dict[str, str]) -> list[SeedProblem]:
    """One date policy: an event's date says no more than the articles do (docs/dataset.md)."""
    file = "seeds/data/events.yaml"
    problems = []

    def problem(event: EventRecord, name: str, message: str) -> None:
        problems.append(SeedProblem(file, event.id, name, message))

    for event in events:
        match = _ID_DATE.match(event.id)
        if match is None or not event.start_date.startswith(match.group(1)):
            problem(
                event,
                "id",
                f"must start with start_date ({event.start_date}) or a coarser prefix of it, so "
                "the id never claims a finer date than the record",
            )
        if event.date_evidence is not DateEvidence.stated and not event.date_basis:
            problem(event, "date_basis", "must explain the date (it is not stated in an excerpt)")
        if event.date_evidence is DateEvidence.stated and not _stated_at_precision(event):
            problem(
                event,
                "date_evidence",
                f"is 'stated' but no excerpt states {event.start_date} at "
                f"{event.date_precision} precision (Italian month name, day and month, or "
                "year): cite the passage that does, or use 'clue' or 'identified'",
            )
        cited = [texts.get(ref.source, "") for ref in event.sources]
        if event.date_evidence is DateEvidence.clue:
            clues = _QUOTED_IN_PROSE.findall(event.date_basis or "")
            if not any(clue in text for clue in clues for text in cited):
                problem(
                    event,
                    "date_basis",
                    "date_evidence is 'clue': quote the clue (in double quotes) exactly as it "
                    "appears in one of the event's sources",
                )
        if event.date_evidence is DateEvidence.identified:
            dated = [ref.excerpt for ref in event.sources if _MONTH.search(ref.excerpt)]
            dated += [ref.excerpt for ref in event.sources if _YEAR.search(ref.excerpt)]
            if dated:
                problem(
                    event,
                    "date_evidence",
                    f"is 'identified' but an excerpt dates the event ({dated[0][:60]!r}): the "
                    "articles' date sets the precision; world knowledge goes in date_basis",
                )
    return problems


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
        *people_problems(records.people, records.events, records.quotes),
        *bound_problems(rows),
    ]
