from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.permissions import has_capability
from complaintdesk.core.errors import PermissionRefused, ServiceError
from complaintdesk.force_majeure.models import ForceMajeureEvent
from complaintdesk.force_majeure.services import (
    declaration_errors,
    force_majeure_approve,
    force_majeure_cancel,
    force_majeure_declare,
    force_majeure_end,
)


class DeclareForm(forms.ModelForm[ForceMajeureEvent]):
    """Validated by the service's own rules, so the admin never saves what the service refuses."""

    request: HttpRequest | None = None

    class Meta:
        model = ForceMajeureEvent
        fields = [
            "reason",
            "starts_at",
            "ends_at",
            "scope",
            "scope_value",
            "evidence_file",
            "evidence_url",
            "notify_customers",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lang = getattr(self.request, "LANGUAGE_CODE", "vi")
        user = getattr(self.request, "user", None)
        if not has_capability(user, "force_majeure.declare"):
            raise forms.ValidationError(PermissionRefused().message(lang))
        upload = data.get("evidence_file")
        content = upload.read() if upload else None
        if upload:
            upload.seek(0)
        errors, _ = declaration_errors(
            reason=data.get("reason") or "",
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            scope=data.get("scope") or "",
            scope_value=data.get("scope_value") or "",
            evidence_name=getattr(upload, "name", ""),
            evidence_content=content,
            evidence_url=data.get("evidence_url") or "",
        )
        for field, (vi, en) in errors.items():
            self.add_error(
                field if field in self.fields else None, en if lang.startswith("en") else vi
            )
        return data


@admin.register(ForceMajeureEvent)
class ForceMajeureEventAdmin(admin.ModelAdmin[ForceMajeureEvent]):
    list_display = (
        "id",
        "reason",
        "scope",
        "scope_value",
        "starts_at",
        "ends_at",
        "status",
        "declared_by",
        "approved_by",
    )
    list_filter = ("status", "scope")
    search_fields = ("reason", "scope_value")
    actions = ["approve", "end_now", "cancel"]
    form = DeclareForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [f.name for f in ForceMajeureEvent._meta.fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # type: ignore[attr-defined]
        return form

    def save_model(
        self, request: HttpRequest, obj: ForceMajeureEvent, form: Any, change: bool
    ) -> None:
        if change:
            return  # events change only through the actions (journaled)
        upload = form.cleaned_data.get("evidence_file")
        event = force_majeure_declare(
            actor=request.user,
            reason=obj.reason,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            scope=obj.scope,
            scope_value=obj.scope_value,
            evidence_name=getattr(upload, "name", ""),
            evidence_content=upload.read() if upload else None,
            evidence_url=obj.evidence_url,
            notify_customers=obj.notify_customers,
        )
        obj.pk = event.pk
        obj.refresh_from_db()

    def _each(self, request: HttpRequest, queryset: QuerySet[ForceMajeureEvent], fn: Any) -> None:
        for event in queryset:
            try:
                fn(event=event, actor=request.user)
            except ServiceError as exc:
                self.message_user(
                    request, f"{event}: {exc.message(request.LANGUAGE_CODE)}", messages.ERROR
                )

    @admin.action(description=_("Phê duyệt"))
    def approve(self, request: HttpRequest, queryset: QuerySet[ForceMajeureEvent]) -> None:
        self._each(request, queryset, force_majeure_approve)

    @admin.action(description=_("Kết thúc ngay"))
    def end_now(self, request: HttpRequest, queryset: QuerySet[ForceMajeureEvent]) -> None:
        self._each(request, queryset, force_majeure_end)

    @admin.action(description=_("Hủy (công bố nhầm)"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[ForceMajeureEvent]) -> None:
        self._each(request, queryset, force_majeure_cancel)
