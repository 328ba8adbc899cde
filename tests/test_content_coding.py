"""Accept-Encoding, end to end: the coding sent is the one RFC 9110 §12.5.3 picks, and a strong
ETag names exactly one byte sequence, on a JSON page, a JSON item and both exports, for every
form of the header; revalidation answers 304 only for the same coding; HEAD heads like GET.

Bodies are compared as sent on the wire (`iter_raw`), never as decoded by the client.
"""

import gzip
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from app.content_coding import acceptable_codings
from tests.helpers import assert_problem, cli_server

ABSENT = None
# Accept-Encoding -> the coding a response must be sent in, or 406 when none is acceptable.
# Written from the RFC, not from app/content_coding.py.
FORMS: dict[str | None, str | int] = {
    ABSENT: "identity",
    "": "identity",
    "gzip": "gzip",
    "x-gzip": "gzip",
    "GZIP": "gzip",
    "X-GZip;Q=1": "gzip",
    "*": "gzip",
    "br, *;q=0.5": "gzip",
    "deflate, gzip;q=0.3": "gzip",
    "gzip;q=0.5, identity": "identity",
    "x-gzip;q=0.2, identity;q=0.1": "gzip",
    "gzip;q=0": "identity",
    "gzip;q=0.000, *": "identity",
    "gzip;q=2": "identity",  # not a q-value: gzip is not accepted
    "identity": "identity",
    "br": "identity",
    "identity;q=0, gzip": "gzip",  # identity refused: gzip however small the body
    "*, identity;q=0": "gzip",
    "identity;q=0": 406,
    "*;q=0": 406,
    "gzip;q=0, identity;q=0": 406,
    "*;q=0, identity;q=0.5": "identity",
}
PATHS = {
    "json-list": "/v1/events?limit=20",
    "json-item": "/v1/events/2025-01-21-putin-xi-video-call",
    "csv": "/v1/events.csv",
    "ndjson": "/v1/quotes.ndjson",
}
MINIMUM_SIZE = 500  # Settings.gzip_min_bytes' default


def _get(
    client: httpx.Client | TestClient,
    path: str,
    form: str | None,
    method: str = "GET",
    **headers: str,
) -> tuple[httpx.Response, bytes]:
    request = client.build_request(method, path, headers=headers)
    if form is ABSENT:
        del request.headers["accept-encoding"]
    else:
        request.headers["accept-encoding"] = form
    response = client.send(request, stream=True)
    try:
        return response, b"".join(response.iter_raw())
    finally:
        response.close()


def _vary(response: httpx.Response) -> set[str]:
    return {token.strip().lower() for token in response.headers.get("vary", "").split(",")}


@pytest.mark.parametrize("form", list(FORMS), ids=repr)
def test_the_negotiated_coding_is_the_rfcs(form: str | None) -> None:
    expected = FORMS[form]
    codings = acceptable_codings(form)
    assert (codings[0] if codings else 406) == expected, codings


@pytest.mark.parametrize("kind", list(PATHS))
def test_a_strong_etag_names_one_byte_sequence(client: TestClient, kind: str) -> None:
    path = PATHS[kind]
    export = kind in ("csv", "ndjson")
    _, identity_body = _get(client, path, "identity")
    bytes_of: dict[str, bytes] = {}
    for form, expected in FORMS.items():
        response, raw = _get(client, path, form)
        assert "accept-encoding" in _vary(response), (form, response.headers)
        if expected == 406:
            assert "content-encoding" not in response.headers
            assert_problem(client.get(path, headers={"Accept-Encoding": str(form)}), 406)
            continue
        assert response.status_code == 200, (form, response.text)
        gzipped = expected == "gzip" and (
            export
            or len(identity_body) >= MINIMUM_SIZE
            or form in ("identity;q=0, gzip", "*, identity;q=0")
        )
        assert response.headers.get("content-encoding") == ("gzip" if gzipped else None), form
        assert (gzip.decompress(raw) if gzipped else raw) == identity_body, form
        etag = response.headers["etag"]
        assert not etag.startswith("W/")
        assert bytes_of.setdefault(etag, raw) == raw, f"{etag} names two bodies ({form!r})"

        # Revalidation: 304 for the same coding, with the headers a 200 would vary on.
        again, body = _get(client, path, form, **{"If-None-Match": etag})
        assert again.status_code == 304 and body == b"", form
        assert again.headers["etag"] == etag and "accept-encoding" in _vary(again)

        # HEAD says what GET says.
        head, body = _get(client, path, form, method="HEAD")
        assert head.status_code == 200 and body == b"", form
        for name in ("etag", "content-encoding", "content-type", "vary"):
            assert head.headers.get(name) == response.headers.get(name), (form, name)
        if export:  # streamed: no length on the GET, so none on the HEAD
            assert "content-length" not in head.headers and "content-length" not in response.headers
    assert len(bytes_of) == 2  # one ETag per coding


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
def test_a_copy_in_one_coding_never_revalidates_the_other(client: TestClient, kind: str) -> None:
    """The bug this closes: `*` and `x-gzip` got the identity ETag with a gzipped body."""
    path = PATHS[kind]
    plain, _ = _get(client, path, "identity")
    for form in ("gzip", "x-gzip", "*", "GZIP"):
        response, raw = _get(client, path, form, **{"If-None-Match": plain.headers["etag"]})
        assert response.status_code == 200 and raw[:2] == b"\x1f\x8b", form
        assert response.headers["etag"] != plain.headers["etag"]
        zipped = response.headers["etag"]
        refused, _ = _get(client, path, "identity", **{"If-None-Match": zipped})
        assert refused.status_code == 200 and refused.headers["etag"] == plain.headers["etag"]


def test_a_real_server_sends_what_its_etag_names(tmp_path: Path) -> None:
    """Through uvicorn and a socket: the coding, the ETag and the bytes agree there too."""
    workdir = tmp_path / "api"
    workdir.mkdir()
    database_url = f"sqlite:///{tmp_path / 'coding.db'}"
    with (
        cli_server(workdir, tmp_path / "server.log", DATABASE_URL=database_url) as port,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
    ):
        seen: dict[str, bytes] = {}
        for path in (PATHS["csv"], PATHS["json-list"]):
            for form in ("identity", "gzip", "x-gzip", "*", "identity;q=0, gzip"):
                response, raw = _get(http, path, form)
                assert response.status_code == 200, response.text
                coding = response.headers.get("content-encoding")
                assert coding == FORMS[form] or (coding is None and FORMS[form] == "identity")
                assert (raw[:2] == b"\x1f\x8b") is (coding == "gzip"), form
                assert seen.setdefault(response.headers["etag"], raw) == raw, form
                again, _ = _get(http, path, form, **{"If-None-Match": response.headers["etag"]})
                assert again.status_code == 304, form
        assert_problem(http.get(PATHS["csv"], headers={"Accept-Encoding": "identity;q=0"}), 406)
