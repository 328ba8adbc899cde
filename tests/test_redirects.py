"""Stable public ids: an event or quote whose id changed answers at its old id with a 301 to
the new one, in the API and the explorer (seeds/data/redirects.yaml)."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from app import migrations
from app.config import Settings
from app.engines import create_db_engine
from app.main import create_app
from app.seeding.build import build_dataset
from app.seeding.load import load_dataset
from tests.conftest import SEEDS_DIR, DatabaseFactory
from tests.helpers import assert_problem, ok

OLD_EVENT = "2021-sputnik-vaccine-production-contracts"
NEW_EVENT = "2020-sputnik-vaccine-production-contracts"
OLD_QUOTE = "q-2022-06-15-xi-legittimita-azioni-russia"
NEW_QUOTE = "q-2022-06-15-xi-kremlin-legittimita-azioni-russia"


@pytest.fixture
def renamed(backend: str, make_database: DatabaseFactory, tmp_path: Path) -> Iterator[TestClient]:
    """The dataset with one quote renamed as a curator would: new id, old one redirected."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    quotes_file = seeds / "data" / "quotes.yaml"
    quotes = yaml.safe_load(quotes_file.read_text(encoding="utf-8"))
    next(q for q in quotes if q["id"] == OLD_QUOTE)["id"] = NEW_QUOTE
    quotes_file.write_text(yaml.safe_dump(quotes, allow_unicode=True), encoding="utf-8")
    redirects_file = seeds / "data" / "redirects.yaml"
    redirects = yaml.safe_load(redirects_file.read_text(encoding="utf-8"))
    redirect = {"kind": "quote", "old_id": OLD_QUOTE, "new_id": NEW_QUOTE, "reason": "renamed"}
    redirects.append(redirect)
    redirects_file.write_text(yaml.safe_dump(redirects, allow_unicode=True), encoding="utf-8")
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    engine = create_db_engine(url)
    load_dataset(engine=engine, dataset=build_dataset(seeds_dir=seeds))
    with TestClient(create_app(Settings(database_url=url)), follow_redirects=False) as client:
        yield client
    engine.dispose()


def test_the_seed_data_records_the_changed_event_id(client: TestClient) -> None:
    moved = client.get(f"/v1/events/{OLD_EVENT}", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/v1/events/{NEW_EVENT}"
    assert ok(client.get(f"/v1/events/{OLD_EVENT}"))["id"] == NEW_EVENT
    page = client.get(f"/events/{OLD_EVENT}", follow_redirects=False)
    assert page.status_code == 301 and page.headers["location"] == f"/events/{NEW_EVENT}"
    assert_problem(client.get("/v1/events/2021-never-an-event"), 404)
    problem = assert_problem(
        client.get("/v1/quotes", params={"event": OLD_EVENT}), 400, parameter="event"
    )
    assert f"is now '{NEW_EVENT}'" in problem["detail"]


def test_a_renamed_quote_answers_at_its_old_id(renamed: TestClient) -> None:
    moved = renamed.get(f"/v1/quotes/{OLD_QUOTE}")
    assert moved.status_code == 301 and moved.headers["location"] == f"/v1/quotes/{NEW_QUOTE}"
    assert ok(renamed.get(moved.headers["location"]))["id"] == NEW_QUOTE
    page = renamed.get(f"/quotes/{OLD_QUOTE}", headers={"accept": "text/html"})
    assert page.status_code == 301 and page.headers["location"] == f"/quotes/{NEW_QUOTE}"
    assert renamed.get(page.headers["location"]).status_code == 200
