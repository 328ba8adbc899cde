"""A crawl of the explorer from `/`: every internal link answers, every #fragment exists."""

from collections import deque
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from tests.html_pages import Page, read_page

# What Chromium sends when following a link.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# The curated dataset has about 1,200 pages with its filtered event lists (700 of them: every
# single filter, and every link from those); the bound keeps a bug from looping.
MAX_PAGES = 1_500
# The events page's counts link every value of a dimension with the other filters kept, so
# their combinations multiply: a page of two or more filters is requested (its status checked)
# but its own links are not followed.
NOT_FILTERS = {"cursor", "sort", "limit", "granularity"}


def _combines_filters(url: str) -> bool:
    parts = urlsplit(url)
    names = {name for name, _value in parse_qsl(parts.query)} - NOT_FILTERS
    return parts.path == "/events" and len(names) >= 2


def test_every_internal_link_from_home_answers(make_client: Any) -> None:
    client = make_client(default_page_size=5)  # so that next-page links are crawled too
    pages: dict[str, Page] = {}
    statuses: dict[str, int] = {}
    fragments: list[tuple[str, str, str]] = []  # (linking page, target, fragment)
    queue: deque[str] = deque(["/"])
    while queue and len(statuses) < MAX_PAGES:
        url = queue.popleft()
        if url in statuses:
            continue
        response = client.get(url, headers={"Accept": BROWSER_ACCEPT})
        statuses[url] = response.status_code
        if response.status_code != 200 or not response.headers["content-type"].startswith(
            "text/html"
        ):
            continue
        if url.startswith(("/docs", "/redoc")):
            continue  # Swagger UI and ReDoc: not the explorer's pages
        if _combines_filters(url):
            continue
        page = pages[url] = read_page(response)
        for href in page.links:
            target, fragment = urldefrag(urljoin(url, href))
            if not target.startswith("/") or target.startswith("//"):
                continue  # another site (Wikidata)
            if fragment and target.startswith(("/events", "/sources", "/trade")):
                fragments.append((url, target, fragment))
            if target not in statuses:
                queue.append(target)
    assert not queue, f"more than {MAX_PAGES} pages: the crawl did not finish"
    failed = {url: status for url, status in statuses.items() if status >= 400}
    assert not failed, failed
    kinds = {url.split("/")[1].split("?")[0] for url in pages}
    assert {"", "events", "leaders", "quotes", "trade", "sources"} <= kinds
    assert any(url.startswith("/v1/") for url in statuses)  # the API links were followed too
    assert any("cursor=" in url for url in pages)
    for origin, target, fragment in fragments:
        assert target in pages, (origin, target)
        assert fragment in pages[target].ids, f"{origin} links to {target}#{fragment}"
