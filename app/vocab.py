"""Controlled vocabularies shared by the seed validator, the database and the API schema."""

from enum import StrEnum
from typing import Literal, NamedTuple


class EventKind(StrEnum):
    phone_call = "phone_call"
    video_call = "video_call"
    meeting = "meeting"
    state_visit = "state_visit"
    summit = "summit"
    message = "message"
    ceremony = "ceremony"
    agreement = "agreement"
    exercise = "exercise"
    other = "other"


class EventStatus(StrEnum):
    occurred = "occurred"
    planned = "planned"


class DatePrecision(StrEnum):
    day = "day"
    month = "month"
    year = "year"


class DateEvidence(StrEnum):
    """What sets an event's date (docs/dataset.md, "Dates")."""

    stated = "stated"  # a passage of the event's sources states the date at its precision
    clue = "clue"  # a passage quoted in date_basis, holding a date word, fixes it
    identified = "identified"  # curators' outside knowledge adds precision the articles lack


class ParticipantRole(StrEnum):
    participant = "participant"
    host = "host"
    visitor = "visitor"
    caller = "caller"
    callee = "callee"
    sender = "sender"
    recipient = "recipient"
    signatory = "signatory"


class Topic(StrEnum):
    trade = "trade"
    energy = "energy"
    nuclear = "nuclear"
    security = "security"
    ukraine = "ukraine"
    taiwan = "taiwan"
    multipolar_order = "multipolar-order"
    military = "military"
    space = "space"
    health = "health"
    afghanistan = "afghanistan"
    science = "science"
    treaty = "treaty"
    sanctions = "sanctions"
    infrastructure = "infrastructure"
    personal = "personal"
    sport = "sport"
    united_states = "united-states"


class Attribution(StrEnum):
    direct = "direct"
    readout = "readout"
    agency = "agency"
    press = "press"
    indirect = "indirect"


# Attributions whose words describe what the speaker said rather than give his own words
# (docs/dataset.md, "Reported speech"): served apart, and left out of a leader's quotes by default.
REPORTED_SPEECH = frozenset({Attribution.indirect})


class Language(StrEnum):
    it = "it"
    en = "en"


class TradeFlow(StrEnum):
    total = "total"
    export = "export"
    import_ = "import"


class TradeKind(StrEnum):
    actual = "actual"
    target = "target"


class PeriodType(StrEnum):
    annual = "annual"
    ytd = "ytd"
    month = "month"
    open = "open"


class Unit(StrEnum):
    """Units of non-monetary quantities a trade record can state (energy volumes, tonnage)."""

    m3 = "m3"  # cubic metres (gas)
    t = "t"  # metric tonnes
    bbl = "bbl"  # barrels (oil)
    kwh = "kWh"  # kilowatt-hours (electricity)


class Qualifier(StrEnum):
    exact = "exact"
    approximate = "approximate"
    lower_bound = "lower_bound"
    upper_bound = "upper_bound"


Bound = Literal["lower", "upper"]

# Which side of the true figure a bound lies on; a bound is never a value to plot.
QUALIFIER_BOUND: dict[str, Bound] = {Qualifier.lower_bound: "lower", Qualifier.upper_bound: "upper"}


class Milestone(StrEnum):
    record = "record"
    first_time = "first_time"


class ExclusionKind(StrEnum):
    quote = "quote"
    figure = "figure"


class EventCoding(NamedTuple):
    """How an event kind maps onto the CAMEO and PLOVER ontologies."""

    cameo_code: str | None
    cameo_label: str | None
    plover_event: str | None
    plover_mode: str | None


EVENT_CODING: dict[EventKind, EventCoding] = {
    EventKind.phone_call: EventCoding("041", "Discuss by telephone", "CONSULT", "phone"),
    EventKind.video_call: EventCoding("041", "Discuss by telephone", "CONSULT", "phone"),
    EventKind.meeting: EventCoding("040", "Consult, not specified below", "CONSULT", None),
    EventKind.state_visit: EventCoding("042", "Make a visit", "CONSULT", "visit"),
    EventKind.summit: EventCoding("044", "Meet at a third location", "CONSULT", "multilateral"),
    EventKind.message: EventCoding("018", "Make empathetic comment", "SUPPORT", None),
    EventKind.ceremony: EventCoding("040", "Consult, not specified below", "CONSULT", None),
    EventKind.agreement: EventCoding("057", "Sign formal agreement", "SUPPORT", None),
    EventKind.exercise: EventCoding("062", "Cooperate militarily", "COOPERATE", None),
    EventKind.other: EventCoding(None, None, None, None),
}

TOPIC_DESCRIPTIONS: dict[Topic, str] = {
    Topic.trade: "Bilateral trade volumes, targets and economic cooperation",
    Topic.energy: "Oil, gas and energy cooperation",
    Topic.nuclear: "Civil nuclear energy projects and fuel",
    Topic.security: "Security guarantees and strategic coordination",
    Topic.ukraine: "The war in Ukraine",
    Topic.taiwan: "Taiwan and the one-China policy",
    Topic.multipolar_order: "A multipolar world order and global governance",
    Topic.military: "Military and military-technical cooperation",
    Topic.space: "Space and lunar research",
    Topic.health: "Vaccines and public health",
    Topic.afghanistan: "The situation in Afghanistan",
    Topic.science: "Science, technology and innovation",
    Topic.treaty: "Treaties and their extension",
    Topic.sanctions: "Western sanctions",
    Topic.infrastructure: "Cross-border infrastructure",
    Topic.personal: "The leaders' personal relationship (birthdays, friendship)",
    Topic.sport: "Sporting events such as the Olympic Games",
    Topic.united_states: "Relations with the United States",
}
