"""Reported speech is not a quote (docs/dataset.md, "Reported speech"): the cases a checker
can see."""

import re

from app.seeding.problems import SeedProblem
from app.seeding.records import PersonRecord, QuoteRecord
from app.vocab import REPORTED_SPEECH

# How the Italian articles name a leader in the third person by office: "Il presidente cinese",
# "il leader russo". A speaker does not talk of himself so.
OFFICE = r"(?:presidente|leader|capo di Stato|ambasciatore|ministro)"
COUNTRY_ADJECTIVES = {
    "CN": ("cinese",),
    "RU": ("russo",),
    "US": ("statunitense", "americano", "degli Stati Uniti"),
}


def third_person(person: PersonRecord) -> re.Pattern[str]:
    """The ways a passage names `person` in the third person: by name, surname, alias, or
    office and country ("Il presidente cinese")."""
    # Every alias, garbled ones too: a garbled name in a passage still names the person.
    names = {person.name, *person.name.split(), *(a["name"] for a in person.alias_rows())}
    alternatives = [re.escape(name) for name in sorted(names, key=len, reverse=True)]
    adjectives = COUNTRY_ADJECTIVES.get(person.country, ())
    if adjectives:
        alternatives.append(rf"(?i:\b(?:il|lo|del|al) {OFFICE} (?:{'|'.join(adjectives)}))")
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def speech_problems(quotes: list[QuoteRecord], people: list[PersonRecord]) -> list[SeedProblem]:
    """A passage that names its own speaker in the third person describes what he said: its
    attribution is `indirect` (reported speech), whatever channel carried it."""
    patterns = {person.id: third_person(person) for person in people}
    problems = []
    for quote in quotes:
        pattern = patterns.get(quote.speaker)
        if pattern is None or quote.attribution in REPORTED_SPEECH:
            continue
        match = pattern.search(quote.text)
        if match:
            problems.append(
                SeedProblem(
                    "seeds/data/quotes.yaml",
                    quote.id,
                    "attribution",
                    f"is '{quote.attribution}', but the text names its speaker in the third "
                    f"person ({match.group()!r}): it describes what he said, so it is "
                    "reported speech (attribution 'indirect', served apart from his own words), "
                    "or an exclusion with its reason",
                )
            )
    return problems
