"""The article as the rules read it: paragraphs, headings, sentences and clauses, by position."""

import re
from dataclasses import dataclass
from functools import cached_property

# A sentence ends at . ! ? … followed by a space and a capital (or a quotation mark), or at a
# line break. Abbreviations that end in a point (n. 7, S.p.A.) are not sentence ends.
_SENTENCE_END = re.compile(r"(?<!\bn)(?<!\bN)[.!?…]+(?=\s+[\"“„«‘A-ZÀ-Ý])|\n+")
_HEADING_MAX = 100  # characters: longer lines without a final point are standfirsts


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Article:
    text: str

    @cached_property
    def paragraphs(self) -> list[Span]:
        spans, start = [], 0
        for match in re.finditer(r"\n", self.text + "\n"):
            if self.text[start : match.start()].strip():
                spans.append(Span(start, match.start()))
            start = match.end()
        return spans

    @cached_property
    def headings(self) -> list[Span]:
        """Short lines without final punctuation: headlines, subheadings, section titles."""
        found = []
        for p in self.paragraphs:
            line = self.text[p.start : p.end].strip()
            if len(line) <= _HEADING_MAX and not re.search(r"[.!?:;…]$", line):
                found.append(p)
        return found

    def is_heading(self, position: int) -> bool:
        return any(h.start <= position < h.end for h in self.headings)

    def paragraph_of(self, position: int) -> Span:
        for p in self.paragraphs:
            if p.start <= position <= p.end:
                return p
        return Span(position, position)

    def previous_paragraph(self, position: int) -> Span | None:
        before = [p for p in self.paragraphs if p.end < position]
        return before[-1] if before else None

    @cached_property
    def sentences(self) -> list[Span]:
        spans, start = [], 0
        for match in _SENTENCE_END.finditer(self.text):
            end = match.start() + (0 if match.group().startswith("\n") else len(match.group()))
            if self.text[start:end].strip():
                spans.append(self._trim(start, end))
            start = match.end()
        if self.text[start:].strip():
            spans.append(self._trim(start, len(self.text)))
        return spans

    def _trim(self, start: int, end: int) -> Span:
        chunk = self.text[start:end]
        return Span(start + len(chunk) - len(chunk.lstrip()), start + len(chunk.rstrip()))

    def sentence_of(self, position: int) -> Span:
        for s in self.sentences:
            if s.start <= position < s.end:
                return s
        return Span(position, position)

    def sentence_index(self, position: int) -> int:
        for index, s in enumerate(self.sentences):
            if s.start <= position < s.end:
                return index
        return -1

    def body_start(self) -> int:
        """Where the body begins: after the leading headings (headline, kicker, byline)."""
        for p in self.paragraphs:
            if p not in self.headings:
                return p.start
        return 0
