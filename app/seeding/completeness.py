"""The two completeness rules: nothing quoted or counted in a source goes uncurated.

Every quotation of a source, in any mark style (app/seeding/quotations.py), is a quote or an
exclusion (kind quote), and every number followed by a scale word ("244,8 miliardi", "dieci
miliardi", "150 mln") lies inside a trade observation's excerpt or an exclusion (kind figure).
Each message carries the YAML a curator pastes to cover the passage or to exclude it.
`seed --check`, `seed` and the tests all run these same functions.
"""

from typing import Any

from app.seeding.number_words import FIGURE
from app.seeding.problems import SeedProblem
from app.seeding.quotations import scan
from app.seeding.snippets import occurrence_at, record_yaml

__all__ = ["FIGURE", "completeness_problems", "quoted_spans"]

Rows = dict[str, list[dict[str, Any]]]


def quoted_spans(source_text: str) -> list[tuple[int, int]]:
    """Inner spans of every quotation, whatever its marks, stripped of surrounding spaces."""
    quotations, _ = scan(source_text)
    return [(q.start, q.end) for q in quotations]


def _spans(rows: Rows, table: str, exclusion_kind: str) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    members = [*rows.get(table, []), *(x for x in rows["exclusion"] if x["kind"] == exclusion_kind)]
    for row in members:
        spans.setdefault(row["source_id"], []).append((row["span_start"], row["span_end"]))
    return spans


def _paste(cover: tuple[str, dict[str, Any]], exclusion: dict[str, Any]) -> str:
    file, record = cover
    return (
        f"; to cover it, add to {file}:\n{record_yaml(record, '      ')}\n"
        f"    or to exclude it, add to seeds/data/exclusions.yaml:\n"
        f"{record_yaml(exclusion, '      ')}"
    )


def quote_message(text: str, source_id: str, start: int, end: int) -> str:
    passage = text[start:end]
    occurrence = occurrence_at(text, passage, start) or 1
    quote: dict[str, object] = {
        "id": "q-<said_on or event date>-<speaker>-<short slug>",
        "speaker": "<person id from seeds/data/people.yaml>",
        "event": None,
        "source": source_id,
        "text": passage,
        "occurrence": occurrence,
        "language": "it",
        "translation_en": "<English translation of the Italian as printed>",
        "attribution": "<direct | readout | agency | press | indirect>",
        "via": None,
        "said_on": None,
        "topics": [],
    }
    exclusion = {
        "source": source_id,
        "text": passage,
        "occurrence": occurrence,
        "kind": "quote",
        "reason": "<why it is not a quote: headline, term, policy name, repeat of q-...>",
    }
    return (
        f"quoted passage {passage!r} (characters {start}–{end}) is neither a quote in "
        "seeds/data/quotes.yaml nor an exclusion of kind quote in seeds/data/exclusions.yaml"
        + _paste(("seeds/data/quotes.yaml", quote), exclusion)
    )


def figure_message(text: str, source_id: str, start: int, end: int) -> str:
    figure = text[start:end]
    occurrence = occurrence_at(text, figure, start) or 1
    trade: dict[str, object] = {
        "id": "t-<NNN>-<period>-<flow>-<value>",
        "source": source_id,
        "excerpt": figure,
        "occurrence": occurrence,
        "event": None,
        "country": "CN",
        "partner": "RU",
        "flow": "<total | export | import>",
        "kind": "<actual | target>",
        "period_type": "<annual | ytd | month | open>",
        "period": "<2024 | 2021-01-01/P10M | null>",
        "value": "<the figure, with a decimal point>",
        "currency": "<USD, or null with a unit>",
        "unit_mult": 9,
        "qualifier": "<exact | approximate | lower_bound | upper_bound>",
    }
    exclusion = {
        "source": source_id,
        "text": figure,
        "occurrence": occurrence,
        "kind": "figure",
        "reason": "<why it is not a bilateral figure: doses, a count, another country's trade>",
    }
    return (
        f"figure {figure!r} (characters {start}–{end}) is inside no trade observation's "
        "excerpt (seeds/data/trade.yaml) and no exclusion of kind figure "
        "(seeds/data/exclusions.yaml); widen the excerpt to the sentence's figure"
        + _paste(("seeds/data/trade.yaml", trade), exclusion)
    )


def completeness_problems(rows: Rows) -> list[SeedProblem]:
    """Every uncurated quotation or figure, naming the source file, source id and passage."""
    problems: list[SeedProblem] = []
    quotes = {key: set(value) for key, value in _spans(rows, "quote", "quote").items()}
    figures = _spans(rows, "trade_observation", "figure")
    for source in rows["source"]:
        text, source_id = source["text"], source["id"]
        file = f"seeds/sources/{source['file_name']}"
        quotations, unbalanced = scan(text)
        for mark in unbalanced:
            context = text[max(0, mark.position - 30) : mark.position + 30].replace("\n", " ")
            problems.append(
                SeedProblem(
                    file,
                    source_id,
                    "text",
                    f"quotation mark {mark.mark!r} at character {mark.position} has no partner "
                    f"in its paragraph (…{context}…); check the file against the article: a "
                    "quotation it opens or closes is not listed until it is paired",
                )
            )
        for q in quotations:
            if (q.start, q.end) not in quotes.get(source_id, set()):
                problems.append(
                    SeedProblem(
                        file, source_id, "text", quote_message(text, source_id, q.start, q.end)
                    )
                )
        covered = figures.get(source_id, [])
        for match in FIGURE.finditer(text):
            if not any(s <= match.start() and match.end() <= e for s, e in covered):
                message = figure_message(text, source_id, match.start(), match.end())
                problems.append(SeedProblem(file, source_id, "text", message))
    return problems
