"""Geometry of the inline SVG charts; the templates draw it (templates/_charts.html).

Each chart is laid out twice, in a narrow frame for phones and a wide one for larger screens
(the stylesheet shows one): an SVG scales with its box, so one layout cannot keep its text at
12 px or more from 375 px to 1280 px. Time runs in proportion along the x axis (a year is as
wide as any other, an empty month keeps its place); every mark carries a <title> and a link,
and the same numbers are in a table under the chart.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LABEL_WIDTH = 36  # room an axis label such as "2021" needs, in the frames' units (13 px text)
DODGE = 15  # distance between the marks of one period, side by side


@dataclass(frozen=True)
class Frame:
    """The drawing box of one layout: drawn 1:1 up to its width, so text keeps its size."""

    name: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def baseline(self) -> int:
        return self.height - self.bottom


NARROW = Frame("narrow", width=340, height=250, left=44, right=12, top=28, bottom=44)
WIDE = Frame("wide", width=720, height=280, left=56, right=20, top=28, bottom=44)
FRAMES = (NARROW, WIDE)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


def _nice_step(maximum: float) -> float:
    raw = maximum / 4 or 1
    magnitude = 10 ** len(str(int(raw))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= raw:
            return step * magnitude
    return 10 * magnitude


def _y_ticks(top_value: float, y_of: Any) -> list[Tick]:
    step = _nice_step(top_value)
    ticks, value = [], 0.0
    while value <= top_value:
        ticks.append(Tick(y_of(value), f"{value:g}"))
        value += step
    return ticks


# ---- events per year or month ----------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    href: str
    value_label: bool  # the count written above the bar (when it has room)


@dataclass(frozen=True)
class Band:
    """Events dated only to a year, in a month chart: a band under the months of that year."""

    x: float
    width: float
    label: str
    count: int
    href: str
    show_count: bool  # the count written in the band (when it has room)


@dataclass(frozen=True)
class BarChart:
    frame: Frame
    bars: list[Bar]
    bands: list[Band]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    separators: list[float]  # x of year boundaries (month charts)
    band_y: float


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), 1
    end = int(last[:4])
    found = []
    while year <= end:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return found


def timeline_charts(timeline: dict[str, Any]) -> list[BarChart]:
    return [timeline_chart(timeline, frame) for frame in FRAMES]


def timeline_chart(timeline: dict[str, Any], frame: Frame = WIDE) -> BarChart:
    """A bar per period of the whole range, empty ones included, so that time is
    proportional; for months, the events known only to the year as a band under each year."""
    counts = {b["period"]: b["count"] for b in timeline["buckets"]}
    coarse = {b["period"]: b["count"] for b in timeline.get("coarser", [])}
    monthly = timeline.get("granularity") == "month"
    known = sorted([*counts, *(f"{year}-01" if monthly else year for year in coarse)])
    if monthly:
        periods = _months(known[0], known[-1]) if known else []
    else:
        numbers = [int(p[:4]) for p in known]
        periods = [str(y) for y in range(min(numbers), max(numbers) + 1)] if numbers else []
    maximum = max(counts.values(), default=0)
    top_value = maximum * 1.1 or 1
    band_room = 26 if coarse else 0
    plot_height = frame.baseline - frame.top - band_room
    baseline = frame.top + plot_height

    def y_of(value: float) -> float:
        return round(baseline - plot_height * value / top_value, 2)

    slot = frame.plot_width / max(len(periods), 1)
    bars = []
    for index, period in enumerate(periods):
        count = counts.get(period, 0)
        height = baseline - y_of(count)
        bars.append(
            Bar(
                x=round(frame.left + index * slot + slot * 0.12, 2),
                y=round(baseline - height, 2),
                width=round(max(slot * 0.76, 1), 2),
                height=round(height, 2),
                label=_month_words(period) if monthly else period,
                count=count,
                href=f"/events?date={period}",
                value_label=False,
            )
        )
    bars = _labelled(bars)
    x_ticks, separators, bands = [], [], []
    if monthly:
        years = sorted({p[:4] for p in periods})
        per_label = max(1, int(-(-LABEL_WIDTH // (slot * 12)))) if slot else 1
        for offset, year in enumerate(years):
            start = frame.left + periods.index(f"{year}-01") * slot
            if offset % per_label == 0:
                x_ticks.append(Tick(round(start + slot * 6, 2), year))
                if offset:
                    separators.append(round(start, 2))
            if year in coarse:
                bands.append(
                    Band(
                        x=round(start + 1, 2),
                        width=round(slot * 12 - 2, 2),
                        label=year,
                        count=coarse[year],
                        href=f"/events?date={year}",
                        show_count=slot * 12 >= 16,
                    )
                )
    else:
        per_label = max(1, int(-(-LABEL_WIDTH // slot))) if slot else 1
        x_ticks = [
            Tick(round(frame.left + (i + 0.5) * slot, 2), period)
            for i, period in enumerate(periods)
            if i % per_label == 0
        ]
    return BarChart(
        frame=frame,
        bars=bars,
        bands=bands,
        x_ticks=x_ticks,
        y_ticks=_y_ticks(top_value, y_of),
        separators=separators,
        band_y=baseline + 4,
    )


def _labelled(bars: list[Bar]) -> list[Bar]:
    """Write the count above each bar that has room for it, the tallest first when two
    compete: a label needs LABEL_WIDTH / 2 units clear of the next one."""
    room = LABEL_WIDTH * 0.6
    placed: list[float] = []
    for bar in sorted((b for b in bars if b.count), key=lambda b: -b.count):
        centre = bar.x + bar.width / 2
        if all(abs(centre - other) >= room for other in placed):
            placed.append(centre)
    chosen = set(placed)
    return [replace(b, value_label=b.x + b.width / 2 in chosen) for b in bars]


def _month_words(period: str) -> str:
    return f"{MONTHS[int(period[5:7]) - 1]} {period[:4]}"


# ---- trade series ------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    bound: str | None  # None: the figure; lower / upper: a bound, drawn as an arrow
    label: str  # the mark's title
    value_label: str  # the value written beside the mark ("" for none)
    href: str
    observation: dict[str, Any]
    label_y: float = 0  # the baseline of value_label: clear of the mark and of other labels


@dataclass(frozen=True)
class Target:
    """A target with a deadline: a marker at its period, at its level."""

    x: float
    y: float
    label: str
    value_label: str
    href: str


@dataclass(frozen=True)
class SeriesChart:
    frame: Frame
    points: list[Point]
    targets: list[Target]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    separators: list[float]
    notes: list[str] = field(default_factory=list)


def _when(observation: dict[str, Any]) -> dt.date | None:
    """Where a figure sits in time: a year's in its middle, a year-to-date or a month's at
    its end (the last month it counts)."""
    start, end = observation.get("period_start"), observation.get("period_end")
    if not end:
        return None
    last = dt.date.fromisoformat(end)
    if observation.get("period_type") == "annual" and start:
        first = dt.date.fromisoformat(start)
        return first + (last - first) / 2
    return last


def series_charts(
    observations: list[dict[str, Any]], targets: list[dict[str, Any]]
) -> list[SeriesChart]:
    return [series_chart(observations, targets, frame) for frame in FRAMES]


def series_chart(
    observations: list[dict[str, Any]], targets: list[dict[str, Any]], frame: Frame = WIDE
) -> SeriesChart:
    """Figures placed in time across whole years; the figures of one period side by side,
    the preferred one labelled with its value; dated targets as markers at their period."""
    dated = [(when, o) for o in observations if (when := _when(o)) is not None]
    aimed = [(when, t) for t in targets if (when := _when(t)) is not None]
    years = [when.year for when, _ in dated + aimed]
    first = dt.date(min(years, default=2000), 1, 1)
    last = dt.date(max(years, default=2000), 12, 31)
    span = (last - first).days + 1
    values = [o["value"] for _, o in dated + aimed]
    top_value = max(values, default=1) * 1.2 or 1
    plot_height = frame.baseline - frame.top

    def y_of(value: float) -> float:
        return round(frame.baseline - plot_height * value / top_value, 2)

    def x_of(when: dt.date) -> float:
        return round(frame.left + frame.plot_width * ((when - first).days + 0.5) / span, 2)

    by_period: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for when, o in dated:
        by_period[when].append(o)
    points = []
    for when, group in sorted(by_period.items(), key=lambda item: item[0]):
        # The preferred figure first, then the others in id order, side by side.
        group.sort(key=lambda o: (not o.get("preferred"), o["id"]))
        for index, o in enumerate(group):
            offset = (index - (len(group) - 1) / 2) * DODGE
            shown = bool(o.get("preferred")) or len(group) == 1
            points.append(
                Point(
                    x=round(x_of(when) + offset, 2),
                    y=y_of(o["value"]),
                    bound=o.get("bound"),
                    label=_point_label(o),
                    value_label=_value_label(o) if shown else "",
                    href=f"/trade/observations/{o['id']}",
                    observation=o,
                )
            )
    points = _placed_labels(points)
    year_count = last.year - first.year + 1
    if year_count == 1:  # one year: its quarters
        x_ticks = [
            Tick(x_of(dt.date(first.year, month, 1)), MONTHS[month - 1]) for month in (1, 4, 7, 10)
        ]
        x_ticks[0] = Tick(x_ticks[0].position + 14, f"Jan {first.year}")
    else:
        per_label = max(1, int(-(-LABEL_WIDTH // (frame.plot_width / year_count))))
        x_ticks = [
            Tick(x_of(dt.date(year, 7, 2)), str(year))
            for offset, year in enumerate(range(first.year, last.year + 1))
            if offset % per_label == 0
        ]
    separators = [x_of(dt.date(year, 1, 1)) for year in range(first.year + 1, last.year + 1)]
    return SeriesChart(
        frame=frame,
        points=points,
        targets=[
            Target(
                x=x_of(when),
                y=y_of(t["value"]),
                label=f"Target: {t['value_text']} by {period_words(t)} ({t['id']})",
                value_label=f"target {t['value']:g}",
                href=f"/trade/observations/{t['id']}",
            )
            for when, t in aimed
        ],
        x_ticks=x_ticks,
        y_ticks=_y_ticks(top_value, y_of),
        separators=[round(x, 2) for x in separators],
    )


CHAR_WIDTH = 8  # about the advance of a digit of the 13 px bold labels, in frame units


def _placed_labels(points: list[Point]) -> list[Point]:
    """Each value label beside its mark (above a dot or a lower bound's arrow, under an upper
    bound's), moved a line further away while it would overlap a label already placed."""
    placed: list[tuple[float, float, float]] = []  # (left, right, baseline)
    found = []
    for point in sorted(points, key=lambda p: p.x):
        if not point.value_label:
            found.append(point)
            continue
        away, y = {
            "lower": (-15, point.y - 35),
            "upper": (15, point.y + 46),
        }.get(point.bound or "", (-15, point.y - 11))
        half = len(point.value_label) * CHAR_WIDTH / 2
        left, right = point.x - half, point.x + half
        while any(left < x2 and x1 < right and abs(y - b) < 14 for x1, x2, b in placed):
            y += away
        placed.append((left, right, y))
        found.append(replace(point, label_y=round(y, 2)))
    return found


def period_words(o: dict[str, Any]) -> str:
    """A trade figure's period in words: 2024; Jan–Oct 2021; Mar 2023; no date."""
    start, end = o.get("period_start"), o.get("period_end")
    if not (start and end):
        return str(o.get("period") or "no date")
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return str(first.year)
    if first.year == last.year and first.month == last.month:
        return f"{MONTHS[first.month - 1]} {first.year}"
    if first.year == last.year:
        return f"{MONTHS[first.month - 1]}–{MONTHS[last.month - 1]} {first.year}"
    return f"{MONTHS[first.month - 1]} {first.year} – {MONTHS[last.month - 1]} {last.year}"


def _value_label(o: dict[str, Any]) -> str:
    bound = {"lower": ">", "upper": "<"}.get(o.get("bound") or "", "")
    return f"{bound}{o['value']:g}"


def _point_label(o: dict[str, Any]) -> str:
    bound = {"lower": "more than ", "upper": "less than "}.get(o.get("bound") or "", "")
    preferred = "" if o.get("preferred") else "; not the preferred figure"
    return f"{period_words(o)}: {bound}{o['value_text']} ({o['qualifier']}{preferred}), {o['id']}"
