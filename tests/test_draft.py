"""`python -m app draft` on an invented article written unlike the seed articles: guillemets,
"ieri", an energy volume in words, another country's trade, ages and anniversaries. What it
writes is in the seed files' format, marked as drafts that `seed --check` refuses."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from app.config import PROJECT_ROOT
from app.drafting.run import draft_article
from app.seeding.curation import source_file_name
from tests.conftest import SEEDS_DIR

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "draft" / "article.txt"


def _draft(tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    article = tmp_path / "article.txt"
    shutil.copy(FIXTURE, article)
    command = [sys.executable, "-m", "app", "draft", str(article), "--published", "2025-02-05",
               "--outlet", "Il Quotidiano", "--url", "https://example.org/articolo"]  # fmt: skip
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert "main event: phone_call on 2025-02-04 (day, identified)" in done.stdout
    folder = tmp_path / "article.draft"
    assert (folder / "report.txt").read_text(encoding="utf-8").strip() == done.stdout.strip()
    files = ("sources", "events", "quotes", "trade", "exclusions")
    return {
        name: yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
        for name in files
    }


def test_quotes_in_guillemets_get_their_speakers_and_channels(tmp_path: Path) -> None:
    quotes = _draft(tmp_path)["quotes"]
    found = {(q["text"], q["speaker"], q["attribution"]) for q in quotes}
    assert found == {
        ("Le nostre relazioni non sono mai state così solide", "vladimir-putin", "readout"),
        ("lavorare fianco a fianco", "xi-jinping", "readout"),
        ("affidabile", "xi-jinping", "agency"),
    }
    assert all(q["event"] == quotes[0]["event"] and q["said_on"] is None for q in quotes)
    assert {q["note"] for q in quotes if len(str(q["text"]).split()) <= 4} == {
        "fragment (4 words)", "fragment (1 word)"
    }  # fmt: skip


def test_figures_volumes_and_distractors(tmp_path: Path) -> None:
    records = _draft(tmp_path)
    figures = {
        (t["value"], t.get("currency"), t.get("unit"), t["period"], t["qualifier"], t["kind"],
         t["yoy_pct"])
        for t in records["trade"]
    }  # fmt: skip
    assert figures == {
        ("240", "USD", None, "2024", "approximate", "actual", "-2"),
        ("300", "USD", None, "2030", "lower_bound", "target", None),
        ("10", None, "m3", "2023", "exact", "actual", None),
    }
    reasons = {x["text"]: x["reason"] for x in records["exclusions"]}
    assert reasons["65 miliardi di dollari"].startswith("Another country's trade (IN)")
    assert reasons["75° anniversario"].startswith("An anniversary")
    assert reasons["72 anni"].startswith("An age")
    assert reasons["12 funzionari"].startswith("A count")


def test_drafts_are_refused_by_seed_check_until_confirmed(tmp_path: Path) -> None:
    records = _draft(tmp_path)
    source = records["sources"][0]
    assert (source["outlet"], source["url"], source["captured"]) == (
        "Il Quotidiano", "https://example.org/articolo", "full"
    )  # fmt: skip
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    raw = FIXTURE.read_bytes()
    assert source["file_name"] == source_file_name(
        len(list((seeds / "sources").glob("*.txt"))), raw
    )
    (seeds / "sources" / str(source["file_name"])).write_bytes(raw)
    for name, items in records.items():
        with (seeds / "data" / f"{name}.yaml").open("a", encoding="utf-8") as handle:
            handle.write("\n" + yaml.safe_dump(items, allow_unicode=True, sort_keys=False))
    env = {**os.environ, "SEEDS_DIR": str(seeds)}
    checked = subprocess.run([sys.executable, "-m", "app", "seed", "--check"], cwd=PROJECT_ROOT,
                             env=env, capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 1
    drafts = [line for line in checked.stderr.splitlines() if "field 'draft': is a draft" in line]
    assert len(drafts) == sum(len(items) for items in records.values())


def test_without_a_publication_date_the_year_is_guessed_and_said(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Nel 2019 Putin ha incontrato Xi in un vertice.\n", encoding="utf-8")
    result = draft_article(article, SEEDS_DIR)
    assert result.published == "2019" and result.published_guessed
    assert result.draft.records["sources"][0]["draft"]["confidence"] < 0.5


def test_a_speaker_missing_from_people_yaml_is_named_not_replaced_by_a_leader(
    tmp_path: Path,
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "Putin e Xi si sono sentiti ieri in videochiamata.\n\n"
        "«È stato un colloquio produttivo», ha detto il portavoce del Cremlino Dmitri Peskov.\n\n"
        "Il ministro degli Esteri cinese Wang Yi ha aggiunto: «Le relazioni sono solide».\n",
        encoding="utf-8",
    )
    quotes = draft_article(article, SEEDS_DIR, published="2025-03-01").draft.records["quotes"]
    assert [(q["speaker"], q["draft"]["confidence"]) for q in quotes] == [
        ("dmitri-peskov", 0.5),
        ("wang-yi", 0.5),
    ]
    assert "add 'Wang Yi'" in quotes[1]["note"]
