from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from complaintdesk.intake.hotline.models import Call, CallbackTask, CallEvent


class CallEventInline(admin.TabularInline[CallEvent, Call]):
    model = CallEvent
    fields = ("event", "occurred_at", "received_at", "deliveries")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin[Call]):
    list_display = ("call_id", "caller", "state", "agent_username", "started_at", "complaint")
    list_filter = ("state",)
    search_fields = ("call_id", "caller", "agent_username", "complaint__code")
    raw_id_fields = ("agent", "complaint")
    inlines = [CallEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CallbackTask)
class CallbackTaskAdmin(admin.ModelAdmin[CallbackTask]):
    list_display = ("phone", "day", "missed_count", "last_missed_at", "status", "done_by")
    list_filter = ("status", "day")
    search_fields = ("phone",)
    raw_id_fields = ("last_call", "done_by")
    readonly_fields = (
        "phone",
        "day",
        "missed_count",
        "first_missed_at",
        "last_missed_at",
        "last_call",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
