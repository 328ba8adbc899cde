"""One draft: read the article and the seeds' people and trade figures, find, write."""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.drafting.dates import parse_published
from app.drafting.events import EventDraft, find_events
from app.drafting.figures import Figure, FigureFinder, Rejected
from app.drafting.people import People, country_codes, leading_people
from app.drafting.quotes import Found, QuoteFinder
from app.drafting.text import Article
from app.drafting.writer import Draft, Writer, file_name_for
from app.seeding.quotations import Unbalanced
from app.seeding.records import PersonRecord


@dataclass
class Result:
    """What the draft found, for the writer, the report and the scoring test."""

    draft: Draft
    quotes: list[Found]
    figures: list[Figure]
    rejected: list[Rejected]
    events: list[EventDraft]
    unbalanced: list[Unbalanced]
    published: str
    published_guessed: bool


def _load(seeds_dir: Path, name: str) -> list[dict[str, Any]]:
    path = seeds_dir / "data" / f"{name}.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or []) if path.is_file() else []


def guess_published(text: str) -> str:
    """Without --published: the latest year the article names (not after this one)."""
    years = [
        int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", text) if int(y) <= dt.date.today().year
    ]
    return str(max(years) if years else dt.date.today().year)


def draft_article(
    article_path: Path,
    seeds_dir: Path,
    *,
    published: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    exclude_source: str | None = None,
) -> Result:
    """Draft the records of one article. `exclude_source` leaves that source's own curated
    trade figures out of what the draft compares against (the scoring test drafts articles
    that are already curated)."""
    text = article_path.read_text(encoding="utf-8")
    article = Article(text)
    people = People([PersonRecord.model_validate(p) for p in _load(seeds_dir, "people")])
    leaders = leading_people(people, text)
    guessed = published is None
    published = published or guess_published(text)
    first, _ = parse_published(published)
    known = [t for t in _load(seeds_dir, "trade") if t.get("source") != exclude_source]

    quote_finder = QuoteFinder(article, people, leaders)
    quotes = quote_finder.quotations_found()
    figures, rejected = FigureFinder(article, first, known).find()
    events = find_events(article, people, leaders, published)
    for fig in figures:
        inside = [q for q in quotes if q.start <= fig.number_at < q.end and len(q.speakers) == 1]
        if inside:
            fig.stated_by = inside[0].speakers[0]
        else:
            sentence = article.sentence_of(fig.number_at)
            speakers = [
                q
                for q in quote_finder.mentions
                if sentence.start <= q.start < fig.number_at
                and quote_finder.is_subject(q)
                and len(q.people) == 1
            ]
            if speakers and re.search(
                r"\b(?:dichiarat|affermat|dett|sottolineat)\w*",
                text[sentence.start : fig.number_at],
            ):
                fig.stated_by = speakers[-1].people[0]

    writer = Writer(article, people, "draft-source")
    file_name = file_name_for(article_path, seeds_dir)
    basis = (
        f"Given to the draft as {published}: check it against the page."
        if not guessed
        else "Not given: the latest year the article names. Find the publication date."
    )
    writer.source(file_name, published, basis, outlet, url, 0.3 if guessed else 0.6)
    main_id = None
    for event in events:
        event_id = writer.event(event)
        main_id = main_id or event_id
    main = events[0] if events else None
    for found in quotes:
        if found.exclusion:
            writer.exclusion(found.start, found.end, "quote", found.exclusion, found.confidence)
        else:
            writer.quote(found, main, main_id)
    number = file_name[:3]
    countries = [c for c in country_codes(text)]
    for fig in figures:
        writer.figure(fig, number, main_id, countries)
    for item in rejected:
        if not item.reason.startswith("Part of a trade figure"):
            writer.rejected(item)
    return Result(
        writer.draft, quotes, figures, rejected, events, quote_finder.unbalanced, published, guessed
    )
