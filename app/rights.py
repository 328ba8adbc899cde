"""Under what terms everything the service publishes may be reused, and how to cite it.

One place for these facts: /v1/meta (app/services/meta.py), the explorer's footer and the
README say them from here, and tests/test_rights.py checks CITATION.cff and pyproject.toml
agree with them.
"""

from app import __version__

TITLE = "Diplomatic Events: leader-level diplomacy, fact by fact"
AUTHORS = "The Diplomatic Events API contributors"
VERSION = __version__

CODE_LICENSE = {
    "spdx": "MIT",
    "name": "MIT License",
    "url": "https://spdx.org/licenses/MIT.html",
    "applies_to": "The code: the service, its seed scripts, tests and documentation",
}
DATA_LICENSE = {
    "spdx": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "applies_to": "The curated records: events, quotes' attributions and translations, trade "
    "figures, people, spans and their curation notes (seeds/data/ and what the API serves "
    "from them)",
}
ARTICLE_TEXT_STATEMENT = (
    "The source articles are third-party news texts. They are quoted for research, criticism "
    "and review, so that every record can be checked against the passage it comes from; their "
    "rights remain with their publishers, and the CC BY 4.0 licence of the records does not "
    "extend to them."
)


def citation(dataset_version: str | None) -> str:
    """How to cite the dataset, in one line (the dataset version once the seed has run)."""
    dataset = f", dataset {dataset_version}" if dataset_version else ""
    return (
        f"{AUTHORS}. {TITLE} (version {VERSION}{dataset}). Records licensed {DATA_LICENSE['spdx']}."
    )
