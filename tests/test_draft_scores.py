"""The draft (`python -m app draft`) scored on the seed articles against their curated records:
quotes with their speaker, figures with value, unit, period and qualifier, distractor numbers
rejected, the main event's date at its precision and its kind, every drafted span exact. The
scores are printed and must be the ones docs/dataset.md states; the targets are issue 28's.

Each article is drafted as a new one would be: from a copy outside seeds/sources, with its
curated publication date, and without its own curated trade figures to compare against."""

import re
import shutil
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from app.config import PROJECT_ROOT
from app.drafting.run import Result, draft_article
from app.seeding.records import EventRecord, ExclusionRecord, QuoteRecord, SourceRecord, TradeRecord
from app.seeding.spans import find_span
from tests.conftest import SEEDS_DIR

TARGET = 0.9
_NUMBER = re.compile(r"(?<![\w,.\-/])\d+(?:[.,]\d+)*(?:esim[oa]|°)?(?![\w])")
_MONTHS = (
    "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre"
)
MODELS: dict[str, type[BaseModel]] = {
    "sources": SourceRecord,
    "events": EventRecord,
    "quotes": QuoteRecord,
    "trade": TradeRecord,
    "exclusions": ExclusionRecord,
}


def _data(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((SEEDS_DIR / "data" / f"{name}.yaml").read_text(encoding="utf-8"))


@cache
def _drafts(tmp: Path) -> dict[str, tuple[str, Result]]:
    drafted = {}
    for source in _data("sources"):
        article = tmp / f"{source['id']}.txt"
        shutil.copy(SEEDS_DIR / "sources" / source["file_name"], article)
        result = draft_article(
            article, SEEDS_DIR, published=str(source["published_on"]), exclude_source=source["id"]
        )
        drafted[source["id"]] = (article.read_text(encoding="utf-8"), result)
    return drafted


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, Result]]:
    return _drafts(tmp_path_factory.mktemp("drafts"))


def _score(got: Counter[Any], want: Counter[Any]) -> tuple[float, float]:
    hits = sum((got & want).values())
    return hits / max(1, sum(got.values())), hits / max(1, sum(want.values()))


def _quote_scores(drafts: dict[str, tuple[str, Result]]) -> tuple[float, float]:
    got: Counter[Any] = Counter()
    for source_id, (_, result) in drafts.items():
        got += Counter(
            (source_id, q["text"], q["occurrence"], q["speaker"])
            for q in result.draft.records["quotes"]
        )
    want = Counter((q["source"], q["text"], q["occurrence"], q["speaker"]) for q in _data("quotes"))
    return _score(got, want)


def _figure_key(source: str, record: dict[str, Any]) -> tuple[Any, ...]:
    unit = record.get("unit") or record.get("currency")
    return (
        source,
        record["value"],
        record["unit_mult"],
        unit,
        record["period_type"],
        record["period"],
        record["qualifier"],
    )


def _figure_scores(drafts: dict[str, tuple[str, Result]]) -> tuple[float, float]:
    got: Counter[Any] = Counter()
    for source_id, (_, result) in drafts.items():
        got += Counter(_figure_key(source_id, t) for t in result.draft.records["trade"])
    want = Counter(_figure_key(t["source"], t) for t in _data("trade"))
    return _score(got, want)


def _distractors(text: str, curated: list[dict[str, Any]]) -> list[int]:
    """Positions of numbers that are not a curated figure's value: not years, not days of a
    month, not the number of a curated trade excerpt."""
    values = []
    for record in curated:
        span = find_span(text, record["excerpt"], record["occurrence"])
        assert span is not None
        written = record["value"].replace(".", ",")
        values.append(span[0] + text[span[0] : span[1]].find(written))
    found = []
    for match in _NUMBER.finditer(text):
        number = match.group()
        if re.fullmatch(r"(?:19|20)\d\d", number) or re.match(
            rf"\s+(?:{_MONTHS})", text[match.end() :]
        ):
            continue
        if (
            re.match(r"\s*\.", text[match.end() :])
            and not text[text.rfind("\n", 0, match.start()) + 1 : match.start()].strip()
        ):
            continue  # a numbered list's "1."
        if match.start() not in values:
            found.append(match.start())
    return found


def _distractor_score(drafts: dict[str, tuple[str, Result]]) -> tuple[int, int]:
    rejected = total = 0
    trade = _data("trade")
    for source_id, (text, result) in drafts.items():
        drafted = {f.number_at for f in result.figures}
        reasons = [(r.start, r.end) for r in result.rejected]
        for position in _distractors(text, [t for t in trade if t["source"] == source_id]):
            total += 1
            with_reason = any(s <= position < e for s, e in reasons)
            rejected += position not in drafted and with_reason
    return rejected, total


def _main_event(source_id: str) -> dict[str, Any]:
    quotes = Counter(q["event"] for q in _data("quotes") if q["source"] == source_id and q["event"])
    events = [e for e in _data("events") if any(s["source"] == source_id for s in e["sources"])]
    return max(events, key=lambda e: (quotes[e["id"]], -events.index(e)))


def _date_right(text: str, published: str, result: Result, curated: dict[str, Any]) -> bool:
    drafted = result.events[0]
    start = str(curated["start_date"])
    if drafted.kind != curated["kind"] or not start.startswith(drafted.date.start):
        return False
    if len(drafted.date.start) < len(published):
        return False  # coarser than the publication date the draft was given
    quoted = re.findall(r"\"([^\"]+)\"", curated.get("date_basis") or "")
    in_this_article = curated["date_evidence"] != "identified" and any(q in text for q in quoted)
    return drafted.date.precision == curated["date_precision"] if in_this_article else True


def _scores(drafts: dict[str, tuple[str, Result]]) -> dict[str, str]:
    qp, qr = _quote_scores(drafts)
    fp, fr = _figure_scores(drafts)
    rejected, total = _distractor_score(drafts)
    share = rejected / max(1, total)
    sources = {s["id"]: str(s["published_on"]) for s in _data("sources")}
    dates = sum(
        _date_right(text, sources[sid], result, _main_event(sid))
        for sid, (text, result) in drafts.items()
    )
    return {
        "quotes with speaker": f"precision {qp:.2f}, recall {qr:.2f}",
        "figures (value, unit, period, qualifier)": f"precision {fp:.2f}, recall {fr:.2f}",
        "distractor numbers rejected with a reason": f"{rejected}/{total} ({share:.2f})",
        "main event date at its precision, and kind": f"{dates}/{len(drafts)}",
    }


def test_the_draft_meets_the_targets_and_docs_state_its_scores(
    drafts: dict[str, tuple[str, Result]],
) -> None:
    scores = _scores(drafts)
    lines = [f"| {name} | {value} |" for name, value in scores.items()]
    print("\n" + "\n".join(lines))
    numbers = [float(n) for n in re.findall(r"\d\.\d\d", " ".join(scores.values()))]
    assert all(n >= TARGET for n in numbers), scores
    dates = scores["main event date at its precision, and kind"].split("/")
    assert dates[0] == dates[1], scores
    documented = (PROJECT_ROOT / "docs" / "dataset.md").read_text(encoding="utf-8")
    missing = [line for line in lines if line not in documented]
    assert not missing, "docs/dataset.md's draft scores are out of date; write:\n" + "\n".join(
        lines
    )


def test_every_drafted_span_is_exact_and_every_record_fits_its_seed_file(
    drafts: dict[str, tuple[str, Result]],
) -> None:
    for source_id, (text, result) in drafts.items():
        for found in result.quotes:
            passage = text[found.start : found.end]
            assert passage and passage == passage.strip(), (source_id, passage)
        for name, records in result.draft.records.items():
            for record in records:
                draft = record.pop("draft")
                assert 0 < draft["confidence"] < 1 and draft["clue"], (name, record)
                MODELS[name].model_validate(record)
                record["draft"] = draft
                passage = str(record.get("text") or record.get("excerpt") or "")
                if passage:
                    span = find_span(text, passage, record["occurrence"])
                    assert span is not None and text[span[0] : span[1]] == passage, (
                        source_id,
                        passage,
                    )
        drafted_quotes = {(q.start, q.end) for q in result.quotes if q.speakers}
        for record in result.draft.records["quotes"]:
            span = find_span(text, record["text"], record["occurrence"])
            assert span in drafted_quotes, (source_id, record["text"], record["occurrence"])
