"""Source text cut into pieces for highlighting: the paragraph around a span, and a whole
article with every annotated span marked (spans may overlap or nest)."""

from collections import Counter
from dataclasses import dataclass, field

from app.services.explorer import Annotation


def anchor_id(start: int, end: int) -> str:
    """The id of the place in a source page where the span [start, end) begins."""
    return f"span-{start}-{end}"


@dataclass(frozen=True)
class Passage:
    """The paragraph(s) holding a span: the text before it, the span itself, and after."""

    before: str
    span: str
    after: str


def passage(text: str, start: int, end: int) -> Passage:
    """The span [start, end) inside the paragraph(s) that hold it (paragraphs end at newlines)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    low = text.rfind("\n", 0, start) + 1
    high = text.find("\n", end)
    high = len(text) if high == -1 else high
    return Passage(text[low:start], text[start:end], text[end:high])


@dataclass
class Piece:
    """A run of text covered by the same annotations, with what begins and ends at its start."""

    text: str
    kinds: tuple[str, ...]  # the kinds of annotation covering the run, for its highlight
    anchors: list[str] = field(default_factory=list)  # anchor ids of the spans starting here
    ended: list[Annotation] = field(default_factory=list)  # spans ending right before `text`


def annotate(text: str, annotations: list[Annotation]) -> list[Piece]:
    """`text` as pieces between every span boundary, by a sweep over the boundaries."""
    size = len(text)
    spans = [a for a in annotations if 0 <= a.start < a.end <= size]
    starting: dict[int, list[Annotation]] = {}
    ending: dict[int, list[Annotation]] = {}
    for span in spans:
        starting.setdefault(span.start, []).append(span)
        ending.setdefault(span.end, []).append(span)
    bounds = sorted({0, size, *starting, *ending})
    active: Counter[str] = Counter()
    pieces: list[Piece] = []
    for index, position in enumerate(bounds):
        for span in ending.get(position, []):
            active[span.kind] -= 1
        for span in starting.get(position, []):
            active[span.kind] += 1
        following = bounds[index + 1] if index + 1 < len(bounds) else position
        anchors = list(dict.fromkeys(anchor_id(s.start, s.end) for s in starting.get(position, [])))
        pieces.append(
            Piece(
                text=text[position:following],
                kinds=tuple(sorted(kind for kind, count in active.items() if count > 0)),
                anchors=anchors,
                ended=ending.get(position, []),
            )
        )
    return pieces
