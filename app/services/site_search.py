"""/v1/search and the explorer's search page: events, quotes and source passages found by one
`q`, as typed hits with a snippet, in date order or by relevance.

Events and quotes are found through the plans of /v1/events and /v1/quotes (app/services/
walks.py), so a common word costs a walk of a page, not a collection of every match; passages
(a few per article) through their own index (app/readmodel/passages.py), in the deployment's
SERVE_ARTICLE_TEXT scope only, so a deployment serving excerpts never finds nor shows a word
outside the cited spans.

Date order merges the three kinds' pages by (date, kind, id): each kind fetches one page after
the cursor's key, and the cursor carries the last hit's key. Relevance scores the newest
`window` matches of each kind in Python (app/services/snippets.py: matching words, a title's
counting triple), the same on both databases, which ranks within that window rather than over
every match of a common word (SEARCH_RELEVANCE_WINDOW bounds the work).
"""

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.database import Snapshot, in_list
from app.errors import ProblemError, invalid_parameter
from app.readmodel.contract import EVENTS, PASSAGE, PASSAGE_SEARCH, QUOTES, ListedKind
from app.services import walks
from app.services.cursors import Cursors, Key, identity
from app.services.search import Term, compile_query, parse_query
from app.services.snippets import Matcher, best_snippet

KINDS = ("event", "quote", "passage")
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
_LISTED = {"event": EVENTS, "quote": QUOTES}
Hit = dict[str, Any]


@dataclass(frozen=True)
class SearchQuery:
    """What a search asks for, validated (the cursor's identity is built from it)."""

    q: str
    kinds: tuple[str, ...] = KINDS
    sort: str = "-date"  # "-date", "date" or "relevance"
    scope: str = "full"  # SERVE_ARTICLE_TEXT


def search_cursors(query: SearchQuery, settings: Settings) -> Cursors:
    """The cursors of one search: the API's and the explorer's search pages issue and accept
    the same ones."""
    return Cursors(
        identity=identity("search", dataclasses.asdict(query)),
        key_shape="search",
        secret=settings.cursor_secret,
        max_chars=settings.cursor_max_chars,
    )


def _iso(value: Any) -> str:
    return str(value)[:10]


def _bad_cursor() -> ProblemError:
    return invalid_parameter(
        "cursor",
        "is not a cursor this API issued for this search; use the next_cursor value of the "
        "previous page unchanged, with the same q, kind and sort",
    )


def _date_bound(key: Key, kind: str) -> tuple[dt.date, str]:
    """The (date, id) a kind's page continues after, from the last hit's (date, kind, id).
    Hits of one date sort by kind, so on the cursor's date a kind ranked before the cursor's
    is done (ascending: continue after the date) or has all of it still to come (descending:
    continue before the next day); a kind ranked after it has all of it to come, or none."""
    try:
        day, cursor_kind, ident = dt.date.fromisoformat(key[0]), key[1], key[2]
        rank = _RANK[cursor_kind]
    except (KeyError, ValueError):
        raise _bad_cursor() from None
    if _RANK[kind] == rank:
        return day, ident
    # "" sorts before every id: (day, "") bounds a whole day, from either side.
    if _RANK[kind] < rank:
        return day + dt.timedelta(days=1), ""
    return day, ""


# Passages matching at least this many: each passage walked in date order asks the index
# whether it matches, instead of every match being collected and sorted (at 26k passages,
# `presidente`, in most: 110 -> 25 ms; `gasdotto`, in 1k, stays collected: 25 ms, not 80).
PASSAGES_PER_ROW = 2_000


def _passage_match(snapshot: Snapshot, compiled: str) -> str:
    """The condition on passage `p` matching `:search_q`, the cheaper way for its matches."""
    sqlite = snapshot.dialect == "sqlite"
    found = (
        f"{PASSAGE_SEARCH} MATCH :search_q"
        if sqlite
        else "document @@ to_tsquery('simple', :search_q)"
    )
    many = snapshot.scalar(
        f"SELECT count(*) FROM (SELECT 1 FROM {PASSAGE_SEARCH} WHERE {found} "
        f"LIMIT {PASSAGES_PER_ROW}) AS matches",
        {"search_q": compiled},
    )
    if int(many) >= PASSAGES_PER_ROW:
        key = "s.rowid = p.rowid" if sqlite else f"s.{PASSAGE}_id = p.id"
        return f"EXISTS (SELECT 1 FROM {PASSAGE_SEARCH} AS s WHERE {key} AND {found})"
    if sqlite:
        return f"p.rowid IN (SELECT rowid FROM {PASSAGE_SEARCH} WHERE {found})"
    return f"p.id IN (SELECT {PASSAGE}_id FROM {PASSAGE_SEARCH} WHERE {found})"


def _passage_keys(
    snapshot: Snapshot, query: SearchQuery, compiled: str, after: Any, limit: int, desc: bool
) -> list[tuple[str, str]]:
    conditions = ["p.scope = :scope", _passage_match(snapshot, compiled)]
    params: dict[str, Any] = {"scope": query.scope, "search_q": compiled, "limit": limit}
    if after is not None:
        conditions.append(f"(p.published_on, p.id) {'<' if desc else '>'} (:after0, :after1)")
        params.update(after0=after[0], after1=after[1])
    direction = " DESC" if desc else ""
    rows = snapshot.rows(
        f"SELECT p.published_on, p.id FROM {PASSAGE} AS p WHERE {' AND '.join(conditions)} "
        f"ORDER BY p.published_on{direction}, p.id{direction} LIMIT :limit",
        params,
    )
    return [(_iso(day), ident) for day, ident in rows]


# The plans of recent searches, by dataset version, kind and query: planning a common word
# counts its matches (up to a tenth of the list), which costs more than the page it plans.
_PLANS: OrderedDict[tuple[str | None, str, str, str], walks.Plan] = OrderedDict()
_PLANS_KEPT = 256
_PLANS_LOCK = threading.Lock()


def _plan(snapshot: Snapshot, listed: ListedKind, compiled: str) -> walks.Plan:
    key = (snapshot.dataset_version(), snapshot.dialect, listed.kind, compiled)
    with _PLANS_LOCK:
        plan = _PLANS.get(key)
        if plan is not None:
            _PLANS.move_to_end(key)
            return plan
    plan = walks.plan(snapshot, walks.Selection(listed=listed, q=compiled))
    with _PLANS_LOCK:
        _PLANS[key] = plan
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return plan


def _kind_keys(
    snapshot: Snapshot,
    query: SearchQuery,
    kind: str,
    *,
    after: Any,
    limit: int,
    descending: bool,
) -> list[tuple[str, str, str]]:
    """Up to `limit` (date, kind, id) of `kind`'s matches after the (date, id) `after`."""
    compiled = compile_query(snapshot.dialect, query.q)
    if kind == "passage":
        keys = _passage_keys(snapshot, query, compiled, after, limit, descending)
    else:
        plan = _plan(snapshot, _LISTED[kind], compiled)
        rows = plan.page(snapshot, select="i.id", descending=descending, limit=limit, after=after)
        keys = [(_iso(row[1]), row[0]) for row in rows]
    return [(day, kind, ident) for day, ident in keys]


def _date_page(
    snapshot: Snapshot, query: SearchQuery, after: Key | None, limit: int
) -> tuple[list[tuple[str, str, str]], list[str] | None]:
    descending = query.sort == "-date"
    found: list[tuple[str, str, str]] = []
    for kind in query.kinds:
        bound = None if after is None else _date_bound(after, kind)
        found += _kind_keys(
            snapshot, query, kind, after=bound, limit=limit + 1, descending=descending
        )
    found.sort(key=lambda key: (key[0], _RANK[key[1]], key[2]), reverse=descending)
    page = found[:limit]
    return page, list(page[-1]) if len(found) > limit else None


def _details(snapshot: Snapshot, kind: str, ids: Sequence[str]) -> dict[str, tuple[Hit, list[str]]]:
    """Each hit's fields and its texts, label first (what its snippet is cut from)."""
    if not ids:
        return {}
    values, params = in_list("id", ids)
    found: dict[str, tuple[Hit, list[str]]] = {}
    if kind == "event":
        excerpts: dict[str, list[str]] = {}
        for event_id, excerpt in snapshot.rows(
            f"SELECT event_id, excerpt FROM event_source WHERE event_id IN {values} "
            "ORDER BY event_id, source_id, span_start",
            params,
        ):
            excerpts.setdefault(event_id, []).append(excerpt)
        for ident, title, summary, day in snapshot.rows(
            f"SELECT id, title, summary, date_lo FROM event WHERE id IN {values}", params
        ):
            hit = {"label": title, "date": _iso(day), "url": f"/v1/events/{ident}"}
            found[ident] = (hit, [title, summary, *excerpts.get(ident, [])])
    elif kind == "quote":
        for ident, text, translation, name, day in snapshot.rows(
            "SELECT q.id, q.text, q.translation_en, p.name, q.sort_date FROM quote AS q "
            f"JOIN person AS p ON p.id = q.speaker_id WHERE q.id IN {values}",
            params,
        ):
            hit = {"label": name, "date": _iso(day), "url": f"/v1/quotes/{ident}"}
            # The speaker's name is the label, but a quote is found by its words alone.
            found[ident] = (hit, ["", text, translation])
    else:
        for ident, text, source_id, start, end, day, title in snapshot.rows(
            "SELECT p.id, p.text, p.source_id, p.span_start, p.span_end, p.published_on, "
            f"s.title FROM {PASSAGE} AS p JOIN source AS s ON s.id = p.source_id "
            f"WHERE p.id IN {values}",
            params,
        ):
            hit = {
                "label": title or source_id,
                "date": _iso(day),
                "url": f"/v1/sources/{source_id}",
                "source": {
                    "id": source_id,
                    "title": title,
                    "span": {"start": start, "end": end},
                },
            }
            found[ident] = (hit, ["", text])
    return found


def _hits(
    snapshot: Snapshot, keys: Sequence[tuple[str, str, str]], terms: list[Term]
) -> list[tuple[Hit, int]]:
    """The hits of `keys` in their order, each with its relevance score."""
    details: dict[tuple[str, str], tuple[Hit, list[str]]] = {}
    for kind in KINDS:
        ids = [ident for _day, key_kind, ident in keys if key_kind == kind]
        for ident, found in _details(snapshot, kind, ids).items():
            details[kind, ident] = found
    hits: list[tuple[Hit, int]] = []
    matcher = Matcher(terms)
    for _day, kind, ident in keys:
        fields, texts = details[kind, ident]
        shown, marks, score = best_snippet(texts, matcher)
        hit = {
            "kind": kind,
            "id": ident,
            **fields,
            "snippet": shown,
            "highlights": [{"start": start, "end": end} for start, end in marks],
        }
        hits.append((hit, score))
    return hits


def _relevance_page(
    snapshot: Snapshot, query: SearchQuery, after: Key | None, limit: int, window: int
) -> tuple[list[Hit], list[str] | None]:
    keys: list[tuple[str, str, str]] = []
    for kind in query.kinds:
        keys += _kind_keys(snapshot, query, kind, after=None, limit=window, descending=True)
    scored = _hits(snapshot, keys, parse_query(query.q))
    ranked = sorted(scored, key=lambda pair: (-pair[1], _RANK[pair[0]["kind"]], pair[0]["id"]))
    if after is not None:
        try:
            bound = (-int(after[0]), _RANK[after[1]], after[2])
        except (KeyError, ValueError):
            raise _bad_cursor() from None
        ranked = [
            pair for pair in ranked if (-pair[1], _RANK[pair[0]["kind"]], pair[0]["id"]) > bound
        ]
    page = [{**hit, "score": score} for hit, score in ranked[:limit]]
    last = page[-1] if page else None
    more = len(ranked) > limit and last is not None
    return page, [str(last["score"]), last["kind"], last["id"]] if more and last else None


def search_page(
    snapshot: Snapshot, *, query: SearchQuery, after: Key | None, limit: int, window: int
) -> tuple[list[Hit], list[str] | None]:
    """A page of hits after the cursor key `after`, and the key to continue after (or None)."""
    if query.sort == "relevance":
        return _relevance_page(snapshot, query, after, limit, window)
    keys, next_key = _date_page(snapshot, query, after, limit)
    return [hit for hit, _score in _hits(snapshot, keys, parse_query(query.q))], next_key
