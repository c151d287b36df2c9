"""Administration of procedures: edit the definition (YAML) in a text box; saving validates it
and publishes a new version. Versions are read-only; complaints keep the version they started
under."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from complaintdesk.core.errors import ValidationFailed
from complaintdesk.procedures.models import Procedure, ProcedureVersion, VersionOrigin
from complaintdesk.procedures.services import (
    procedure_publish,
    procedure_set_active,
    procedure_validate,
)


class ProcedureForm(forms.ModelForm):  # type: ignore[type-arg]
    source = forms.CharField(
        label=_("Định nghĩa (YAML)"),
        widget=forms.Textarea(
            attrs={
                "rows": 40,
                "cols": 110,
                "spellcheck": "false",
                "style": "font-family: monospace",
            }
        ),
        help_text=_("Lưu sẽ kiểm tra định nghĩa và tạo phiên bản mới; xem docs/procedures.md."),
    )
    note = forms.CharField(label=_("Ghi chú thay đổi"), max_length=300, required=False)

    class Meta:
        model = Procedure
        fields = ["slug", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["slug"].disabled = True
            current = self.instance.versions.filter(version=self.instance.current_version).first()
            if current is not None:
                self.fields["source"].initial = current.source

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slug = self.instance.slug if self.instance.pk else data.get("slug")
        source = data.get("source")
        if slug and source and "source" in self.changed_data:
            try:
                procedure_validate(slug=slug, source=source)
            except ValidationFailed as exc:
                lines = [f"{vi} / {en}" if vi != en else vi for vi, en in exc.errors.values()]
                self.add_error("source", forms.ValidationError(lines))
        return data


class ProcedureVersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ProcedureVersion
    extra = 0
    fields = readonly_fields = ("version", "origin", "note", "created_by", "created_at")
    can_delete = False
    show_change_link = True
    ordering = ["-version"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProcedureForm
    list_display = ["slug", "name", "current_version", "active", "updated_at"]
    inlines = [ProcedureVersionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        slug = obj.slug
        if not change or "source" in form.changed_data:
            procedure_publish(
                slug=slug,
                source=form.cleaned_data["source"],
                actor=request.user,
                note=form.cleaned_data.get("note", ""),
                origin=VersionOrigin.ADMIN,
            )
        saved = Procedure.objects.get(slug=slug)
        if saved.active != obj.active:
            saved = procedure_set_active(slug=slug, active=obj.active, actor=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: a version never changes once published."""

    list_display = ["procedure", "version", "origin", "note", "created_by", "created_at"]
    list_filter = ["procedure", "origin"]
    fields = readonly_fields = (
        "procedure",
        "version",
        "origin",
        "note",
        "created_by",
        "created_at",
        "checksum",
        "source",
        "definition",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
