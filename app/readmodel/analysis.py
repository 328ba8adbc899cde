"""How text is analysed for search: the same words and stems on the seed side, which indexes
them, and on the query side, which looks them up, whatever the database.

A document is indexed three times over, one token a word in each: its accent- and case-folded
words (`body`, contract.normalise), their English Snowball stems (`stem_en`) and their Italian
ones (`stem_it`). The stems are computed here, in Python, at seed time (snowballstemmer, the
Snowball project's own generated code), so SQLite's FTS5 and PostgreSQL's tsvector hold the
same tokens and answer alike. A query word matches a document word when either language's
stems agree: `vaccine` (English stem `vaccin`) finds `vaccines`, `sanzione` (Italian stem
`sanzion`) finds `sanzioni`, with no need to know which language a text is in (the sources are
Italian, titles and translations English, quotes in either). A `prefix*` looks among the folded
words, so a prefix means what it says.
"""

import threading
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

from app.readmodel.contract import normalise

# The search table's text columns, in the order they are written (contract.SEARCH_TABLES).
WORDS, STEM_EN, STEM_IT = "body", "stem_en", "stem_it"
SEARCH_COLUMNS = (WORDS, STEM_EN, STEM_IT)
# PostgreSQL keeps the three in one tsvector, the stems marked by a prefix no folded word
# begins with in practice (`qqe`, `qqi`: `vaccin` is `qqevaccin`), so a query names plain
# lexemes its GIN index answers exactly. (Weights would tell the columns apart too, but the
# index holds no weights: every candidate row was read again to check them, 3.5x the time of
# `q=gasdotto`.) `||` shifts the right operand's positions past the left's, so a phrase
# stays within one column.
STEM_MARKS = {STEM_EN: "qqe", STEM_IT: "qqi"}
POSTGRES_DOCUMENT = (
    "to_tsvector('simple', {body}) "
    "|| to_tsvector('simple', regexp_replace({stem_en}, '(\\S+)', 'qqe\\1', 'g')) "
    "|| to_tsvector('simple', regexp_replace({stem_it}, '(\\S+)', 'qqi\\1', 'g'))"
)

# The generated stemmers keep their state on the instance: one instance is not shared by two
# threads at once (queries are parsed in the server's worker threads).
_STEMMERS = {
    STEM_EN: snowballstemmer.stemmer("english"),
    STEM_IT: snowballstemmer.stemmer("italian"),
}
_LOCK = threading.Lock()


@lru_cache(maxsize=200_000)
def stem(column: str, word: str) -> str:
    """The stem of one folded `word` in the language of `column` (STEM_EN or STEM_IT)."""
    with _LOCK:
        stemmed: str = _STEMMERS[column].stemWord(word)
    return stemmed or word


class SearchRow(NamedTuple):
    """What the full-text index holds for one document, column by column."""

    body: str
    stem_en: str
    stem_it: str


def analyse_words(body: str) -> SearchRow:
    """The index row of a text already folded by `normalise` (the bench generator folds its
    sentences once and reuses them)."""
    words = body.split()
    return SearchRow(
        body,
        " ".join(stem(STEM_EN, word) for word in words),
        " ".join(stem(STEM_IT, word) for word in words),
    )


def analyse(document: str) -> SearchRow:
    """The index row of a search document (contract.*_search_text)."""
    return analyse_words(normalise(document))
