"""Working calendars built from the database, cached in-process.

``calendar_get(slug)`` returns the domain :class:`WorkingCalendar` for a ``Calendar`` row, its
``CalendarDay`` rows and the active ``GovernmentDecision`` rows. Built calendars are cached per
process and thrown away as soon as any of those tables changes: every call reads one small
"stamp" (row counts and latest ``updated_at`` of the three tables, one query), so an
administrator's edit applies to the next computation without a restart.

Built-in calendars (``vn-official``, ``vn-labor-code``, ``24x7``) are created by a data migration;
if their rows are missing (a test database flushed between tests), the built-in definition is
used as is. Likewise an empty decisions table means "the built-in decisions".
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection

from complaintdesk.core.clock import utcnow
from complaintdesk.core.memo import TtlMemo
from complaintdesk.sla.domain.calendar import DayOverride, WorkingCalendar
from complaintdesk.sla.domain.vietnam import BUILTIN_DECISIONS, GovernmentDecision, build_calendar
from complaintdesk.sla.domain.weekly import WeeklyInvalid, parse_weekly
from complaintdesk.sla.models import Calendar, CalendarDay
from complaintdesk.sla.models import GovernmentDecision as DecisionRow

logger = logging.getLogger(__name__)

DEFAULT_CALENDAR = "vn-official"
ALWAYS_OPEN = "24x7"

#: The rows the data migration creates (and the fallback when a row is missing).
BUILTIN_CALENDARS: tuple[dict[str, Any], ...] = (
    {
        "slug": "vn-official",
        "name": "Lịch hành chính nhà nước",
        "name_en": "Public-sector calendar",
        "base": "vn-official",
        "is_default": True,
    },
    {
        "slug": "vn-labor-code",
        "name": "Lịch theo Bộ luật Lao động",
        "name_en": "Labor Code calendar",
        "base": "vn-labor-code",
        "is_default": False,
    },
    {
        "slug": "24x7",
        "name": "24/7 (tổng đài)",
        "name_en": "24/7 (hotline)",
        "base": "24x7",
        "is_default": False,
    },
)
BUILTIN_SLUGS = frozenset(c["slug"] for c in BUILTIN_CALENDARS)

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], WorkingCalendar]] = {}


stamps: TtlMemo[tuple[Any, ...]] = TtlMemo("calendar stamp")  # cleared by sla.apps signals


def calendar_stamp() -> tuple[Any, ...]:
    """Counts and latest ``updated_at`` of calendars, calendar days and decisions (one query,
    remembered for ``REFERENCE_CACHE_SECONDS``: a change made in this process counts at once)."""
    return stamps.get("stamp", _read_stamp)


def _read_stamp() -> tuple[Any, ...]:
    parts = []
    for model in (Calendar, CalendarDay, DecisionRow):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(updated_at) FROM {table})")  # noqa: S608 - our own table names
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(parts))  # table names come from our models
        row = cur.fetchone()
    return tuple(row or ())


def _decisions(stamp: tuple[Any, ...]) -> list[GovernmentDecision]:
    if not stamp[4]:
        return list(BUILTIN_DECISIONS)
    return [
        GovernmentDecision(d.day, d.working, d.name, d.reference, d.name_en)
        for d in DecisionRow.objects.filter(active=True).order_by("day")
    ]


def _row(slug: str) -> Calendar | None:
    row = Calendar.objects.filter(slug=slug).first()
    if row is None:
        for builtin in BUILTIN_CALENDARS:
            if builtin["slug"] == slug:
                return Calendar(**builtin)
    return row


def _build(row: Calendar, stamp: tuple[Any, ...]) -> WorkingCalendar:
    weekly = None
    if row.weekly and row.base != ALWAYS_OPEN:
        try:
            weekly = parse_weekly(row.weekly)
        except WeeklyInvalid as exc:
            logger.error("calendar %s: invalid weekly hours ignored (%s)", row.slug, exc)
    try:
        tz = ZoneInfo(row.timezone or "Asia/Ho_Chi_Minh")
    except (ZoneInfoNotFoundError, ValueError):
        logger.error("calendar %s: unknown time zone %r ignored", row.slug, row.timezone)
        tz = ZoneInfo("Asia/Ho_Chi_Minh")
    overrides: list[DayOverride] = []
    if row.pk and row.base != ALWAYS_OPEN:
        overrides = [
            DayOverride(d.day, d.working, d.name, d.reference, d.name_en)
            for d in CalendarDay.objects.filter(calendar=row).order_by("day")
        ]
    year = utcnow().year
    cal = build_calendar(
        row.base,
        years=range(year - 1, year + 2),
        decisions=_decisions(stamp),
        org_overrides=overrides,
        culture_day=row.culture_day,
        weekly=weekly,
        tz=tz,
    )
    return cal if cal.slug == row.slug else replace(cal, slug=row.slug)


def calendar_get(slug: str) -> WorkingCalendar:
    """The working calendar ``slug``; ``LookupError`` when there is no such (active) calendar."""
    stamp = calendar_stamp()
    hit = _cache.get(slug)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    row = _row(slug)
    if row is None or not row.active:
        raise LookupError(slug)
    cal = _build(row, stamp)
    with _lock:
        _cache[slug] = (stamp, cal)
    return cal


def calendar_cached(slug: str) -> WorkingCalendar:
    """The calendar ``slug`` as last built in this process, without checking it is current.

    For what a calendar change cannot affect in practice (its time zone, to display an instant
    already computed); deadlines are always computed with :func:`calendar_get`."""
    hit = _cache.get(slug)
    return hit[1] if hit is not None else calendar_get(slug)


def calendar_exists(slug: str) -> bool:
    if slug in BUILTIN_SLUGS and not Calendar.objects.filter(slug=slug).exists():
        return True
    return Calendar.objects.filter(slug=slug, active=True).exists()


def default_calendar_slug() -> str:
    row = Calendar.objects.filter(is_default=True, active=True).order_by("slug").first()
    return row.slug if row else DEFAULT_CALENDAR


def calendar_clear_cache(*_args: Any, **_kwargs: Any) -> None:
    """Forget built calendars (signature fits a signal receiver)."""
    stamps.clear()
    with _lock:
        _cache.clear()


def calendar_day_reason(slug: str, day: date, lang: str = "vi") -> str | None:
    """Why ``day`` is not a working day on ``slug`` (None for a working day)."""
    return calendar_get(slug).day_reason(day, lang)
