"""The floor's queries: the app's query plans, written out by hand on stdlib sqlite3.

The same read model and the same plans as app/services/walks.py (walk the rarest posting list
in sort order and probe the other filters by primary key; fetch and sort below
FETCH_AND_SORT_MAX matches), the same SQL text, the same cursor identity as
app/services/cursors.py and the same search syntax as app/services/search.py. Nothing here
imports the app: tests/test_bench_smoke.py checks the constants and encodings against it.
"""

import datetime as dt
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import orjson
import snowballstemmer

FETCH_AND_SORT_MAX = 2_000
DENSE_SEARCH = 10
WHOLE_PER_ROW = 100
EVERYTHING = ("all", "")
Params = dict[str, Any]
Rows = list[tuple[Any, ...]]


class NotFoundError(Exception):
    """Anything the floor does not answer (it assumes well-formed requests)."""


# ---- identity: what a cursor is bound to (app/services/cursors.py) ---------------------
def identity(name: str, filters: dict[str, Any], order: dict[str, bool]) -> str:
    """The app's canonical form of a list's parameters: the filter dataclass's fields by name
    (every field, defaults included), every key sorted, so field order does not matter."""
    return orjson.dumps([name, filters, order], option=orjson.OPT_SORT_KEYS).decode()


# ---- search (app/services/search.py) -----------------------------------------------------
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_NON_WORD = re.compile(r"[^\w]+")


def normalise(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())


_ENGLISH = snowballstemmer.stemmer("english")
_ITALIAN = snowballstemmer.stemmer("italian")


def _term(words: list[str], prefix: bool) -> str:
    """A prefix among the folded words; words and phrases among either language's stems
    (the floor is single-threaded, so the stemmers are shared)."""
    if prefix:
        return f'(body : "{words[0]}"*)'
    english = " ".join(_ENGLISH.stemWord(word) or word for word in words)
    italian = " ".join(_ITALIAN.stemWord(word) or word for word in words)
    return f'(stem_en : "{english}" OR stem_it : "{italian}")'


def fts5_query(q: str) -> str:
    """`q` (words, "phrases", prefix*, OR; the bench sends no NOT) in FTS5 syntax."""
    parts: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(q):
        phrase, bare = match.group(1), match.group(2)
        if bare == "OR":
            pending_or = bool(parts)
            continue
        raw = phrase if phrase is not None else bare
        prefix = phrase is None and raw.endswith("*")
        words = normalise(raw.rstrip("*")).split()
        if not words:
            continue
        terms = [[word] for word in words[:-1]] if prefix and len(words) > 1 else []
        terms.append(words[-1:] if prefix and len(words) > 1 else words)
        for index, term in enumerate(terms):
            last = index == len(terms) - 1
            if parts:
                parts.append("OR" if pending_or and last else "AND")
            parts.append(_term(term, prefix and last))
        pending_or = False
    if not parts:
        raise NotFoundError
    return " ".join(parts)


def match_condition(kind: str, alias: str, *, per_row: bool) -> str:
    table = f"{kind}_search"
    if per_row:
        return (
            f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH :search_q "
            f"AND {table}.rowid = {alias}.rowid)"
        )
    return f"{alias}.rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH :search_q)"


# ---- plans (app/services/walks.py) -------------------------------------------------------
@dataclass(frozen=True)
class Postings:
    kind: str
    table: str
    sort_column: str
    id_column: str


EVENT_POSTINGS = Postings("event", "event_posting", "date_lo", "event_id")
QUOTE_POSTINGS = Postings("quote", "quote_posting", "sort_date", "quote_id")


@dataclass
class Selection:
    postings: Postings
    memberships: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    params: Params = field(default_factory=dict)
    q: str | None = None
    few: str | None = None


@dataclass
class Plan:
    source: str
    conditions: list[str]
    params: Params
    sort_key: tuple[str, ...]
    empty: bool = False


NOTHING = Plan("", [], {}, (), empty=True)


def where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


def in_list(name: str, values: Any) -> tuple[str, Params]:
    params = {f"{name}{index}": value for index, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


def page(
    db: sqlite3.Connection,
    plan: Plan,
    *,
    descending: bool,
    limit: int,
    after: list[str] | None,
    column: str = "doc",
) -> Rows:
    """The stored `column` (document or CSV line) and sort keys of up to `limit` rows after the
    key `after`."""
    if plan.empty:
        return []
    conditions, params = list(plan.conditions), dict(plan.params)
    if after is not None:
        names = [f"after{index}" for index in range(len(after))]
        conditions.append(
            f"({', '.join(plan.sort_key)}) {'<' if descending else '>'} "
            f"({', '.join(':' + name for name in names)})"
        )
        params.update(zip(names, after, strict=True))
    direction = " DESC" if descending else ""
    order = ", ".join(column + direction for column in plan.sort_key)
    params["limit"] = limit
    return db.execute(
        f"SELECT i.{column}, {', '.join(plan.sort_key)} FROM {plan.source}{where(conditions)} "
        f"ORDER BY {order} LIMIT :limit",
        params,
    ).fetchall()


def _probe(
    postings: Postings, index: int, dimension: str, values: tuple[str, ...], alias: str
) -> tuple[str, Params]:
    sql_values, params = in_list(f"m{index}_", values)
    m = f"m{index}"
    params[f"{m}_dimension"] = dimension
    sort, ident = postings.sort_column, postings.id_column
    item_id = f"{alias}.{ident}" if alias == "p" else f"{alias}.id"
    condition = (
        f"EXISTS (SELECT 1 FROM {postings.table} AS {m} WHERE {m}.dimension = :{m}_dimension "
        f"AND {m}.value IN {sql_values} AND {m}.{sort} = {alias}.{sort} "
        f"AND {m}.{ident} = {item_id})"
    )
    return condition, params


def _add_probes(
    selection: Selection,
    conditions: list[str],
    params: Params,
    *,
    skip: int | None,
    alias: str,
    per_row: bool,
) -> None:
    for index, (dimension, values) in enumerate(selection.memberships):
        if index != skip:
            condition, probe_params = _probe(selection.postings, index, dimension, values, alias)
            conditions.append(condition)
            params.update(probe_params)
    if selection.q is not None:
        conditions.append(match_condition(selection.postings.kind, "i", per_row=per_row))
        params["search_q"] = selection.q


def _matches(db: sqlite3.Connection, selection: Selection, cap: int) -> int:
    table = f"{selection.postings.kind}_search"
    return int(
        db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH :search_q "
            f"LIMIT {int(cap)}) AS matches",
            {"search_q": selection.q},
        ).fetchone()[0]
    )


def _everything(db: sqlite3.Connection, selection: Selection) -> int:
    dimension, value = EVERYTHING
    row = db.execute(
        "SELECT count FROM posting_count WHERE kind = :kind AND dimension = :dimension "
        "AND value = :value",
        {"kind": selection.postings.kind, "dimension": dimension, "value": value},
    ).fetchone()
    return int(row[0]) if row else 0


def plan(db: sqlite3.Connection, selection: Selection, *, whole: bool = False) -> Plan:
    postings = selection.postings
    counts = []
    for index, (dimension, values) in enumerate(selection.memberships):
        sql_values, params = in_list(f"v{index}_", values)
        total = db.execute(
            "SELECT sum(count) FROM posting_count WHERE kind = :kind AND dimension = :dimension "
            f"AND value IN {sql_values}",
            {"kind": postings.kind, "dimension": dimension, **params},
        ).fetchone()[0]
        counts.append(int(total or 0))
    if any(count == 0 for count in counts):
        return NOTHING
    sizes = list(zip(counts, (len(values) for _, values in selection.memberships), strict=True))
    singles = [(count, index) for index, (count, n) in enumerate(sizes) if n == 1]
    small_sets = [
        (count, index)
        for index, (count, n) in enumerate(sizes)
        if n > 1 and count <= FETCH_AND_SORT_MAX
    ]
    rarest = min(singles, default=None)
    smallest_set = min(small_sets, default=None)
    by_set = smallest_set is not None and (rarest is None or smallest_set[0] < rarest[0])
    per_row = False
    if selection.q is not None:
        if selection.few is not None:
            driven = 0
        elif by_set and smallest_set is not None:
            driven = smallest_set[0]
        else:
            driven = rarest[0] if rarest is not None else _everything(db, selection)
        cap = driven if whole else max(FETCH_AND_SORT_MAX, driven // DENSE_SEARCH)
        matches = _matches(db, selection, cap + 1)
        if matches == 0:
            return NOTHING
        if whole:
            if selection.few is None and matches <= driven:
                return _fetch_and_sort(selection, driver=None, per_row=False)
            per_row = matches >= driven * WHOLE_PER_ROW
        else:
            rare = matches <= FETCH_AND_SORT_MAX and (rarest is None or matches < rarest[0])
            if selection.few is None and rare:
                return _fetch_and_sort(selection, driver=None, per_row=False)
            per_row = matches * DENSE_SEARCH >= driven
    if selection.few is not None:
        return _fetch_and_sort(selection, driver=None, per_row=per_row)
    if by_set and smallest_set is not None:
        return _fetch_and_sort(selection, driver=smallest_set[1], per_row=per_row)
    return _walk(selection, driver=None if rarest is None else rarest[1], per_row=per_row)


def _walk(selection: Selection, *, driver: int | None, per_row: bool) -> Plan:
    postings = selection.postings
    if driver is None:
        dimension, value = EVERYTHING
    else:
        dimension, value = selection.memberships[driver][0], selection.memberships[driver][1][0]
    conditions = [
        "p.dimension = :walk_dimension",
        "p.value = :walk_value",
        f"i.id = p.{postings.id_column}",
        *(r.format(t="p") for r in selection.ranges),
    ]
    params: Params = {"walk_dimension": dimension, "walk_value": value, **selection.params}
    _add_probes(selection, conditions, params, skip=driver, alias="p", per_row=per_row)
    return Plan(
        f"{postings.table} AS p CROSS JOIN {postings.kind} AS i",
        conditions,
        params,
        (f"p.{postings.sort_column}", f"p.{postings.id_column}"),
    )


def _fetch_and_sort(selection: Selection, *, driver: int | None, per_row: bool) -> Plan:
    postings = selection.postings
    conditions = [r.format(t="i") for r in selection.ranges]
    if selection.few is not None:
        conditions.append(selection.few)
    params: Params = dict(selection.params)
    if driver is not None:
        dimension, values = selection.memberships[driver]
        sql_values, value_params = in_list("driver_", values)
        conditions.append(
            f"i.id IN (SELECT {postings.id_column} FROM {postings.table} "
            f"WHERE dimension = :driver_dimension AND value IN {sql_values})"
        )
        params.update(value_params, driver_dimension=dimension)
    _add_probes(selection, conditions, params, skip=driver, alias="i", per_row=per_row)
    return Plan(f"{postings.kind} AS i", conditions, params, (f"i.{postings.sort_column}", "i.id"))


# ---- names the filters use (app/services/lookup.py) --------------------------------------
def person_id(db: sqlite3.Connection, reference: str) -> str:
    row = db.execute(
        "SELECT id FROM person WHERE id = :reference OR wikidata_qid = :reference",
        {"reference": reference},
    ).fetchone()
    if row is None:
        raise NotFoundError
    return str(row[0])


def require_known(db: sqlite3.Connection, table: str, column: str, values: list[str]) -> None:
    wanted = set(values)
    if wanted:
        sql_values, params = in_list("value", sorted(wanted))
        found = db.execute(
            f"SELECT {column} FROM {table} WHERE {column} IN {sql_values}", params
        ).fetchall()
        if len(found) != len(wanted):
            raise NotFoundError


# ---- events and timelines (app/services/events.py) ---------------------------------------
def event_selection(db: sqlite3.Connection, filters: dict[str, Any], span: int | None) -> Selection:
    """`filters` as EventFilters spells them (dates as ISO strings)."""
    require_known(db, "country", "code", filters["countries"])
    if filters["source"] is not None:
        require_known(db, "source", "id", [filters["source"]])
    leaders = dict.fromkeys(person_id(db, reference) for reference in filters["leaders"])
    memberships: list[tuple[str, tuple[str, ...]]] = [
        *(("leader", (leader,)) for leader in leaders),
        *(("country", (code,)) for code in filters["countries"]),
        *(("topic", (topic,)) for topic in filters["topics"]),
    ]
    if filters["kinds"]:
        memberships.append(("kind", tuple(filters["kinds"])))
    if filters["status"] is not None:
        memberships.append(("status", (filters["status"],)))
    if filters["source"] is not None:
        memberships.append(("source", (filters["source"],)))
    ranges: list[str] = []
    params: Params = {}
    period = filters["period"]
    lows = [day for day in (filters["start"], period and period[0]) if day]
    highs = [day for day in (filters["end"], period and period[1]) if day]
    if highs:
        ranges.append("{t}.date_lo <= :high")
        params["high"] = min(highs)
    if lows:
        low = max(lows)
        ranges.append("{t}.date_hi >= :low")
        params["low"] = low
        if span is not None:
            ranges.append("{t}.date_lo >= :earliest_start")
            earliest = dt.date.fromisoformat(low) - dt.timedelta(days=span)
            params["earliest_start"] = earliest.isoformat()
    q = filters["q"]
    return Selection(
        EVENT_POSTINGS, memberships, ranges, params, None if q is None else fts5_query(q)
    )


def quote_selection(db: sqlite3.Connection, filters: dict[str, Any]) -> Selection:
    """`filters` as QuoteFilters spells them (dates as ISO strings)."""
    memberships: list[tuple[str, tuple[str, ...]]] = []
    if filters["leaders"]:
        leaders = dict.fromkeys(person_id(db, reference) for reference in filters["leaders"])
        memberships.append(("leader", tuple(leaders)))
    if filters["topics"]:
        memberships.append(("topic", tuple(filters["topics"])))
    if filters["language"] is not None:
        memberships.append(("lang", (filters["language"],)))
    if filters["attribution"] is not None:
        memberships.append(("attribution", (filters["attribution"],)))
    ranges: list[str] = []
    params: Params = {}
    if filters["start"] is not None:
        ranges.append("{t}.sort_date >= :start")
        params["start"] = filters["start"]
    if filters["end"] is not None:
        ranges.append("{t}.sort_date <= :end")
        params["end"] = filters["end"]
    few = None
    if filters["event"] is not None:
        require_known(db, "event", "id", [filters["event"]])
        few = "i.event_id = :event_id"
        params["event_id"] = filters["event"]
    q = filters["q"]
    return Selection(
        QUOTE_POSTINGS, memberships, ranges, params, None if q is None else fts5_query(q), few
    )
