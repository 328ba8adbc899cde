"""Versioned, immutable URLs: every answer names its URL at its dataset version; a version or a
cursor of a version that is no longer served is a 410 naming the current one, never a page of
another version."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.main import create_app
from app.seeding.build import Dataset, build_dataset
from app.seeding.load import load_dataset
from app.versioned_urls import IMMUTABLE_CACHE_CONTROL, versioned_url
from tests.conftest import SEEDS_DIR
from tests.helpers import assert_problem, ok

SHORT = "public, max-age="


@pytest.fixture
def served(database_url: str, writer: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        yield client


def _fewer_quotes(tmp_path: Path) -> Dataset:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    path = seeds / "data" / "quotes.yaml"
    quotes = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(quotes[: len(quotes) // 2], allow_unicode=True), "utf-8")
    return build_dataset(seeds_dir=seeds, curation=False)


def _next_link(response: object) -> str:
    link = response.headers["link"]  # type: ignore[attr-defined]
    assert link.endswith('>; rel="next"'), link
    return str(link[1 : link.index(">")])


@pytest.mark.parametrize(
    "url",
    [
        "/v1/events?limit=2&country=CN",
        "/v1/events/2021-12-15-putin-xi-video-call",
        "/v1/leaders",
        "/v1/meta",
        "/v1/quotes?format=csv",
    ],
)
def test_every_answer_names_its_immutable_versioned_url(client: TestClient, url: str) -> None:
    plain = client.get(url)
    assert plain.status_code == 200, plain.text
    version = plain.headers["x-dataset-version"]
    location = plain.headers["content-location"]
    assert location == versioned_url(urlsplit(url).path, urlsplit(url).query, version)
    assert plain.headers["cache-control"].startswith(SHORT)
    assert "immutable" not in plain.headers["cache-control"]

    pinned = client.get(location)
    assert pinned.status_code == 200, pinned.text
    assert pinned.content == plain.content
    assert pinned.headers["cache-control"] == IMMUTABLE_CACHE_CONTROL
    assert pinned.headers["content-location"] == location
    assert pinned.headers["etag"] == plain.headers["etag"]
    again = client.get(location, headers={"If-None-Match": pinned.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == IMMUTABLE_CACHE_CONTROL
    vary = {v.strip().lower() for v in pinned.headers["vary"].split(",")}
    assert {"accept", "accept-encoding"} <= vary


def test_page_links_keep_the_version_and_are_their_pages_own_urls(client: TestClient) -> None:
    first = client.get("/v1/events?limit=3")
    version = first.headers["x-dataset-version"]
    seen = [item["id"] for item in ok(first)["items"]]
    url = _next_link(first)
    for _ in range(3):
        assert parse_qs(urlsplit(url).query)["version"] == [version]
        page = client.get(url)
        assert page.headers["cache-control"] == IMMUTABLE_CACHE_CONTROL
        assert page.headers["content-location"] == url
        seen += [item["id"] for item in ok(page)["items"]]
        url = _next_link(page)
    everything = ok(client.get("/v1/events?limit=12"))["items"]
    assert seen == [item["id"] for item in everything]


def test_a_malformed_version_is_a_400(client: TestClient) -> None:
    assert_problem(client.get("/v1/events?version=latest"), 400, parameter="version")
    assert "version" not in client.get("/events?version=0123456789abcdef").text.split("<main")[0]
    assert client.get("/events?version=0123456789abcdef").status_code == 400


def test_after_a_reseed_old_versions_and_cursors_are_gone_never_a_wrong_page(
    served: TestClient, writer: Engine, tmp_path: Path
) -> None:
    first = served.get("/v1/quotes?limit=2")
    old = first.headers["x-dataset-version"]
    old_cursor = ok(first)["next_cursor"]
    old_link = _next_link(first)
    old_event = served.get("/v1/events/2021-12-15-putin-xi-video-call")

    smaller = _fewer_quotes(tmp_path)
    load_dataset(engine=writer, dataset=smaller)
    new = smaller.version
    assert new != old

    for url in (
        old_link,
        f"/v1/quotes?limit=2&cursor={old_cursor}",
        f"/v1/quotes?cursor={old_cursor}&limit=2&version={new}",
        old_event.headers["content-location"],
    ):
        gone = served.get(url)
        body = assert_problem(gone, 410)
        assert body["type"] == "/problems/dataset-version-gone"
        assert body["current_version"] == new
        assert gone.headers["cache-control"] == "no-store"
        start = served.get(body["first_page"])
        assert start.status_code == 200, body
        assert start.headers["x-dataset-version"] == new
        assert "cursor=" not in body["first_page"]
        if "version=" in url:  # a versioned request is sent to the versioned first page
            assert start.headers["cache-control"] == IMMUTABLE_CACHE_CONTROL
        else:
            assert body["first_page"] == "/v1/quotes?limit=2"
    # The explorer's pages continue the API's cursors, so they refuse old ones the same way.
    explorer = served.get(f"/quotes?cursor={old_cursor}")
    assert explorer.status_code == 410
    assert 'href="/quotes"' in explorer.text
    # The unversioned first page simply moves on to the new version.
    assert served.get("/v1/quotes?limit=2").headers["x-dataset-version"] == new


def test_origin_is_in_vary_when_cors_origins_are_listed(make_client: object) -> None:
    # Starlette's CORS middleware says it (to requests without an Origin too): a
    # cache must never hand a browser an answer made without its origin's CORS headers.
    listed = make_client(cors_origins=["https://app.example"])  # type: ignore[operator]
    for headers in ({}, {"Origin": "https://app.example"}, {"Origin": "https://other.example"}):
        response = listed.get("/v1/leaders", headers=headers)
        vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
        assert {"accept", "accept-encoding", "origin"} <= vary, headers
