"""Geometry of the inline SVG charts; the templates draw it (templates/_charts.html).

Charts are drawn in a fixed viewBox and scale with the page, so they read at 375 px as at
1200 px; every mark carries a <title> and a link, and the same numbers are in a table.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    href: str
    coarse: bool  # counts events dated only to the year (month charts show them apart)
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    maximum: int
    baseline: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP


def timeline_chart(timeline: dict[str, Any]) -> BarChart:
    """Bars per period, then (for months) one bar per year of events dated only to the year."""
    entries = [(b["period"], b["count"], False) for b in timeline["buckets"]]
    entries += [(b["period"], b["count"], True) for b in timeline.get("coarser", [])]
    maximum = max((count for _, count, _ in entries), default=0)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(entries), 1)
    every = max(1, round(len(entries) / 12))  # at most about 12 axis labels
    bars = []
    for index, (period, count, coarse) in enumerate(entries):
        height = plot_height * count / maximum if maximum else 0
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.1, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(max(slot * 0.8, 1), 2),
                height=round(height, 2),
                label=period,
                count=count,
                href=f"/events?date={period}",
                coarse=coarse,
                show_label=index % every == 0,
            )
        )
    return BarChart(bars=bars, maximum=maximum, baseline=TOP + plot_height)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    bound: str | None  # None: the figure; lower / upper: a bound, drawn as an arrow
    label: str
    href: str
    observation: dict[str, Any]


@dataclass(frozen=True)
class Level:
    y: float
    label: str
    href: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class SeriesChart:
    points: list[Point]
    levels: list[Level]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    baseline: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    notes: list[str] = field(default_factory=list)


def _when(observation: dict[str, Any]) -> dt.date | None:
    value = observation.get("period_end") or observation.get("period_start")
    return dt.date.fromisoformat(value) if value else None


def _nice_step(maximum: float) -> float:
    raw = maximum / 4 or 1
    magnitude = 10 ** len(str(int(raw))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= raw:
            return step * magnitude
    return 10 * magnitude


def series_chart(observations: list[dict[str, Any]], targets: list[dict[str, Any]]) -> SeriesChart:
    """Observations placed by the end of their period; targets as levels across the chart."""
    # Preferred figures last, so that they are drawn over the others of their period.
    dated = [
        (when, o)
        for o in sorted(observations, key=lambda o: bool(o.get("preferred")))
        if (when := _when(o)) is not None
    ]
    values = [o["value"] for _, o in dated] + [t["value"] for t in targets]
    top_value = max(values, default=1) * 1.15 or 1
    step = _nice_step(top_value)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height

    def y_of(value: float) -> float:
        return round(baseline - plot_height * value / top_value, 2)

    days = [when.toordinal() for when, _ in dated]
    low, high = (min(days), max(days)) if days else (0, 1)
    span = max(high - low, 1)

    def x_of(when: dt.date) -> float:
        if high == low:
            return LEFT + plot_width / 2
        return round(LEFT + 24 + (plot_width - 48) * (when.toordinal() - low) / span, 2)

    points = [
        Point(
            x=x_of(when),
            y=y_of(o["value"]),
            bound=o.get("bound"),
            label=_point_label(o),
            href=f"/trade/observations/{o['id']}",
            observation=o,
        )
        for when, o in dated
    ]
    levels = [
        Level(
            y=y_of(t["value"]),
            label=f"target {t['value_text']} ({t.get('period') or 'no date'})",
            href=f"/trade/observations/{t['id']}",
        )
        for t in targets
    ]
    periods = {when: _period_label(o) for when, o in dated}
    x_ticks = [Tick(x_of(when), label) for when, label in sorted(periods.items())]
    if len(x_ticks) > 10:
        x_ticks = x_ticks[:: len(x_ticks) // 10 + 1]
    y_ticks = []
    value = 0.0
    while value <= top_value:
        y_ticks.append(Tick(y_of(value), f"{value:g}"))
        value += step
    return SeriesChart(points, levels, x_ticks, y_ticks, baseline)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _period_label(o: dict[str, Any]) -> str:
    """2024 for a year; Jan–Oct 2021 for a span of months within a year; else the period."""
    start, end = o.get("period_start"), o.get("period_end")
    if not (start and end):
        return str(o.get("period") or "")
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return str(first.year)
    if first.year == last.year:
        return f"{MONTHS[first.month - 1]}–{MONTHS[last.month - 1]} {first.year}"
    return str(o.get("period") or "")


def _point_label(o: dict[str, Any]) -> str:
    bound = {"lower": "more than ", "upper": "less than "}.get(o.get("bound") or "", "")
    return f"{o.get('period')}: {bound}{o['value_text']} ({o['qualifier']}), {o['id']}"
