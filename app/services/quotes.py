"""Quote queries: filtered pages of stored documents, and one quote."""

import datetime as dt
from dataclasses import dataclass

from app.database import Params, Snapshot, inline_read
from app.errors import not_found
from app.readmodel.contract import ATTRIBUTION, LANG, LEADER, QUOTES, SPEECH, TOPIC
from app.schemas.quotes import QuotePublic
from app.services import walks
from app.services.cursors import identity
from app.services.listing import Listing
from app.services.lookup import find_person_id, require_event, resolve_leader, unknown_id
from app.services.search import compile_query


@dataclass(frozen=True)
class QuoteFilters:
    """Filters of /v1/quotes; `leaders` and `topics` match any of their values."""

    leaders: tuple[str, ...] = ()  # slugs or QIDs, from the query (unknown: 400)
    speaker: str | None = None  # slug or QID, from the path (unknown: 404)
    event: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    language: str | None = None
    attribution: str | None = None
    topics: tuple[str, ...] = ()
    q: str | None = None
    # own (the speaker's words) | reported (someone describing them) | all; "" until the
    # route applies its default
    speech: str = "all"


def selection(snapshot: Snapshot, filters: QuoteFilters) -> walks.Selection:
    """The filters as posting-list memberships; unknown names are 400s (or the path's 404)."""
    memberships = []
    if filters.speaker is not None:
        person_id = find_person_id(snapshot, reference=filters.speaker)
        if person_id is None:
            raise not_found("leader", filters.speaker, listing="/v1/leaders")
        memberships.append(walks.Membership(LEADER, (person_id,)))
    if filters.leaders:
        leaders = dict.fromkeys(resolve_leader(snapshot, reference=r) for r in filters.leaders)
        memberships.append(walks.Membership(LEADER, tuple(leaders)))
    if filters.topics:
        memberships.append(walks.Membership(TOPIC, filters.topics))
    if filters.language is not None:
        memberships.append(walks.Membership(LANG, (filters.language,)))
    if filters.attribution is not None:
        memberships.append(walks.Membership(ATTRIBUTION, (filters.attribution,)))
    if filters.speech != "all":
        memberships.append(walks.Membership(SPEECH, (filters.speech,)))
    ranges: list[str] = []
    params: Params = {}
    if filters.start is not None:
        ranges.append("{t}.sort_date >= :start")
        params["start"] = filters.start
    if filters.end is not None:
        ranges.append("{t}.sort_date <= :end")
        params["end"] = filters.end
    few = None
    if filters.event is not None:
        require_event(snapshot, filters.event)
        few = "i.event_id = :event_id"
        params["event_id"] = filters.event
    return walks.Selection(
        listed=QUOTES,
        memberships=tuple(memberships),
        ranges=tuple(ranges),
        params=params,
        q=None if filters.q is None else compile_query(snapshot.dialect, filters.q),
        few=few,
    )


def quote_listing(*, filters: QuoteFilters, descending: bool) -> Listing:
    """/v1/quotes (or one leader's quotes) with `filters`, in date order."""
    plain = QuoteFilters(speaker=filters.speaker, leaders=filters.leaders, speech=filters.speech)
    return Listing(
        name="quotes",
        item=QuotePublic,
        identity=identity("quotes", filters, {"descending": descending}),
        key_shape="date_id",
        planner=walks.SelectionPlanner(lambda snapshot: selection(snapshot, filters)),
        descending=descending,
        # At most one leader and nothing else (but the speech filter, one probe a row): a page
        # is the start of one posting list.
        inline_pages=filters == plain and len(filters.leaders) + (filters.speaker is not None) <= 1,
    )


@inline_read
def quote_document(snapshot: Snapshot, *, quote_id: str) -> bytes:
    """One quote as JSON."""
    doc = snapshot.scalar("SELECT doc FROM quote WHERE id = :id", {"id": quote_id})
    if doc is None:
        raise unknown_id(snapshot, kind="quote", identifier=quote_id, listing="/v1/quotes")
    return str(doc).encode()
