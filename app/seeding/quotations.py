"""Quotations in every mark style Italian papers print, paired the way a reader pairs them.

Double marks (" “ ” „ ‟) form one family: articles mix them, and machine-converted text even
reverses them (” caro amico “), so within a paragraph they pair in order. Guillemets (« » and
‹ ›) and single marks (‘ ’, and ' used as a quotation mark rather than an apostrophe) pair
within their own family. A paragraph with an odd count of a family is paired by direction as far
as it goes, and what is left over is reported as an unbalanced mark, not guessed at.
`seed --check` (app/seeding/completeness.py) and the draft (app/drafting) both read these spans.
"""

import re
from dataclasses import dataclass

DOUBLE_MARKS = '"“”„‟'
GUILLEMETS = "«»"
SINGLE_GUILLEMETS = "‹›"
ALL_MARKS = DOUBLE_MARKS + GUILLEMETS + SINGLE_GUILLEMETS + "‘’'"
_OPENING = "“„‟«‹‘"
_CLOSING = "”»›’"
# ' or ’ between two letters is an apostrophe (dell'anno, un’invasione), never a quotation mark.
_SINGLE_OPEN = re.compile(r"(?<![\w'’])['‘](?=[^\s'’])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\s'‘])['’](?![\w])")
_MAX_SINGLE_QUOTE = 200  # characters: a single-quoted title or phrase, not a paragraph


@dataclass(frozen=True)
class Quotation:
    """The inner text of one pair of marks, stripped of surrounding spaces."""

    start: int
    end: int
    opening: str
    closing: str


@dataclass(frozen=True)
class Unbalanced:
    """A quotation mark with no partner in its paragraph."""

    position: int
    mark: str


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _opens(text: str, i: int) -> bool:
    """Whether the mark at i opens a quotation, by its shape or, for ", by what surrounds it."""
    mark = text[i]
    if mark in _OPENING:
        return True
    if mark in _CLOSING:
        return False
    before = text[i - 1] if i else " "
    return before.isspace() or before in "([{—–-:"


def _pair(text: str, marks: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
    if len(marks) % 2 == 0:
        return [(marks[i], marks[i + 1]) for i in range(0, len(marks), 2)], []
    pairs, left, open_at = [], [], None
    for i in marks:
        if _opens(text, i):
            if open_at is not None:
                left.append(open_at)
            open_at = i
        elif open_at is not None:
            pairs.append((open_at, i))
            open_at = None
        else:
            left.append(i)
    if open_at is not None:
        left.append(open_at)
    return pairs, left


def _single_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    closers = [m.start() for m in _SINGLE_CLOSE.finditer(text, start, end)]
    pairs, after = [], start
    for opener in _SINGLE_OPEN.finditer(text, start, end):
        if opener.start() < after:
            continue
        close = next((c for c in closers if c > opener.start() + 1), None)
        if close is None or close - opener.start() > _MAX_SINGLE_QUOTE:
            continue
        pairs.append((opener.start(), close))
        after = close + 1
    return pairs


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    inner = text[start:end]
    lead = len(inner) - len(inner.lstrip())
    return start + lead, start + len(inner.rstrip())


def scan(text: str) -> tuple[list[Quotation], list[Unbalanced]]:
    """Every quotation of `text` in order of its opening mark, and every unbalanced mark."""
    quotations: list[Quotation] = []
    unbalanced: list[Unbalanced] = []
    for para_start, para_end in _paragraphs(text):
        pairs: list[tuple[int, int]] = []
        for family in (DOUBLE_MARKS, GUILLEMETS, SINGLE_GUILLEMETS):
            marks = [i for i in range(para_start, para_end) if text[i] in family]
            found, left = _pair(text, marks)
            pairs += found
            unbalanced += [Unbalanced(i, text[i]) for i in left]
        inside = [(a, b) for a, b in pairs]
        pairs += [
            (a, b)
            for a, b in _single_pairs(text, para_start, para_end)
            if not any(x < a < y and not x < b < y for x, y in inside)
        ]
        for a, b in pairs:
            start, end = _strip(text, a + 1, b)
            if end > start:
                quotations.append(Quotation(start, end, text[a], text[b]))
    quotations.sort(key=lambda q: q.start)
    unbalanced.sort(key=lambda u: u.position)
    return quotations, unbalanced
