"""The counts docs/dataset.md and README.md print are the seeds' (regenerate them with
`python -m app.seeding.summary --write`)."""

from app.config import PROJECT_ROOT
from app.seeding.build import build_dataset
from app.seeding.summary import ARTICLES_PHRASE, articles_phrase, counts_block

# The documents describe the repository's seeds, whatever SEEDS_DIR points the suite at.
DATASET = build_dataset(seeds_dir=PROJECT_ROOT / "seeds")


RUN_SUMMARY = "run: .venv/bin/python -m app.seeding.summary --write"


def test_dataset_doc_counts_are_generated_from_the_seeds() -> None:
    document = (PROJECT_ROOT / "docs" / "dataset.md").read_text(encoding="utf-8")
    block = counts_block(DATASET)
    assert block in document, RUN_SUMMARY


def test_readme_names_as_many_articles_as_there_are_sources() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    phrases = ARTICLES_PHRASE.findall(readme)
    assert phrases == [articles_phrase(DATASET)], RUN_SUMMARY
