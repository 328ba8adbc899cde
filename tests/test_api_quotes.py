"""/v1/quotes, /v1/quotes/{id} and /v1/leaders/{id}/quotes."""

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, ids, ok

# Every test here runs with reads placed as the services say (inline on SQLite where cheap)
# and with every read in a worker thread, on both databases.
pytestmark = pytest.mark.parametrize("placement", ["auto", "threads"], indirect=True)


def test_leader_filter_by_slug_or_qid(client: TestClient) -> None:
    by_slug = ok(client.get("/v1/quotes", params={"leader": "vladimir-putin", "limit": 200}))
    by_qid = ok(client.get("/v1/quotes", params={"leader": "Q7747", "limit": 200}))
    assert by_slug == by_qid
    assert by_slug["items"] and {q["speaker"]["id"] for q in by_slug["items"]} == {"vladimir-putin"}


def test_garbled_speakers_are_normalised_to_xi(client: TestClient) -> None:
    # Source 003 calls Xi "G" and "Ji"; the data names the real speaker.
    quote = ok(client.get("/v1/quotes/q-2022-06-15-xi-dall-inizio-di-quest-anno"))
    assert quote["speaker"] == {"id": "xi-jinping", "name": "Xi Jinping"}


def test_everything_putin_said_about_multipolarity(client: TestClient) -> None:
    found = ids(client.get("/v1/quotes", params={"leader": "vladimir-putin", "q": "multi*"}))
    assert set(found) == {
        "q-2025-01-21-putin-advocating-multipolar-order",
        "q-2025-01-21-putin-ordine-multipolare",
    }


def test_search_is_accent_insensitive_and_supports_phrases_and_or(client: TestClient) -> None:
    assert ids(client.get("/v1/quotes", params={"q": "piu caro"})) == [
        "q-xi-migliore-e-piu-caro-amico"
    ]
    phrase = ids(client.get("/v1/quotes", params={"q": '"caro amico"'}))
    assert "q-2025-01-21-xi-caro-amico" in phrase
    assert ids(client.get("/v1/quotes", params={"q": '"amico caro"'})) == []  # order matters
    assert set(phrase) <= set(ids(client.get("/v1/quotes", params={"q": "amico caro"})))
    either = set(ids(client.get("/v1/quotes", params={"q": "taiwan OR ucraina"})))
    assert "q-2022-06-15-xi-soluzione-adeguata-crisi-ucraina" in either
    translation = ids(client.get("/v1/quotes", params={"q": "dear friend"}))
    assert "q-2025-01-21-putin-caro-amico" in translation


def test_language_attribution_topic_and_event_filters(client: TestClient) -> None:
    english = ok(client.get("/v1/quotes", params={"lang": "en"}))["items"]
    assert english and all(q["language"] == "en" for q in english)
    agency = ok(client.get("/v1/quotes", params={"attribution": "agency"}))["items"]
    assert {q["via"] for q in agency} == {"TASS"}
    event = "2022-12-30-putin-xi-video-call"
    of_event = ok(client.get("/v1/quotes", params={"event": event}))["items"]
    assert of_event and all(q["event_id"] == event for q in of_event)
    topical = ok(client.get("/v1/quotes", params={"topic": "multipolar-order"}))["items"]
    assert topical and all("multipolar-order" in q["topics"] for q in topical)


def test_date_range_uses_said_on_or_the_event_date(client: TestClient) -> None:
    in_2021 = ok(client.get("/v1/quotes", params={"from": "2021", "to": "2021"}))["items"]
    assert {q["event_id"] for q in in_2021} == {"2021-12-15-putin-xi-video-call", None}
    undated = ok(client.get("/v1/quotes/q-2022-02-putin-senza-limiti-cnaworld"))
    assert undated["said_on"] is None  # the articles give the month, not the day
    assert undated["id"] in ids(
        client.get("/v1/quotes", params={"from": "2022-02", "to": "2022-02"})
    )


def test_a_quote_the_article_ties_to_no_event_is_dated_by_its_article(client: TestClient) -> None:
    quote = ok(client.get("/v1/quotes/q-putin-alleato"))
    assert (quote["event_id"], quote["said_on"]) == (None, None)
    source = ok(client.get(f"/v1/sources/{quote['source']['id']}"))
    published = source["published_on"][:4]
    assert quote["id"] in ids(client.get("/v1/quotes", params={"from": published, "to": published}))
    assert quote["id"] not in ids(
        client.get("/v1/quotes", params={"event": "2025-01-21-putin-xi-video-call"})
    )


def test_reported_speech_links_the_ambassador_to_what_he_said(client: TestClient) -> None:
    indirect = ok(client.get("/v1/quotes", params={"attribution": "indirect"}))["items"]
    assert {q["speaker"]["id"] for q in indirect} == {
        "zhang-hanhui",
        "xi-jinping",
        "vladimir-putin",
    }
    zhang = next(q for q in indirect if q["speaker"]["id"] == "zhang-hanhui")
    assert zhang["event_id"] is None and zhang["reported_speech"] is True


def test_quote_span_matches_the_source_text(client: TestClient) -> None:
    quotes = ok(client.get("/v1/quotes", params={"limit": 200}))["items"]
    texts: dict[str, str] = {}
    for quote in quotes:
        source = quote["source"]
        if source["id"] not in texts:
            texts[source["id"]] = client.get(f"/v1/sources/{source['id']}/text").text
        assert texts[source["id"]][source["span"]["start"] : source["span"]["end"]] == quote["text"]


def test_leader_quotes_endpoint(client: TestClient) -> None:
    by_slug = ok(client.get("/v1/leaders/xi-jinping/quotes", params={"limit": 200}))
    by_qid = ok(client.get("/v1/leaders/Q15031/quotes", params={"limit": 200}))
    # A leader's quotes are his own words unless asked otherwise: /v1/quotes with speech=own.
    listed = ok(
        client.get("/v1/quotes", params={"leader": "xi-jinping", "speech": "own", "limit": 200})
    )
    assert by_slug == by_qid == listed
    assert_problem(client.get("/v1/leaders/nobody/quotes"), 404)


def test_quote_errors(client: TestClient) -> None:
    assert_problem(client.get("/v1/quotes/q-none"), 404)
    assert_problem(client.get("/v1/quotes", params={"event": "nope"}), 400, parameter="event")
    assert_problem(client.get("/v1/quotes", params={"lang": "de"}), 400, parameter="lang")
    assert_problem(client.get("/v1/quotes", params={"q": "***"}), 400, parameter="q")


def test_reported_speech_is_served_apart_from_a_leaders_own_words(client: TestClient) -> None:
    # The Kremlin readout describing Xi ("Il presidente cinese ha notato…") and narrating
    # what both agreed ("si legge nella lettura del Cremlino"): not Xi's words.
    reported = {
        "q-2022-06-15-xi-legittimita-azioni-russia",
        "q-2022-06-15-xi-sanzioni-illegali",
    }
    for quote_id in reported:
        quote = ok(client.get(f"/v1/quotes/{quote_id}"))
        assert quote["attribution"] == "indirect" and quote["reported_speech"] is True
    own = ids(client.get("/v1/leaders/xi-jinping/quotes", params={"limit": 200}))
    assert own and not reported & set(own)
    assert ok(client.get("/v1/leaders/xi-jinping"))["quote_count"] == len(own)
    every = ids(client.get("/v1/leaders/xi-jinping/quotes", params={"speech": "all", "limit": 200}))
    assert set(every) == {*own, *reported}
    only = ids(client.get("/v1/leaders/xi-jinping/quotes", params={"speech": "reported"}))
    assert set(only) == reported
    listed = ok(client.get("/v1/quotes", params={"leader": "xi-jinping", "limit": 200}))["items"]
    assert {q["id"] for q in listed if q["reported_speech"]} == reported
    export = client.get("/v1/leaders/xi-jinping/quotes.csv")
    assert export.status_code == 200 and not any(q in export.text for q in reported)
    assert "reported_speech" in export.text.splitlines()[0]
    assert_problem(client.get("/v1/quotes", params={"speech": "his"}), 400, parameter="speech")


def test_a_quote_of_an_identified_day_has_no_said_on(client: TestClient) -> None:
    quotes = ok(
        client.get("/v1/quotes", params={"event": "2022-12-30-putin-xi-video-call", "limit": 200})
    )["items"]
    assert quotes and all(q["said_on"] is None for q in quotes)
    assert {q["date_evidence"] for q in quotes} == {"identified"}
    stated = ok(client.get("/v1/quotes/q-2025-01-21-putin-caro-amico"))
    assert (stated["said_on"], stated["date_evidence"]) == ("2025-01-21", "stated")
    assert ok(client.get("/v1/quotes/q-putin-alleato"))["date_evidence"] is None
