"""What may be reused under what terms, and how to cite it, is said the same everywhere; a
deployment with SERVE_ARTICLE_TEXT=excerpts serves no article text beyond the cited passages.

The CFF 1.2.0 schema (tests/fixtures/cff-1.2.0.schema.json, CC BY 4.0, by the Citation File
Format project) is the one cffconvert 2.0.0 ships (cffconvert/schemas/1.2.0/schema.json):
cffconvert itself pins jsonschema < 4, which the dev tools cannot share, so the file is
validated here with jsonschema directly, as cffconvert does.
"""

import html
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from fastapi.testclient import TestClient

from app import rights
from app.config import PROJECT_ROOT
from app.schemas.meta import MetaPublic
from app.seeding.build import build_dataset
from app.seeding.problems import SeedValidationError
from tests.conftest import SEEDS_DIR
from tests.helpers import ok
from tests.html_pages import read_page

CFF_SCHEMA = Path(__file__).resolve().parent / "fixtures" / "cff-1.2.0.schema.json"
SOURCE = "anon-2021-12-15-putin-xi-videoconferenza"


def _citation() -> dict[str, Any]:
    value: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text("utf-8"))
    return value


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    schema = json.loads(CFF_SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(_citation())]
    assert errors == []
    broken = {**_citation(), "license": "not-a-licence"}
    assert list(validator.iter_errors(broken)), "the schema must reject a bad licence id"


def test_citation_licence_file_and_package_agree_with_app_rights() -> None:
    citation = _citation()
    assert citation["title"] == rights.TITLE
    assert citation["authors"] == [{"name": rights.AUTHORS}]
    assert citation["version"] == rights.VERSION
    assert set(citation["license"]) == {
        rights.CODE_LICENSE["spdx"],
        rights.DATA_LICENSE["spdx"],
    }
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == rights.CODE_LICENSE["spdx"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (PROJECT_ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")


def test_meta_gives_licences_citation_version_and_what_is_served(client: TestClient) -> None:
    response = client.get("/v1/meta")
    meta = MetaPublic.model_validate(ok(response))
    version = client.get("/v1/events").headers["x-dataset-version"]
    assert meta.dataset_version == version
    assert version in meta.citation.text and rights.TITLE in meta.citation.text
    assert (meta.code_license.spdx, meta.data_license.spdx) == ("MIT", "CC-BY-4.0")
    assert meta.article_texts.status == "third_party"
    assert "rights remain with their publishers" in meta.article_texts.statement
    assert meta.article_texts.served == "full"
    assert response.headers["etag"]
    schema = ok(client.get("/openapi.json"))
    operation = schema["paths"]["/v1/meta"]["get"]
    assert operation["operationId"] == "get_meta"
    assert schema["info"]["license"] == {"name": "MIT License", "identifier": "MIT"}


def test_the_footer_of_every_page_states_the_terms(client: TestClient) -> None:
    for url in ("/", "/events", "/quotes", f"/sources/{SOURCE}"):
        page = read_page(client.get(url))
        assert rights.CODE_LICENSE["url"] in page.links
        assert rights.DATA_LICENSE["url"] in page.links
        assert "/v1/meta" in page.links
        assert "rights remain with their publishers" in page.text


def _cited(client: TestClient, source_id: str) -> list[tuple[int, int]]:
    """Every span the records cite from a source, as the API gives them."""
    spans = []
    for event in ok(client.get("/v1/events", params={"source": source_id, "limit": 200}))["items"]:
        for excerpt in ok(client.get(f"/v1/events/{event['id']}"))["sources"]:
            if excerpt["id"] == source_id:
                spans.append((excerpt["span"]["start"], excerpt["span"]["end"]))
    for quote in ok(client.get("/v1/quotes", params={"limit": 200}))["items"]:
        if quote["source"]["id"] == source_id:
            spans.append((quote["source"]["span"]["start"], quote["source"]["span"]["end"]))
    figures = ok(client.get("/v1/trade/observations", params={"source": source_id}))["items"]
    for figure in figures:
        for place in figure["sources"]:
            if place["id"] == source_id:
                spans.append((place["span"]["start"], place["span"]["end"]))
    return spans


def _reader_text(page: str) -> str:
    """A page's text as read: without markup and the links set after spans."""
    body = re.sub(r'<(a|small) class="ref[^"]*"[^>]*>.*?</\1>', "", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def _uncited_sentence(text: str, spans: list[tuple[int, int]]) -> str:
    """The longest run of the text that no span touches."""
    covered = [any(a <= i < b for a, b in spans) for i in range(len(text))]
    runs = re.finditer(r"[^\n]+", text)
    best = ""
    for run in runs:
        piece = "".join(
            ch if not covered[run.start() + i] else "\n" for i, ch in enumerate(run.group())
        )
        for part in piece.split("\n"):
            if len(part.strip()) > len(best):
                best = part.strip()
    return best


@pytest.mark.parametrize("source_id", [SOURCE, "cnaworld-2025-putin-xi-video-call"])
def test_excerpts_setting_serves_only_the_cited_passages(make_client: Any, source_id: str) -> None:
    full_client = make_client()
    whole = full_client.get(f"/v1/sources/{source_id}/text").text
    raw = next(
        path.read_text("utf-8")
        for path in (SEEDS_DIR / "sources").glob("*.txt")
        if path.name == ok(full_client.get(f"/v1/sources/{source_id}"))["file_name"]
    )
    assert whole == raw  # `full` (the default) is the verbatim article
    assert ok(full_client.get(f"/v1/sources/{source_id}"))["text_scope"] == "full"
    spans = _cited(full_client, source_id)
    hidden = _uncited_sentence(whole, spans)
    assert len(hidden) > 40, "the article has text no record cites"
    assert hidden in _reader_text(full_client.get(f"/sources/{source_id}").text)

    client = make_client(serve_article_text="excerpts")
    served = client.get(f"/v1/sources/{source_id}/text").text
    detail = ok(client.get(f"/v1/sources/{source_id}"))
    assert detail["text"] == served and detail["text_scope"] == "excerpts"
    assert len(served) == len(whole)  # every span still indexes it
    for start, end in spans:
        assert served[start:end] == whole[start:end]
    kept = {i for a, b in spans for i in range(a, b)}
    for index, char in enumerate(served):
        if index not in kept:
            assert char in (" ", "\n") and (char == "\n") == (whole[index] == "\n")
    assert ok(client.get("/v1/meta"))["article_texts"]["served"] == "excerpts"
    pages = [f"/sources/{source_id}"]
    pages += [
        f"/events/{e['id']}"
        for e in ok(client.get("/v1/events", params={"source": source_id}))["items"]
    ]
    for url in pages:
        shown = _reader_text(client.get(url).text)
        assert hidden not in shown and hidden[:40] not in shown, url
    assert "[…]" in read_page(client.get(f"/sources/{source_id}")).text


def test_a_source_url_is_served_and_a_bad_one_named(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    path = seeds / "data" / "sources.yaml"
    text = path.read_text("utf-8")
    marker = f"- id: {SOURCE}\n"
    address = "https://www.example.org/2021/12/15/putin-xi"
    path.write_text(text.replace(marker, f"{marker}  url: {address}\n"), "utf-8")
    rows = build_dataset(seeds_dir=seeds).rows["source"]
    served = {row["id"]: json.loads(row["doc"]) for row in rows}
    assert served[SOURCE]["url"] == address
    assert {doc["url"] for key, doc in served.items() if key != SOURCE} == {None}
    path.write_text(text.replace(marker, f"{marker}  url: not an address\n"), "utf-8")
    with pytest.raises(SeedValidationError) as raised:
        build_dataset(seeds_dir=seeds)
    message = str(raised.value)
    assert "seeds/data/sources.yaml" in message and SOURCE in message and "url" in message


def test_garbled_aliases_are_kept_but_never_shown_as_spellings(client: TestClient) -> None:
    xi = ok(client.get("/v1/leaders/xi-jinping"))
    assert xi["garbled_aliases"] == ["Ji", "G", "Shi"]
    assert set(xi["garbled_aliases"]) <= set(xi["aliases"])
    response = client.get("/leaders/xi-jinping")
    page = read_page(response)
    assert "Also spelt" not in page.text
    assert page.count("garbled") == 1 and "“G”" in page.text
    assert page.count("spellings") == 0


def test_an_alias_of_unknown_kind_is_named(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    path = seeds / "data" / "people.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace('{name: "G", kind: garbled}', '{name: "G", kind: typo}'), "utf-8")
    with pytest.raises(SeedValidationError) as raised:
        build_dataset(seeds_dir=seeds)
    message = str(raised.value)
    assert "seeds/data/people.yaml" in message and "xi-jinping" in message
    assert "aliases" in message
