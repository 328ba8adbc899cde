"""Write a validated dataset to the database in one transaction: all or nothing."""

from sqlalchemy import Engine

from app.readmodel.write import replace_dataset
from app.seeding.build import Dataset


def load_dataset(*, engine: Engine, dataset: Dataset, force: bool = False) -> bool:
    """Replace the stored dataset with `dataset`; return False when it was already loaded."""
    return replace_dataset(
        engine,
        version=dataset.version,
        rows=dataset.rows,
        search_documents=dataset.search_documents,
        force=force,
    )
