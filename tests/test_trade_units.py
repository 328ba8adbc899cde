"""A source says whether its text is the whole article. A quantity that is not money (a gas
volume in billions of cubic metres) is a trade record with a `unit` instead of a currency:
stored, served and shown like a trade figure, in a series of its own
(/v1/trade/series?unit=m3), never mixed into the money series."""

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
from app.seeding.build import SeedValidationError, build_dataset
from app.seeding.curation import source_file_name
from app.seeding.load import load_dataset
from tests.conftest import SEEDS_DIR, DatabaseFactory

ARTICLE = "Nel 2023 il gasdotto ha fornito alla Cina 22,7 miliardi di metri cubi di gas russo.\n"
VOLUME = {
    "id": "t-volume-2023-export-22-7", "source": "test-gas-volume",
    "excerpt": "Nel 2023 il gasdotto ha fornito alla Cina 22,7 miliardi di metri cubi di gas russo",
    "occurrence": 1, "event": None, "country": "RU", "partner": "CN", "flow": "export",
    "kind": "actual", "period_type": "annual", "period": "2023", "value": "22.7",
    "currency": None, "unit": "m3", "unit_mult": 9, "qualifier": "exact",
}  # fmt: skip


def _seeds(tmp: Path, trade: dict[str, object]) -> Path:
    seeds = tmp / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    name = source_file_name(len(list((seeds / "sources").glob("*.txt"))), ARTICLE.encode())
    (seeds / "sources" / name).write_bytes(ARTICLE.encode())
    source = {"id": "test-gas-volume", "file_name": name, "language": "it", "published_on": "2024",
              "published_precision": "year", "published_basis": "Invented for a test.",
              "captured": "opening"}  # fmt: skip
    for stem, items in {"sources": [source], "trade": [trade]}.items():
        with (seeds / "data" / f"{stem}.yaml").open("a", encoding="utf-8") as handle:
            handle.write("\n" + yaml.safe_dump(items, allow_unicode=True, sort_keys=False))
    return seeds


@pytest.fixture(scope="module")
def client(
    backend: str, make_database: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    url = make_database(backend)
    migrations.upgrade(database_url=url)
    engine = create_db_engine(url)
    seeds = _seeds(tmp_path_factory.mktemp("volume"), VOLUME)
    load_dataset(engine=engine, dataset=build_dataset(seeds_dir=seeds))
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        yield test_client
    engine.dispose()


def test_a_volume_is_served_with_its_unit(client: TestClient) -> None:
    observation = client.get(f"/v1/trade/observations/{VOLUME['id']}").json()
    assert (observation["value"], observation["unit_mult"]) == (22.7, 9)
    assert (observation["currency"], observation["unit"]) == (None, "m3")


def test_a_source_says_whether_only_its_opening_was_captured(client: TestClient) -> None:
    assert client.get("/v1/sources/test-gas-volume").json()["captured"] == "opening"
    others = client.get("/v1/sources").json()["items"]
    assert {s["captured"] for s in others if s["id"] != "test-gas-volume"} == {"full"}


def test_a_volume_has_a_series_of_its_own(client: TestClient) -> None:
    volumes = client.get("/v1/trade/series?country=RU&partner=CN&flow=export&unit=m3").json()
    assert volumes["series"]["unit"] == "m3" and volumes["series"]["currency"] is None
    assert [p["id"] for p in volumes["points"]] == [VOLUME["id"]]
    money = client.get("/v1/trade/series?country=RU&partner=CN&flow=export").json()
    assert money["points"] == [] and money["series"]["currency"] == "USD"
    listed = client.get("/v1/trade/series?unit=litres")
    assert listed.status_code == 400 and "unit" in listed.text


def test_the_explorer_shows_the_unit_in_words(client: TestClient) -> None:
    page = client.get(f"/trade/observations/{VOLUME['id']}")
    assert page.status_code == 200 and "22.7 billion cubic metres" in page.text


def test_a_record_gives_a_currency_or_a_unit(tmp_path: Path) -> None:
    for broken in ({**VOLUME, "currency": "USD"}, {**VOLUME, "unit": None}):
        with pytest.raises(SeedValidationError) as caught:
            build_dataset(seeds_dir=_seeds(tmp_path / str(broken["unit"]), broken))
        assert "give either currency (money) or unit (a quantity), not both" in str(caught.value)
