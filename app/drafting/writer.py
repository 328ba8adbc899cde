"""Turn what the finders found into seed records, in the seed files' fields and order, each with
`draft: {confidence, clue}` so that `seed --check` refuses it until a curator confirms it."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.drafting.dates import parse_published
from app.drafting.events import EventDraft
from app.drafting.figures import Figure, Rejected
from app.drafting.people import People, country_codes
from app.drafting.quotes import Found
from app.drafting.text import Article
from app.seeding.snippets import occurrence_at, record_yaml

KIND_WORDS = {
    "video_call": "hold a video call", "phone_call": "hold a phone call", "meeting": "meet",
    "state_visit": "state visit", "summit": "meet at a summit", "message": "message",
    "ceremony": "attend a ceremony", "agreement": "agreement", "exercise": "joint exercise",
    "other": "event",
}  # fmt: skip
_DATED = re.compile(r"\b(?:19|20)\d\d\b|\b(?:negli ultimi|in passato|all[’']inizio)\b", re.I)
FILES = ("sources", "events", "quotes", "trade", "exclusions")


def slug(text: str, words: int = 5) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = [w for w in re.findall(r"[a-z0-9]+", ascii_text) if len(w) > 2][:words]
    return "-".join(parts) or "x"


@dataclass
class Draft:
    """The records of one article, by seed file."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {f: [] for f in FILES})

    def add(self, file: str, record: dict[str, Any], confidence: float, clue: str) -> None:
        if "id" in record:
            taken = {r["id"] for r in self.records[file]}
            base, n = record["id"], 2
            while record["id"] in taken:
                record["id"], n = f"{base}-{n}", n + 1
        record["draft"] = {"confidence": round(max(0.05, min(confidence, 0.99)), 2), "clue": clue}
        self.records[file].append(record)

    def write(self, directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for file, items in self.records.items():
            path = directory / f"{file}.yaml"
            header = (
                f"# Draft {file} records: check each against the article, then delete its `draft` "
                "field.\n"
            )
            body = "\n\n".join(record_yaml(item) for item in items)
            path.write_text(header + (body + "\n" if items else "[]\n"), encoding="utf-8")
            written.append(path)
        return written


def file_name_for(article: Path, seeds_dir: Path) -> str:
    raw = article.read_bytes()
    sources = seeds_dir / "sources"
    if article.resolve().parent == sources.resolve():
        return article.name
    number = len(list(sources.glob("*.txt")))
    return f"{number:03d}_{hashlib.sha256(raw).hexdigest()[:16]}.txt"


class Writer:
    def __init__(self, article: Article, people: People, source_id: str) -> None:
        self.article = article
        self.text = article.text
        self.people = people
        self.source_id = source_id
        self.draft = Draft()

    def short(self, person_id: str) -> str:
        """The name an id uses: the family name (first in Chinese names, last otherwise)."""
        person = self.people.people.get(person_id)
        if person is None:
            return person_id
        parts = person_id.split("-")
        return (
            parts[0] if person.country in ("CN", "JP", "KR", "VN") and len(parts) > 1 else parts[-1]
        )

    def excerpt(self, start: int, end: int) -> dict[str, Any]:
        passage = self.text[start:end]
        return {"excerpt": passage, "occurrence": occurrence_at(self.text, passage, start) or 1}

    def source(
        self,
        file_name: str,
        published: str,
        basis: str,
        outlet: str | None,
        url: str | None,
        confidence: float,
    ) -> None:
        first_line = self.text.strip().splitlines()[0].strip() if self.text.strip() else ""
        title = (
            first_line
            if self.article.headings
            and self.text.lstrip().startswith(first_line)
            and first_line
            and self.article.is_heading(self.text.find(first_line))
            else None
        )
        _, precision = parse_published(published)
        name = slug(outlet or "anon", 2)
        record = {
            "id": f"{name}-{published}-{slug(title or self.text[:80], 4)}",
            "file_name": file_name,
            "outlet": outlet,
            "author": None,
            "title": title,
            "captured": "full",
            "language": "it",
            "published_on": published,
            "published_precision": precision,
            "published_basis": basis,
            "url": url,
        }
        clue = (
            "outlet and author as given (null when not); title: the first line if it is a hea"
            "ding; captured: full unless you kept only the opening"
        )
        self.draft.add("sources", record, confidence, clue)
        self.source_id = str(record["id"])

    def event(self, event: EventDraft) -> str:
        names = [self.people.people[p].name for p in event.participants if p in self.people.people]
        who = " and ".join(names) or "<participants>"
        countries = sorted(
            {self.people.people[p].country for p in event.participants if p in self.people.people}
        )
        surnames = "-".join(self.short(p) for p in event.participants if p in self.people.people)
        record = {
            "id": f"{event.date.start}-{surnames or 'event'}-{event.kind.replace('_', '-')}",
            "kind": event.kind,
            "status": event.status,
            "start_date": event.date.start,
            "end_date": None,
            "date_precision": event.date.precision,
            "date_evidence": event.date.evidence,
            "date_basis": event.date.basis,
            "title": f"{who} {KIND_WORDS[event.kind]}",
            "summary": "TO WRITE: what the article says about this event, and only that.",
            "context": None,
            "location": None,
            "location_country": None,
            "duration_minutes": None,
            "participants": [{"person": p, "role": "participant"} for p in event.participants],
            "countries": countries
            or sorted(country_codes(self.text[event.sentence.start : event.sentence.end]))
            or sorted(country_codes(self.text)[:2]),
            "topics": [],
            "sources": [
                {"source": self.source_id, **self.excerpt(event.sentence.start, event.sentence.end)}
            ],
        }
        confidence = min(event.date.confidence, 0.8 if event.main else 0.4)
        self.draft.add("events", record, confidence, f"{event.clue}; date: {event.date.basis}")
        return str(self.draft.records["events"][-1]["id"])

    def quote(self, found: Found, main_event: EventDraft | None, event_id: str | None) -> None:
        passage = self.text[found.start : found.end]
        occurrence = occurrence_at(self.text, passage, found.start) or 1
        sentence = self.article.sentence_of(found.start)
        outside = self.text[sentence.start : found.start]
        linked = event_id if main_event and not _DATED.search(outside) else None
        said_on = None
        if (
            linked
            and main_event
            and main_event.date.precision == "day"
            and main_event.date.evidence != "identified"
        ):
            said_on = main_event.date.start
        date_part = (said_on or (main_event.date.start if linked and main_event else "")).strip()
        notes = "; ".join(found.notes) or None
        for speaker in found.speakers:
            short = self.short(speaker)
            record: dict[str, Any] = {
                "id": "-".join(p for p in ("q", date_part, short, slug(passage, 4)) if p),
                "speaker": speaker,
                "event": linked,
                "source": self.source_id,
                "text": passage,
                "occurrence": occurrence,
                "language": found.language,
                "translation_en": passage
                if found.language == "en"
                else "TO WRITE: English translation of the Italian as printed",
                "attribution": found.attribution,
                "via": None,
                "said_on": said_on,
                "topics": [],
                "note": notes,
            }
            clue = found.clue + (f"; {notes}" if notes else "")
            self.draft.add("quotes", record, found.confidence, clue)

    def exclusion(self, start: int, end: int, kind: str, reason: str, confidence: float) -> None:
        passage = self.text[start:end]
        record = {
            "source": self.source_id,
            "text": passage,
            "occurrence": occurrence_at(self.text, passage, start) or 1,
            "kind": kind,
            "reason": reason,
        }
        self.draft.add("exclusions", record, confidence, reason)

    def figure(self, fig: Figure, number: str, event_id: str | None, countries: list[str]) -> None:
        pair = sorted(countries[:2]) if len(countries) >= 2 else ["<ISO alpha-2>", "<ISO alpha-2>"]
        period_part = (fig.period or "target").replace("-01-01/P", "-").lower()
        record: dict[str, Any] = {
            "id": f"t-{number}-{period_part}-{fig.flow}-{fig.value.replace('.', '-')}",
            "source": self.source_id,
            **self.excerpt(fig.start, fig.end),
            "event": event_id,
            "country": pair[0],
            "partner": pair[1],
            "flow": fig.flow,
            "kind": fig.kind,
            "period_type": fig.period_type,
            "period": fig.period,
            "value": fig.value,
            "currency": fig.currency,
            **({"unit": fig.unit} if fig.unit is not None else {}),
            "unit_mult": fig.unit_mult,
            "qualifier": fig.qualifier,
            "yoy_pct": fig.yoy_pct,
            "reporter": fig.reporter,
            "agency": fig.agency,
            "stated_by": fig.stated_by,
            "milestone": fig.milestone,
            "note": None,
        }
        self.draft.add(
            "trade",
            record,
            fig.confidence,
            "; ".join(fig.clues) or "value, period and qualifier as written",
        )

    def rejected(self, item: Rejected) -> None:
        self.exclusion(item.start, item.end, "figure", item.reason, 0.7 if item.has_scale else 0.6)
