"""The benchmark tooling cannot rot: a tiny run of bench.run, and the floor held to the app.

`python -m bench.run --smoke` generates 200 events, starts ours and the floor (and Datasette
when it is installed), checks that the floor's bodies equal ours byte for byte on every
scenario, the filter matrix and small exports, measures each briefly with a Python client (no
wrk) and writes the results. Needs no wrk, no Datasette and no matplotlib; whatever is missing is
skipped by the driver itself. The floor imports nothing from the app, so the tests below check
its constants, cursors, search syntax and CSV columns against the app's.
"""

import base64
import importlib.util
import json
import operator
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, func, select, text

from app import migrations
from app.api.lists import EXPORT_BATCH
from app.config import Settings
from app.models import tables as t
from app.readmodel import contract
from app.readmodel.flatten import csv_columns
from app.schemas.events import EventPublic
from app.services.search import compile_query, normalise
from app.services.walks import DENSE_SEARCH, FETCH_AND_SORT_MAX, WHOLE_PER_ROW
from bench import floor
from bench import floor_queries as fq

ROOT = Path(__file__).resolve().parent.parent
COMPARE = {">=": operator.ge, "<=": operator.le, "<": operator.lt}
MAIN_SCENARIOS = {
    "events_by_date",
    "events_first_page",
    "events_deep_cursor",
    "event_by_id",
    "quotes_by_leader",
    "quote_fts",
    "trade_series",
}


def test_smoke_run_checks_bodies_and_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "results"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "identical on every scenario" in completed.stdout
    assert "| scenario | conns | ours req/s |" in completed.stdout
    assert "| filter matrix, one client |" in completed.stdout

    results = json.loads((out / "smoke-latest.json").read_text())
    assert set(results["scenarios"]) == MAIN_SCENARIOS
    assert all(entry["identical"] for entry in results["verified"].values())
    for entry in results["scenarios"].values():
        assert entry["ours"]["rps"] > 0 and entry["ours"]["errors"] == 0
        assert entry["floor"]["rps"] > 0
    matrix = results["matrix"]
    assert {name.split(":")[0] for name in matrix} == {"events", "quotes", "timeline"}
    assert any(name.endswith(":deep") for name in matrix)
    for name, entry in matrix.items():
        assert entry["ours"]["errors"] == entry["floor"]["errors"] == 0, name
        assert entry["ours"]["p50_ms"] > 0 and entry["floor"]["p50_ms"] > 0, name
    for fmt in ("csv", "ndjson"):
        assert results["export"][fmt]["ours"]["rows"] == 200 == results["meta"]["counts"]["events"]
        assert results["export"][fmt]["floor"]["rows"] == 200
    targets = {entry["target"]: entry for entry in results["targets"]}
    assert any("filter matrix" in target for target in targets)
    for name, entry in targets.items():
        # "<label> <op> <goal>": judged again here from the value the run measured.
        label, op, goal = name.rsplit(" ", 2)
        value = entry["value"]
        expected = None if value is None else COMPARE[op](value, float(goal))
        assert entry["met"] is expected, entry
        if "filter matrix" in label:  # the smoke run measures the matrix, so these have values
            assert isinstance(value, int | float), entry
    assert results["meta"]["read_model_cost"]["database bytes"] > 0
    has_datasette = importlib.util.find_spec("datasette") is not None
    assert ("datasette" in results["scenarios"]["event_by_id"]) == has_datasette
    if importlib.util.find_spec("matplotlib") is not None:
        assert (out / "smoke-latest.png").stat().st_size > 0


def test_generator_refuses_a_database_not_at_head(tmp_path: Path) -> None:
    from bench.generate import GeneratorError, generate

    with pytest.raises(GeneratorError, match="db upgrade"):
        generate(f"sqlite:///{tmp_path / 'empty.db'}", events=10, seed=1)


def test_generated_data_is_valid_and_deterministic(tmp_path: Path) -> None:
    from bench.generate import generate

    dumps = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        migrations.upgrade(database_url=url)
        result = generate(url, events=101, seed=3, sources=10, log=lambda _m: None)
        assert result["counts"]["event"] == 101 and result["counts"]["quote"] == 202
        engine = create_engine(url)
        with engine.connect() as c:
            bad_spans = c.execute(
                text(
                    "SELECT count(*) FROM quote q JOIN source s ON s.id = q.source_id "
                    "WHERE substr(s.text, q.span_start + 1, q.span_end - q.span_start) != q.text"
                )
            ).scalar_one()
            bad_excerpts = c.execute(
                text(
                    "SELECT count(*) FROM event_source e JOIN source s ON s.id = e.source_id "
                    "WHERE substr(s.text, e.span_start + 1, e.span_end - e.span_start) "
                    "!= e.excerpt"
                )
            ).scalar_one()
            preferred = c.execute(
                select(func.sum(t.trade_observation.c.preferred)).group_by(
                    t.trade_observation.c.claim_group
                )
            ).scalars()
            assert (bad_spans, bad_excerpts) == (0, 0)
            assert set(preferred) <= {0, 1}  # none where a claim group holds only bounds
            quote_id, body = c.execute(
                text("SELECT quote_id, body FROM quote_search LIMIT 1")
            ).one()
            quote_text, translation = c.execute(
                select(t.quote.c.text, t.quote.c.translation_en).where(t.quote.c.id == quote_id)
            ).one()
            assert body == normalise(f"{quote_text}\n{translation}")
            span = c.execute(text("SELECT max_event_span_days FROM dataset_meta")).scalar_one()
            assert (
                span
                == c.execute(
                    text("SELECT max(julianday(date_hi) - julianday(date_lo)) FROM event")
                ).scalar_one()
            )
            dumps.append(
                [
                    c.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
                    for table in ("event", "person", "event_posting", "posting_count")
                ]
            )
        engine.dispose()
    assert dumps[0] == dumps[1]


def test_floor_read_model_names_are_the_contracts() -> None:
    """The floor writes the read model's names out by hand (it must not import the app)."""
    assert fq.EVERYTHING == contract.EVERYTHING
    for floor_lists, listed in (
        (fq.EVENT_POSTINGS, contract.EVENTS),
        (fq.QUOTE_POSTINGS, contract.QUOTES),
    ):
        assert (
            floor_lists.kind,
            floor_lists.table,
            floor_lists.sort_column,
            floor_lists.id_column,
        ) == (listed.kind, listed.postings, listed.sort_column, listed.id_column)


def test_floor_constants_are_the_apps() -> None:
    settings = Settings()
    assert floor.FETCH_AND_SORT_MAX == fq.FETCH_AND_SORT_MAX == FETCH_AND_SORT_MAX
    assert (fq.DENSE_SEARCH, fq.WHOLE_PER_ROW) == (DENSE_SEARCH, WHOLE_PER_ROW)
    assert floor.EXPORT_BATCH == EXPORT_BATCH
    assert settings.default_page_size == floor.DEFAULT_LIMIT
    assert settings.max_page_size == floor.MAX_LIMIT
    assert Settings.model_fields["cursor_secret"].default == floor.SECRET_DEFAULT
    assert Settings.model_fields["export_max_rows"].default == floor.EXPORT_MAX_ROWS_DEFAULT
    headers = [name for name, _ in csv_columns(EventPublic)]
    assert floor.csv_header() == headers


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/events", "leader=vladimir-putin"),
        ("/v1/events", "leader=Q7747&country=CN&country=RU&sort=-date"),
        ("/v1/events", "kind=video_call&kind=phone_call&kind=video_call"),
        ("/v1/events", "date=2022&status=occurred"),
        ("/v1/events", "from=2021-07&to=2024"),
        ("/v1/events", "topic=trade&topic=trade&q=putin"),
        ("/v1/events", "source=anon-2021-12-15-putin-xi-videoconferenza&date=2021-12-15"),
        ("/v1/quotes", "leader=vladimir-putin&leader=xi-jinping"),
        ("/v1/quotes", "lang=it&attribution=direct&sort=-date&from=2020"),
        ("/v1/quotes", "topic=energy&topic=trade&to=2025&q=com*"),
    ],
)
def test_floor_cursors_are_the_routes(client: TestClient, path: str, query: str) -> None:
    """The floor binds a cursor to the same canonical parameters as the app's routes, and
    encodes and signs it the same way."""
    response = client.get(f"{path}?{query}&limit=1")
    assert response.status_code == 200, response.text
    token = response.json()["next_cursor"]
    assert token is not None, "pick parameters with more than one match"
    payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))[12:])
    params = [(name, value) for name, _, value in (p.partition("=") for p in query.split("&"))]
    descending = ("sort", "-date") in params
    if path == "/v1/events":
        identity = fq.identity("events", floor.event_filters(params), {"descending": descending})
    else:
        identity = fq.identity("quotes", floor.quote_filters(params), {"descending": descending})
    assert floor.fingerprint(identity) == payload["f"]
    assert floor.encode_cursor(payload["k"], payload["f"], payload["v"]) == token
    assert floor.decode_cursor(token, payload["f"]) == payload["k"]


@pytest.mark.parametrize(
    "q",
    ["gas", "Città", '"gas naturale"', "gas*", "sib* gas", "putin OR xi", "a OR b c*", "pre-fix*"],
)
def test_floor_search_syntax_is_the_apps(q: str) -> None:
    assert fq.fts5_query(q) == compile_query("sqlite", q)


def test_floor_exports_are_the_apps(client: TestClient, connection: Connection) -> None:
    """CSV (the stored lines under the header app/readmodel/flatten.py derives from the schema)
    and NDJSON, byte for byte."""
    rows = connection.execute(text("SELECT doc, csv_line FROM event ORDER BY date_lo, id")).all()
    docs, lines = [str(row[0]) for row in rows], [str(row[1]) for row in rows]
    assert len(docs) > 1
    csv = client.get("/v1/events?format=csv")
    assert csv.status_code == 200
    assert b"".join(floor.csv_rows(iter(lines))) == csv.content
    ndjson = client.get("/v1/events?format=ndjson")
    assert ndjson.status_code == 200
    assert b"".join(floor.ndjson_rows(iter(docs))) == ndjson.content
