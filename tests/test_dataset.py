"""The curated dataset: complete, faithful to its sources, and loaded all-or-nothing."""

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Connection, Engine, select, text

from app import migrations
from app.engines import create_db_engine
from app.models import tables as t
from app.readmodel.write import TABLES
from app.seeding.build import SeedValidationError, build_dataset
from app.seeding.curation import PROSE_FIELDS, file_number_pattern
from app.seeding.load import load_dataset
from tests.conftest import SEEDS_DIR, DatabaseFactory

DATASET = build_dataset(seeds_dir=SEEDS_DIR)


def test_every_source_file_is_a_source_served_verbatim() -> None:
    files = sorted(path.name for path in (SEEDS_DIR / "sources").glob("*.txt"))
    assert sorted(row["file_name"] for row in DATASET.rows["source"]) == files
    for row in DATASET.rows["source"]:
        raw = (SEEDS_DIR / "sources" / row["file_name"]).read_bytes()
        assert row["text"] == raw.decode("utf-8")


def test_no_public_text_names_a_source_by_file_number(connection: Connection) -> None:
    numbers = [row["file_name"][:3] for row in DATASET.rows["source"]]
    pattern = file_number_pattern(numbers)
    assert pattern is not None
    checked = 0
    for table_name, (_, fields) in PROSE_FIELDS.items():
        table = getattr(t, table_name)
        for row in connection.execute(select(*(table.c[name] for name in fields))):
            for value in row:
                assert value is None or not pattern.search(value), value
                checked += 1
    assert checked > 100


def test_spans_in_the_database_match_their_text(connection: Connection) -> None:
    texts = dict(connection.execute(select(t.source.c.id, t.source.c.text)).all())
    checks = [
        (t.quote, t.quote.c.text),
        (t.event_source, t.event_source.c.excerpt),
        (t.trade_observation, t.trade_observation.c.excerpt),
        (t.exclusion, t.exclusion.c.text),
    ]
    checked = 0
    for table, column in checks:
        for source_id, start, end, passage in connection.execute(
            select(table.c.source_id, table.c.span_start, table.c.span_end, column)
        ):
            assert texts[source_id][start:end] == passage
            checked += 1
    assert checked > 80


def test_every_event_has_a_source_and_every_quote_a_speaker(connection: Connection) -> None:
    unsourced = connection.execute(
        select(t.event.c.id).where(~t.event.c.id.in_(select(t.event_source.c.event_id)))
    ).all()
    assert unsourced == []
    speakerless = connection.execute(select(t.quote.c.id).where(t.quote.c.speaker_id.is_(None)))
    assert speakerless.all() == []
    unlinked = {
        quote_id: (said_on, sort_date, published_on)
        for quote_id, said_on, sort_date, published_on in connection.execute(
            select(t.quote.c.id, t.quote.c.said_on, t.quote.c.sort_date, t.source.c.published_on)
            .join(t.source, t.source.c.id == t.quote.c.source_id)
            .where(t.quote.c.event_id.is_(None))
        )
    }
    expected = {
        row["id"] for row in DATASET.rows["quote"] if row["event_id"] is None
    }  # quotes the articles tie to no event
    assert set(unlinked) == expected
    for said_on, sort_date, published_on in unlinked.values():
        assert sort_date == (said_on or published_on)


def test_one_preferred_observation_per_claim_group_with_a_value(connection: Connection) -> None:
    rows = connection.execute(
        text(
            "SELECT claim_group, SUM(CASE WHEN preferred THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN qualifier IN ('exact', 'approximate') THEN 1 ELSE 0 END) "
            "FROM trade_observation GROUP BY claim_group"
        )
    ).all()
    assert rows
    for group, preferred, values in rows:
        assert preferred == (1 if values else 0), group


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        snapshot = {}
        for model in TABLES:
            table = model.__table__
            order = list(table.primary_key.columns)
            rows = connection.execute(select(table).order_by(*order)).all()
            snapshot[table.name] = [tuple(row) for row in rows]
        return snapshot


@pytest.fixture
def fresh_engine(backend: str, make_database: DatabaseFactory) -> Engine:
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    return create_db_engine(url)


def test_seeding_twice_changes_nothing(fresh_engine: Engine) -> None:
    assert load_dataset(engine=fresh_engine, dataset=DATASET) is True
    first = _snapshot(fresh_engine)
    assert load_dataset(engine=fresh_engine, dataset=DATASET) is False
    assert load_dataset(engine=fresh_engine, dataset=DATASET, force=True) is True
    assert _snapshot(fresh_engine) == first
    fresh_engine.dispose()


def _copy_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, target)
    return target


def test_edits_and_removals_are_applied(fresh_engine: Engine, tmp_path: Path) -> None:
    load_dataset(engine=fresh_engine, dataset=DATASET)
    seeds = _copy_seeds(tmp_path)
    quotes_file = seeds / "data" / "quotes.yaml"
    quotes = yaml.safe_load(quotes_file.read_text(encoding="utf-8"))
    # The second row of a joint statement: the first still covers the quoted passage.
    shared = [(q["source"], q["text"], q["occurrence"]) for q in quotes]
    removed = next(q["id"] for i, q in enumerate(quotes) if shared.index(shared[i]) != i)
    edited = quotes[1]["id"]
    quotes[1]["translation_en"] = "An edited translation."
    kept = [q for q in quotes if q["id"] != removed]
    quotes_file.write_text(yaml.safe_dump(kept, allow_unicode=True), encoding="utf-8")
    load_dataset(engine=fresh_engine, dataset=build_dataset(seeds_dir=seeds))
    with fresh_engine.connect() as connection:
        ids = set(connection.execute(select(t.quote.c.id)).scalars())
        translation = connection.execute(
            select(t.quote.c.translation_en).where(t.quote.c.id == edited)
        ).scalar_one()
    assert removed not in ids
    assert translation == "An edited translation."
    fresh_engine.dispose()


def test_a_corrupted_file_is_reported_precisely_and_writes_nothing(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    load_dataset(engine=fresh_engine, dataset=DATASET)
    before = _snapshot(fresh_engine)
    seeds = _copy_seeds(tmp_path)
    events_file = seeds / "data" / "events.yaml"
    events = yaml.safe_load(events_file.read_text(encoding="utf-8"))
    broken_id = events[0]["id"]
    events[0]["kind"] = "teleconference"
    events[1]["participants"] = [{"person": "vladimir-putn", "role": "participant"}]
    events_file.write_text(yaml.safe_dump(events, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SeedValidationError) as caught:
        build_dataset(seeds_dir=seeds)
    report = str(caught.value)
    assert f"seeds/data/events.yaml: record '{broken_id}', field 'kind'" in report
    assert f"record '{events[1]['id']}', field 'participants.person'" in report
    assert "vladimir-putn" in report
    assert _snapshot(fresh_engine) == before
    fresh_engine.dispose()


def test_a_failing_load_rolls_back_to_the_old_data(fresh_engine: Engine) -> None:
    load_dataset(engine=fresh_engine, dataset=DATASET)
    before = _snapshot(fresh_engine)
    broken = build_dataset(seeds_dir=SEEDS_DIR)
    broken.version = "broken"
    broken.rows["quote"] = [*broken.rows["quote"], dict(broken.rows["quote"][0])]  # duplicate pk
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        load_dataset(engine=fresh_engine, dataset=broken)
    assert _snapshot(fresh_engine) == before
    fresh_engine.dispose()


def test_a_quote_whose_text_is_not_in_the_source_is_rejected(tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    quotes_file = seeds / "data" / "quotes.yaml"
    quotes = yaml.safe_load(quotes_file.read_text(encoding="utf-8"))
    quotes[0]["text"] = quotes[0]["text"] + " (invented)"
    quotes_file.write_text(yaml.safe_dump(quotes, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SeedValidationError, match=f"record '{quotes[0]['id']}', field 'text'"):
        build_dataset(seeds_dir=seeds)
