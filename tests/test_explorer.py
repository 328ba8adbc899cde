"""The explorer's pages show what the API says about the same records (both databases)."""

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from app.explorer.web import LABELS
from app.middleware.security import EXPLORER_CSP
from tests.helpers import assert_problem, ids, ok
from tests.html_pages import read_page, squash

HTML = {"Accept": "text/html"}
FRAMES = 2  # each chart is drawn for narrow and for wide screens (app/explorer/charts.py)
CALL_2025 = "2025-01-21-putin-xi-video-call"
CALL_2021 = "2021-12-15-putin-xi-video-call"


def _all(client: TestClient, url: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        paging = {"limit": 100} if cursor is None else {"limit": 100, "cursor": cursor}
        body = ok(client.get(url, params={**params, **paging}))
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_home_shows_counts_version_sources_and_the_timeline(client: TestClient) -> None:
    response = client.get("/")
    page = read_page(response)
    api = client.get("/v1/events", params={"include_total": "true"})
    assert f"Events {api.json()['total']}" in page.text
    quotes = ok(client.get("/v1/quotes", params={"include_total": "true"}))["total"]
    assert f"Quotes {quotes}" in page.text
    sources = _all(client, "/v1/sources")
    assert f"Source articles {len(sources)}" in page.text
    assert response.headers["x-dataset-version"] == api.headers["x-dataset-version"]
    assert api.headers["x-dataset-version"] in page.text
    for source in sources[:10]:
        assert f"/sources/{source['id']}" in page.links
    timeline = ok(client.get("/v1/timeline", params={"granularity": "year"}))
    assert page.count("bar") == len(timeline["buckets"]) * FRAMES
    for bucket in timeline["buckets"]:
        assert f"/events?date={bucket['period']}" in page.links
    assert any(link == "/search" for link in page.links) or 'action="/search"' in response.text


def test_month_timeline_keeps_year_precision_events_apart(client: TestClient) -> None:
    page = read_page(client.get("/", params={"granularity": "month"}))
    timeline = ok(client.get("/v1/timeline", params={"granularity": "month"}))
    assert timeline["coarser"], "the curated data has year-precision events"
    assert page.count("band") == len(timeline["coarser"]) * FRAMES
    assert page.count("bar") == len(timeline["buckets"]) * FRAMES
    for bucket in timeline["coarser"]:
        assert f"{bucket['period']} (dated only to the year) {bucket['count']}" in page.text


def test_search_finds_events_and_quotes_as_the_api_does(client: TestClient) -> None:
    for words in ("multipolare", "Taiwan", "gas"):
        page = read_page(client.get("/search", params={"q": words}))
        for event in ok(client.get("/v1/events", params={"q": words, "limit": 20}))["items"]:
            assert f"/events/{event['id']}" in page.links
        for quote in ok(client.get("/v1/quotes", params={"q": words, "limit": 20}))["items"]:
            assert f"/quotes/{quote['id']}" in page.links


def test_events_page_lists_pages_and_links_like_the_api(client: TestClient) -> None:
    for params in ({}, {"kind": "video_call"}, {"date": "2022", "sort": "-date"}, {"q": "Taiwan"}):
        page = read_page(client.get("/events", params=params))
        expected = [e["id"] for e in _all(client, "/v1/events", **params)][:50]
        listed = [link.removeprefix("/events/") for link in page.links]
        assert [i for i in listed if i in expected] == expected
        query = "&".join(f"{k}={v}" for k, v in params.items())
        assert f"/v1/events{'?' + query if query else ''}" in page.links
        assert any(link.startswith("/v1/events?") and "format=csv" in link for link in page.links)


def test_events_page_follows_cursors_to_the_end(make_client: Any) -> None:
    client = make_client(default_page_size=10)  # 27 curated events: three pages
    expected = [e["id"] for e in _all(client, "/v1/events")]
    wanted = {f"/events/{i}" for i in expected}
    seen: list[str] = []
    url: str | None = "/events"
    pages = 0
    while url is not None and pages < 5:
        pages += 1
        page = read_page(client.get(url))
        listed = [link.removeprefix("/events/") for link in page.links if link in wanted]
        if url != "/events":  # the explorer's cursor continues the API's list, and back
            cursor = url.split("cursor=")[1]
            assert ids(client.get("/v1/events", params={"cursor": cursor})) == listed
        seen += listed
        following = (link for link in page.links if link.startswith("/events?cursor="))
        url = next(following, None)
    assert pages == 3 and url is None
    assert seen == expected


def test_empty_form_fields_are_dropped_by_a_redirect(client: TestClient) -> None:
    response = client.get("/events?date=&kind=video_call&q=", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/events?kind=video_call"


def test_event_page_shows_every_fact_of_the_api_record(client: TestClient) -> None:
    for event_id in (CALL_2025, CALL_2021, "2022-putin-xi-samarkand-meeting"):
        event = ok(client.get(f"/v1/events/{event_id}"))
        page = read_page(client.get(f"/events/{event_id}"))
        kind = LABELS["kind"][event["kind"]]
        for fact in (event["title"], event["summary"], event["date_basis"] or "", kind):
            assert squash(fact) in page.text
        if event["date_evidence"] == "identified":
            assert f"{event['date_precision']} identified from context" in page.text
            assert "known to the" not in page.text
        else:
            assert f"known to the {event['date_precision']}" in page.text
        assert squash(event["context"] or "") in page.text
        assert "_" not in event["kind"] or event["kind"] not in page.text  # never the code
        assert f"({event['cameo_code']})" in page.text
        assert f"PLOVER {event['plover_event']}" in page.text
        for person in event["participants"]:
            assert f"/leaders/{person['id']}" in page.links
        for topic in event["topics"]:
            assert f"/events?topic={topic}" in page.links
        for excerpt in event["sources"]:
            span = excerpt["span"]
            assert f"/sources/{excerpt['id']}#span-{span['start']}-{span['end']}" in page.links
            assert squash(excerpt["excerpt"]) in page.text
        assert page.count("passage") == len(event["sources"]) + len(event["quotes"]) * 0
        for quote in event["quotes"]:
            assert f"/quotes/{quote['id']}" in page.links
            assert squash(quote["text"]) in page.text
        for observation in event["trade_observations"]:
            assert f"/trade/observations/{observation['id']}" in page.links


def test_excerpts_sit_highlighted_inside_their_paragraph(client: TestClient) -> None:
    event = ok(client.get(f"/v1/events/{CALL_2025}"))
    response = client.get(f"/events/{CALL_2025}")
    for excerpt in event["sources"]:
        text = client.get(f"/v1/sources/{excerpt['id']}/text").text
        start, end = excerpt["span"]["start"], excerpt["span"]["end"]
        paragraph_start = text.rfind("\n", 0, start) + 1
        before = text[paragraph_start:start]
        marked = f"{before}<mark>{text[start:end]}</mark>"
        assert squash(marked) in squash(response.text.replace("&#39;", "'").replace("&#34;", '"'))


def test_leader_page_shows_who_and_their_quotes_searchable(client: TestClient) -> None:
    leader = ok(client.get("/v1/leaders/vladimir-putin"))
    page = read_page(client.get("/leaders/vladimir-putin"))
    assert leader["name"] in page.text
    assert f"https://www.wikidata.org/wiki/{leader['wikidata_qid']}" in page.links
    quotes = [q["id"] for q in _all(client, "/v1/leaders/vladimir-putin/quotes")][:50]
    assert [link for link in page.links if link.startswith("/quotes/")] == [
        f"/quotes/{i}" for i in quotes
    ]
    searched = read_page(client.get("/leaders/Q7747", params={"q": "amico"}))
    found = ok(client.get("/v1/leaders/Q7747/quotes", params={"q": "amico"}))["items"]
    assert found
    assert [link for link in searched.links if link.startswith("/quotes/")] == [
        f"/quotes/{q['id']}" for q in found
    ]


def test_leader_and_source_lists_link_every_record_with_its_counts(client: TestClient) -> None:
    leaders = read_page(client.get("/leaders"))
    countries = {c["code"]: c["name"] for c in ok(client.get("/v1/vocab"))["countries"]}
    for leader in _all(client, "/v1/leaders"):
        assert f"/leaders/{leader['id']}" in leaders.links
        assert f"{leader['name']} {countries[leader['country']]}" in leaders.text
        # A count links to its list, unless the list would be empty.
        assert (f"/events?leader={leader['id']}" in leaders.links) == bool(leader["event_count"])
        assert (f"/quotes?leader={leader['id']}" in leaders.links) == bool(leader["quote_count"])
    sources = read_page(client.get("/sources"))
    for source in _all(client, "/v1/sources"):
        counts = source["counts"]
        assert f"/sources/{source['id']}" in sources.links
        assert (
            f"{source['published_on']} {counts['events']} {counts['quotes']} "
            f"{counts['trade_observations']} {counts['exclusions']}"
        ) in sources.text


def test_quote_and_observation_pages_show_their_record_in_its_passage(client: TestClient) -> None:
    for quote in _all(client, "/v1/quotes")[:5]:
        page = read_page(client.get(f"/quotes/{quote['id']}"))
        assert squash(quote["text"]) in page.text
        span = quote["source"]["span"]
        assert f"/sources/{quote['source']['id']}#span-{span['start']}-{span['end']}" in page.links
    for observation in _all(client, "/v1/trade/observations"):
        page = read_page(client.get(f"/trade/observations/{observation['id']}"))
        assert observation["preference_reason"] in page.text
        assert f"written “{observation['value_text']}”" in page.text
        for source in observation["sources"]:
            span = source["span"]
            assert f"/sources/{source['id']}#span-{span['start']}-{span['end']}" in page.links


def test_trade_page_draws_points_bounds_ytd_and_targets_apart(client: TestClient) -> None:
    response = client.get("/trade")
    page = read_page(response)
    series = {
        period_type: ok(
            client.get("/v1/trade/series", params={"select": "all", "period_type": period_type})
        )["points"]
        for period_type in ("annual", "ytd")
    }
    targets = ok(
        client.get(
            "/v1/trade/series",
            params={"kind": "target", "period_type": "open", "select": "preferred"},
        )
    )
    assert series["annual"] and series["ytd"] and targets["points"] == []  # bounds only
    all_targets = [o for o in _all(client, "/v1/trade/observations", kind="target")]
    assert all_targets
    bounds = [o for points in series.values() for o in points if o["bound"]]
    stated = [o for points in series.values() for o in points if not o["bound"]]
    assert bounds and stated
    assert page.count("point") == len(stated) * FRAMES
    assert page.count("bound-head") == len(bounds) * FRAMES
    # A target with a deadline is a marker on its own period type's chart; one without a
    # date is listed under the charts, never drawn as a line across the years.
    dated = [t for t in all_targets if t["period_end"] and t["period_type"] in series]
    assert page.count("target") == len(dated) * FRAMES
    assert {"panel-annual", "panel-ytd"} <= page.ids
    for observation in [*bounds, *stated, *all_targets]:
        assert f"/trade/observations/{observation['id']}" in page.links
        for source in observation["sources"]:
            span = source["span"]
            assert f"/sources/{source['id']}#span-{span['start']}-{span['end']}" in page.links


def test_source_page_marks_every_record_and_exclusion(client: TestClient) -> None:
    for source in _all(client, "/v1/sources"):
        source_id = source["id"]
        response = client.get(f"/sources/{source_id}")
        page = read_page(response)
        detail = ok(client.get(f"/v1/sources/{source_id}"))
        assert _article_text(response.text) == detail["text"]  # verbatim, every character
        whole = detail["captured"] == "full"
        assert ("the whole article" in response.text) == whole
        assert ("only the opening the page showed" in response.text) == (not whole)
        events = _all(client, "/v1/events", source=source_id)
        for event in events:
            full = ok(client.get(f"/v1/events/{event['id']}"))
            for excerpt in full["sources"]:
                if excerpt["id"] == source_id:
                    assert f"span-{excerpt['span']['start']}-{excerpt['span']['end']}" in page.ids
            assert f"/events/{event['id']}" in page.links
        quotes = [q for q in _all(client, "/v1/quotes") if q["source"]["id"] == source_id]
        for quote in quotes:
            assert f"/quotes/{quote['id']}" in page.links
            assert (
                f"span-{quote['source']['span']['start']}-{quote['source']['span']['end']}"
                in page.ids
            )
        figures = _all(client, "/v1/trade/observations", source=source_id)
        for figure in figures:
            assert f"/trade/observations/{figure['id']}" in page.links
        counts = detail["counts"]
        assert (counts["quotes"], counts["trade_observations"]) == (len(quotes), len(figures))
        assert page.count("ref-exclusion") == counts["exclusions"]
        assert page.count("span-exclusion") == counts["exclusions"]


def _article_text(page: str) -> str:
    """The article of a source page without its markup and the links set after spans."""
    found = re.search(r'<div class="article"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert found
    body = re.sub(r'<(a|small) class="ref[^"]*"[^>]*>.*?</\1>', "", found.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_errors_are_pages_with_the_api_problem_detail(client: TestClient) -> None:
    for page_url, api_url, status in (
        ("/events/no-such-event", "/v1/events/no-such-event", 404),
        ("/events?kind=bogus", "/v1/events?kind=bogus", 400),
        ("/events?country=ZZ", "/v1/events?country=ZZ", 400),
        ("/events?from=2023&to=2021", "/v1/events?from=2023&to=2021", 400),
        ("/leaders/nobody", "/v1/leaders/nobody", 404),
        ("/sources/nothing", "/v1/sources/nothing", 404),
        ("/events?cursor=forged", "/v1/events?cursor=forged", 400),
    ):
        problem = assert_problem(client.get(api_url), status)
        response = client.get(page_url, headers=HTML)
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        reader_text = squash(response.text.replace("&#39;", "'"))
        assert squash(problem["detail"]) in reader_text
    misspelt = client.get("/events?colour=red", headers=HTML)
    assert misspelt.status_code == 400
    assert "Unknown query parameter(s): colour. This endpoint accepts: country," in misspelt.text
    unknown = client.get("/nowhere", headers=HTML)
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    assert_problem(client.get("/nowhere"), 404)  # a client that does not ask for HTML
    assert_problem(client.get("/v1/nowhere", headers=HTML), 404)  # the API stays JSON


def test_pages_allow_only_their_own_origin_and_revalidate(client: TestClient) -> None:
    for url in ("/", "/events", f"/events/{CALL_2025}", "/trade", "/static/explorer.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == EXPLORER_CSP
        assert "default-src 'self'" in EXPLORER_CSP and "http" not in EXPLORER_CSP
        etag = response.headers["etag"]
        assert response.headers["cache-control"].startswith("public")
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
    assert (
        client.get("/v1/events").headers["content-security-policy"].startswith("default-src 'none'")
    )
    assert "/static/" not in str(ok(client.get("/openapi.json"))["paths"])


def test_identified_dates_and_reported_speech_are_marked(client: TestClient) -> None:
    identified = read_page(client.get("/events/2022-12-30-putin-xi-video-call", headers=HTML))
    assert "day identified from context" in identified.text
    assert "known to the day" not in identified.text
    assert identified.count("date-identified") == 1
    stated = read_page(client.get(f"/events/{CALL_2025}", headers=HTML))
    assert "known to the day" in stated.text and stated.count("date-identified") == 0
    samarkand = read_page(client.get("/events/2022-putin-xi-samarkand-meeting", headers=HTML))
    assert "Context (not from the articles):" in samarkand.text
    reported = "q-2022-06-15-xi-legittimita-azioni-russia"
    quote = read_page(client.get(f"/quotes/{reported}", headers=HTML))
    assert "reported speech, not Xi Jinping's own words" in quote.text
    leader = read_page(client.get("/leaders/xi-jinping", headers=HTML))
    own = ids(client.get("/v1/leaders/xi-jinping/quotes"))
    assert [link for link in leader.links if link.startswith("/quotes/")] == [
        f"/quotes/{i}" for i in own
    ]
    assert leader.count("reported-speech") == 0 and reported not in own
    call = ok(client.get("/v1/events/2022-06-15-putin-xi-phone-call"))
    page = read_page(client.get("/events/2022-06-15-putin-xi-phone-call", headers=HTML))
    marked = [q for q in call["quotes"] if q["reported_speech"]]
    assert page.count("reported-speech") == len(marked) > 0


def test_links_say_names_and_lines_read_as_words(client: TestClient) -> None:
    """A link to a record says its title or name, never its id; the parts of a quote's line
    are spaced ("direct speech · at ...", not "direct· event")."""
    for url in ("/quotes", f"/events/{CALL_2025}", "/leaders/xi-jinping", "/search?q=Taiwan"):
        response = client.get(url)
        for href, label in re.findall(
            r'<a href="/(?:events|leaders)/([^"?#]+)"[^>]*>([^<]*)<', response.text
        ):
            assert label.strip() and label.strip() != href, (url, href)
        text = read_page(response).text
        assert not re.search(r"\S·|·\S", text), url
        assert "· at " in text or url != "/quotes"


FACET_LINK = re.compile(r'<a href="/events\?([^"]*)">([^<]*)</a> <span class="count">(\d+)</span>')


def test_events_page_counts_each_value_beside_the_filters(client: TestClient) -> None:
    """Each kind, topic and country link shows as many events as its count says; a chosen
    value is marked and links to its removal."""
    response = client.get("/events", params=[("kind", "phone_call"), ("country", "CN")])
    page = read_page(response)
    assert "Counts by kind, topic, country and year" in page.text
    links = FACET_LINK.findall(response.text)
    assert len(links) > 5
    checked = 0
    for query, label, count in links:
        pairs = [tuple(p.split("=", 1)) for p in html.unescape(query).split("&") if p]
        if any(name == "date" for name, _value in pairs):
            continue  # a year's link selects events overlapping it, not starting in it
        params: Any = [*pairs, ("include_total", "true"), ("limit", "1")]
        assert ok(client.get("/v1/events", params=params))["total"] == int(count), label
        checked += 1
    assert checked > 5
    assert 'aria-current="true" title="Remove this filter">China ✓</a>' in response.text
    assert 'href="/events?kind=phone_call" aria-current="true"' in response.text
