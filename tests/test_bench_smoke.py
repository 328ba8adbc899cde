"""The benchmark tooling cannot rot: a tiny run of bench.run and a few of its invariants.

`python -m bench.run --smoke` generates 200 events, starts ours and the floor (and Datasette
when it is installed), checks that the floor's bodies equal ours byte for byte, measures each
briefly with a Python client (no wrk) and writes the results. Needs no wrk, no Datasette and no
matplotlib; whatever is missing is skipped by the driver itself.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from app import migrations
from app.models import tables as t
from app.services.pagination import encode_cursor, query_fingerprint
from app.services.search import normalise

ROOT = Path(__file__).resolve().parent.parent


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

    results = json.loads((out / "smoke-latest.json").read_text())
    scenarios = {
        "events_by_date",
        "events_first_page",
        "events_deep_cursor",
        "event_by_id",
        "quotes_by_leader",
        "quote_fts",
        "trade_series",
    }
    assert set(results["scenarios"]) == scenarios
    assert all(entry["identical"] for entry in results["verified"].values())
    for entry in results["scenarios"].values():
        assert entry["ours"]["rps"] > 0 and entry["ours"]["errors"] == 0
        assert entry["floor"]["rps"] > 0
    assert results["export"]["ours"]["rows"] == results["meta"]["counts"]["events"] == 200
    assert results["export"]["floor"]["rows"] == 200
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
            dumps.append(c.execute(text("SELECT * FROM event ORDER BY id")).all())
        engine.dispose()
    assert dumps[0] == dumps[1]


def test_floor_cursor_matches_ours() -> None:
    from bench import floor

    fingerprint = query_fingerprint([("", "/v1/events"), ("from", "2010")])
    assert floor.fingerprint("/v1/events", [("from", "2010"), ("limit", "5")]) == fingerprint
    key = ["2010-01-02", "2010-01-02-putin-xi-phone-call-7"]
    assert floor.encode_cursor(key, fingerprint) == encode_cursor(key=key, fingerprint=fingerprint)
    assert floor.decode_cursor(floor.encode_cursor(key, fingerprint), fingerprint) == key
