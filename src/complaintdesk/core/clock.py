"""The one place that reads the wall clock. Domain code takes ``now`` as an argument instead."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local(dt: datetime) -> datetime:
    return dt.astimezone(LOCAL_TZ)


def supported_year(moment: datetime) -> bool:
    """Years 1900–2999: farther ones overflow when converted to UTC (the database) or to local
    time (every page showing them) — 0001-01-01T00:00+14:00, 9999-12-31T23:00-12:00 — so every
    time read from outside (API, cursors, mail Dates, webhooks) is held to them."""
    return 1900 <= moment.year <= 2999
