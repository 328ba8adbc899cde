"""The one date policy of docs/dataset.md ("Dates"), judged per event on whole passages.

An event's date is judged on the *passages* of all its sources: each excerpt widened to the
sentence it stands in, so trimming an excerpt can neither hide a date word the article gives
nor make a date look better supported than it is.
"""

import re
from collections.abc import Iterable

from app.seeding.problems import SeedProblem
from app.seeding.records import EventRecord, QuoteRecord, SpanRef
from app.seeding.spans import find_span
from app.vocab import DateEvidence, DatePrecision

ITALIAN_MONTHS = (
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
)
WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
# Words that place a passage in time relative to something dated: "ieri", "un giorno dopo",
# "la scorsa settimana", "il mese scorso", "quest'anno", "la prossima primavera", a birthday,
# an anniversary.
RELATIVE_DATE_WORDS = (
    "ieri",
    "oggi",
    "domani",
    "mattina",
    "sera",
    "giorno",
    "giorni",
    "settimana",
    "settimane",
    "mese",
    "mesi",
    "anno",
    "primavera",
    "estate",
    "autunno",
    "inverno",
    "compleanno",
    "anniversario",
)
_MONTH = re.compile(r"\b(" + "|".join(ITALIAN_MONTHS) + r")\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
DATE_WORD = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?!\d)|\b(?:"
    + "|".join((*ITALIAN_MONTHS, *WEEKDAYS, *RELATIVE_DATE_WORDS))
    + r")\b",
    re.IGNORECASE,
)
_QUOTED_IN_PROSE = re.compile(r'"([^"]+)"')
_ID_DATE = re.compile(r"^(\d{4}(?:-\d{2}){0,2})-")
_SENTENCE_END = ".!?\n"
FILE = "seeds/data/events.yaml"


def passage(text: str, ref: SpanRef) -> str:
    """The excerpt widened to the whole sentence (or line) it stands in."""
    span = find_span(text, ref.excerpt, ref.occurrence)
    if span is None:
        return ref.excerpt
    start, end = span
    while start > 0 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    while end < len(text) and text[end - 1] not in _SENTENCE_END:
        end += 1
    return text[start:end].strip()


def event_passages(event: EventRecord, texts: dict[str, str]) -> list[str]:
    return [passage(texts.get(ref.source, ref.excerpt), ref) for ref in event.sources]


def _states(passages: Iterable[str], date: str, precision: DatePrecision) -> bool:
    """Whether a passage states `date` ("YYYY[-MM[-DD]]") at `precision`."""
    if precision is DatePrecision.year:
        pattern = rf"(?<!\d){date[:4]}(?!\d)"
    else:
        month = ITALIAN_MONTHS[int(date[5:7]) - 1]
        if precision is DatePrecision.month:
            pattern = rf"\b{month}\b"
        else:
            pattern = rf"(?<!\d)0?{int(date[8:10])}\s+{month}\b"
    return any(re.search(pattern, text, re.IGNORECASE) for text in passages)


def _finer_than_stored(event: EventRecord, passages: list[str]) -> str | None:
    """A finer date of the event's own month or year that a passage gives, if any."""
    if event.date_precision is DatePrecision.day:
        return None
    year = event.start_date[:4]
    if event.date_precision is DatePrecision.month:
        month = ITALIAN_MONTHS[int(event.start_date[5:7]) - 1]
        pattern = rf"(?<!\d)\d{{1,2}}\s+{month}\b"
    else:
        pattern = r"\b(?:" + "|".join(ITALIAN_MONTHS) + rf")\s+(?:del\s+)?{year}(?!\d)"
    for text in passages:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return match.group()
    return None


def _contradiction(event: EventRecord, passages: list[str]) -> str | None:
    """A year or month the passages give that the event's dates do not fall in."""
    first, last = event.start_date, event.end_date or event.start_date
    years = {y for text in passages for y in _YEAR.findall(text)}
    if years and not any(first[:4] <= year <= last[:4] for year in years):
        return f"the passages give the year(s) {', '.join(sorted(years))}"
    if event.date_precision is not DatePrecision.year and first[:4] == last[:4]:
        months = {m.lower() for text in passages for m in _MONTH.findall(text)}
        inside = {ITALIAN_MONTHS[n - 1] for n in range(int(first[5:7]), int(last[5:7]) + 1)}
        if months and not months & inside:
            return f"the passages give the month(s) {', '.join(sorted(months))}"
    return None


def _clue_problem(event: EventRecord, texts: dict[str, str]) -> str | None:
    """A clue or an identifying passage: quoted in date_basis, printed in a source of the
    event, and holding a date word (a year, a month, a weekday, "ieri", "settimana"...)."""
    cited = [texts.get(ref.source, "") for ref in event.sources]
    quoted = [clue for clue in _QUOTED_IN_PROSE.findall(event.date_basis or "")]
    printed = [clue for clue in quoted if any(clue in text for text in cited)]
    if not printed:
        return (
            f"date_evidence is '{event.date_evidence}': quote the passage that dates the event "
            "(in double quotes) exactly as one of the event's sources prints it"
        )
    if not any(DATE_WORD.search(clue) for clue in printed):
        return (
            f"date_evidence is '{event.date_evidence}', but no passage it quotes holds a date "
            f"word ({', '.join(repr(c[:40]) for c in printed)}): quote the words that date the "
            'event, such as a year, a month, a weekday, "ieri" or "la scorsa settimana"'
        )
    return None


def date_problems(events: list[EventRecord], texts: dict[str, str]) -> list[SeedProblem]:
    """One date policy, judged on each event's whole passages (docs/dataset.md, "Dates")."""
    problems = []

    def problem(event: EventRecord, name: str, message: str) -> None:
        problems.append(SeedProblem(FILE, event.id, name, message))

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
            problem(event, "date_basis", "must explain the date (it is not stated in a passage)")
        passages = event_passages(event, texts)
        stated = _states(passages, event.start_date, event.date_precision)
        if event.date_evidence is DateEvidence.stated and not stated:
            problem(
                event,
                "date_evidence",
                f"is 'stated' but no passage of its sources states {event.start_date} at "
                f"{event.date_precision} precision (Italian month name, day and month, or "
                "year): cite the passage that does, or use 'clue' or 'identified'",
            )
        if event.date_evidence is not DateEvidence.identified:
            finer = _finer_than_stored(event, passages)
            if finer:
                problem(
                    event,
                    "date_precision",
                    f"is {event.date_precision}, but a passage gives a finer date ({finer!r}): "
                    "the date is as precise as the articles taken together",
                )
        if event.date_evidence is not DateEvidence.stated and event.date_basis:
            clue = _clue_problem(event, texts)
            if clue:
                problem(event, "date_basis", clue)
        if event.date_evidence is DateEvidence.identified:
            if stated:
                problem(
                    event,
                    "date_evidence",
                    f"is 'identified' but a passage states {event.start_date} at "
                    f"{event.date_precision} precision: the date is 'stated'",
                )
            contradiction = _contradiction(event, passages)
            if contradiction:
                problem(
                    event,
                    "start_date",
                    f"is identified as {event.start_date}, but {contradiction}: an identified "
                    "date refines what the articles say, never contradicts it",
                )
    return problems


def said_on_problems(quotes: list[QuoteRecord], events: list[EventRecord]) -> list[SeedProblem]:
    """`said_on` is a day the articles fix: its event's day, stated or given by a clue."""
    by_id = {event.id: event for event in events}
    problems = []
    for quote in quotes:
        if quote.said_on is None:
            continue
        event = by_id.get(quote.event or "")
        fixed = (
            event is not None
            and event.date_precision is DatePrecision.day
            and event.date_evidence is not DateEvidence.identified
            and event.end_date is None
            and event.start_date == quote.said_on.isoformat()
        )
        if not fixed:
            problems.append(
                SeedProblem(
                    "seeds/data/quotes.yaml",
                    quote.id,
                    "said_on",
                    f"{quote.said_on} is finer than the articles fix: said_on is set only to "
                    "the day of the quote's event when the articles state it or a clue fixes "
                    "it (date_evidence stated or clue), never to a day identified from outside "
                    "knowledge; leave it null",
                )
            )
    return problems
