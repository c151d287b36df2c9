"""Measure working-day deadline computations per second on one core.

Run from the repository root:  .venv/bin/python benchmarks/bench_calendar.py

It builds the ``vn-official`` calendar for 2024–2027, then times
``add_working_days(start, n)`` for starts spread over 2024–2026 (every hour of every day, so the
local day changes often) and n in 3..7, in one thread. It prints the figure for the warm path
(memoised per start day and n, as in production) and for the cold path (caches cleared before
each round), plus elapsed and business-hour additions for comparison.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from complaintdesk.sla.domain.calendar import WorkingCalendar
from complaintdesk.sla.domain.vietnam import build_calendar

N_STARTS = 20_000
ROUNDS = 7


def _starts() -> list[datetime]:
    first = datetime(2024, 1, 1, tzinfo=UTC)
    return [first + timedelta(hours=i * 1.3) for i in range(N_STARTS)]


def _rate(label: str, calls: int, seconds: float) -> float:
    rate = calls / seconds
    print(f"{label:<58} {rate:>12,.0f} /s  ({calls:,} calls in {seconds:.3f} s)")
    return rate


def bench_days(cal: WorkingCalendar, starts: list[datetime], *, cold: bool) -> float:
    add = cal.add_working_days
    ns = [3 + i % 5 for i in range(len(starts))]
    best = float("inf")
    for _ in range(ROUNDS):
        if cold:
            cal._st.days.clear()  # drop the memo, keep the year tables
        t0 = time.perf_counter()
        for s, n in zip(starts, ns, strict=True):
            add(s, n)
        best = min(best, time.perf_counter() - t0)
    label = "add_working_days(start, 3..7), " + ("cold memo" if cold else "warm")
    return _rate(label, len(starts), best)


def bench_hours(cal: WorkingCalendar, starts: list[datetime], *, business: bool) -> float:
    add = cal.add_hours
    sample = starts[: len(starts) // 4]
    t0 = time.perf_counter()
    for s in sample:
        add(s, 24, business=business)
    label = "add_hours(start, 24" + (", business=True)" if business else ")")
    return _rate(label, len(sample), time.perf_counter() - t0)


def main() -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"load average before the run: {load} (other work on the machine lowers the figures)")
    t0 = time.perf_counter()
    cal = build_calendar("vn-official", years=range(2024, 2028))
    print(f"build_calendar('vn-official', 2024–2027): {(time.perf_counter() - t0) * 1000:.1f} ms")
    starts = _starts()
    cal.add_working_days(starts[0], 3)  # build the year tables once
    warm = bench_days(cal, starts, cold=False)
    bench_days(cal, starts, cold=True)
    bench_hours(cal, starts, business=False)
    bench_hours(cal, starts, business=True)
    verdict = "meets" if warm >= 100_000 else "MISSES"
    print(f"=> {warm:,.0f} working-day deadlines per second on one core ({verdict} 100,000/s)")


if __name__ == "__main__":
    main()
