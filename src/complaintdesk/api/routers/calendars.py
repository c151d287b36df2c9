"""Working calendars: list them, their days off, and the deadline calculator.

``GET /api/v1/calendars/{slug}/deadline?start=<ISO datetime>&working_days=N`` (or ``&hours=N``,
optionally ``&business=true``) answers ``{"due_at", "due_display", "explanation",
"explanation_en"}``; ``explanation`` and ``due_display`` follow ``Accept-Language``. ``start``
must carry its time zone (``+07:00`` or ``Z``), as every time in this API; an unencoded ``+``
(read as a space) is repaired. Errors: unknown calendar 404; bad parameters 422 with one message
per field.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from complaintdesk.api.complaints import ERRORS
from complaintdesk.api.errors import lang_of
from complaintdesk.core.errors import NotFound, ValidationFailed
from complaintdesk.sla.calendars import calendar_get
from complaintdesk.sla.selectors import calendar_list, deadline_query

router = Router(tags=["calendars"])


class CalendarOut(Schema):
    slug: str
    name: str
    base: str
    timezone: str
    weekly: dict[str, list[str]]
    culture_day: bool
    is_default: bool


class DeadlineOut(Schema):
    calendar: str
    start: datetime
    unit: str
    amount: float
    due_at: datetime
    due_display: str
    explanation: str
    explanation_en: str


class DayOut(Schema):
    day: date
    reason: str


class DaysParams(Schema):
    year: int | None = None


@router.get("", response={200: list[CalendarOut], **ERRORS}, url_name="calendar_list")
def list_calendars(request: HttpRequest) -> list[dict[str, Any]]:
    return calendar_list(lang_of(request))


@router.get("/{slug}/deadline", response={200: DeadlineOut, **ERRORS}, url_name="calendar_deadline")
def deadline(request: HttpRequest, slug: str) -> dict[str, Any]:
    lang = lang_of(request)
    result = deadline_query(slug, request.GET)
    return {
        "calendar": slug,
        "start": result.start,
        "unit": result.unit,
        "amount": float(result.amount),
        "due_at": result.due_local,
        "due_display": result.due_display(lang),
        "explanation": result.explain(lang),
        "explanation_en": result.explain("en"),
    }


@router.get("/{slug}/days", response={200: list[DayOut], **ERRORS}, url_name="calendar_days")
def days_off(request: HttpRequest, slug: str, params: Query[DaysParams]) -> list[dict[str, Any]]:
    """Holidays, government swaps and the organisation's own days of one year (not weekends)."""
    try:
        cal = calendar_get(slug)
    except LookupError:
        raise NotFound("Không tìm thấy lịch làm việc.", "Calendar not found.") from None
    year = params.year or datetime.now(cal.tz).year
    if not 1900 <= year <= 2200:
        raise ValidationFailed(
            {"year": ("Năm phải từ 1900 đến 2200.", "The year must be 1900–2200.")}
        )
    lang = lang_of(request)
    out: list[dict[str, Any]] = []
    day = date(year, 1, 1)
    while day.year == year:
        reason = cal.day_reason(day, lang)
        if reason is not None and reason != "weekend":
            out.append({"day": day, "reason": reason})
        elif reason is None and not cal.always_open and not cal.weekly.get(day.weekday()):
            label = "Ngày làm bù" if lang == "vi" else "Make-up working day"
            out.append({"day": day, "reason": label})
        day += timedelta(days=1)
    return out
