"""The date of an event from the publication date and the clues of the passages that describe it:
a day and month ("Lo scorso 21 gennaio"), a relative word ("questa mattina", "ieri"), a
birthday of a person of people.yaml ("nel giorno del suo 69esimo compleanno"), a weekday ("di
mercoledì"), a month ("a dicembre"), or, failing all, the publication date at its precision.
The precision is the finest the clues support together; the evidence follows docs/dataset.md
("stated", "clue", or "identified" when the publication date, given from outside the text,
adds it)."""

import datetime as dt
import re
from dataclasses import dataclass

from app.drafting.lexicon import MONTHS, WEEKDAYS, month_number
from app.drafting.people import People

_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:°)? (?P<month>{MONTHS})(?: (?P<year>(?:19|20)\d\d))?\b", re.I
)
_RELATIVE = {
    r"questa mattina|stamattina|stamane|oggi|questo pomeriggio|stasera|in giornata": 0,
    r"l[’']altro ieri": -2,
    r"\bieri\b": -1,
}
_BIRTHDAY = re.compile(r"\b(?P<age>\d{1,3})(?:esimo|°|º) compleanno")
_WEEKDAY = re.compile(
    rf"\b(?:di |lo scorso |la scorsa |questo |questa )?(?P<day>{'|'.join(WEEKDAYS)})\b", re.I
)
_MONTH = re.compile(
    rf"\b(?:a|ad|in|nel(?:l[’'])?|lo scorso|nel mese di) (?P<month>{MONTHS})(?: (?P<yea"
    rf"r>(?:19|20)\d\d))?\b",
    re.I,
)
_LAST_MONTH = re.compile(r"\b(?:il mese scorso|lo scorso mese)\b", re.I)


@dataclass
class DateGuess:
    start: str
    precision: str  # day | month | year
    evidence: str  # stated | clue | identified
    basis: str
    confidence: float


def parse_published(value: str) -> tuple[dt.date, str]:
    """ "2025", "2022-06" or "2021-12-15": the first day it can denote and its precision."""
    parts = [int(p) for p in value.split("-")]
    precision = ("year", "month", "day")[len(parts) - 1]
    return dt.date(
        parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
    ), precision


def _at(day: dt.date, precision: str) -> str:
    return day.isoformat()[: {"day": 10, "month": 7, "year": 4}[precision]]


def date_of(
    passages: list[str], published: str, people: People, leaders: tuple[str, ...]
) -> DateGuess:
    """The date the passages give an event, read against the publication date."""
    first, pub_precision = parse_published(published)
    text = "\n".join(passages)
    if (m := _DAY_MONTH.search(text)) is not None:
        month = month_number(m.group("month")) or 1
        year = int(m.group("year")) if m.group("year") else first.year
        if (
            not m.group("year")
            and pub_precision != "year"
            and (month, int(m.group("day"))) > (first.month, first.day)
            and pub_precision == "day"
        ):
            year -= 1  # "lo scorso 21 dicembre" read in January
        day = dt.date(year, month, int(m.group("day")))
        how = "" if m.group("year") else f" in the publication year ({first.year})"
        return DateGuess(
            day.isoformat(),
            "day",
            "stated",
            f'The article gives the day ("{m.group()}"){how}.',
            0.8,
        )
    if pub_precision == "day":
        for pattern, offset in _RELATIVE.items():
            if (r := re.search(pattern, text, re.I)) is not None:
                day = first + dt.timedelta(days=offset)
                basis = (
                    f'The article says "{r.group()}"; it was published on {published} '
                    "(given to the draft)."
                )
                return DateGuess(day.isoformat(), "day", "identified", basis, 0.8)
    birthday = _birthday(text, people, leaders)
    weekday = _WEEKDAY.search(text)
    if birthday is not None:
        day, quoted = birthday
        clue = f'"{quoted}"'
        if weekday and WEEKDAYS.index(weekday.group("day").lower()) == day.weekday():
            clue += f' and "{weekday.group()}"'
        basis = f"The article gives {clue}; the person's birthday is in people.yaml."
        return DateGuess(day.isoformat(), "day", "clue", basis, 0.75)
    if weekday and pub_precision in ("day", "month"):
        wanted = WEEKDAYS.index(weekday.group("day").lower())
        if pub_precision == "day":
            back = (first.weekday() - wanted) % 7
            day = first - dt.timedelta(days=back)
            basis = (
                f'The article says "{weekday.group()}"; the last such day on or before its publica'
                f"tion on {published}."
            )
            return DateGuess(day.isoformat(), "day", "identified", basis, 0.6)
    if (m := _MONTH.search(text)) is not None:
        month = month_number(m.group("month")) or 1
        year = int(m.group("year")) if m.group("year") else first.year
        if not m.group("year") and pub_precision != "year" and month > first.month:
            year -= 1
        basis = f'The article gives the month ("{m.group()}").'
        return DateGuess(
            f"{year}-{month:02d}", "month", "stated" if m.group("year") else "clue", basis, 0.6
        )
    if (last := _LAST_MONTH.search(text)) is not None and pub_precision != "year":
        previous = (first.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        return DateGuess(previous, "month", "clue", f'The article says "{last.group()}".', 0.6)
    basis = (
        f"No date word: the article reports it as news, published {published} (given to the draft)."
    )
    return DateGuess(_at(first, pub_precision), pub_precision, "identified", basis, 0.4)


def _birthday(text: str, people: People, leaders: tuple[str, ...]) -> tuple[dt.date, str] | None:
    """ "nel giorno del suo 69esimo compleanno": the day a person of the sentence turned 69."""
    for match in _BIRTHDAY.finditer(text):
        sentence_start = (
            max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        )
        sentence_end = min(i for i in (text.find(".", match.end()), len(text)) if i >= 0)
        named = people.mentions(text[sentence_start:sentence_end], leaders)
        for mention in named:
            person = people.people[mention.people[0]]
            if len(mention.people) == 1 and person.born is not None:
                born = person.born
                try:
                    day = born.replace(year=born.year + int(match.group("age")))
                except ValueError:
                    continue
                return day, match.group()
    return None
