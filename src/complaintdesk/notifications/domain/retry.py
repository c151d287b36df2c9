"""Retry policy for deliveries, in pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=6)
    max_attempts: int = 8
    lease: timedelta = timedelta(minutes=10)  # a "sending" row older than this was abandoned

    def delay(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failed attempt: base, 2×base, 4×base… up to ``cap``."""
        if attempts < 1:
            return timedelta(0)
        factor: int = 2 ** min(attempts - 1, 30)
        delay: timedelta = min(self.cap, self.base * factor)
        return delay

    def after_failure(self, *, attempts: int, now: datetime, permanent: bool) -> datetime | None:
        """When to try again, or ``None`` when the notice is dead (no more attempts)."""
        if permanent or attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts)
