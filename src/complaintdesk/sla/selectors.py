"""Reads: a complaint's clocks, what the sweep must handle, deadline questions.

The sweep selectors read through partial indexes (see ``sla.models.Clock.Meta.indexes``):

* ``clocks_due_for_warning(now)`` — running, ``warn_at <= now``, not yet warned;
* ``clocks_due_for_breach(now)`` — running and ``due_at <= now`` (then ``clock_mark_breached``);
* ``clocks_due_for_escalation(now)`` — ``escalate_at <= now`` (then ``clock_mark_escalated``
  with ``clock.escalated_level + 1``; ``clock_next_escalation(clock)`` says to whom).

Each returns a queryset ordered by the instant, with the complaint joined; slice it for batches.
The sweep itself (``sla.jobs.select_due``) writes the same conditions in SQL, to lock the
complaints in the same statement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

from complaintdesk.core.clock import LOCAL_TZ
from complaintdesk.core.errors import NotFound, ValidationFailed
from complaintdesk.sla.calendars import calendar_cached, calendar_get
from complaintdesk.sla.domain.calendar import Deadline
from complaintdesk.sla.domain.clocks import ClockSpec, EscalationLevel
from complaintdesk.sla.domain.weekly import format_weekly
from complaintdesk.sla.models import Calendar, Clock, ClockState

MAX_WORKING_DAYS = 3650
MAX_HOURS = 87600


def _lang(lang: str | None) -> str:
    return "en" if (lang or get_language() or "vi").startswith("en") else "vi"


def _display(clock: Clock, lang: str) -> str:
    if clock.due_at is None:
        return "clock paused" if lang == "en" else "đang tạm dừng"
    local = clock.due_at.astimezone(calendar_tz(clock))
    unit = clock.spec.get("target", {})
    if "working_days" in unit and local.hour == 0 and local.minute == 0:
        last = local - timedelta(days=1)
        hhmm, day = "24:00", f"{last:%d/%m/%Y}"
    else:
        hhmm, day = f"{local:%H:%M}", f"{local:%d/%m/%Y}"
    return f"{hhmm} on {day}" if lang == "en" else f"{hhmm} ngày {day}"


def calendar_tz(clock: Clock) -> Any:
    try:
        return calendar_cached(clock.calendar).tz
    except LookupError:
        return LOCAL_TZ


def clock_as_dict(clock: Clock, lang: str | None = None) -> dict[str, Any]:
    lang = _lang(lang)
    return {
        "name": clock.name,
        "run": clock.run,
        "label": clock.label_en if lang == "en" and clock.label_en else clock.label,
        "state": clock.state,
        "due_at": clock.due_at,
        "due_display": _display(clock, lang),
        "started_at": clock.started_at,
        "stopped_at": clock.stopped_at,
        "warn_at": clock.warn_at,
        "breached_at": clock.breached_at,
        "escalated_level": clock.escalated_level,
        "explanation": clock.explanation_en if lang == "en" else clock.explanation,
        "explanation_en": clock.explanation_en,
    }


def clocks_for(complaint: Any, lang: str | None = None) -> list[dict[str, Any]]:
    """The complaint's clocks for display: the latest run of each name, in start order.

    ``[{name, label, state, due_at, due_display, explanation, …}]``; ``explanation`` is in the
    active language (or ``lang``), ``explanation_en`` always English.
    """
    complaint_id = getattr(complaint, "pk", complaint)
    return clocks_as_dicts(Clock.objects.filter(complaint_id=complaint_id), lang)


def clocks_as_dicts(clocks: Iterable[Clock], lang: str | None = None) -> list[dict[str, Any]]:
    """:func:`clocks_for` from clock rows in hand (e.g. those the intake has just started)."""
    latest: dict[str, Clock] = {}
    for clock in clocks:
        if clock.name not in latest or clock.run > latest[clock.name].run:
            latest[clock.name] = clock
    ordered = sorted(latest.values(), key=lambda c: (c.started_at, c.pk))
    return [clock_as_dict(c, lang) for c in ordered]


def clocks_of(complaint: Any) -> QuerySet[Clock]:
    """Every run of every clock of the complaint (for history screens)."""
    return Clock.objects.filter(complaint_id=getattr(complaint, "pk", complaint)).order_by(
        "started_at", "id"
    )


def clocks_due_for_warning(now: datetime) -> QuerySet[Clock]:
    return (
        Clock.objects.filter(
            state=ClockState.RUNNING,
            warned_at__isnull=True,
            warn_at__isnull=False,
            warn_at__lte=now,
        )
        .select_related("complaint")
        .order_by("warn_at", "id")
    )


def clocks_due_for_breach(now: datetime) -> QuerySet[Clock]:
    return (
        Clock.objects.filter(state=ClockState.RUNNING, due_at__lte=now)
        .select_related("complaint")
        .order_by("due_at", "id")
    )


def clocks_due_for_escalation(now: datetime) -> QuerySet[Clock]:
    return (
        Clock.objects.filter(escalate_at__isnull=False, escalate_at__lte=now)
        .select_related("complaint")
        .order_by("escalate_at", "id")
    )


def clock_next_escalation(clock: Clock) -> EscalationLevel | None:
    """The escalation level due next for ``clock`` (``None`` when the chain is exhausted)."""
    spec = ClockSpec.from_dict(clock.spec)
    index = clock.escalated_level
    return spec.escalation[index] if index < len(spec.escalation) else None


def calendar_list(lang: str = "vi") -> list[dict[str, Any]]:
    """Active calendars with their weekly hours as ``{"mon": ["08:00-12:00", …]}``."""
    out = []
    for row in Calendar.objects.filter(active=True).order_by("-is_default", "slug"):
        weekly = calendar_get(row.slug).weekly
        out.append(
            {
                "slug": row.slug,
                "name": row.name_en if lang == "en" and row.name_en else row.name,
                "base": row.base,
                "timezone": row.timezone,
                "weekly": {"*": ["00:00-24:00"]} if row.base == "24x7" else format_weekly(weekly),
                "culture_day": row.culture_day,
                "is_default": row.is_default,
            }
        )
    return out


# --- the deadline calculator (GET /api/v1/calendars/{slug}/deadline) -------------------------

_MSG: dict[str, tuple[str, str]] = {
    "required": ("Trường này là bắt buộc.", "This field is required."),
    "one_of": (
        "Cần đúng một trong hai tham số working_days hoặc hours.",
        "Give exactly one of working_days or hours.",
    ),
    "datetime": (
        "Thời điểm không hợp lệ; dùng dạng ISO 8601, ví dụ 2026-02-13T09:00:00+07:00.",
        "Invalid time; use ISO 8601, e.g. 2026-02-13T09:00:00+07:00.",
    ),
    "naive": (
        "Thời điểm phải có múi giờ (ví dụ +07:00).",
        "The time must include a time zone (e.g. +07:00).",
    ),
    "int": ("Cần một số nguyên.", "A whole number is required."),
    "number": ("Cần một số.", "A number is required."),
    "range_days": (
        f"Số ngày làm việc phải từ 1 đến {MAX_WORKING_DAYS}.",
        f"The number of working days must be between 1 and {MAX_WORKING_DAYS}.",
    ),
    "range_hours": (
        f"Số giờ phải lớn hơn 0 và không quá {MAX_HOURS}.",
        f"The number of hours must be above 0 and at most {MAX_HOURS}.",
    ),
    "bool": ("Cần true hoặc false.", "Expected true or false."),
    "out_of_range": (
        "Thời điểm nằm ngoài phạm vi lịch.",
        "The time is outside the calendar's range.",
    ),
}


def _parse_start(raw: str) -> datetime | str:
    text = raw.strip()
    # An unencoded "+07:00" in a query string arrives as " 07:00".
    if len(text) > 6 and text[-6] == " " and text[-3] == ":":
        text = text[:-6] + "+" + text[-5:]
    try:
        value = parse_datetime(text)
    except ValueError:
        return "datetime"
    if value is None:
        return "datetime"
    if value.tzinfo is None:
        return "naive"
    return value


def deadline_query(slug: str, params: Mapping[str, str]) -> Deadline:
    """Answer ``start`` + ``working_days`` (or ``hours``, optionally ``business``) on ``slug``.

    Raises ``NotFound`` for an unknown calendar and ``ValidationFailed`` (field → vi/en) for
    bad parameters. A ``start`` without a time zone is refused, as everywhere in the API.
    """
    try:
        cal = calendar_get(slug)
    except LookupError:
        raise NotFound("Không tìm thấy lịch làm việc.", "Calendar not found.") from None
    errors: dict[str, tuple[str, str]] = {}
    raw_start = (params.get("start") or "").strip()
    start: datetime | None = None
    if not raw_start:
        errors["start"] = _MSG["required"]
    else:
        parsed = _parse_start(raw_start)
        if isinstance(parsed, str):
            errors["start"] = _MSG[parsed]
        else:
            start = parsed
    raw_days = (params.get("working_days") or "").strip()
    raw_hours = (params.get("hours") or "").strip()
    raw_business = (params.get("business") or "").strip().lower()
    business = raw_business in ("1", "true", "yes", "on")
    if raw_business and not business and raw_business not in ("0", "false", "no", "off"):
        errors["business"] = _MSG["bool"]
    days: int | None = None
    hours: float | None = None
    if bool(raw_days) == bool(raw_hours):
        errors["working_days"] = _MSG["one_of"]
    elif raw_days:
        try:
            days = int(raw_days)
        except ValueError:
            errors["working_days"] = _MSG["int"]
        else:
            if not 1 <= days <= MAX_WORKING_DAYS:
                errors["working_days"] = _MSG["range_days"]
    else:
        try:
            hours = float(raw_hours)
        except ValueError:
            errors["hours"] = _MSG["number"]
        else:
            if not math.isfinite(hours) or not 0 < hours <= MAX_HOURS:
                errors["hours"] = _MSG["range_hours"]
    if errors or start is None:
        raise ValidationFailed(errors)
    try:
        if days is not None:
            return cal.add_working_days(start, days)
        assert hours is not None
        return cal.add_hours(start, hours, business=business)
    except (ValueError, OverflowError):
        raise ValidationFailed({"start": _MSG["out_of_range"]}) from None
