"""An article cut down to what the dataset cites from it, for deployments that may not
republish whole texts (SERVE_ARTICLE_TEXT=excerpts).

Every character outside an event excerpt, quote or trade figure span becomes a space, and
newlines stay: the result is as long as the article, so every span the API gives still
indexes it, and the cited passages read in their paragraphs' order.
"""

from collections.abc import Iterable

BLANK = " "


def cited_only(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with what no span in `spans` covers blanked, newlines kept."""
    kept = [False] * len(text)
    for start, end in sorted(set(spans)):
        for index in range(max(start, 0), min(end, len(text))):
            kept[index] = True
    return "".join(
        char if keep or char == "\n" else BLANK for char, keep in zip(text, kept, strict=True)
    )
