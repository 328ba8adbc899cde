"""Adding an article by the checklist of docs/dataset.md works, and the data checks read the
seeds rather than today's counts: a small invented article (tests/fixtures/new_article/) with
one event and one quote is added to a copy of the seeds, and the checks run on that copy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.config import PROJECT_ROOT
from app.seeding.build import build_dataset
from app.seeding.curation import source_file_name
from tests.conftest import SEEDS_DIR

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "new_article"
# The tests whose expectations come from the seed files; they must pass on the copy too.
DATA_CHECKS = [
    "tests/test_curation.py",
    "tests/test_dataset.py",
    "tests/test_api_reference.py",
    "tests/test_api_events.py",
    "tests/test_api_quotes.py",
    "tests/test_api_trade.py",
]


def _with_new_article(tmp_path: Path, *, quotes: bool = True) -> tuple[Path, str, str]:
    """A copy of the seeds plus the fixture article; returns (seeds dir, file name, source id)."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    raw = (FIXTURE / "article.txt").read_bytes()
    name = source_file_name(len(list((seeds / "sources").glob("*.txt"))), raw)
    (seeds / "sources" / name).write_bytes(raw)
    records = yaml.safe_load((FIXTURE / "records.yaml").read_text(encoding="utf-8"))
    records["sources"][0]["file_name"] = name
    if not quotes:
        del records["quotes"]
    for file_stem, items in records.items():
        path = seeds / "data" / f"{file_stem}.yaml"
        with path.open("a", encoding="utf-8") as data_file:
            data_file.write("\n" + yaml.safe_dump(items, allow_unicode=True, sort_keys=False))
    return seeds, name, records["sources"][0]["id"]


def _run(args: list[str], seeds: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEEDS_DIR": str(seeds)}
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )


def test_seed_check_accepts_a_fully_curated_new_article(tmp_path: Path) -> None:
    seeds, _, source_id = _with_new_article(tmp_path)
    before = build_dataset(seeds_dir=SEEDS_DIR)
    after = build_dataset(seeds_dir=seeds)
    assert len(after.rows["source"]) == len(before.rows["source"]) + 1
    assert {row["source_id"] for row in after.rows["quote"]} >= {source_id}
    checked = _run(["-m", "app", "seed", "--check"], seeds)
    assert checked.returncode == 0, checked.stderr
    assert f"{len(after.rows['source'])} sources," in checked.stdout


def test_seed_check_names_the_new_articles_uncurated_quotation(tmp_path: Path) -> None:
    seeds, name, source_id = _with_new_article(tmp_path, quotes=False)
    checked = _run(["-m", "app", "seed", "--check"], seeds)
    assert checked.returncode == 1
    assert (
        f"seeds/sources/{name}: record '{source_id}', field 'text': quoted passage "
        "'Le nostre relazioni restano solide e guardano al futuro'"
    ) in checked.stderr


@pytest.mark.skipif(bool(os.environ.get("SEEDS_DIR")), reason="already running on a copy")
def test_the_data_checks_pass_with_the_new_article(tmp_path: Path) -> None:
    seeds, _, _ = _with_new_article(tmp_path)
    # SQLite only: this proves the tests read the seeds; the outer run covers PostgreSQL.
    nested = _run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not postgresql", *DATA_CHECKS],
        seeds,
    )
    assert nested.returncode == 0, nested.stdout[-4000:]
    assert " passed" in nested.stdout and " failed" not in nested.stdout
