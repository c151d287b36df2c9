"""Administration of users and their roles, departments and API tokens.

An API token's secret is shown once, when it is issued; afterwards only its prefix is visible.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from complaintdesk.accounts.auth import api_token_issue, tokens
from complaintdesk.accounts.models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "name_en", "head", "is_board", "active")
    list_filter = ("active", "is_board")
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ("head",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "get_full_name", "role", "department", "is_active", "last_login")
    list_filter = ("role", "department", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    autocomplete_fields = ("department",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],  # type: ignore[index]
        (_("Vai trò và phòng ban"), {"fields": ("role", "department", "phone", "language")}),
        *DjangoUserAdmin.fieldsets[2:],  # type: ignore[index]
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Vai trò và phòng ban"), {"fields": ("role", "department")}),
    )


class ApiTokenAddForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ApiToken
        fields = ("user", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("shown_prefix", "name", "user", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    actions = ("revoke",)

    @admin.display(description=_("khóa"), ordering="prefix")
    def shown_prefix(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ("user", "name")
        return ("shown_prefix", "user", "name", "created_at", "last_used_at", "revoked")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ()
        return ("shown_prefix", "user", "created_at", "last_used_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = api_token_issue(user=form.cleaned_data["user"], name=form.cleaned_data["name"])
        obj.pk = token.pk
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        self.message_user(
            request,
            _("Khóa API (chỉ hiện một lần, hãy sao chép ngay): %(token)s") % {"token": raw},
            level=messages.WARNING,
        )

    @admin.action(description=_("Thu hồi các khóa đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked=False).update(revoked=True)
        tokens.clear()  # update() sends no signal
        self.message_user(request, _("Đã thu hồi %(count)d khóa.") % {"count": count})
