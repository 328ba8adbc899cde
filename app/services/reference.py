"""Leaders, sources and vocabularies."""

from typing import Any

import orjson

from app.database import Snapshot, inline_read
from app.errors import not_found
from app.schemas.reference import LeaderPublic, SourcePublic
from app.services.listing import Listing, identity
from app.services.lookup import find_person_id
from app.services.walks import Plan
from app.vocab import (
    EVENT_CODING,
    TOPIC_DESCRIPTIONS,
    Attribution,
    DatePrecision,
    EventStatus,
    Language,
    ParticipantRole,
    PeriodType,
    Qualifier,
    TradeFlow,
    TradeKind,
)


def leader_listing() -> Listing:
    """/v1/leaders, in id order."""
    return Listing(
        name="leaders",
        item=LeaderPublic,
        identity=identity("leaders"),
        key_shape="id",
        plan=lambda _snapshot: Plan("person AS i", [], {}, ("i.id",)),
        select="i.doc",
        inline=True,
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
        plan=lambda _snapshot: Plan("source AS i", [], {}, ("i.id",)),
        select="i.doc",
        inline=True,
    )


@inline_read
def source_document(snapshot: Snapshot, *, source_id: str) -> bytes:
    """One source with its counts and full text, as JSON."""
    rows = snapshot.rows("SELECT doc, text FROM source WHERE id = :id", {"id": source_id})
    if not rows:
        raise not_found("source", source_id, listing="/v1/sources")
    doc, text = rows[0]
    # The stored document ends with '}': the detail adds the text as its last field.
    return doc[:-1].encode() + b',"text":' + orjson.dumps(text) + b"}"


@inline_read
def source_text(snapshot: Snapshot, *, source_id: str) -> str:
    """The verbatim text of one source."""
    value = snapshot.scalar("SELECT text FROM source WHERE id = :id", {"id": source_id})
    if value is None:
        raise not_found("source", source_id, listing="/v1/sources")
    return str(value)


@inline_read
def vocabularies_document(snapshot: Snapshot) -> bytes:
    """Every controlled vocabulary, as JSON."""
    return orjson.dumps(vocabularies(snapshot))


def vocabularies(snapshot: Snapshot) -> dict[str, Any]:
    """Every controlled vocabulary, with the CAMEO/PLOVER crosswalk of the event kinds."""

    def plain(values: Any) -> list[dict[str, Any]]:
        return [{"code": value.value} for value in values]

    countries = snapshot.rows("SELECT code, alpha3, name FROM country ORDER BY code")
    return {
        "event_kinds": [
            {
                "code": kind.value,
                "label": coding.cameo_label,
                "cameo_code": coding.cameo_code,
                "plover_event": coding.plover_event,
                "plover_mode": coding.plover_mode,
            }
            for kind, coding in EVENT_CODING.items()
        ],
        "event_statuses": plain(EventStatus),
        "date_precisions": plain(DatePrecision),
        "participant_roles": plain(ParticipantRole),
        "topics": [
            {"code": topic.value, "description": description}
            for topic, description in TOPIC_DESCRIPTIONS.items()
        ],
        "attributions": [
            {"code": Attribution.direct.value, "description": "Direct speech"},
            {
                "code": Attribution.readout.value,
                "description": "Official readout (Kremlin, Chinese foreign ministry)",
            },
            {"code": Attribution.agency.value, "description": "News agency report (e.g. TASS)"},
            {"code": Attribution.press.value, "description": "Press paraphrase in quotes"},
            {
                "code": Attribution.indirect.value,
                "description": "Reported speech, not in quotation marks",
            },
        ],
        "languages": plain(Language),
        "trade_flows": plain(TradeFlow),
        "trade_kinds": plain(TradeKind),
        "period_types": plain(PeriodType),
        "qualifiers": [
            {"code": Qualifier.exact.value, "description": "The figure as stated"},
            {
                "code": Qualifier.approximate.value,
                "description": "A rounded figure where a more precise one exists",
            },
            {"code": Qualifier.lower_bound.value, "description": "'exceeded', 'more than'"},
            {"code": Qualifier.upper_bound.value, "description": "'less than', 'was surpassed'"},
        ],
        "countries": [
            {"code": code, "alpha3": alpha3, "name": name} for code, alpha3, name in countries
        ],
    }
