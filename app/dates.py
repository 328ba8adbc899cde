"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) and SDMX-style periods as concrete day ranges."""

import calendar
import datetime as dt
import re

from app.vocab import DatePrecision, PeriodType

_DURATION = re.compile(r"^P(\d+)([YMD])$")


def first_day(value: str) -> dt.date:
    """The first day a partial ISO date can denote."""
    parts = [int(part) for part in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(value: str) -> dt.date:
    """The last day a partial ISO date can denote."""
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    year = parts[0]
    month = parts[1] if len(parts) > 1 else 12
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# How many characters of an ISO date a precision keeps: 2021-07-06, 2021-07, 2021.
DATE_WIDTH = {
    DatePrecision.day.value: 10,
    DatePrecision.month.value: 7,
    DatePrecision.year.value: 4,
}


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by a number of whole months (day of month clamped)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_bounds(period: str, period_type: PeriodType) -> tuple[dt.date, dt.date]:
    """First and last day of an SDMX period string such as `2024` or `2021-01-01/P10M`."""
    if "/" in period:
        start_text, duration = period.split("/", 1)
        start = dt.date.fromisoformat(start_text)
        match = _DURATION.match(duration)
        if match is None:
            raise ValueError(f"'{duration}' is not a duration such as P10M")
        amount, unit = int(match.group(1)), match.group(2)
        if unit == "D":
            end = start + dt.timedelta(days=amount - 1)
        else:
            end = add_months(start, amount * (12 if unit == "Y" else 1)) - dt.timedelta(days=1)
        return start, end
    expected = {PeriodType.annual: 4, PeriodType.month: 7}.get(period_type)
    if expected is None or len(period) != expected:
        raise ValueError(f"'{period}' is not a valid period for period_type {period_type.value}")
    return first_day(period), last_day(period)


PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def partial_date_bounds(value: str) -> tuple[dt.date, dt.date]:
    """First and last day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; ValueError if impossible."""
    if PARTIAL_DATE_RE.match(value) is None:
        raise ValueError("use YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        return first_day(value), last_day(value)
    except ValueError as exc:
        raise ValueError(f"no such date: {exc}") from exc
