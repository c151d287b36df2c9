"""Administration of the configuration around complaints: the category tree and customers.

Complaints themselves are changed only through the services (web UI, API, channels), so that
every change is journaled; they are not editable here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from complaintdesk.complaints.domain.identity import (
    InvalidIdentity,
    normalize_email,
    normalize_phone,
)
from complaintdesk.complaints.models import Category, Customer, CustomerIdentity, IdentityKind
from complaintdesk.core.text import fold


def category_path(category: Category, parents: dict[int, Category]) -> list[str]:
    """Names from the root down to ``category`` (stops on a loop)."""
    path: list[str] = []
    seen: set[int] = set()
    node: Category | None = category
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        path.append(fold(node.name))
        node = parents.get(node.parent_id) if node.parent_id else None
    return list(reversed(path))


class CategoryTreeChangeList(ChangeList):
    """Shows the categories of the page in tree order (parent, then its children)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        if "o" in request.GET:  # the user sorted by a column
            return
        parents = {c.pk: c for c in Category.objects.all()}
        self.result_list = sorted(self.result_list, key=lambda c: category_path(c, parents))


class CategoryForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Category
        fields = ("code", "name", "name_en", "parent", "default_department", "procedure", "active")

    def clean_parent(self) -> Category | None:
        parent: Category | None = self.cleaned_data.get("parent")
        node = parent
        while node is not None and self.instance.pk:
            if node.pk == self.instance.pk:
                raise forms.ValidationError(
                    _("Danh mục cha không được là chính nó hoặc danh mục con của nó.")
                )
            node = node.parent
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CategoryForm
    list_display = ("tree_name", "code", "name_en", "default_department", "procedure", "active")
    list_filter = ("active", "default_department")
    search_fields = ("code", "name", "name_en")
    list_select_related = ("parent", "default_department")
    autocomplete_fields = ("parent", "default_department")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CategoryTreeChangeList

    @admin.display(description=_("danh mục"), ordering="name")
    def tree_name(self, obj: Category) -> str:
        depth, node, seen = 0, obj, set()
        while node.parent_id and node.pk not in seen:
            seen.add(node.pk)
            depth += 1
            node = node.parent  # type: ignore[assignment]
        return f"{'— ' * depth}{obj.name}"


class CustomerIdentityForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CustomerIdentity
        fields = ("kind", "value")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), (data.get("value") or "").strip()
        try:
            if kind == IdentityKind.PHONE:
                data["value"] = normalize_phone(value)
            elif kind == IdentityKind.EMAIL:
                data["value"] = normalize_email(value).lower()
            else:
                data["value"] = value
        except InvalidIdentity:
            message = (
                _("Số điện thoại không hợp lệ.")
                if kind == IdentityKind.PHONE
                else _("Địa chỉ email không hợp lệ.")
            )
            self.add_error("value", message)
            return data
        clash = CustomerIdentity.objects.filter(kind=kind, value=data["value"])
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error("value", _("Định danh này đã thuộc về một khách hàng khác."))
        return data


class CustomerIdentityInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CustomerIdentity
    form = CustomerIdentityForm
    extra = 1


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "phones", "emails", "vulnerable", "created_at")
    list_filter = ("vulnerable", "language", "preferred_channel")
    search_fields = ("name", "identities__value", "address")
    fields = ("name", "address", "language", "preferred_channel", "vulnerable")
    inlines = (CustomerIdentityInline,)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("identities")

    @admin.display(description=_("điện thoại"))
    def phones(self, obj: Customer) -> str:
        return ", ".join(obj.identities_of(IdentityKind.PHONE))

    @admin.display(description=_("email"))
    def emails(self, obj: Customer) -> str:
        return ", ".join(obj.identities_of(IdentityKind.EMAIL))
