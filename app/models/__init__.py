"""SQLModel table models. The schema itself is created only by the Alembic migrations."""

from app.models.base import metadata
from app.models.events import Event, EventCountry, EventParticipant, EventSource, EventTopic
from app.models.meta import DatasetMeta, PublicIdRedirect
from app.models.passages import SourcePassage
from app.models.quotes import Exclusion, Quote, QuoteTopic
from app.models.read_model import (
    EventPosting,
    EventTimelineCount,
    PostingCount,
    PostingPairCount,
    QuotePosting,
)
from app.models.reference import Country, Person, Source
from app.models.trade import TradeObservation

__all__ = [
    "Country",
    "DatasetMeta",
    "Event",
    "EventCountry",
    "EventParticipant",
    "EventPosting",
    "EventSource",
    "EventTimelineCount",
    "EventTopic",
    "Exclusion",
    "Person",
    "PostingCount",
    "PostingPairCount",
    "PublicIdRedirect",
    "Quote",
    "QuotePosting",
    "QuoteTopic",
    "Source",
    "SourcePassage",
    "TradeObservation",
    "metadata",
]
