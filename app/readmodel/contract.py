"""The read model's contract: every name the seed writes and the services read, stated once.

The derivation (app/readmodel/derive.py) and the writer (app/readmodel/write.py) produce what
is named here; the services (walks, events, quotes, search, timelines, explorer) query it by
these names; the bench floor's tests hold its hand-written copies to them. A new filter
dimension is a name in its kind's `dimensions` here, a posting in the derivation, a membership
in one service and a parameter in one route (docs/architecture.md).
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

# Every item the API lists keeps its public JSON (`doc`) and its CSV export line (`csv_line`)
# beside its row, rendered by the seed (app/readmodel/render.py).
STORED_COLUMNS = ("doc", "csv_line")
# Events keep their lines in the long and dyadic CSV exports as well (one text per event).
EVENT_LONG_CSV: Final = "csv_long"  # one line per source passage
EVENT_DYADIC_CSV: Final = "csv_dyadic"  # one line per pair of participants
ITEM_TABLES = ("event", "quote", "trade_observation", "person", "source")

# The filter dimensions: `dimension` of a posting, the value being what the filter names.
LEADER = "leader"  # a participant (events) or the speaker (quotes): person id
COUNTRY = "country"  # an involved country: ISO code
TOPIC = "topic"
SOURCE = "source"  # a source the event is read from: source id
KIND = "kind"
STATUS = "status"
LANG = "lang"  # the language a quote was said in
ATTRIBUTION = "attribution"
SPEECH = "speech"  # a quote's own words (`own`) or a description of them (`reported`)
# The (dimension, value) of the posting list of every item: plain walks in sort order use it.
EVERYTHING = ("all", "")


@dataclass(frozen=True)
class ListedKind:
    """A kind of item listed through posting lists: where its lists, counts and full-text
    index live, and by which dimensions it can be filtered."""

    kind: str  # the items' table, and posting_count.kind
    postings: str  # its posting lists' table: (dimension, value, sort column, id column)
    sort_column: str
    id_column: str
    search: str  # its full-text table
    dimensions: tuple[str, ...]


EVENTS = ListedKind(
    kind="event",
    postings="event_posting",
    sort_column="date_lo",
    id_column="event_id",
    search="event_search",
    dimensions=(LEADER, COUNTRY, TOPIC, SOURCE, KIND, STATUS),
)
QUOTES = ListedKind(
    kind="quote",
    postings="quote_posting",
    sort_column="sort_date",
    id_column="quote_id",
    search="quote_search",
    dimensions=(LEADER, TOPIC, LANG, ATTRIBUTION, SPEECH),
)
LISTED = (EVENTS, QUOTES)

POSTING_COUNT = "posting_count"  # (kind, dimension, value) -> count: which filter is rarest
# (kind, dimension, value, other dimension, other value) -> count: facets under one filter.
POSTING_PAIR_COUNT = "posting_pair_count"
# (dimension, value, month of date_lo, year precision) -> count of events: the timelines.
EVENT_TIMELINE_COUNT = "event_timeline_count"
DATASET_META = "dataset_meta"  # one row: the dataset's version and max_event_span_days
# The tables only the read model's writer fills (documents live beside their rows).
READ_MODEL_TABLES = (
    EVENTS.postings,
    QUOTES.postings,
    POSTING_COUNT,
    POSTING_PAIR_COUNT,
    EVENT_TIMELINE_COUNT,
)
# The source articles' passages that /v1/search finds (app/readmodel/passages.py), and their
# full-text table (`{kind}_search`, like the listed kinds').
PASSAGE = "source_passage"
PASSAGE_SEARCH = f"{PASSAGE}_search"
# The full-text tables, which the migrations create by hand (Alembic's autogenerate skips them).
SEARCH_TABLES = (*(listed.search for listed in LISTED), PASSAGE_SEARCH)

# ---- the search text -------------------------------------------------------------------
# Both engines index the same accent-folded, lower-cased text, and a query is normalised the
# same way (app/services/search.py): `citta` finds `città`, `Putin` finds `putin`.
_NON_WORD = re.compile(r"[^\w]+")


def normalise(value: str) -> str:
    """Fold accents and case and turn punctuation into spaces."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())


def event_search_text(*, title: str, summary: str, excerpts: list[str]) -> str:
    """What an event is found by: its title, summary and source excerpts (before `normalise`)."""
    return "\n".join([title, summary, *excerpts])


def quote_search_text(*, text: str, translation_en: str) -> str:
    """What a quote is found by: its words and their English translation."""
    return f"{text}\n{translation_en}"
