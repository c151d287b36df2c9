"""The arithmetic of the reports (pure Python): periods, shares, averages, percentiles.

Every figure a report shows is computed by one of these functions from plain numbers, so the
tests can check them by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The ``pct``-th percentile by linear interpolation between closest ranks (as
    PostgreSQL's ``percentile_cont`` and numpy's default): p90 of 1..10 is 9.1."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def share(part: int, whole: int) -> float | None:
    """part / whole as a percentage (0–100), or None when there is nothing to divide."""
    return 100.0 * part / whole if whole else None


def per_hundred(count: int, customers: int | None) -> float | None:
    """Complaints per 100 customers (the telecom indicator), or None without a customer base."""
    return 100.0 * count / customers if customers else None


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day (inclusive)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def week_start(day: date) -> date:
    """Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def month_end(day: date) -> date:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    return month_end(date(start.year, start.month + 2, 1))


def previous_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last)


def quarters(start: date, end: date) -> list[Period]:
    """The calendar quarters that overlap ``start``–``end``, whole."""
    out: list[Period] = []
    q = quarter_start(start)
    while q <= end:
        out.append(Period(q, quarter_end(q)))
        q = quarter_end(q) + timedelta(days=1)
    return out


def bucket(counts: dict[date, int], start: date, end: date, grain: str) -> list[tuple[date, int]]:
    """Daily counts summed by ``grain`` (day, week, month), every bucket present (zeros too)."""
    key = {"day": lambda d: d, "week": week_start, "month": month_start}[grain]
    out: dict[date, int] = {}
    for day in days_between(start, end):
        out.setdefault(key(day), 0)
        out[key(day)] += counts.get(day, 0)
    return sorted(out.items())


def grain_for(start: date, end: date) -> str:
    """The natural grain of a chart over this range: days up to ~2 months, then weeks, months."""
    days = (end - start).days + 1
    return "day" if days <= 62 else "week" if days <= 190 else "month"


def top(counts: Iterable[tuple[str, int]], n: int = 10) -> list[tuple[str, int]]:
    """The ``n`` largest, ties by label."""
    return sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:n]
