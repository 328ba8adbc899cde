"""Trade observations of the synthetic benchmark dataset."""

import datetime as dt
import itertools
from typing import Any

from app.dates import period_bounds
from app.seeding.trade_preference import rank_claim_group
from app.vocab import PeriodType
from bench import words as w
from bench.dataset import Dataset


def trade_rows(data: Dataset) -> list[dict[str, Any]]:
    """Trade observations of ten country pairs, ranked into claim groups as the seed ranks
    them; about a fifth are stated with an event of the sample."""
    rng = data.rng
    pairs = [("CN", "RU"), ("CN", "US"), ("DE", "RU"), ("IT", "RU"), ("CN", "IT")]
    pairs += [("IN", "RU"), ("CN", "DE"), ("CN", "KZ"), ("RU", "TR"), ("CN", "BR")]
    periods: list[tuple[str, str, str, str]] = []  # (country, partner, period_type, period)
    for country, partner in pairs:
        for year in range(1990, 2027):
            periods.append((country, partner, "annual", str(year)))
    for year in range(2015, 2027):
        for month in range(1, 13):
            periods.append(("CN", "RU", "month", f"{year}-{month:02d}"))
        for months in (3, 6, 9, 10, 11):
            periods.append(("CN", "RU", "ytd", f"{year}-01-01/P{months}M"))
    rows: list[dict[str, Any]] = []
    counter = itertools.count(1)
    people = [person.id for person in data.people[:40]]
    for country, partner, period_type, period in periods:
        for flow in ("total", "export", "import"):
            if flow != "total" and period_type != "annual":
                continue
            low, high = (country, partner) if flow != "total" else sorted((country, partner))
            start, end = period_bounds(period, PeriodType(period_type))
            base = rng.uniform(5, 250)
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                rows.append(
                    _observation(
                        data,
                        next(counter),
                        low,
                        high,
                        flow,
                        "actual",
                        period_type,
                        period,
                        start,
                        end,
                        base,
                        people,
                    )
                )
    for number in range(20):
        country, partner = pairs[number % len(pairs)]
        low, high = sorted((country, partner))
        rows.append(
            _observation(
                data,
                next(counter),
                low,
                high,
                "total",
                "target",
                "open",
                None,
                None,
                None,
                100.0 + 50 * number,
                people,
            )
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["claim_group"], []).append(row)
    for members in groups.values():
        rank_claim_group(members)
    return rows


def _observation(
    data: Dataset,
    number: int,
    country: str,
    partner: str,
    flow: str,
    kind: str,
    period_type: str,
    period: str | None,
    start: dt.date | None,
    end: dt.date | None,
    base: float,
    people: list[str],
) -> dict[str, Any]:
    rng = data.rng
    source = rng.choice(data.sources)
    span_start, span_end, excerpt, _ = data.excerpt(source)
    decimals = rng.choice((0, 1, 1, 2))
    value_text = f"{base * rng.uniform(0.97, 1.03):.{decimals}f}"
    agency = rng.choice(w.AGENCIES) if rng.random() < 0.4 else None
    slug = (period or "open").replace("/", "-").lower()
    return {
        "id": f"t-{number:05d}-{country.lower()}-{partner.lower()}-{flow}-{slug}",
        "source_id": source.id,
        "span_start": span_start,
        "span_end": span_end,
        "excerpt": excerpt,
        "event_id": rng.choice(data.event_ids_sample) if rng.random() < 0.2 else None,
        "country": country,
        "partner": partner,
        "flow": flow,
        "kind": kind,
        "period_type": period_type,
        "period": period,
        "period_start": start,
        "period_end": end,
        "value": float(value_text),
        "value_text": value_text,
        "decimals": decimals,
        "currency": "USD",
        "unit": None,
        "unit_mult": 9,
        "qualifier": rng.choices(
            ("exact", "approximate", "lower_bound", "upper_bound"),
            cum_weights=(60, 85, 95, 100),
        )[0],
        "yoy_pct": round(rng.uniform(-30, 40), 1) if rng.random() < 0.5 else None,
        "reporter": rng.choice((country, partner, None)),
        "agency": agency,
        "stated_by": rng.choice(people) if agency is None and rng.random() < 0.5 else None,
        "milestone": "record" if rng.random() < 0.05 else None,
        "note": None,
        "claim_group": "-".join([country, partner, flow, kind, "USD", period or "open"]).lower(),
    }
