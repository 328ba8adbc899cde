"""Locate exact passages in a source text."""


def find_span(text: str, passage: str, occurrence: int = 1) -> tuple[int, int] | None:
    """Character span of the `occurrence`-th appearance of `passage` in `text`, or None."""
    start = -1
    for _ in range(occurrence):
        start = text.find(passage, start + 1)
        if start < 0:
            return None
    return start, start + len(passage)


def count_occurrences(text: str, passage: str) -> int:
    """How many times `passage` appears in `text` (overlaps included)."""
    count, start = 0, text.find(passage)
    while start >= 0:
        count, start = count + 1, text.find(passage, start + 1)
    return count
