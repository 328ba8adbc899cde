"""`seed --check` finds what Italian papers print: quotations in every mark style, numbers
written in words, unbalanced marks; its messages carry the YAML to paste; drafts are refused
until confirmed; `occurrence` numbers a passage as the loader counts it."""

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.seeding.build import SeedValidationError, build_dataset
from app.seeding.completeness import FIGURE
from app.seeding.curation import source_file_name
from app.seeding.number_words import parse_number
from app.seeding.quotations import scan
from tests.conftest import SEEDS_DIR

ARTICLE = (
    "Xi ha detto: «Siamo amici da sempre». Putin ha risposto „Lo siamo“ e ‹bene›.\n"
    "Il portavoce ha parlato di 'pace giusta' dell'anno e di ‘senza limiti’ nell’intesa.\n"
    'Il ministro: "Avanti" e “Insieme”, con ” marchi rovesciati “ anche.\n'
    "Gli scambi valgono dieci miliardi di dollari, o 12,5 mld, e centoventi milioni di dosi.\n"
    "Un paragrafo «senza chiusura.\n"
)


def _inner(text: str) -> list[str]:
    return [text[q.start : q.end] for q in scan(text)[0]]


def test_every_mark_style_is_a_quotation_and_apostrophes_are_not() -> None:
    assert _inner(ARTICLE) == [
        "Siamo amici da sempre",
        "Lo siamo",
        "bene",
        "pace giusta",
        "senza limiti",
        "Avanti",
        "Insieme",
        "marchi rovesciati",
    ]
    unbalanced = scan(ARTICLE)[1]
    assert [
        (ARTICLE[u.position], ARTICLE[u.position + 1 : u.position + 6]) for u in unbalanced
    ] == [("«", "senza")]
    assert _inner("L'Italia e l’Europa: quest'anno un po' di tutt'altro.") == []


@pytest.mark.parametrize(
    ("written", "value"),
    [("dieci", "10"), ("centoventitré", "123"), ("ventotto", "28"), ("duemilacinquecento", "2500"),
     ("due e mezzo", "2.5"), ("244,8", "244.8"), ("1.000", "1000"), ("settecentottanta", "780")],
)  # fmt: skip
def test_numbers_in_words_and_digits_are_read(written: str, value: str) -> None:
    parsed = parse_number(written)
    assert parsed is not None and format(parsed.normalize(), "f") == value


def test_figures_in_words_and_abbreviations_are_found() -> None:
    found = [m.group() for m in FIGURE.finditer(ARTICLE)]
    assert found == ["dieci miliardi", "12,5 mld", "centoventi milioni"]
    assert [m.group() for m in FIGURE.finditer("oltre miliardi di persone, quanti milioni")] == []


def _seeds_with(tmp_path: Path, text: str, extra: dict[str, list[dict[str, object]]]) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    raw = text.encode()
    name = source_file_name(len(list((seeds / "sources").glob("*.txt"))), raw)
    (seeds / "sources" / name).write_bytes(raw)
    source = {"id": "test-marks", "file_name": name, "language": "it", "published_on": "2024",
              "published_precision": "year", "published_basis": "Invented for a test."}  # fmt: skip
    for stem, items in {"sources": [source], **extra}.items():
        with (seeds / "data" / f"{stem}.yaml").open("a", encoding="utf-8") as handle:
            handle.write("\n" + yaml.safe_dump(items, allow_unicode=True, sort_keys=False))
    return seeds


def test_seed_check_lists_each_quotation_and_figure_with_yaml_to_paste(tmp_path: Path) -> None:
    seeds = _seeds_with(tmp_path, ARTICLE, {})
    with pytest.raises(SeedValidationError) as caught:
        build_dataset(seeds_dir=seeds)
    report = str(caught.value)
    for passage in _inner(ARTICLE):
        assert f"quoted passage {passage!r}" in report
    assert "figure 'dieci miliardi'" in report and "figure '12,5 mld'" in report
    assert "quotation mark '«'" in report and "has no partner" in report
    # The pasted YAML parses and names the passage and its occurrence.
    message = next(p.message for p in caught.value.problems if "'Lo siamo'" in p.message)
    exclusion = message.split("add to seeds/data/exclusions.yaml:\n", 1)[1]
    assert yaml.safe_load(exclusion) == [
        {"source": "test-marks", "text": "Lo siamo", "occurrence": 1, "kind": "quote",
         "reason": "<why it is not a quote: headline, term, policy name, repeat of q-...>"}
    ]  # fmt: skip


def test_a_draft_record_is_refused_until_confirmed(tmp_path: Path) -> None:
    text = "Il ministro ha detto “Avanti”.\n"
    draft = {"confidence": 0.4, "clue": "no speaker verb"}
    exclusion = {"source": "test-marks", "text": "Avanti", "occurrence": 1, "kind": "quote",
                 "reason": "A test."}  # fmt: skip
    seeds = _seeds_with(tmp_path, text, {"exclusions": [{**exclusion, "draft": draft}]})
    with pytest.raises(SeedValidationError) as caught:
        build_dataset(seeds_dir=seeds)
    assert "field 'draft': is a draft (confidence 0.40; no speaker verb)" in str(caught.value)
    confirmed = _seeds_with(tmp_path / "again", text, {"exclusions": [exclusion]})
    assert build_dataset(seeds_dir=confirmed).rows["exclusion"][-1]["text"] == "Avanti"


def test_occurrence_prints_the_number_a_record_gives(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("“caro amico” e poi ancora “caro amico”.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["occurrence", str(article), "caro amico"])
    assert result.exit_code == 0
    assert "occurrence: 2  (characters 27–37)" in result.output
    missing = CliRunner().invoke(cli, ["occurrence", str(article), "nemico"])
    assert missing.exit_code == 1
    source = yaml.safe_load((get_settings().seeds_dir / "data" / "sources.yaml").read_text())[0]
    by_id = CliRunner().invoke(cli, ["occurrence", source["id"], "Putin"])
    assert by_id.exit_code == 0 and "occurrence: 1" in by_id.output
