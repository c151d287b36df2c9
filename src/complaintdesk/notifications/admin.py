from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from complaintdesk.notifications.domain.templates import NOTICES, template_for
from complaintdesk.notifications.models import NoticeTemplate, Outbox
from complaintdesk.notifications.services import outbox_retry


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin[Outbox]):
    list_display = (
        "id",
        "notice",
        "channel",
        "recipient",
        "complaint",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "notice", "internal")
    search_fields = ("recipient", "dedupe_key", "complaint__code")
    readonly_fields = [f.name for f in Outbox._meta.fields]
    raw_id_fields = ("complaint",)
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Gửi lại các thông báo đã chọn"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Outbox]) -> None:
        for row in queryset:
            outbox_retry(outbox=row, actor=request.user)
        self.message_user(request, _("Đã xếp lịch gửi lại."), messages.SUCCESS)


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin[NoticeTemplate]):
    """Edit the words of customer notices; a new row starts from the built-in text."""

    list_display = ("notice", "language", "subject", "updated_at")
    list_filter = ("notice", "language")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = dict(super().get_changeform_initial_data(request))
        notice, language = str(initial.get("notice", "")), str(initial.get("language", "vi"))
        if notice in NOTICES:
            initial["subject"], initial["body"] = template_for(notice, language)
        return initial
