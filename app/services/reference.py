"""Leaders, sources and vocabularies."""

from typing import Any, Literal

import orjson

from app import vocab_labels as labels
from app.database import Snapshot, inline_read
from app.errors import not_found
from app.schemas.reference import LeaderPublic, SourcePublic
from app.services.cursors import identity
from app.services.listing import Listing, fixed_plan
from app.services.lookup import find_person_id
from app.services.walks import Plan
from app.vocab import EVENT_CODING, EventKind

TextScope = Literal["full", "excerpts"]


def leader_listing() -> Listing:
    """/v1/leaders, in id order."""
    return Listing(
        name="leaders",
        item=LeaderPublic,
        identity=identity("leaders"),
        key_shape="id",
        planner=fixed_plan(Plan("person AS i", [], {}, ("i.id",))),
        inline_pages=True,
    )


@inline_read
def leader_document(snapshot: Snapshot, *, reference: str) -> bytes:
    """One leader by slug or Wikidata QID, as JSON."""
    person_id = find_person_id(snapshot, reference=reference)
    doc = None
    if person_id is not None:
        doc = snapshot.scalar("SELECT doc FROM person WHERE id = :id", {"id": person_id})
    if doc is None:
        raise not_found("leader", reference, listing="/v1/leaders")
    return str(doc).encode()


def source_listing() -> Listing:
    """/v1/sources (without their text), in id order."""
    return Listing(
        name="sources",
        item=SourcePublic,
        identity=identity("sources"),
        key_shape="id",
        planner=fixed_plan(Plan("source AS i", [], {}, ("i.id",))),
        inline_pages=True,
    )


# The column each SERVE_ARTICLE_TEXT setting serves an article from.
TEXT_COLUMN = {"full": "text", "excerpts": "excerpt_text"}


@inline_read
def source_document(snapshot: Snapshot, *, source_id: str, text_scope: TextScope) -> bytes:
    """One source with its counts and its text (whole, or only the cited spans), as JSON."""
    rows = snapshot.rows(
        f"SELECT doc, {TEXT_COLUMN[text_scope]} FROM source WHERE id = :id", {"id": source_id}
    )
    if not rows:
        raise not_found("source", source_id, listing="/v1/sources")
    doc, text = rows[0]
    # The stored document ends with '}': the detail adds the text as its last fields.
    tail = b',"text":' + orjson.dumps(text) + b',"text_scope":' + orjson.dumps(text_scope)
    return doc[:-1].encode() + tail + b"}"


@inline_read
def source_text(snapshot: Snapshot, *, source_id: str, text_scope: TextScope) -> str:
    """The text of one source: verbatim, or only its cited spans (the rest blanked)."""
    value = snapshot.scalar(
        f"SELECT {TEXT_COLUMN[text_scope]} FROM source WHERE id = :id", {"id": source_id}
    )
    if value is None:
        raise not_found("source", source_id, listing="/v1/sources")
    return str(value)


@inline_read
def vocabularies_document(snapshot: Snapshot) -> bytes:
    """Every controlled vocabulary, as JSON."""
    return orjson.dumps(vocabularies(snapshot))


def vocabularies(snapshot: Snapshot) -> dict[str, Any]:
    """Every controlled vocabulary with plain labels and descriptions; the event kinds also
    carry their CAMEO and PLOVER codings, as fields of their own."""
    countries = snapshot.rows("SELECT code, alpha3, name FROM country ORDER BY code")
    return {
        "event_kinds": [
            {**entry, **EVENT_CODING[EventKind(entry["code"])]._asdict()}
            for entry in labels.entries(labels.EVENT_KIND_LABELS)
        ],
        "event_statuses": labels.entries(labels.EVENT_STATUS_LABELS),
        "date_precisions": labels.entries(labels.DATE_PRECISION_LABELS),
        "participant_roles": labels.entries(labels.PARTICIPANT_ROLE_LABELS),
        "topics": labels.entries(labels.TOPIC_LABELS),
        "attributions": labels.entries(labels.ATTRIBUTION_LABELS),
        "languages": labels.entries(labels.LANGUAGE_LABELS),
        "trade_flows": labels.entries(labels.TRADE_FLOW_LABELS),
        "trade_kinds": labels.entries(labels.TRADE_KIND_LABELS),
        "period_types": labels.entries(labels.PERIOD_TYPE_LABELS),
        "qualifiers": labels.entries(labels.QUALIFIER_LABELS),
        "units": labels.entries(labels.UNIT_LABELS),
        "countries": [
            {"code": code, "alpha3": alpha3, "name": name} for code, alpha3, name in countries
        ],
    }
