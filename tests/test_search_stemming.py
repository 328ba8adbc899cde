"""Search finds words by their English and Italian stems, the same on SQLite and PostgreSQL
(app/readmodel/analysis.py), and keeps its syntax: phrases, prefixes, OR and NOT."""

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from app.readmodel.analysis import analyse
from app.readmodel.passages import PASSAGE_MAX_CHARS, passage_rows
from app.services.search import parse_query
from app.services.snippets import Matcher
from tests.helpers import ids

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
    ("q", "as_words"),
    [
        ("NOT taiwan", "not taiwan"),
        ("putin OR NOT taiwan", "putin OR not taiwan"),
        ("putin NOT", "putin not"),
        ("putin NOT NOT taiwan", "putin NOT not taiwan"),
        ("putin NOT multi-pol*", "putin not multi pol*"),
    ],
)
def test_a_not_that_cannot_exclude_is_the_word(client: TestClient, q: str, as_words: str) -> None:
    """Neither engine lists "everything but": a NOT with nothing to exclude from (or nothing
    it could exclude as one term) is searched as the word `not`, as `OR` joining nothing is."""
    assert parse_query(q) == parse_query(as_words)
    assert ids(client.get("/v1/events", params={"q": q})) == ids(
        client.get("/v1/events", params={"q": as_words})
    )


def test_analysis_stems_both_languages() -> None:
    row = analyse("Sanzioni, VACCINES e telefonate")
    assert row.body == "sanzioni vaccines e telefonate"
    assert row.stem_en.split()[1] == "vaccin" and row.stem_it.split()[0] == "sanzion"
    assert Matcher(parse_query("telefonata")).matches("Telefonate")
    assert not Matcher(parse_query("tai")).matches("Taiwan")
    assert Matcher(parse_query("tai* NOT putin")).spans("Taiwan e Putin") == [(0, 6)]
    assert parse_query("NOT") == parse_query("not")


def test_passages_are_paragraphs_or_cited_runs_of_bounded_length() -> None:
    sentence = "Il gasdotto Forza della Siberia porta gas in Cina. "
    text = "Titolo\n\n" + sentence * 40 + "\nFine."
    cited = " " * len(text)
    start = text.index("Forza")
    cited = cited[:start] + text[start : start + 30] + cited[start + 30 :]
    rows = passage_rows(
        [{"id": "s", "text": text, "excerpt_text": cited, "published_on": dt.date(2024, 1, 1)}]
    )
    full = [row for row in rows if row["scope"] == "full"]
    assert full[0]["text"] == "Titolo" and full[-1]["text"] == "Fine."
    assert all(len(row["text"]) <= PASSAGE_MAX_CHARS for row in rows)
    assert all(row["text"] == text[row["span_start"] : row["span_end"]] for row in full)
    assert "".join(row["text"] for row in full[1:-1]).replace(" ", "") == (sentence * 40).replace(
        " ", ""
    )
    assert [row["text"] for row in rows if row["scope"] == "excerpts"] == [
        text[start : start + 30].strip()
    ]
