"""Administration of calendars, their own days, the government's decisions; clocks read-only.

Saving a calendar, a day or a decision journals the change and recomputes the affected clocks
after commit (``sla.services.calendar_changed``); the next deadline computed uses it at once.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from complaintdesk.core.clock import utcnow
from complaintdesk.sla.domain.weekly import WeeklyInvalid, parse_weekly
from complaintdesk.sla.models import Calendar, CalendarDay, Clock, ClockPause, GovernmentDecision
from complaintdesk.sla.services import calendar_changed


class CalendarForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Calendar
        fields = [
            "slug",
            "name",
            "name_en",
            "base",
            "timezone",
            "weekly",
            "culture_day",
            "is_default",
            "active",
        ]

    def clean_weekly(self) -> Any:
        value = self.cleaned_data.get("weekly") or {}
        try:
            parse_weekly(value)
        except WeeklyInvalid as exc:
            raise forms.ValidationError(
                f"{exc.path}: {exc.message_vi} / {exc.message_en}"
            ) from None
        return value

    def clean_timezone(self) -> str:
        value = str(self.cleaned_data.get("timezone") or "")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("Múi giờ không hợp lệ (ví dụ Asia/Ho_Chi_Minh).")
            ) from None
        return value


class CalendarDayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CalendarDay
    extra = 1
    fields = ["day", "working", "name", "name_en", "reference"]


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CalendarForm
    list_display = ["slug", "name", "base", "is_default", "culture_day", "active", "updated_at"]
    list_filter = ["base", "active"]
    inlines = [CalendarDayInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        calendar_changed(
            slugs=[form.instance.slug],
            actor=request.user,
            what="saved",
            now=utcnow(),
            details={"changed": list(form.changed_data)},
        )

    def delete_model(self, request: HttpRequest, obj: Calendar) -> None:
        slug = obj.slug
        super().delete_model(request, obj)
        calendar_changed(slugs=[slug], actor=request.user, what="deleted", now=utcnow())


@admin.register(GovernmentDecision)
class GovernmentDecisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["day", "working", "name", "reference", "active", "updated_at"]
    list_filter = ["working", "active"]
    search_fields = ["name", "reference"]
    date_hierarchy = "day"

    def save_model(
        self, request: HttpRequest, obj: GovernmentDecision, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        calendar_changed(
            slugs=None,
            actor=request.user,
            what="decision_saved",
            now=utcnow(),
            details={
                "day": obj.day,
                "working": obj.working,
                "reference": obj.reference,
                "active": obj.active,
            },
        )

    def delete_model(self, request: HttpRequest, obj: GovernmentDecision) -> None:
        details = {"day": obj.day, "reference": obj.reference}
        super().delete_model(request, obj)
        calendar_changed(
            slugs=None, actor=request.user, what="decision_deleted", now=utcnow(), details=details
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        calendar_changed(slugs=None, actor=request.user, what="decision_deleted", now=utcnow())


class ClockPauseInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ClockPause
    extra = 0
    fields = readonly_fields = (
        "reason",
        "start",
        "end",
        "source",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: clocks change only through the services (and the journal says why)."""

    list_display = ["complaint", "name", "run", "state", "due_at", "stopped_at", "escalated_level"]
    list_filter = ["state", "name", "calendar"]
    search_fields = ["complaint__code"]
    raw_id_fields = ["complaint"]
    inlines = [ClockPauseInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
