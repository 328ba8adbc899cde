"""Issue 24's rules, each guarded by a failing example: one date policy judged on the whole
event, said_on no finer than the articles, clues that hold their date word, reported speech
never passed off as a leader's words, sources named by outlet or id, and stable ids."""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select

from app import migrations
from app.engines import create_db_engine
from app.models import tables as t
from app.seeding.build import SeedValidationError, build_dataset
from app.seeding.date_rules import DATE_WORD, date_problems, event_passages
from app.seeding.load import load_dataset
from app.seeding.records import EventRecord, SpanRef
from app.seeding.spans import find_span
from app.vocab import DatePrecision
from tests.conftest import SEEDS_DIR, DatabaseFactory

DATASET = build_dataset(seeds_dir=SEEDS_DIR)
TEXTS = {row["id"]: row["text"] for row in DATASET.rows["source"]}
Records = list[dict[str, Any]]


def _events() -> list[EventRecord]:
    raw = yaml.safe_load((SEEDS_DIR / "data" / "events.yaml").read_text(encoding="utf-8"))
    return [EventRecord.model_validate(item) for item in raw]


def _event(event_id: str) -> EventRecord:
    return next(event for event in _events() if event.id == event_id)


def _trimmed(ref: SpanRef) -> SpanRef:
    """The middle of an excerpt (its first and last quarter cut), with its occurrence."""
    text = TEXTS[ref.source]
    span = find_span(text, ref.excerpt, ref.occurrence)
    assert span is not None
    cut = len(ref.excerpt) // 4
    start, end = span[0] + cut, span[1] - cut
    piece = text[start:end]
    occurrence, found = 1, text.find(piece)
    while found != start:
        occurrence, found = occurrence + 1, text.find(piece, found + 1)
    return SpanRef(source=ref.source, excerpt=piece, occurrence=occurrence)


def _trim(event: EventRecord) -> EventRecord:
    return event.model_copy(update={"sources": [_trimmed(ref) for ref in event.sources]})


def test_trimming_excerpts_changes_no_verdict() -> None:
    events = _events()
    assert date_problems(events, TEXTS) == []
    assert date_problems([_trim(event) for event in events], TEXTS) == []
    # The passage an excerpt stands in carries the date words the excerpt leaves out.
    invasion = _event("2022-02-24-russia-invades-ukraine")
    assert any("febbraio 2022" in text for text in event_passages(_trim(invasion), TEXTS))
    # A contradicted identified date is reported however short the excerpts.
    march = invasion.model_copy(update={"start_date": "2022-03-24", "id": "2022-03-24-x"})
    full, trimmed = date_problems([march], TEXTS), date_problems([_trim(march)], TEXTS)
    assert [str(p) for p in full] == [str(p) for p in trimmed] != []
    assert "the passages give the month(s) febbraio" in str(full[0])


def test_a_coarser_new_article_never_lowers_an_identified_day() -> None:
    call = _event("2021-12-15-putin-xi-video-call")
    texts = {**TEXTS, "new-article": "Xi e Putin hanno tenuto a dicembre una videoconferenza."}
    coarser = SpanRef(source="new-article", excerpt="una videoconferenza")
    with_it = call.model_copy(update={"sources": [*call.sources, coarser]})
    assert date_problems([with_it], texts) == []
    texts["new-article"] = "Xi e Putin hanno tenuto a novembre una videoconferenza."
    (problem,) = date_problems([with_it], texts)
    assert (problem.record, problem.field) == (call.id, "start_date")
    assert "never contradicts" in problem.message


def test_a_month_the_articles_refine_to_the_day_is_reported() -> None:
    call = _event("2025-01-21-putin-xi-video-call")
    month = call.model_copy(
        update={
            "id": "2025-01-putin-xi-video-call",
            "start_date": "2025-01",
            "date_precision": DatePrecision.month,
        }
    )
    (problem,) = date_problems([month], TEXTS)
    assert problem.field == "date_precision" and "'21 gennaio'" in problem.message


def _broken(tmp_path: Path, name: str, change: Callable[[Records], None]) -> str:
    seeds = tmp_path / f"seeds-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(SEEDS_DIR, seeds)
    path = seeds / "data" / f"{name}.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SeedValidationError) as caught:
        build_dataset(seeds_dir=seeds)
    return str(caught.value)


def _find(records: Records, record_id: str) -> dict[str, Any]:
    return next(record for record in records if record.get("id") == record_id)


def test_a_clue_without_its_date_word_is_reported(tmp_path: Path) -> None:
    patrol = "2021-first-joint-naval-patrol"
    assert not DATE_WORD.search("La cooperazione tra i due paesi avanza anche nel campo militare")

    def vague_clue(events: Records) -> None:
        _find(events, patrol)["date_basis"] = (
            'Listed under "La cooperazione tra i due paesi avanza anche nel campo militare".'
        )

    report = _broken(tmp_path, "events", vague_clue)
    assert f"seeds/data/events.yaml: record '{patrol}', field 'date_basis'" in report
    assert "no passage it quotes holds a date word" in report


def test_said_on_finer_than_the_articles_is_reported(tmp_path: Path) -> None:
    quote = "q-2022-12-30-putin-la-aspettiamo"

    def date_it(quotes: Records) -> None:
        _find(quotes, quote)["said_on"] = "2022-12-30"

    report = _broken(tmp_path, "quotes", date_it)
    assert f"seeds/data/quotes.yaml: record '{quote}', field 'said_on'" in report
    assert "never to a day identified from outside knowledge" in report


@pytest.mark.parametrize("attribution", ["direct", "readout", "agency", "press"])
def test_a_leader_named_in_the_third_person_is_not_his_own_words(
    tmp_path: Path, attribution: str
) -> None:
    quote = "q-2022-06-15-xi-legittimita-azioni-russia"

    def as_his_words(quotes: Records) -> None:
        _find(quotes, quote)["attribution"] = attribution

    report = _broken(tmp_path, "quotes", as_his_words)
    assert f"seeds/data/quotes.yaml: record '{quote}', field 'attribution'" in report
    assert "'Il presidente cinese'" in report and "reported speech" in report


def test_a_source_named_by_description_is_reported(tmp_path: Path) -> None:
    call = "2022-02-25-putin-xi-phone-call"

    def describe(events: Records) -> None:
        _find(events, call)["date_basis"] += ' The December 2022 article says "diverse telefonate".'
        _find(events, call)["summary"] += " The article says so."

    report = _broken(tmp_path, "events", describe)
    assert f"record '{call}', field 'date_basis': names a source by a description" in report
    assert f"record '{call}', field 'summary': says 'the article'" in report


def test_a_redirect_must_point_at_an_id_in_use(tmp_path: Path) -> None:
    def dangle(redirects: Records) -> None:
        redirects.append(
            {"kind": "quote", "old_id": "q-old", "new_id": "q-nowhere", "reason": "renamed"}
        )
        redirects.append(
            {
                "kind": "event",
                "old_id": "2025-01-21-putin-xi-video-call",
                "new_id": "2025-01-21-putin-xi-video-call",
                "reason": "renamed",
            }
        )

    report = _broken(tmp_path, "redirects", dangle)
    assert "seeds/data/redirects.yaml: record 'quote:q-old', field 'new_id'" in report
    assert "record 'event:2025-01-21-putin-xi-video-call', field 'old_id'" in report


def test_a_bad_record_leaves_the_database_as_it_was(
    backend: str, make_database: DatabaseFactory, tmp_path: Path
) -> None:
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    engine: Engine = create_db_engine(url)
    load_dataset(engine=engine, dataset=DATASET)

    quote = "q-2021-12-15-putin-linea-diretta-modello"

    def said_on_an_identified_day(quotes: Records) -> None:
        _find(quotes, quote)["said_on"] = "2021-12-15"

    report = _broken(tmp_path, "quotes", said_on_an_identified_day)
    assert "field 'said_on'" in report
    with engine.connect() as connection:
        said_on = connection.execute(
            select(t.quote.c.said_on).where(
                t.quote.c.id == "q-2021-12-15-putin-linea-diretta-modello"
            )
        ).scalar_one()
        version = connection.execute(select(t.dataset_meta.c.version)).scalar_one()
    assert said_on is None and version == DATASET.version
    engine.dispose()
