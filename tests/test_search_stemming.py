"""Search finds words by their English and Italian stems, the same on SQLite and PostgreSQL
(app/readmodel/analysis.py), and keeps its syntax: phrases, prefixes, OR and NOT."""

import pytest
from fastapi.testclient import TestClient

from app.readmodel.analysis import analyse, word_matches
from app.services.search import SearchQueryError, parse_query
from tests.helpers import assert_problem, ids

SPUTNIK = "2020-sputnik-vaccine-production-contracts"  # its title says "vaccines"
PHONE_2022_02 = "2022-02-25-putin-xi-phone-call"  # its excerpt says "telefonate" only
SANCTIONS = {"q-2022-06-15-putin-sanzioni-illegali", "q-2022-06-15-xi-sanzioni-illegali"}


def test_english_forms_find_each_other(client: TestClient) -> None:
    singular = set(ids(client.get("/v1/events", params={"q": "vaccine"})))
    assert SPUTNIK in singular
    assert singular == set(ids(client.get("/v1/events", params={"q": "vaccines"})))


def test_italian_forms_find_each_other(client: TestClient) -> None:
    singular = set(ids(client.get("/v1/events", params={"q": "telefonata"})))
    plural = set(ids(client.get("/v1/events", params={"q": "telefonate"})))
    assert PHONE_2022_02 in singular and singular == plural
    assert set(ids(client.get("/v1/quotes", params={"q": "sanzione"}))) == SANCTIONS
    assert set(ids(client.get("/v1/quotes", params={"q": "sanzioni"}))) == SANCTIONS


def test_accents_fold_before_stemming(client: TestClient) -> None:
    assert set(ids(client.get("/v1/quotes", params={"q": "SANZIÓNE"}))) == SANCTIONS


def test_prefixes_match_words_as_written_not_stems(client: TestClient) -> None:
    # `vaccines*` begins no stem (`vaccin`) but the word `vaccines`.
    assert SPUTNIK in ids(client.get("/v1/events", params={"q": "vaccines*"}))
    assert ids(client.get("/v1/events", params={"q": "vaccinez*"})) == []


def test_phrases_match_stems_in_order(client: TestClient) -> None:
    assert set(ids(client.get("/v1/quotes", params={"q": '"sanzione illegale"'}))) >= SANCTIONS
    assert ids(client.get("/v1/quotes", params={"q": '"illegale sanzione"'})) == []


def test_not_excludes(client: TestClient) -> None:
    calls = set(ids(client.get("/v1/events", params={"q": "telefonata"})))
    without_biden = set(ids(client.get("/v1/events", params={"q": "telefonata NOT biden"})))
    assert without_biden == calls - {"2022-03-xi-biden-video-call"} != calls
    either = set(ids(client.get("/v1/events", params={"q": "vaccine OR telefonata NOT biden"})))
    assert SPUTNIK in either and "2022-03-xi-biden-video-call" not in either


@pytest.mark.parametrize(
    "q", ["NOT taiwan", "putin OR NOT taiwan", "putin NOT", "a NOT multi-pol*"]
)
def test_not_needs_terms_on_both_sides(client: TestClient, q: str) -> None:
    assert_problem(client.get("/v1/events", params={"q": q}), 400, parameter="q")


def test_analysis_stems_both_languages() -> None:
    row = analyse("Sanzioni, VACCINES e telefonate")
    assert row.body == "sanzioni vaccines e telefonate"
    assert row.stem_en.split()[1] == "vaccin" and row.stem_it.split()[0] == "sanzion"
    assert word_matches("telefonate", "telefonata") and not word_matches("taiwan", "tai")
    with pytest.raises(SearchQueryError):
        parse_query("NOT")
