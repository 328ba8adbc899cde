"""Plain labels and one-line descriptions of every vocabulary value, for a UI to show.

The CAMEO and PLOVER codings of the event kinds are a crosswalk to other datasets (app/vocab.py
EVENT_CODING), not names for people: /v1/vocab serves them as their own fields.
"""

from enum import StrEnum

from app.vocab import (
    TOPIC_DESCRIPTIONS,
    Attribution,
    DatePrecision,
    EventKind,
    EventStatus,
    Language,
    ParticipantRole,
    PeriodType,
    Qualifier,
    Topic,
    TradeFlow,
    TradeKind,
    Unit,
)

Labelled = dict[StrEnum, tuple[str, str]]

EVENT_KIND_LABELS: Labelled = {
    EventKind.phone_call: ("Phone call", "The leaders spoke by telephone"),
    EventKind.video_call: ("Video call", "The leaders spoke by video link"),
    EventKind.meeting: ("Meeting", "The leaders met in person, outside a state visit or summit"),
    EventKind.state_visit: ("State visit", "One leader visited the other's country"),
    EventKind.summit: ("Summit", "The leaders met at a multilateral summit"),
    EventKind.message: ("Message", "One leader sent the other a letter, greeting or telegram"),
    EventKind.ceremony: ("Ceremony", "The leaders took part in a ceremony together"),
    EventKind.agreement: ("Agreement", "An agreement, treaty or joint statement was signed"),
    EventKind.exercise: ("Military exercise", "A joint military exercise or patrol"),
    EventKind.other: ("Other", "Any other leader-level diplomatic event"),
}
EVENT_STATUS_LABELS: Labelled = {
    EventStatus.occurred: ("Occurred", "The event took place"),
    EventStatus.planned: ("Planned", "The event was announced but had not taken place"),
}
DATE_PRECISION_LABELS: Labelled = {
    DatePrecision.day: ("Day", "The exact day is known"),
    DatePrecision.month: ("Month", "Only the month is known"),
    DatePrecision.year: ("Year", "Only the year is known"),
}
PARTICIPANT_ROLE_LABELS: Labelled = {
    ParticipantRole.participant: ("Participant", "Took part, with no more specific role"),
    ParticipantRole.host: ("Host", "Received the other side"),
    ParticipantRole.visitor: ("Visitor", "Travelled to the other side"),
    ParticipantRole.caller: ("Caller", "Placed the call"),
    ParticipantRole.callee: ("Callee", "Received the call"),
    ParticipantRole.sender: ("Sender", "Sent the message"),
    ParticipantRole.recipient: ("Recipient", "Received the message"),
    ParticipantRole.signatory: ("Signatory", "Signed the agreement"),
}
TOPIC_NAMES: dict[Topic, str] = {
    Topic.trade: "Trade",
    Topic.energy: "Energy",
    Topic.nuclear: "Nuclear energy",
    Topic.security: "Security",
    Topic.ukraine: "Ukraine",
    Topic.taiwan: "Taiwan",
    Topic.multipolar_order: "Multipolar order",
    Topic.military: "Military",
    Topic.space: "Space",
    Topic.health: "Health",
    Topic.afghanistan: "Afghanistan",
    Topic.science: "Science",
    Topic.treaty: "Treaties",
    Topic.sanctions: "Sanctions",
    Topic.infrastructure: "Infrastructure",
    Topic.personal: "Personal",
    Topic.sport: "Sport",
    Topic.united_states: "United States",
}
TOPIC_LABELS: Labelled = {topic: (TOPIC_NAMES[topic], TOPIC_DESCRIPTIONS[topic]) for topic in Topic}
ATTRIBUTION_LABELS: Labelled = {
    Attribution.direct: ("Direct speech", "The leader's own words, in quotation marks"),
    Attribution.readout: (
        "Official readout",
        "Official readout (Kremlin, Chinese foreign ministry)",
    ),
    Attribution.agency: ("News agency", "News agency report (e.g. TASS)"),
    Attribution.press: ("Press paraphrase", "Press paraphrase in quotes"),
    Attribution.indirect: ("Reported speech", "Reported speech, not in quotation marks"),
}
LANGUAGE_LABELS: Labelled = {
    Language.it: ("Italian", "Text in Italian, the language of the source articles"),
    Language.en: ("English", "Text in English (the translations)"),
}
TRADE_FLOW_LABELS: Labelled = {
    TradeFlow.total: ("Total trade", "Exports plus imports between the two countries"),
    TradeFlow.export: ("Exports", "From the reporting country to the partner"),
    TradeFlow.import_: ("Imports", "To the reporting country from the partner"),
}
TRADE_KIND_LABELS: Labelled = {
    TradeKind.actual: ("Actual", "A figure for trade that took place"),
    TradeKind.target: ("Target", "A goal the leaders set for future trade"),
}
PERIOD_TYPE_LABELS: Labelled = {
    PeriodType.annual: ("Year", "A calendar year"),
    PeriodType.ytd: ("Year to date", "From January to a given month"),
    PeriodType.month: ("Month", "A single month"),
    PeriodType.open: ("Undated", "No period: a target with no stated deadline"),
}
QUALIFIER_LABELS: Labelled = {
    Qualifier.exact: ("Exact", "The figure as stated"),
    Qualifier.approximate: ("Approximate", "A rounded figure where a more precise one exists"),
    Qualifier.lower_bound: ("More than", "A lower bound: 'exceeded', 'more than'"),
    Qualifier.upper_bound: ("Less than", "An upper bound: 'less than', 'was surpassed'"),
}

# A quantity's unit in words (the label), as the explorer writes "10 billion cubic metres".
UNIT_LABELS: Labelled = {
    Unit.m3: ("cubic metres", "Volume, as of natural gas"),
    Unit.t: ("tonnes", "Metric tonnes, as of grain or coal"),
    Unit.bbl: ("barrels", "Barrels of oil"),
    Unit.kwh: ("kilowatt-hours", "Electric energy"),
}


def entries(labels: Labelled) -> list[dict[str, str]]:
    """`{code, label, description}` for every value, in the vocabulary's own order."""
    return [
        {"code": value.value, "label": label, "description": description}
        for value, (label, description) in labels.items()
    ]
