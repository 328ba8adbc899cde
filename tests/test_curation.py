"""The curation rules of docs/dataset.md: the seed files keep them, and breaking one is reported
with the file, the record and what to fix (by `seed --check` as by these tests)."""

import hashlib
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.seeding.build import SeedValidationError, build_dataset
from app.seeding.completeness import FIGURE, completeness_problems, quoted_spans
from app.seeding.curation import (
    COLLECTED_SOURCE_FILES,
    bound_problems,
    date_problems,
    file_number_pattern,
    people_problems,
    prose_problems,
    quote_problems,
    source_file_name,
    source_file_problems,
)
from app.seeding.records import EventRecord, PersonRecord, QuoteRecord, SourceRecord
from tests.conftest import SEEDS_DIR

DATASET = build_dataset(seeds_dir=SEEDS_DIR)
Records = list[dict[str, Any]]
RecordT = TypeVar("RecordT", EventRecord, QuoteRecord, PersonRecord, SourceRecord)


def _broken(tmp_path: Path, name: str, change: Callable[[Records], Records | None]) -> str:
    """Apply `change` to a copy of seeds/data/<name>.yaml; return the validation report."""
    seeds = tmp_path / f"seeds-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(SEEDS_DIR, seeds)
    path = seeds / "data" / f"{name}.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed = change(records)
    path.write_text(
        yaml.safe_dump(records if changed is None else changed, allow_unicode=True),
        encoding="utf-8",
    )
    with pytest.raises(SeedValidationError) as caught:
        build_dataset(seeds_dir=seeds)
    return str(caught.value)


def _find(records: Records, record_id: str) -> dict[str, Any]:
    return next(record for record in records if record.get("id") == record_id)


def _records(name: str, model: type[RecordT]) -> list[RecordT]:
    return [model.model_validate(item) for item in yaml.safe_load(_data(name))]


def test_the_seeds_keep_every_rule() -> None:
    events = _records("events", EventRecord)
    quotes = _records("quotes", QuoteRecord)
    people = _records("people", PersonRecord)
    texts = {row["id"]: row["text"] for row in DATASET.rows["source"]}
    numbers = [row["file_name"][:3] for row in DATASET.rows["source"]]
    assert date_problems(events, texts) == []
    assert quote_problems(quotes, events) == []
    assert people_problems(people, events, quotes) == []
    assert prose_problems(DATASET.rows, numbers) == []
    assert completeness_problems(DATASET.rows) == []
    assert bound_problems(DATASET.rows) == []
    assert source_file_problems(SEEDS_DIR, _records("sources", SourceRecord)) == []
    pattern = file_number_pattern(numbers)
    assert pattern is not None and pattern.search(f"as source {numbers[-1]} says")
    assert not pattern.search(f"t-{numbers[-1]}-2018-total, 1,{numbers[0]} events, 2{numbers[0]}")


def test_the_sources_quote_and_count_something_the_rules_cover() -> None:
    quotations = sum(len(quoted_spans(row["text"]) or []) for row in DATASET.rows["source"])
    figures = sum(len(FIGURE.findall(row["text"])) for row in DATASET.rows["source"])
    assert quotations >= len(DATASET.rows["source"]) and figures >= 1


def test_an_uncurated_quotation_is_reported_with_file_record_and_passage(tmp_path: Path) -> None:
    exclusion = next(x for x in yaml.safe_load(_data("exclusions")) if x["kind"] == "quote")
    report = _broken(tmp_path, "exclusions", lambda xs: [x for x in xs if x != exclusion])
    source = next(row for row in DATASET.rows["source"] if row["id"] == exclusion["source"])
    assert f"seeds/sources/{source['file_name']}: record '{source['id']}'" in report
    assert f"quoted passage {exclusion['text']!r}" in report


def test_an_uncurated_figure_is_reported(tmp_path: Path) -> None:
    exclusion = next(x for x in yaml.safe_load(_data("exclusions")) if x["kind"] == "figure")
    report = _broken(tmp_path, "exclusions", lambda xs: [x for x in xs if x != exclusion])
    assert re.search(r"figure '[\d.,]+ milioni'", report) and exclusion["source"] in report


def test_a_source_file_number_in_prose_is_reported(tmp_path: Path) -> None:
    number = DATASET.rows["source"][0]["file_name"][:3]
    event_id = DATASET.rows["event"][0]["id"]

    def cite_by_number(events: Records) -> None:
        _find(events, event_id)["summary"] += f" As source {number} says."

    report = _broken(tmp_path, "events", cite_by_number)
    assert f"record '{event_id}', field 'summary': names a source by its file number" in report


def test_a_day_the_articles_do_not_give_is_reported(tmp_path: Path) -> None:
    quoted = {row["event_id"] for row in DATASET.rows["quote"]}
    event = next(
        e
        for e in DATASET.rows["event"]
        if e["date_precision"] == "month"
        and e["date_evidence"] == "stated"
        and e["id"] not in quoted
    )
    month = event["start_date"].strftime("%Y-%m")
    day_id = f"{month}-15{event['id'][len(month) :]}"

    def invent_the_day(events: Records) -> None:
        record = _find(events, event["id"])
        record.update(id=day_id, start_date=f"{month}-15", end_date=None, date_precision="day")

    report = _broken(tmp_path, "events", invent_the_day)
    assert f"record '{day_id}', field 'date_evidence': is 'stated' but no passage" in report

    def put_the_day_in_the_id_only(events: Records) -> None:
        _find(events, event["id"])["id"] = day_id

    report = _broken(tmp_path, "events", put_the_day_in_the_id_only)
    assert f"record '{day_id}', field 'id': must start with start_date ({month})" in report


def test_stated_clue_and_identified_dates_are_each_checked(tmp_path: Path) -> None:
    events = yaml.safe_load(_data("events"))
    stated = next(e for e in events if e["date_evidence"] == "stated")
    clue = next(e for e in events if e["date_evidence"] == "clue")
    linked = {
        row["event_id"] for table in ("quote", "trade_observation") for row in DATASET.rows[table]
    }
    linked |= {row["new_id"] for row in DATASET.rows["public_id_redirect"]}
    identified = next(
        e
        for e in events
        if e["date_evidence"] == "identified"
        and e["date_precision"] == "day"
        and e["id"] not in linked
    )
    other_year = str(int(identified["start_date"][:4]) - 3)

    def weaken(records: Records) -> None:
        # A passage of another event that does not state this one's date.
        _find(records, stated["id"])["sources"] = identified["sources"]
        _find(records, clue["id"])["date_basis"] = "World knowledge only."
        # An identified date that contradicts the year the passages give.
        record = _find(records, identified["id"])
        record["start_date"] = other_year + identified["start_date"][4:]
        record["id"] = other_year + identified["id"][4:]

    report = _broken(tmp_path, "events", weaken)
    assert f"record '{stated['id']}', field 'date_evidence': is 'stated' but no passage" in report
    assert f"record '{clue['id']}', field 'date_basis': date_evidence is 'clue'" in report
    assert f"record '{other_year + identified['id'][4:]}', field 'start_date'" in report
    assert "an identified date refines what the articles say, never contradicts it" in report


def test_a_quote_tied_to_no_event_carries_no_date_in_its_id(tmp_path: Path) -> None:
    quote = next(q for q in yaml.safe_load(_data("quotes")) if q["event"] is None)

    def date_it(quotes: Records) -> None:
        _find(quotes, quote["id"])["id"] = f"q-2025-01-21-{quote['id'][2:]}"

    report = _broken(tmp_path, "quotes", date_it)
    assert f"record 'q-2025-01-21-{quote['id'][2:]}', field 'id': carries the date" in report


def test_a_person_linked_to_nothing_is_reported(tmp_path: Path) -> None:
    def add_a_bystander(people: Records) -> None:
        people.append({"id": "a-bystander", "name": "A Bystander", "country": "CN"})

    report = _broken(tmp_path, "people", add_a_bystander)
    assert "seeds/data/people.yaml: record 'a-bystander', field 'id': is linked to no" in report


def test_source_files_follow_the_naming_rule(tmp_path: Path) -> None:
    names = sorted(row["file_name"] for row in DATASET.rows["source"])
    for name in names:
        raw = (SEEDS_DIR / "sources" / name).read_bytes()
        assert name in COLLECTED_SOURCE_FILES or name == source_file_name(int(name[:3]), raw)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    raw = b"Testo di prova.\n"
    wrong = f"{len(names):03d}_{hashlib.md5(raw).hexdigest()[:16]}.txt"
    (seeds / "sources" / wrong).write_bytes(raw)
    with pytest.raises(SeedValidationError) as caught:
        build_dataset(seeds_dir=seeds)
    report = str(caught.value)
    assert f"rename it {source_file_name(len(names), raw)}" in report
    assert f"seeds/sources/{wrong}: record '-', field 'file_name': has no record" in report


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
def test_seed_check_runs_the_curation_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    monkeypatch.setenv("SEEDS_DIR", str(seeds))
    get_settings.cache_clear()
    valid = CliRunner().invoke(cli, ["seed", "--check"])
    assert valid.exit_code == 0, valid.output
    assert f"{len(DATASET.rows['source'])} source" in valid.output
    exclusions = seeds / "data" / "exclusions.yaml"
    exclusions.write_text("[]\n", encoding="utf-8")
    invalid = CliRunner().invoke(cli, ["seed", "--check"])
    assert invalid.exit_code == 1
    assert "is neither a quote in seeds/data/quotes.yaml nor an exclusion" in invalid.output


def _data(name: str) -> str:
    return (SEEDS_DIR / "data" / f"{name}.yaml").read_text(encoding="utf-8")
