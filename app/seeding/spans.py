"""Locate exact passages in a source text."""


def find_span(text: str, passage: str, occurrence: int = 1) -> tuple[int, int] | None:
    """Character span of the `occurrence`-th appearance of `passage` in `text`, or None."""
    start = -1
    for _ in range(occurrence):
        start = text.find(passage, start + 1)
        if start < 0:
            return None
    return start, start + len(passage)
