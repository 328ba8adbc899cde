"""Full-text search on the database's own engine: FTS5 on SQLite, tsvector on PostgreSQL.

Both engines index the same tokens, computed in Python at seed time (app/readmodel/analysis.py):
the accent-folded, lower-cased words and their English and Italian stems. A query's words go
through the same folding and stemming, so a query behaves the same on either: `citta` finds
`città`, `Putin` finds `putin`, `vaccine` finds `vaccines` and `telefonata` `telefonate`.
A word or a phrase is looked up among the stems (either language's), a `prefix*` among the
folded words.
"""

import re
from dataclasses import dataclass

from app.database import PLANNED_SUBQUERY_END
from app.readmodel.analysis import STEM_EN, STEM_IT, STEM_MARKS, WORDS, stem
from app.readmodel.contract import ListedKind, normalise

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# `q` as a regular expression, for the schema (ECMA-262 with Unicode property escapes, as JSON
# Schema patterns are read, and as pydantic's Rust engine checks it in app/api/deps.py): 1 to
# max_words runs of letters or digits, a `*` only right after min_prefix of them, no control
# character. Unambiguous (a run is followed by a non-letter or the end), so no engine backtracks.
_LETTER = r"[\p{L}\p{N}]"
_OTHER = r"[^\p{L}\p{N}*\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def query_pattern(*, max_words: int, min_prefix: int) -> str:
    """The pattern every accepted `q` matches, stated in the OpenAPI document."""
    word = rf"{_LETTER}{{{min_prefix},}}\*+{_OTHER}*|{_LETTER}+(?:{_OTHER}+|$)"
    return rf"^{_OTHER}*(?:{word}){{1,{max_words}}}$"


class SearchQueryError(ValueError):
    """The `q` parameter cannot be turned into a search."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    any_of_previous: bool = False  # joined to the previous term by OR rather than AND
    excluded: bool = False  # `NOT term`: the previous terms without the items matching this


def parse_query(
    q: str,
    *,
    max_chars: int | None = None,
    max_words: int | None = None,
    min_prefix: int | None = None,
    max_prefixes: int | None = None,
) -> list[Term]:
    """Parse the documented `q` syntax: words (AND), "phrases", prefix*, OR and NOT, within
    the bounds given (the app's settings; app/api/deps.py)."""
    if _CONTROL.search(q):
        raise SearchQueryError("q contains a control character (such as NUL)")
    if max_chars is not None and len(q) > max_chars:
        raise SearchQueryError(f"q is longer than {max_chars} characters")
    terms: list[Term] = []
    pending_or = pending_not = False
    operators = 0
    for match in _TOKEN.finditer(q):
        phrase, bare = match.group(1), match.group(2)
        if bare == "OR":
            pending_or = bool(terms)
            operators += 1
            continue
        if bare == "NOT" and terms and not pending_or and not pending_not:
            pending_not = True
            operators += 1
            continue
        # A NOT that cannot exclude (nothing before it, right after OR or NOT: neither engine
        # can list "everything but") is the word it spells, as OR joining nothing is.
        raw = phrase if phrase is not None else bare
        prefix = phrase is None and raw.endswith("*")
        words = tuple(normalise(raw.rstrip("*")).split())
        if not words:
            continue
        if prefix and len(words) > 1:
            if pending_not:
                # A prefix that spans several words is several terms: NOT cannot exclude them
                # as one, so it is the word it spells.
                terms.append(Term(("not",), any_of_previous=False))
                pending_not = False
            terms.extend(Term((word,), any_of_previous=False) for word in words[:-1])
            words = words[-1:]
        if prefix and min_prefix is not None and len(words[0]) < min_prefix:
            # A short prefix expands to a large part of the vocabulary: `a* OR b* ...` scanned
            # most of the index.
            raise SearchQueryError(
                f"a prefix search needs at least {min_prefix} characters "
                f"before the `*` (got {raw[:40]!r})"
            )
        terms.append(Term(words, prefix=prefix, any_of_previous=pending_or, excluded=pending_not))
        pending_or = pending_not = False
    if pending_not:
        terms.append(Term(("not",)))  # a trailing NOT excludes nothing: the word it spells
    if not terms and operators:
        terms.append(Term(("or",)))  # `OR` joining nothing is the word it spells
    if not terms:
        raise SearchQueryError("q has no searchable words (letters or digits)")
    if max_words is not None and sum(len(term.words) for term in terms) > max_words:
        raise SearchQueryError(f"q has more than {max_words} words")
    prefixes = sum(term.prefix for term in terms)
    if max_prefixes is not None and prefixes > max_prefixes:
        # Each prefix expands to every indexed word it begins: 12 of them cost seconds of
        # index merging at 200k events whatever else the query says.
        raise SearchQueryError(
            f"q has {prefixes} `word*` prefix searches; at most {max_prefixes} are accepted "
            "(spell some words out, or use longer prefixes in fewer searches)"
        )
    return terms


def _stemmed(term: Term) -> dict[str, tuple[str, ...]]:
    """The term's words as each stem column holds them. Both columns are asked even when the
    stems agree: `vaccine` is `vaccin` in both, and finds `vaccines` by its English stem and
    `vaccino` by its Italian one."""
    return {
        column: tuple(stem(column, word) for word in term.words) for column in (STEM_EN, STEM_IT)
    }


def _to_fts5(terms: list[Term]) -> str:
    # FTS5 binds NOT tighter than AND and AND than OR, as tsquery binds !, & and |: the two
    # translations group a query alike.
    parts: list[str] = []
    for term in terms:
        if term.prefix:
            expression = f'{WORDS} : "{term.words[0]}"*'
        else:
            expression = " OR ".join(
                f'{column} : "{" ".join(words)}"' for column, words in _stemmed(term).items()
            )
        if parts:
            parts.append("NOT" if term.excluded else "OR" if term.any_of_previous else "AND")
        parts.append(f"({expression})")
    return " ".join(parts)


def _to_tsquery(terms: list[Term]) -> str:
    parts: list[str] = []
    for term in terms:
        if term.prefix:
            expression = f"'{term.words[0]}':*"
        else:
            expression = " | ".join(
                "(" + " <-> ".join(f"'{STEM_MARKS[column]}{word}'" for word in words) + ")"
                for column, words in _stemmed(term).items()
            )
        if parts:
            parts.append("& !" if term.excluded else "|" if term.any_of_previous else "&")
        parts.append(f"({expression})")
    return " ".join(parts)


def match_condition(dialect: str, listed: ListedKind, alias: str, *, per_row: bool = False) -> str:
    """SQL condition on the items of `listed` (named `alias` in the query) matching the bind
    `:search_q`.

    By default the matches are collected once and each row is looked up among them; with
    `per_row` each row asks the index whether it matches instead, which costs more per row but
    nothing up front: the cheaper way when most rows walked match (a common word). On SQLite
    the full-text rows share their base row's rowid, the cheapest lookup there is.
    """
    table, ident = listed.search, listed.id_column  # the search table's id column too
    if dialect == "sqlite":
        if per_row:
            return (
                f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH :search_q "
                f"AND {table}.rowid = {alias}.rowid)"
            )
        return f"{alias}.rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH :search_q)"
    if per_row:
        return (
            f"EXISTS (SELECT 1 FROM {table} AS s WHERE s.{ident} = {alias}.id "
            f"AND s.document @@ to_tsquery('simple', :search_q){PLANNED_SUBQUERY_END})"
        )
    return (
        f"{alias}.id IN (SELECT {ident} FROM {table} "
        f"WHERE document @@ to_tsquery('simple', :search_q){PLANNED_SUBQUERY_END})"
    )


def compile_query(dialect: str, q: str) -> str:
    """Translate `q` into the dialect's query language (raises SearchQueryError)."""
    terms = parse_query(q)
    return _to_fts5(terms) if dialect == "sqlite" else _to_tsquery(terms)
