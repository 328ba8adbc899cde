"""What a list endpoint is, to the code that pages, counts and exports it."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from pydantic import BaseModel

from app.database import Snapshot
from app.services.walks import Plan

# The sort key a cursor carries: (date, id) for lists in date order, (id,) for the others.
KeyShape = Literal["date_id", "id"]
Key = tuple[Any, ...]
Documents = list[str]
# The stored text a listed item's row carries (app/readmodel/render.py): JSON, or a CSV line.
StoredColumn = Literal["doc", "csv_line"]


class InvalidKeyError(ValueError):
    """A cursor's key does not have the shape of the list's sort key."""


def identity(name: str, *parameters: Any) -> str:
    """The canonical form of a list's validated parameters, defaults applied (dataclass fields
    in declaration order, dict keys sorted, dates and tuples as JSON): what cursors are bound
    to, and what export ETags digest."""
    return orjson.dumps([name, *parameters], option=orjson.OPT_SORT_KEYS).decode()


def check_key(shape: KeyShape, key: list[Any]) -> Key:
    """The typed sort key of a decoded cursor, checked before any SQL sees it."""
    texts = all(isinstance(part, str) and 0 < len(part) <= 120 for part in key)
    if shape == "id":
        if len(key) != 1 or not texts:
            raise InvalidKeyError("expected [id]")
        return (key[0],)
    if len(key) != 2 or not texts:
        raise InvalidKeyError("expected [date, id]")
    try:
        day = dt.date.fromisoformat(key[0])
    except ValueError as exc:
        raise InvalidKeyError("the date is not an ISO date") from exc
    if day.isoformat() != key[0]:
        raise InvalidKeyError("the date is not in YYYY-MM-DD form")
    return (day, key[1])


def next_key(rows: list[tuple[Any, ...]], limit: int) -> list[str] | None:
    """The cursor key after a page of `rows` (fetched with limit + 1), or None at the end."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return [str(part)[:10] if isinstance(part, dt.date) else str(part) for part in last[1:]]


@dataclass(frozen=True)
class Listing:
    """One list query: how to fetch a page of stored documents, and to count them.

    `identity` is the canonical form of the validated parameters, defaults applied: a cursor
    is bound to it, so spelling a default out or leaving it implicit continues the same list.
    `inline` says the page is a LIMIT-ed walk of one index (see app/database.py). Every plan
    reads the listed table as `i`.
    """

    name: str
    item: type[BaseModel]
    identity: str
    key_shape: KeyShape
    # plan(snapshot, whole=False): `whole` when every match will be read (a count).
    plan: Callable[..., Plan]
    descending: bool = False
    inline: bool = False

    def fetch(
        self, snapshot: Snapshot, after: Key | None, limit: int, *, column: StoredColumn = "doc"
    ) -> tuple[Documents, Any]:
        """Up to `limit` items' stored `column` after the key `after`, and the key to continue
        after."""
        plan = self.plan(snapshot)
        rows = plan.page(
            snapshot, select=f"i.{column}", descending=self.descending, limit=limit + 1, after=after
        )
        if plan.whole:
            return [row[0] for row in rows], None
        return [row[0] for row in rows[:limit]], next_key(rows, limit)

    def count(self, snapshot: Snapshot) -> int:
        return self.plan(snapshot, whole=True).count(snapshot)
