"""Full-text search on the database's own engine: FTS5 on SQLite, tsvector on PostgreSQL.

Both engines index the same accent-folded, lower-cased text, so a query behaves the same on
either: `citta` finds `città`, `Putin` finds `putin`.
"""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, text

SEARCH_TABLE_PREFIXES = ("event_search", "quote_search")

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_NON_WORD = re.compile(r"[^\w]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SearchQueryError(ValueError):
    """The `q` parameter cannot be turned into a search."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    any_of_previous: bool = False  # joined to the previous term by OR rather than AND


def normalise(value: str) -> str:
    """Fold accents and case and turn punctuation into spaces."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())


def parse_query(
    q: str,
    *,
    max_chars: int | None = None,
    max_words: int | None = None,
    min_prefix: int | None = None,
    max_prefixes: int | None = None,
) -> list[Term]:
    """Parse the documented `q` syntax: words (AND), "phrases", prefix*, and OR, within the
    bounds given (the app's settings; app/api/deps.py)."""
    if _CONTROL.search(q):
        raise SearchQueryError("q contains a control character (such as NUL)")
    if max_chars is not None and len(q) > max_chars:
        raise SearchQueryError(f"q is longer than {max_chars} characters")
    terms: list[Term] = []
    pending_or = False
    for match in _TOKEN.finditer(q):
        phrase, bare = match.group(1), match.group(2)
        if bare == "OR":
            pending_or = bool(terms)
            continue
        raw = phrase if phrase is not None else bare
        prefix = phrase is None and raw.endswith("*")
        words = tuple(normalise(raw.rstrip("*")).split())
        if not words:
            continue
        if prefix and len(words) > 1:
            terms.extend(Term((word,), any_of_previous=False) for word in words[:-1])
            words = words[-1:]
        if prefix and min_prefix is not None and len(words[0]) < min_prefix:
            # A short prefix expands to a large part of the vocabulary: `a* OR b* ...` scanned
            # most of the index.
            raise SearchQueryError(
                f"a prefix search needs at least {min_prefix} characters "
                f"before the `*` (got {raw[:40]!r})"
            )
        terms.append(Term(words, prefix=prefix, any_of_previous=pending_or))
        pending_or = False
    if not terms:
        raise SearchQueryError("q has no searchable words")
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


def _to_fts5(terms: list[Term]) -> str:
    parts: list[str] = []
    for term in terms:
        expression = '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")
        if parts:
            parts.append("OR" if term.any_of_previous else "AND")
        parts.append(expression)
    return " ".join(parts)


def _to_tsquery(terms: list[Term]) -> str:
    parts: list[str] = []
    for term in terms:
        words = [f"'{word}'" for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        expression = "(" + " <-> ".join(words) + ")"
        if parts:
            parts.append("|" if term.any_of_previous else "&")
        parts.append(expression)
    return " ".join(parts)


def match_condition(dialect: str, kind: str, alias: str, *, per_row: bool = False) -> str:
    """SQL condition on table `kind` ('event' or 'quote', named `alias` in the query)
    matching the bind `:search_q`.

    By default the matches are collected once and each row is looked up among them; with
    `per_row` each row asks the index whether it matches instead, which costs more per row but
    nothing up front: the cheaper way when most rows walked match (a common word). On SQLite
    the full-text rows share their base row's rowid, the cheapest lookup there is.
    """
    table = f"{kind}_search"
    if dialect == "sqlite":
        if per_row:
            return (
                f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH :search_q "
                f"AND {table}.rowid = {alias}.rowid)"
            )
        return f"{alias}.rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH :search_q)"
    if per_row:
        return (
            f"EXISTS (SELECT 1 FROM {table} AS s WHERE s.{kind}_id = {alias}.id "
            "AND s.document @@ to_tsquery('simple', :search_q))"
        )
    return (
        f"{alias}.id IN (SELECT {kind}_id FROM {table} "
        "WHERE document @@ to_tsquery('simple', :search_q))"
    )


def compile_query(dialect: str, q: str) -> str:
    """Translate `q` into the dialect's query language (raises SearchQueryError)."""
    terms = parse_query(q)
    return _to_fts5(terms) if dialect == "sqlite" else _to_tsquery(terms)


def index_documents(connection: Connection, *, kind: str, documents: dict[str, str]) -> None:
    """Replace the full-text index of `kind` with `documents` (id -> searchable text)."""
    connection.execute(text(f"DELETE FROM {kind}_search"))
    if not documents:
        return
    rows = [{"id": key, "body": normalise(body)} for key, body in documents.items()]
    if connection.dialect.name == "sqlite":
        statement = (
            f"INSERT INTO {kind}_search (rowid, {kind}_id, body) "
            f"SELECT rowid, :id, :body FROM {kind} WHERE id = :id"
        )
    else:
        statement = (
            f"INSERT INTO {kind}_search ({kind}_id, document) "
            "VALUES (:id, to_tsvector('simple', :body))"
        )
    connection.execute(text(statement), rows)
