"""/v1/search: events, quotes and source passages found by one `q`, typed, with snippets,
paged by cursor in date order or by relevance, on both databases."""

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, ok

pytestmark = pytest.mark.parametrize("placement", ["auto", "threads"], indirect=True)

TAIWAN_SOURCE = "sovranismopopolare-2025-cina-russia-nuovi-traguardi"


def _hits(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(client.get("/v1/search", params=params))["items"]
    return items


def _every_hit(client: TestClient, **params: Any) -> list[tuple[str, str]]:
    """Every hit's (kind, id), following next_cursor page by page."""
    seen: list[tuple[str, str]] = []
    cursor = None
    for _ in range(50):
        body = ok(
            client.get("/v1/search", params={**params, "cursor": cursor} if cursor else params)
        )
        seen += [(hit["kind"], hit["id"]) for hit in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("more than 50 pages")


def test_taiwan_finds_the_article_passage_with_its_span(client: TestClient) -> None:
    passages = [hit for hit in _hits(client, q="taiwan") if hit["kind"] == "passage"]
    assert passages, "no passage mentions Taiwan"
    hit = passages[0]
    source = hit["source"]
    assert isinstance(source, dict) and source["id"] == TAIWAN_SOURCE
    text = client.get(f"/v1/sources/{TAIWAN_SOURCE}/text").text
    span = source["span"]
    assert "Taiwan" in text[span["start"] : span["end"]]
    snippet = str(hit["snippet"])
    marked = [snippet[m["start"] : m["end"]] for m in hit["highlights"]]
    assert marked and all(word == "Taiwan" for word in marked)
    assert hit["url"] == f"/v1/sources/{TAIWAN_SOURCE}"


def test_hits_are_typed_and_stemmed(client: TestClient) -> None:
    hits = _hits(client, q="vaccine", limit=200)
    kinds = {hit["kind"] for hit in hits}
    assert "event" in kinds and "passage" in kinds
    event = next(hit for hit in hits if hit["id"] == "2020-sputnik-vaccine-production-contracts")
    snippet = str(event["snippet"])
    assert [snippet[m["start"] : m["end"]] for m in event["highlights"]] == ["vaccines"]
    assert event["url"] == "/v1/events/2020-sputnik-vaccine-production-contracts"
    quotes = _hits(client, q="sanzione", kind="quote")
    assert {hit["kind"] for hit in quotes} == {"quote"} and len(quotes) == 2


def test_date_order_pages_every_hit_once(client: TestClient) -> None:
    whole = _every_hit(client, q="putin OR xi", limit=200, sort="date")
    assert len(whole) == len(set(whole)) > 20
    assert _every_hit(client, q="putin OR xi", limit=3, sort="date") == whole
    newest = _every_hit(client, q="putin OR xi", limit=200)  # -date, the default
    assert _every_hit(client, q="putin OR xi", limit=4) == newest
    assert sorted(newest) == sorted(whole) and newest != whole
    items = _hits(client, q="putin OR xi", limit=200, sort="-date")
    dates = [str(hit["date"]) for hit in items]
    assert dates == sorted(dates, reverse=True)


def test_relevance_order_ranks_by_score(client: TestClient) -> None:
    ranked = _hits(client, q="telefonata", sort="relevance", limit=200)
    scores = [int(hit["score"]) for hit in ranked]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    paged = _every_hit(client, q="telefonata", sort="relevance", limit=2)
    assert paged == [(hit["kind"], hit["id"]) for hit in ranked]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "***"},
        {"q": '"'},
        {"q": "taiwan", "sort": "score"},
        {"q": "taiwan", "kind": "leader"},
        {"q": "taiwan", "limit": 100_000},
    ],
)
def test_bad_searches_are_problems(client: TestClient, params: dict[str, Any]) -> None:
    assert_problem(client.get("/v1/search", params=params), 400)


def test_a_cursor_belongs_to_its_search(client: TestClient) -> None:
    cursor = ok(client.get("/v1/search", params={"q": "putin", "limit": 1}))["next_cursor"]
    assert cursor
    other = client.get("/v1/search", params={"q": "xi", "limit": 1, "cursor": cursor})
    assert_problem(other, 400, parameter="cursor")


def test_excerpts_scope_finds_and_shows_only_cited_text(make_client: Any) -> None:
    client = make_client(serve_article_text="excerpts")
    # Taiwan is named in an uncited paragraph only: an excerpts deployment may not show it.
    assert [hit for hit in _hits(client, q="taiwan") if hit["kind"] == "passage"] == []
    passages = [hit for hit in _hits(client, q="vaccine", limit=200) if hit["kind"] == "passage"]
    assert passages
    for hit in passages:
        source = hit["source"]
        assert isinstance(source, dict)
        cited = client.get(f"/v1/sources/{source['id']}/text").text
        span = source["span"]
        assert str(hit["snippet"]).strip("…") in cited[span["start"] : span["end"]]


def test_explorer_search_page_shows_marked_passages_and_pages_a_kind(client: TestClient) -> None:
    page = client.get("/search", params={"q": "taiwan"})
    assert page.status_code == 200
    assert "<mark>Taiwan</mark>" in page.text
    assert f'href="/sources/{TAIWAN_SOURCE}"' in page.text
    first = client.get("/search", params={"q": "putin OR xi", "kind": "passage"})
    more = re.search(r'href="(/search\?[^"]*cursor=[^"]*)"', first.text)
    assert more, "putin OR xi matches more passages than a page"
    second = client.get(html.unescape(more.group(1)))
    assert second.status_code == 200
    assert "<mark>" in second.text and second.text.count("<li>") >= 1
    snippets = set(re.findall(r'<span class="snippet">(.*?)</span>', first.text))
    assert snippets.isdisjoint(re.findall(r'<span class="snippet">(.*?)</span>', second.text))
    assert client.get("/search", params={"q": "putin", "cursor": "x"}).status_code == 400
