"""What a list endpoint is, to the code that pages, counts and exports it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from app.config import Settings
from app.database import Read, Snapshot
from app.services.cursors import Cursors, Key, KeyShape, next_key
from app.services.walks import Plan

Documents = list[str]
# The stored text a listed item's row carries (app/readmodel/contract.py): JSON, or a CSV line.
StoredColumn = Literal["doc", "csv_line", "csv_long", "csv_dyadic"]
# plan(snapshot, every_match): `every_match` when every match will be read (a count).
Planner = Callable[[Snapshot, bool], Plan]


@dataclass(frozen=True)
class Page:
    documents: Documents
    next_key: list[str] | None
    total: int | None = None


@dataclass(frozen=True)
class Listing:
    """One list query: how to fetch a page of stored documents, and to count them.

    `identity` is the canonical form of the validated parameters, defaults applied
    (app/services/cursors.py): cursors are bound to it and export ETags digest it. The
    service that builds a listing knows what its reads cost: `inline_pages` says a page
    (without a total) is a LIMIT-ed walk of one index, a read for the event loop
    (app/database.py). Every plan reads the listed table as `i`.

    A listing plans once per dataset version: the name look-ups, the span query and the
    posting counts behind its plan are read by the first read and reused by the page, the
    total and every export batch (each batch checks that the version has not changed).
    """

    name: str
    item: type[BaseModel]
    identity: str
    key_shape: KeyShape
    planner: Planner
    descending: bool = False
    inline_pages: bool = False
    _plans: dict[tuple[str | None, bool], Plan] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def cursors(self, settings: Settings) -> Cursors:
        """This list's cursors, under the app's secret and length bound: the API's pages and
        the explorer's issue and accept the same ones."""
        return Cursors(
            identity=self.identity,
            key_shape=self.key_shape,
            secret=settings.cursor_secret,
            max_chars=settings.cursor_max_chars,
        )

    def plan(self, snapshot: Snapshot, *, every_match: bool = False) -> Plan:
        version = snapshot.dataset_version()
        plan = self._plans.get((version, every_match))
        if plan is None:
            plan = self._plans[version, every_match] = self.planner(snapshot, every_match)
        return plan

    def fetch(
        self, snapshot: Snapshot, after: Key | None, limit: int, *, column: StoredColumn = "doc"
    ) -> tuple[Documents, list[str] | None]:
        """Up to `limit` items' stored `column` after the key `after`, and the key to continue
        after."""
        plan = self.plan(snapshot)
        rows = plan.page(
            snapshot, select=f"i.{column}", descending=self.descending, limit=limit + 1, after=after
        )
        if plan.unpaged:
            return [row[0] for row in rows], None
        return [row[0] for row in rows[:limit]], next_key(rows, limit)

    def count(self, snapshot: Snapshot) -> int:
        return self.plan(snapshot, every_match=True).count(snapshot)

    def page(self, after: Key | None, limit: int, *, include_total: bool = False) -> Read[Page]:
        """A page after `after` (with the total when asked), and where it runs: a count reads
        every match, so a page with a total never runs inline."""

        def work(snapshot: Snapshot) -> Page:
            documents, key = self.fetch(snapshot, after, limit)
            return Page(documents, key, self.count(snapshot) if include_total else None)

        return Read(work, inline=self.inline_pages and not include_total)

    def check(self) -> Read[str | None]:
        """Plan the list (so a bad name is a 400 before an export's 200) and return the dataset
        version the export will be bound to."""

        def work(snapshot: Snapshot) -> str | None:
            self.plan(snapshot)
            return snapshot.dataset_version()

        return Read(work, inline=self.inline_pages)


def fixed_plan(plan: Plan) -> Planner:
    """The planner of a list whose plan depends on nothing but itself (leaders, sources)."""
    return lambda _snapshot, _every_match: plan
