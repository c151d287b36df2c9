"""The journal in the admin: to read only. Nothing can be added, changed or deleted here."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from complaintdesk.journal.models import ChainHead, Checkpoint, JournalEntry


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _pretty(value: Any) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2))


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "chain", "seq", "complaint", "action", "actor_label", "target", "public")
    list_filter = ("public", "action")
    search_fields = ("chain", "action", "actor_label", "target", "complaint__code")
    date_hierarchy = "at"
    list_select_related = ("complaint",)
    ordering = ("-id",)
    fields = (
        "chain",
        "seq",
        "complaint",
        "at",
        "recorded_at",
        "actor",
        "actor_label",
        "action",
        "target",
        "public",
        "before_shown",
        "after_shown",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description=_("trước"))
    def before_shown(self, obj: JournalEntry) -> str:
        return _pretty(obj.before)

    @admin.display(description=_("sau"))
    def after_shown(self, obj: JournalEntry) -> str:
        return _pretty(obj.after)


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("chain", "seq", "hash")
    search_fields = ("chain",)


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "max_entry_id", "chains", "entries", "hash")
    ordering = ("-id",)
