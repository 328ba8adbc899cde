"""What a search hit shows: the stretch of its text around the first match, its matching words
marked, and how well it matches. Computed in Python from the words a query's terms name, as the
index matches them (app/readmodel/analysis.py), so both databases show the same."""

import re
from collections.abc import Sequence

from app.readmodel.analysis import STEM_EN, STEM_IT, stem
from app.readmodel.contract import normalise
from app.services.search import Term

_WORD = re.compile(r"[^\W_]+")
SNIPPET_CHARS = 200
_BEFORE = 60  # characters of context kept before the first match
ELLIPSIS = "…"
LABEL_WEIGHT = 3  # a match in the title (label) counts this many matches in the rest


class Matcher:
    """Which words of a text a query's terms match, as the index does: a prefix among the
    folded words, a word by either language's stem. Each distinct word is judged once."""

    def __init__(self, terms: Sequence[Term]) -> None:
        wanted = [term for term in terms if not term.excluded]
        self.prefixes = tuple(term.words[0] for term in wanted if term.prefix)
        self.stems = {
            column: {
                stem(column, word) for term in wanted if not term.prefix for word in term.words
            }
            for column in (STEM_EN, STEM_IT)
        }
        self.judged: dict[str, bool] = {}

    def _folded_matches(self, folded: str) -> bool:
        return folded.startswith(self.prefixes) or any(
            stem(column, folded) in stems for column, stems in self.stems.items()
        )

    def matches(self, word: str) -> bool:
        found = self.judged.get(word)
        if found is None:
            folded = normalise(word).split()
            found = self.judged[word] = any(self._folded_matches(part) for part in folded)
        return found

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The character spans of the words of `text` that a term matches."""
        return [match.span() for match in _WORD.finditer(text) if self.matches(match.group())]


def _cut_start(text: str, at: int) -> int:
    """`at`, moved back to the start of the word it falls in."""
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _cut_end(text: str, at: int) -> int:
    while at < len(text) and not text[at].isspace():
        at += 1
    return at


def snippet(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Up to about SNIPPET_CHARS of `text` from a little before the first span in `spans`,
    cut at word boundaries (`…` where cut), and the spans that fall in it, as offsets in it."""
    first = spans[0][0] if spans else 0
    start = _cut_start(text, max(0, first - _BEFORE))
    end = _cut_end(text, min(len(text), start + SNIPPET_CHARS))
    lead = ELLIPSIS if start > 0 else ""
    shown = lead + text[start:end].strip() + (ELLIPSIS if end < len(text) else "")
    offset = len(lead) - start - (len(text[start:end]) - len(text[start:end].lstrip()))
    marks = [(a + offset, b + offset) for a, b in spans if a >= start and b <= end]
    return shown, marks


def best_snippet(fields: Sequence[str], matcher: Matcher) -> tuple[str, list[tuple[int, int]], int]:
    """The snippet of the first of `fields` (the label first) with a match, else of the first
    field; and the score: matches in the label count LABEL_WEIGHT, in the others 1."""
    chosen: tuple[str, list[tuple[int, int]]] | None = None
    score = 0
    for index, text in enumerate(fields):
        spans = matcher.spans(text)
        score += len(spans) * (LABEL_WEIGHT if index == 0 else 1)
        if spans and chosen is None:
            chosen = (text, spans)
    text, spans = chosen or (fields[0] if fields else "", [])
    shown, marks = snippet(text, spans)
    return shown, marks, score
