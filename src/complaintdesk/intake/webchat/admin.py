from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from complaintdesk.intake.webchat.models import ChatLine, ChatSession


class ChatLineInline(admin.TabularInline[ChatLine, ChatSession]):
    model = ChatLine
    fields = ("created_at", "direction", "author_name", "text", "attachment_name")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin[ChatSession]):
    list_display = ("session_id", "name", "phone", "email", "created_at", "last_message_at")
    search_fields = ("session_id", "name", "phone", "email")
    readonly_fields = (
        "session_id",
        "name",
        "phone",
        "email",
        "language",
        "created_at",
        "last_message_at",
    )
    inlines = [ChatLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
