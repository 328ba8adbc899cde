"""Filtered pages that walk in sort order: the query plans of /v1/events and /v1/quotes.

The seed writes a posting list per filterable value (app/readmodel/derive.py): rows of
(dimension, value, sort date, id) under their primary key, so "Xi's events in date order after
this cursor" is one key range. A page walks the rarest single-valued filter's list (or the
list of every item) and probes the other filters by primary key, so it reads about as many
entries as it returns however many items match. Where a filter matches only a few items (a
rare search term, a few values of an any-of filter), fetching those and sorting them is
cheaper, and that plan is taken instead.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.database import PLANNED_SUBQUERY_END, Params, Snapshot, as_planned, in_list, where
from app.readmodel.contract import EVERYTHING, POSTING_COUNT, ListedKind
from app.services.search import match_condition

# Below this many matches, fetching every match and sorting it beats walking a posting list
# and probing: 2,000 sorted rows take a few ms, while a walk for a term in 0.1% of 2M quotes
# reads ~50k entries for a page (docs/performance.md).
FETCH_AND_SORT_MAX = 2_000
# When at least one row in this many of those a plan reads matches the search, each row asks
# the full-text index itself instead of the plan collecting every match first: at 1M events,
# `putin` (345k matches) 52 -> 11 ms a page, while `gasdotto` (10k) stays at 10 ms rather than
# 330 ms (docs/performance.md).
DENSE_SEARCH = 10
# PostgreSQL asks per row by a primary-key probe of the search table and a check of that one
# document (~5 us), so per-row pays from a far lower share of matches: 1 in 100.
DENSE_SEARCH_POSTGRESQL = 100
# For a count or a timeline, which read every row of the driving list: collecting the matches
# costs ~0.2 us each, asking the index ~20 us a row.
WHOLE_PER_ROW = 100


@dataclass(frozen=True)
class Membership:
    """A filter met by a posting of `dimension` with any of `values`."""

    dimension: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """What a list asks for, in terms the plans understand.

    `ranges` are conditions on the sort key and its companions, written against the alias
    `{t}` (the posting list and the item table name those columns alike); `q` is a search
    already compiled for the snapshot's dialect.
    """

    listed: ListedKind  # contract.EVENTS or contract.QUOTES
    memberships: tuple[Membership, ...] = ()
    ranges: tuple[str, ...] = ()
    params: Params = field(default_factory=dict)
    q: str | None = None
    # A condition on the item table (alias `i`) known to hold for a handful of items only,
    # such as the quotes of one event: it drives the plan whenever it is given.
    few: str | None = None


@dataclass(frozen=True)
class Plan:
    """FROM and WHERE of one way to answer a list query, and the columns of its sort key."""

    source: str
    conditions: list[str]
    params: Params
    sort_key: tuple[str, ...]
    empty: bool = False
    # A list short enough by nature to come in one piece (a trade series: a point a period)
    # is read unpaged, in `sort_key` order, and has no cursor.
    unpaged: bool = False
    # A walk whose conditions all hold on the posting list counts without joining the items:
    # the join costs one item lookup per posting (leader+country at 200k on PostgreSQL,
    # 568 -> 261 ms).
    count_source: str | None = None
    count_conditions: tuple[str, ...] | None = None

    def page(
        self, snapshot: Snapshot, *, select: str, descending: bool, limit: int, after: Any
    ) -> list[tuple[Any, ...]]:
        """`select`, then the sort key, of up to `limit` rows after the key `after`."""
        if self.empty:
            return []
        if self.unpaged:
            return snapshot.rows(
                f"SELECT {select} FROM {self.source}{where(self.conditions)} "
                f"ORDER BY {', '.join(self.sort_key)}",
                self.params,
            )
        conditions, params = list(self.conditions), dict(self.params)
        if after is not None:
            # A row-value comparison is one index range on both SQLite and PostgreSQL.
            names = [f"after{index}" for index in range(len(after))]
            conditions.append(
                f"({', '.join(self.sort_key)}) {'<' if descending else '>'} "
                f"({', '.join(':' + name for name in names)})"
            )
            params.update(zip(names, after, strict=True))
        direction = " DESC" if descending else ""
        order = ", ".join(column + direction for column in self.sort_key)
        params["limit"] = limit
        statement = (
            f"SELECT {select}, {', '.join(self.sort_key)} FROM {self.source}"
            f"{where(conditions)} ORDER BY {order} LIMIT :limit"
        )
        return snapshot.rows(as_planned(snapshot.dialect, statement), params)

    def counted(self) -> str:
        """FROM and WHERE of every match, for counting: no join the count does not need."""
        if self.count_source is None or self.count_conditions is None:
            return f"{self.source}{where(self.conditions)}"
        return f"{self.count_source}{where(list(self.count_conditions))}"

    def count(self, snapshot: Snapshot) -> int:
        if self.empty:
            return 0
        return int(snapshot.scalar(f"SELECT count(*) FROM {self.counted()}", self.params))


NOTHING = Plan("", [], {}, (), empty=True)


def _postings(snapshot: Snapshot, kind: str, membership: Membership) -> int:
    """How many postings a membership has (any of its values), from the seed's counts."""
    values, params = in_list("value", membership.values)
    total = snapshot.scalar(
        f"SELECT sum(count) FROM {POSTING_COUNT} WHERE kind = :kind AND dimension = :dimension "
        f"AND value IN {values}",
        {"kind": kind, "dimension": membership.dimension, **params},
    )
    return int(total or 0)


def _posting_counts(snapshot: Snapshot, selection: Selection) -> list[int]:
    kind = selection.listed.kind
    return [_postings(snapshot, kind, membership) for membership in selection.memberships]


def _search_matches(snapshot: Snapshot, selection: Selection, *, cap: int) -> int:
    """How many items match `q`, counted up to `cap`.

    PostgreSQL's GIN index answers through a bitmap of every match, so counting even up to a
    limit costs as much as all the matches (300 ms for a common word at 2M quotes): when the
    planner's estimate from the column statistics already reaches `cap`, that is the answer.
    """
    table = selection.listed.search
    params = {"search_q": selection.q}
    if snapshot.dialect == "sqlite":
        condition = f"{table} MATCH :search_q"
    else:
        condition = "document @@ to_tsquery('simple', :search_q)"
        explained = snapshot.scalar(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} WHERE {condition}", params
        )
        if int(explained[0]["Plan"]["Plan Rows"]) >= cap:
            return cap
    return int(
        snapshot.scalar(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {condition} "
            f"LIMIT {int(cap)}) AS matches",
            params,
        )
    )


def _everything(snapshot: Snapshot, selection: Selection) -> int:
    dimension, value = EVERYTHING
    return _postings(snapshot, selection.listed.kind, Membership(dimension, (value,)))


def _probe(
    listed: ListedKind, index: int, membership: Membership, alias: str
) -> tuple[str, Params]:
    """EXISTS on the primary key of the posting list: `alias` is the posting list walked (p)
    or the item table (i), whose id column is `id`."""
    values, params = in_list(f"m{index}_", membership.values)
    m = f"m{index}"
    params[f"{m}_dimension"] = membership.dimension
    sort, ident = listed.sort_column, listed.id_column
    item_id = f"{alias}.{ident}" if alias == "p" else f"{alias}.id"
    return (
        f"EXISTS (SELECT 1 FROM {listed.postings} AS {m} WHERE {m}.dimension = :{m}_dimension "
        f"AND {m}.value IN {values} AND {m}.{sort} = {alias}.{sort} AND {m}.{ident} = {item_id}"
        f"{PLANNED_SUBQUERY_END})",
        params,
    )


class SelectionPlanner:
    """The plans of one selection, its names resolved and its posting lists counted once per
    dataset version (a page and its total, or every batch of an export, share them)."""

    def __init__(self, select: Callable[[Snapshot], Selection]) -> None:
        self._select = select
        self._measured: dict[str | None, tuple[Selection, list[int]]] = {}

    def __call__(self, snapshot: Snapshot, every_match: bool) -> Plan:
        version = snapshot.dataset_version()
        measured = self._measured.get(version)
        if measured is None:
            selection = self._select(snapshot)
            measured = self._measured[version] = (
                selection,
                _posting_counts(snapshot, selection),
            )
        selection, counts = measured
        return plan(snapshot, selection, every_match=every_match, counts=counts)


def plan(
    snapshot: Snapshot,
    selection: Selection,
    *,
    every_match: bool = False,
    counts: list[int] | None = None,
) -> Plan:
    """The cheapest of the plans above for `selection` (see the module docstring).
    `every_match`: the plan will read every match (a count, a timeline), not a page in order,
    so the search drives it whenever it matches fewer items than the list that would be
    walked. `counts`: the memberships' posting counts, when already read."""
    if counts is None:
        counts = _posting_counts(snapshot, selection)
    if any(count == 0 for count in counts):
        return NOTHING
    singles = [
        (count, index)
        for index, (count, membership) in enumerate(zip(counts, selection.memberships, strict=True))
        if len(membership.values) == 1
    ]
    small_sets = [
        (count, index)
        for index, (count, membership) in enumerate(zip(counts, selection.memberships, strict=True))
        if len(membership.values) > 1 and count <= FETCH_AND_SORT_MAX
    ]
    rarest = min(singles, default=None)
    smallest_set = min(small_sets, default=None)
    by_set = smallest_set is not None and (rarest is None or smallest_set[0] < rarest[0])
    per_row = False
    if selection.q is not None:
        # How many rows the plan reads before it probes the search: the handful of `few`,
        # the any-of set, the rarest list, or the list of everything.
        if selection.few is not None:
            driven = 0
        elif by_set and smallest_set is not None:
            driven = smallest_set[0]
        else:
            driven = rarest[0] if rarest is not None else _everything(snapshot, selection)
        dense = DENSE_SEARCH if snapshot.dialect == "sqlite" else DENSE_SEARCH_POSTGRESQL
        cap = driven if every_match else max(FETCH_AND_SORT_MAX, driven // dense)
        matches = _search_matches(snapshot, selection, cap=cap + 1)
        if matches == 0:
            return NOTHING
        if every_match:
            if selection.few is None and matches <= driven:
                return _fetch_and_sort(snapshot, selection, driver=None, per_row=False)
            # Every row of the driving list is read: asking the index per row pays only when
            # the matches vastly outnumber those rows.
            per_row = matches >= driven * WHOLE_PER_ROW
        else:
            rare = matches <= FETCH_AND_SORT_MAX and (rarest is None or matches < rarest[0])
            if selection.few is None and rare:
                return _fetch_and_sort(snapshot, selection, driver=None, per_row=False)
            per_row = matches * dense >= driven
    if selection.few is not None:
        return _fetch_and_sort(snapshot, selection, driver=None, per_row=per_row)
    if by_set and smallest_set is not None:
        return _fetch_and_sort(snapshot, selection, driver=smallest_set[1], per_row=per_row)
    driver = None if rarest is None else rarest[1]
    return _walk(snapshot, selection, driver=driver, per_row=per_row)


def _add_probes(
    snapshot: Snapshot,
    selection: Selection,
    conditions: list[str],
    params: Params,
    *,
    skip: int | None,
    alias: str,
    per_row: bool,
) -> None:
    """Probe every membership but the driver's, and the search, from the row at `alias`."""
    for index, membership in enumerate(selection.memberships):
        if index != skip:
            probe, probe_params = _probe(selection.listed, index, membership, alias)
            conditions.append(probe)
            params.update(probe_params)
    if selection.q is not None:
        condition = match_condition(snapshot.dialect, selection.listed, "i", per_row=per_row)
        conditions.append(condition)
        params["search_q"] = selection.q


def _walk(snapshot: Snapshot, selection: Selection, *, driver: int | None, per_row: bool) -> Plan:
    """Walk one posting list in sort order, probing the other filters."""
    listed = selection.listed
    dimension, value = (
        EVERYTHING
        if driver is None
        else (
            selection.memberships[driver].dimension,
            selection.memberships[driver].values[0],
        )
    )
    join = f"i.id = p.{listed.id_column}"
    conditions = [
        "p.dimension = :walk_dimension",
        "p.value = :walk_value",
        join,
        *(r.format(t="p") for r in selection.ranges),
    ]
    params: Params = {"walk_dimension": dimension, "walk_value": value, **selection.params}
    _add_probes(snapshot, selection, conditions, params, skip=driver, alias="p", per_row=per_row)
    # Only the search reads the item row (`i`); every other condition is on the postings.
    on_postings = selection.q is None
    # CROSS JOIN keeps SQLite from starting anywhere but the posting list.
    return Plan(
        source=f"{listed.postings} AS p CROSS JOIN {listed.kind} AS i",
        conditions=conditions,
        params=params,
        sort_key=(f"p.{listed.sort_column}", f"p.{listed.id_column}"),
        count_source=f"{listed.postings} AS p" if on_postings else None,
        count_conditions=tuple(c for c in conditions if c != join) if on_postings else None,
    )


def _fetch_and_sort(
    snapshot: Snapshot, selection: Selection, *, driver: int | None, per_row: bool
) -> Plan:
    """Fetch the few items of `few` or the search (driver None) or of an any-of filter, then
    sort them."""
    listed = selection.listed
    conditions = [r.format(t="i") for r in selection.ranges]
    if selection.few is not None:
        conditions.append(selection.few)
    params: Params = dict(selection.params)
    if driver is not None:
        membership = selection.memberships[driver]
        values, value_params = in_list("driver_", membership.values)
        conditions.append(
            f"i.id IN (SELECT {listed.id_column} FROM {listed.postings} "
            f"WHERE dimension = :driver_dimension AND value IN {values}{PLANNED_SUBQUERY_END})"
        )
        params.update(value_params, driver_dimension=membership.dimension)
    _add_probes(snapshot, selection, conditions, params, skip=driver, alias="i", per_row=per_row)
    return Plan(
        source=f"{listed.kind} AS i",
        conditions=conditions,
        params=params,
        sort_key=(f"i.{listed.sort_column}", "i.id"),
    )
