"""/v1/leaders, /v1/sources, /v1/vocab, /problems and the health probes."""

import hashlib
import logging

import pytest
from fastapi.testclient import TestClient

from app.explorer.web import UNIT_WORDS
from app.vocab import Unit
from tests.conftest import SEEDS_DIR
from tests.helpers import assert_problem, ids, ok

# Every test here runs with reads placed as the services say (inline on SQLite where cheap)
# and with every read in a worker thread, on both databases.
pytestmark = pytest.mark.parametrize("placement", ["auto", "threads"], indirect=True)


def test_leaders_list_and_lookup_by_slug_or_qid(client: TestClient) -> None:
    leaders = {item["id"]: item for item in ok(client.get("/v1/leaders"))["items"]}
    assert leaders["vladimir-putin"]["wikidata_qid"] == "Q7747"
    assert leaders["xi-jinping"]["wikidata_qid"] == "Q15031"
    assert {"Ji", "G", "Shi"} <= set(leaders["xi-jinping"]["aliases"])
    assert ok(client.get("/v1/leaders/Q7747")) == ok(client.get("/v1/leaders/vladimir-putin"))
    putin = leaders["vladimir-putin"]
    for speech, count in (("own", "quote_count"), ("reported", "reported_speech_count")):
        params: dict[str, str | int] = {"leader": "vladimir-putin", "speech": speech, "limit": 200}
        assert putin[count] == len(ok(client.get("/v1/quotes", params=params))["items"])
    assert_problem(client.get("/v1/leaders/Q1"), 404)


def test_every_person_listed_took_part_in_an_event_or_is_quoted(client: TestClient) -> None:
    for leader in ok(client.get("/v1/leaders", params={"limit": 200}))["items"]:
        events = ids(client.get("/v1/events", params={"leader": leader["id"]}))
        assert events or leader["quote_count"] + leader["reported_speech_count"] > 0, leader["id"]


def test_sources_metadata_counts_and_verbatim_text(client: TestClient) -> None:
    sources = ok(client.get("/v1/sources", params={"limit": 200}))["items"]
    assert sorted(s["file_name"] for s in sources) == sorted(
        path.name for path in (SEEDS_DIR / "sources").glob("*.txt")
    )
    for source in sources:
        raw = (SEEDS_DIR / "sources" / source["file_name"]).read_bytes()
        assert source["sha256"] == hashlib.sha256(raw).hexdigest()
        detail = ok(client.get(f"/v1/sources/{source['id']}"))
        assert detail["text"] == raw.decode("utf-8")
        plain = client.get(f"/v1/sources/{source['id']}/text")
        assert plain.headers["content-type"].startswith("text/plain")
        assert plain.text == detail["text"]
        assert detail["counts"]["events"] >= 1
        events = ids(client.get("/v1/events", params={"source": source["id"], "limit": 200}))
        assert len(events) == detail["counts"]["events"]
    by_id = {source["id"]: source for source in sources}
    assert by_id["sovranismopopolare-2025-cina-russia-nuovi-traguardi"]["author"] == (
        "Giulio Chinappi"
    )
    # "Fonte: CNAWorld" credits what the Italian text adapts; it does not name its publisher.
    assert by_id["cnaworld-2025-putin-xi-video-call"]["outlet"] is None
    assert by_id["sovranismopopolare-2025-cina-russia-nuovi-traguardi"]["outlet"] == (
        "SovranismoPopolare"
    )
    assert_problem(client.get("/v1/sources/nope"), 404)
    assert_problem(client.get("/v1/sources/nope/text"), 404)


def test_vocab_lists_every_enum_with_event_codings(client: TestClient) -> None:
    vocab = ok(client.get("/v1/vocab"))
    kinds = {entry["code"]: entry for entry in vocab["event_kinds"]}
    assert kinds["phone_call"]["cameo_code"] == "041"
    assert kinds["state_visit"]["plover_mode"] == "visit"
    required = {
        "phone_call",
        "video_call",
        "meeting",
        "state_visit",
        "summit",
        "message",
        "ceremony",
        "agreement",
        "exercise",
        "other",
    }
    assert required <= kinds.keys()
    topics = {entry["code"] for entry in vocab["topics"]}
    assert {"trade", "energy", "nuclear", "ukraine", "taiwan", "multipolar-order"} <= topics
    assert {c["code"] for c in vocab["countries"]} >= {"CN", "RU", "US"}
    assert {q["code"] for q in vocab["qualifiers"]} == {
        "exact",
        "approximate",
        "lower_bound",
        "upper_bound",
    }
    # Every unit a trade figure may state is listed, with the words the explorer writes.
    units = {entry["code"]: entry["label"] for entry in vocab["units"]}
    assert units == {unit.value: UNIT_WORDS[unit.value] for unit in Unit}
    assert units["m3"] == "cubic metres"


def test_problem_types_resolve(client: TestClient) -> None:
    problem = assert_problem(client.get("/v1/events/none"), 404)
    described = ok(client.get(problem["type"]))
    assert described["status"] == 404
    assert_problem(client.get("/problems/no-such-problem"), 404)


def test_health_and_readiness(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    assert ok(client.get("/healthz")) == {"status": "ok"}
    with caplog.at_level(logging.DEBUG):
        response = client.get("/readyz")
    ready = ok(response)
    assert ready["status"] == "ready" and len(ready["dataset_version"]) == 16
    # Probes describe this moment: never cached, and no log lines of their own per call.
    for probe in ("/healthz", "/readyz"):
        probed = client.get(probe)
        assert probed.headers["cache-control"] == "no-store", probe
        assert "etag" not in probed.headers, probe
    assert not [r for r in caplog.records if r.name.startswith("alembic")], caplog.text
