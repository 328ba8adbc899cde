"""Core `Table` objects of the models, for bulk writes and tests."""

from typing import Any, cast

from sqlalchemy import Table

from app import models


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


country = _table(models.Country)
person = _table(models.Person)
source = _table(models.Source)
source_passage = _table(models.SourcePassage)
event = _table(models.Event)
event_participant = _table(models.EventParticipant)
event_country = _table(models.EventCountry)
event_topic = _table(models.EventTopic)
event_source = _table(models.EventSource)
quote = _table(models.Quote)
quote_topic = _table(models.QuoteTopic)
exclusion = _table(models.Exclusion)
trade_observation = _table(models.TradeObservation)
dataset_meta = _table(models.DatasetMeta)
public_id_redirect = _table(models.PublicIdRedirect)
event_posting = _table(models.EventPosting)
quote_posting = _table(models.QuotePosting)
posting_count = _table(models.PostingCount)
posting_pair_count = _table(models.PostingPairCount)
event_timeline_count = _table(models.EventTimelineCount)
