"""The passages of the source articles that search finds (app/models/passages.py), one set per
SERVE_ARTICLE_TEXT scope, derived at seed time from each source's text and cited spans.

`full` cuts an article into its paragraphs (its non-blank lines); `excerpts` into the runs of
cited text of `excerpt_text` (app/readmodel/excerpts.py), so that scope never indexes a word
it may not show. A paragraph or run longer than PASSAGE_MAX_CHARS is cut further, after a
sentence where it can be: a hit points at a passage a reader can take in, and its snippet is
cut from a bounded text. Every passage keeps the character span it has in its article.
"""

import re
from collections.abc import Iterator
from typing import Any

from app.readmodel.excerpts import BLANK

SCOPES = ("full", "excerpts")
PASSAGE_MAX_CHARS = 1_000
_PARAGRAPH = re.compile(r"[^\n]+")
# In `excerpt_text` a blanked stretch is a run of spaces: three or more end a cited run (a
# shorter gap joins two runs, and shows only blanks).
_CITED_RUN = re.compile(rf"(?:[^\n{BLANK}]|{BLANK}{{1,2}}(?=[^\n{BLANK}]))+")


def _runs(text: str, *, scope: str) -> Iterator[tuple[int, int]]:
    """The spans of the passages of `text` (whole or cited-only), trimmed of blanks."""
    pattern = _PARAGRAPH if scope == "full" else _CITED_RUN
    for match in pattern.finditer(text):
        start, end = match.span()
        value = match.group()
        start += len(value) - len(value.lstrip())
        end -= len(value) - len(value.rstrip())
        yield from _bounded(text, start, end)


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """[start, end) in pieces of at most PASSAGE_MAX_CHARS, cut after a sentence's full stop
    or else at a space, each trimmed of blanks."""
    while end - start > PASSAGE_MAX_CHARS:
        limit = start + PASSAGE_MAX_CHARS
        cut = text.rfind(". ", start, limit) + 1 or text.rfind(" ", start, limit)
        if cut <= start:
            cut = limit
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def passage_rows(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The passage rows of every source row (with `text` and `excerpt_text` set)."""
    rows: list[dict[str, Any]] = []
    for source in sources:
        for scope in SCOPES:
            text = source["text"] if scope == "full" else source["excerpt_text"]
            for start, end in _runs(text, scope=scope):
                rows.append(
                    {
                        "id": f"{scope}:{source['id']}:{start}-{end}",
                        "scope": scope,
                        "source_id": source["id"],
                        "span_start": start,
                        "span_end": end,
                        "published_on": source["published_on"],
                        "text": text[start:end],
                    }
                )
    return rows
