"""Read and validate the seed files, and turn them into table rows (no database access)."""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.dates import first_day, last_day, period_bounds
from app.readmodel import write
from app.readmodel.contract import PASSAGE, event_search_text, quote_search_text
from app.readmodel.derive import derive_read_model
from app.readmodel.passages import passage_rows
from app.seeding.curation import SeedRecords, curation_problems
from app.seeding.problems import SeedProblem, SeedValidationError
from app.seeding.records import (
    CountryRecord,
    EventRecord,
    ExclusionRecord,
    PersonRecord,
    QuoteRecord,
    RedirectRecord,
    SourceRecord,
    TradeRecord,
)
from app.seeding.redirects import redirect_rows
from app.seeding.spans import find_span
from app.seeding.trade_preference import rank_claim_group

__all__ = ["Dataset", "SeedProblem", "SeedValidationError", "build_dataset", "dataset_version"]

RecordT = TypeVar("RecordT", bound=BaseModel)


@dataclass
class Dataset:
    """Every row the seed writes, table by table, plus the search documents."""

    version: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    search_documents: dict[str, dict[str, str]] = field(
        default_factory=lambda: {"event": {}, "quote": {}}
    )


class _Builder:
    def __init__(self, seeds_dir: Path) -> None:
        self.seeds_dir = seeds_dir
        self.data_dir = seeds_dir / "data"
        self.problems: list[SeedProblem] = []
        self.texts: dict[str, str] = {}

    def problem(self, file: str, record: str, field_name: str, message: str) -> None:
        self.problems.append(SeedProblem(file, record, field_name, message))

    def read(self, name: str, model: type[RecordT]) -> list[RecordT]:
        path = self.data_dir / f"{name}.yaml"
        label = f"seeds/data/{name}.yaml"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except FileNotFoundError:
            self.problem(label, "-", "-", "file is missing")
            return []
        except yaml.YAMLError as exc:
            self.problem(label, "-", "-", f"is not valid YAML: {exc}")
            return []
        if not isinstance(raw, list):
            self.problem(label, "-", "-", "must be a YAML list of records")
            return []
        records: list[RecordT] = []
        seen: set[str] = set()
        for index, item in enumerate(raw, start=1):
            record_id = _record_label(item, index)
            try:
                record = model.model_validate(item)
            except ValidationError as exc:
                for error in exc.errors():
                    location = ".".join(str(part) for part in error["loc"]) or "-"
                    self.problem(label, record_id, location, error["msg"])
                continue
            mark = getattr(record, "draft", None)
            if mark is not None:
                self.problem(
                    label,
                    record_id,
                    "draft",
                    f"is a draft (confidence {mark.confidence:.2f}; {mark.clue}): check it "
                    "against the article, correct it, and delete its `draft` field to confirm "
                    "it, or delete the record",
                )
            key = getattr(record, "id", None)
            if key is not None:
                if key in seen:
                    self.problem(label, key, "id", "duplicate id")
                seen.add(key)
            records.append(record)
        return records

    def span(
        self, file: str, record: str, field_name: str, source: str, passage: str, occurrence: int
    ) -> tuple[int, int] | None:
        text = self.texts.get(source)
        if text is None:
            self.problem(file, record, "source", f"unknown source '{source}'")
            return None
        span = find_span(text, passage, occurrence)
        if span is None:
            self.problem(
                file,
                record,
                field_name,
                f"text not found in source '{source}' (occurrence {occurrence}): {passage[:60]!r}",
            )
        return span

    def require(
        self, known: set[str], value: str | None, file: str, record: str, field_name: str, kind: str
    ) -> None:
        if value is not None and value not in known:
            self.problem(file, record, field_name, f"unknown {kind} '{value}'")


def _record_label(item: object, index: int) -> str:
    keys = ("id", "old_id")  # a redirect is known by the id it redirects
    found = [item[k] for k in keys if isinstance(item, dict) and isinstance(item.get(k), str)]
    return str(found[0]) if found else f"#{index}"


def _seed_files(seeds_dir: Path) -> Iterator[bytes]:
    for path in sorted((seeds_dir / "data").glob("*.yaml")) + sorted(
        (seeds_dir / "sources").glob("*.txt")
    ):
        yield path.relative_to(seeds_dir).as_posix().encode()
        yield hashlib.sha256(path.read_bytes()).digest()


def dataset_version(seeds_dir: Path) -> str:
    """A digest of every seed file and of the rendering code: it changes whenever the seed
    would change data, stored documents included."""
    return write.dataset_version(_seed_files(seeds_dir))


def build_dataset(*, seeds_dir: Path, curation: bool = True) -> Dataset:
    """Validate the seed files under `seeds_dir` and return the rows to load.

    `curation=False` skips the curation rules (app/seeding/curation.py) and keeps only what
    loading needs: tests of the loader use it to load deliberately partial datasets."""
    b = _Builder(seeds_dir)
    countries = b.read("countries", CountryRecord)
    people = b.read("people", PersonRecord)
    sources = b.read("sources", SourceRecord)
    events = b.read("events", EventRecord)
    quotes = b.read("quotes", QuoteRecord)
    trades = b.read("trade", TradeRecord)
    exclusions = b.read("exclusions", ExclusionRecord)
    redirects = b.read("redirects", RedirectRecord)
    data = Dataset(version=dataset_version(seeds_dir))
    rows = data.rows

    country_codes = {c.code for c in countries}
    rows["country"] = [c.model_dump() for c in countries]
    person_ids = {p.id for p in people}
    for p in people:
        b.require(country_codes, p.country, "seeds/data/people.yaml", p.id, "country", "country")
        rows["person"].append(
            {
                "id": p.id,
                "name": p.name,
                "country_code": p.country,
                "office": p.office,
                "wikidata_qid": p.wikidata_qid,
                "aliases": p.alias_rows(),
            }
        )

    for s in sources:
        path = seeds_dir / "sources" / s.file_name
        if not path.is_file():
            b.problem(
                "seeds/data/sources.yaml", s.id, "file_name", f"no file seeds/sources/{s.file_name}"
            )
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        b.texts[s.id] = text
        rows["source"].append(
            {
                "id": s.id,
                "file_name": s.file_name,
                "outlet": s.outlet,
                "author": s.author,
                "title": s.title,
                "language": s.language.value,
                "published_on": first_day(s.published_on),
                "published_precision": s.published_precision.value,
                "published_basis": s.published_basis,
                "sha256": hashlib.sha256(raw).hexdigest(),
                "char_count": len(text),
                "text": text,
                "url": s.url,
                "captured": s.captured,
            }
        )

    _build_events(b, data, events, country_codes, person_ids)
    event_lo = {row["id"]: row["date_lo"] for row in rows["event"]}
    source_lo = {row["id"]: row["published_on"] for row in rows["source"]}
    evidence = {row["id"]: row["date_evidence"] for row in rows["event"]}
    _build_quotes(b, data, quotes, (event_lo, source_lo), evidence, person_ids)
    _build_trade(b, data, trades, set(event_lo), country_codes, person_ids)
    for x in exclusions:
        label = f"{x.source}:{x.text[:40]}"
        span = b.span("seeds/data/exclusions.yaml", label, "text", x.source, x.text, x.occurrence)
        if span:
            rows["exclusion"].append(
                {
                    "source_id": x.source,
                    "span_start": span[0],
                    "span_end": span[1],
                    "kind": x.kind.value,
                    "text": x.text,
                    "reason": x.reason,
                }
            )
    current = {kind: {row["id"] for row in rows[kind]} for kind in ("event", "quote")}
    rows["public_id_redirect"], problems = redirect_rows(redirects, current=current)
    b.problems += problems
    if b.problems:
        raise SeedValidationError(b.problems)
    if curation:
        # The curation rules read the built rows, so they run once the records are sound.
        records = SeedRecords(people=people, sources=sources, events=events, quotes=quotes)
        problems = curation_problems(seeds_dir, records, data.rows)
        if problems:
            raise SeedValidationError(problems)
    derive_read_model(rows)
    # Passages need each source's excerpt_text, which the derivation renders.
    rows[PASSAGE] = passage_rows(rows["source"])
    data.search_documents[PASSAGE] = {row["id"]: row["text"] for row in rows[PASSAGE]}
    return data


def _build_events(
    b: _Builder,
    data: Dataset,
    events: list[EventRecord],
    country_codes: set[str],
    person_ids: set[str],
) -> None:
    file = "seeds/data/events.yaml"
    for e in events:
        lo, hi = first_day(e.start_date), last_day(e.end_date or e.start_date)
        if hi < lo:
            b.problem(file, e.id, "end_date", "is before start_date")
        b.require(country_codes, e.location_country, file, e.id, "location_country", "country")
        data.rows["event"].append(
            {
                "id": e.id,
                "kind": e.kind.value,
                "status": e.status.value,
                "start_date": first_day(e.start_date),
                "end_date": first_day(e.end_date) if e.end_date else None,
                "date_precision": e.date_precision.value,
                "date_evidence": e.date_evidence.value,
                "date_lo": lo,
                "date_hi": hi,
                "date_basis": e.date_basis,
                "title": e.title,
                "summary": e.summary,
                "context": e.context,
                "location": e.location,
                "location_country": e.location_country,
                "duration_minutes": e.duration_minutes,
            }
        )
        for p in e.participants:
            b.require(person_ids, p.person, file, e.id, "participants.person", "person")
            data.rows["event_participant"].append(
                {"event_id": e.id, "person_id": p.person, "role": p.role.value}
            )
        for code in dict.fromkeys(e.countries):
            b.require(country_codes, code, file, e.id, "countries", "country")
            data.rows["event_country"].append({"event_id": e.id, "country_code": code})
        for topic in dict.fromkeys(e.topics):
            data.rows["event_topic"].append({"event_id": e.id, "topic": topic.value})
        excerpts = []
        for ref in e.sources:
            span = b.span(file, e.id, "sources.excerpt", ref.source, ref.excerpt, ref.occurrence)
            if span:
                excerpts.append(ref.excerpt)
                data.rows["event_source"].append(
                    {
                        "event_id": e.id,
                        "source_id": ref.source,
                        "span_start": span[0],
                        "span_end": span[1],
                        "excerpt": ref.excerpt,
                    }
                )
        data.search_documents["event"][e.id] = event_search_text(
            title=e.title, summary=e.summary, excerpts=excerpts
        )


def _build_quotes(
    b: _Builder,
    data: Dataset,
    quotes: list[QuoteRecord],
    first_days: tuple[dict[str, dt.date], dict[str, dt.date]],
    evidence: dict[str, str],
    person_ids: set[str],
) -> None:
    """`first_days`: the first possible day of each event and of each source's publication;
    a quote sorts by said_on, else by its event, else (linked to no event) by its article.
    `evidence`: each event's date_evidence, which its quotes carry."""
    file = "seeds/data/quotes.yaml"
    event_lo, source_lo = first_days
    for q in quotes:
        b.require(person_ids, q.speaker, file, q.id, "speaker", "person")
        b.require(set(event_lo), q.event, file, q.id, "event", "event")
        span = b.span(file, q.id, "text", q.source, q.text, q.occurrence)
        if q.event is not None and q.event not in event_lo:
            continue
        sort_date = q.said_on or (event_lo[q.event] if q.event else source_lo.get(q.source))
        if span is None or sort_date is None:
            continue
        data.rows["quote"].append(
            {
                "id": q.id,
                "speaker_id": q.speaker,
                "event_id": q.event,
                "source_id": q.source,
                "span_start": span[0],
                "span_end": span[1],
                "text": q.text,
                "language": q.language.value,
                "translation_en": q.translation_en,
                "attribution": q.attribution.value,
                "via": q.via,
                "said_on": q.said_on,
                "date_evidence": evidence.get(q.event) if q.event else None,
                "sort_date": sort_date,
                "note": q.note,
            }
        )
        for topic in dict.fromkeys(q.topics):
            data.rows["quote_topic"].append({"quote_id": q.id, "topic": topic.value})
        data.search_documents["quote"][q.id] = quote_search_text(
            text=q.text, translation_en=q.translation_en
        )


def _build_trade(
    b: _Builder,
    data: Dataset,
    trades: list[TradeRecord],
    event_ids: set[str],
    country_codes: set[str],
    person_ids: set[str],
) -> None:
    file = "seeds/data/trade.yaml"
    built: list[dict[str, Any]] = []
    for t in trades:
        for name in ("country", "partner", "reporter"):
            b.require(country_codes, getattr(t, name), file, t.id, name, "country")
        b.require(person_ids, t.stated_by, file, t.id, "stated_by", "person")
        b.require(event_ids, t.event, file, t.id, "event", "event")
        start = end = None
        if t.period is not None:
            try:
                start, end = period_bounds(t.period, t.period_type)
            except ValueError as exc:
                b.problem(file, t.id, "period", str(exc))
        span = b.span(file, t.id, "excerpt", t.source, t.excerpt, t.occurrence)
        if span is None:
            continue
        country, partner = (t.country, t.partner)
        if t.flow.value == "total":
            country, partner = sorted((t.country, t.partner))
        built.append(
            {
                "id": t.id,
                "source_id": t.source,
                "span_start": span[0],
                "span_end": span[1],
                "excerpt": t.excerpt,
                "event_id": t.event,
                "country": country,
                "partner": partner,
                "flow": t.flow.value,
                "kind": t.kind.value,
                "period_type": t.period_type.value,
                "period": t.period,
                "period_start": start,
                "period_end": end,
                "value": float(t.value),
                "value_text": t.value,
                "decimals": len(t.value.partition(".")[2]),
                "currency": t.currency,
                "unit": t.unit.value if t.unit else None,
                "unit_mult": t.unit_mult,
                "qualifier": t.qualifier.value,
                "yoy_pct": float(t.yoy_pct) if t.yoy_pct is not None else None,
                "reporter": t.reporter,
                "agency": t.agency,
                "stated_by": t.stated_by,
                "milestone": t.milestone.value if t.milestone else None,
                "note": t.note,
                "claim_group": "-".join(
                    [
                        country,
                        partner,
                        t.flow.value,
                        t.kind.value,
                        t.currency or (t.unit.value if t.unit else ""),
                        t.period or "open",
                    ]
                ).lower(),
            }
        )
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in built:
        groups[row["claim_group"]].append(row)
    for members in groups.values():
        rank_claim_group(members)
    data.rows["trade_observation"] = built
