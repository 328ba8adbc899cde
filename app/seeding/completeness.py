"""The two completeness rules: nothing quoted or counted in a source goes uncurated.

Every quotation-mark span of a source is a quote or an exclusion (kind quote), and every number
followed by "miliardi" or "milioni" lies inside a trade observation's excerpt or an exclusion
(kind figure). `seed --check`, `seed` and the tests all run these same functions.
"""

import re
from typing import Any

from app.seeding.problems import SeedProblem

QUOTE_MARKS = '“”"'
FIGURE = re.compile(r"\d[\d.,]*\s+(?:miliardi|milioni)")
_SINGLE_QUOTED = re.compile(r"‘([^’]*)’")

Rows = dict[str, list[dict[str, Any]]]


def quoted_spans(source_text: str) -> list[tuple[int, int]] | None:
    """Inner spans of quotation marks paired in order, whatever mix of “ ” " the source uses,
    plus ‘…’ pairs (a ’ inside a word is an apostrophe and cannot close one), stripped of
    surrounding spaces; None when the marks cannot be paired (an odd number of them)."""
    marks = [i for i, ch in enumerate(source_text) if ch in QUOTE_MARKS]
    if len(marks) % 2:
        return None
    spans = [(marks[i] + 1, marks[i + 1]) for i in range(0, len(marks), 2)]
    spans += [(match.start(1), match.end(1)) for match in _SINGLE_QUOTED.finditer(source_text)]
    stripped = []
    for start, end in spans:
        inner = source_text[start:end]
        lead = len(inner) - len(inner.lstrip())
        stripped.append((start + lead, start + len(inner.rstrip())))
    return stripped


def _spans(rows: Rows, table: str, exclusion_kind: str) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    members = [*rows.get(table, []), *(x for x in rows["exclusion"] if x["kind"] == exclusion_kind)]
    for row in members:
        spans.setdefault(row["source_id"], []).append((row["span_start"], row["span_end"]))
    return spans


def completeness_problems(rows: Rows) -> list[SeedProblem]:
    """Every uncurated quotation or figure, naming the source file, source id and passage."""
    problems: list[SeedProblem] = []
    quotes = {key: set(value) for key, value in _spans(rows, "quote", "quote").items()}
    figures = _spans(rows, "trade_observation", "figure")
    for source in rows["source"]:
        text, source_id = source["text"], source["id"]
        file = f"seeds/sources/{source['file_name']}"
        spans = quoted_spans(text)
        if spans is None:
            problems.append(
                SeedProblem(
                    file,
                    source_id,
                    "text",
                    'has an odd number of quotation marks (“ ” "), so its quotations cannot be '
                    "paired; check the file against the article",
                )
            )
            spans = []
        for start, end in spans:
            if (start, end) not in quotes.get(source_id, set()):
                problems.append(
                    SeedProblem(
                        file,
                        source_id,
                        "text",
                        f"quoted passage {text[start:end]!r} (characters {start}–{end}) is "
                        "neither a quote in seeds/data/quotes.yaml nor an exclusion of kind "
                        "quote in seeds/data/exclusions.yaml",
                    )
                )
        covered = figures.get(source_id, [])
        for match in FIGURE.finditer(text):
            if not any(s <= match.start() and match.end() <= e for s, e in covered):
                problems.append(
                    SeedProblem(
                        file,
                        source_id,
                        "text",
                        f"figure {match.group()!r} (characters {match.start()}–{match.end()}) "
                        "is inside no trade observation's excerpt (seeds/data/trade.yaml) and "
                        "no exclusion of kind figure (seeds/data/exclusions.yaml)",
                    )
                )
    return problems
