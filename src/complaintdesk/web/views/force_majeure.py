"""Force majeure management: declare (with evidence), approve, extend, end, cancel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaintdesk.accounts.permissions import has_capability
from complaintdesk.core.errors import ServiceError
from complaintdesk.force_majeure import services
from complaintdesk.force_majeure.models import ForceMajeureEvent, Scope
from complaintdesk.web.forms import Form, LocalDateTimeField
from complaintdesk.web.views.common import add_service_error, lang, require


class DeclareForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_at = LocalDateTimeField(label=gettext_lazy("Bắt đầu (dd/mm/yyyy hh:mm)"))
    ends_at = LocalDateTimeField(
        label=gettext_lazy("Kết thúc (để trống nếu chưa biết)"), required=False
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Phạm vi"), choices=Scope.choices, initial=Scope.ALL
    )
    scope_value = forms.CharField(
        label=gettext_lazy("Giá trị phạm vi (tỉnh, kênh, danh mục…)"),
        required=False,
        max_length=200,
    )
    evidence_file = forms.FileField(label=gettext_lazy("Tệp bằng chứng"), required=False)
    evidence_url = forms.CharField(
        label=gettext_lazy("hoặc liên kết bằng chứng"), required=False, max_length=500
    )
    notify_customers = forms.BooleanField(
        label=gettext_lazy("Thông báo cho khách hàng bị ảnh hưởng"), required=False, initial=True
    )


class ExtendForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ends_at = LocalDateTimeField(
        label=gettext_lazy("Kết thúc mới (dd/mm/yyyy hh:mm)"), required=False
    )


class VersionForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _rows(limit: int = 100) -> list[ForceMajeureEvent]:
    return list(
        ForceMajeureEvent.objects.select_related("declared_by", "approved_by").order_by(
            "-starts_at", "-pk"
        )[:limit]
    )


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = require(request, "complaint.view")
    rows = _rows()
    context.setdefault("declare_form", DeclareForm(auto_id="fm_%s"))
    extend_forms = context.pop("extend_forms", {})
    for event in rows:
        extend_forms.setdefault(
            event.pk, ExtendForm(initial={"version": event.version}, auto_id=f"fm{event.pk}_%s")
        )
    return render(
        request,
        "web/force_majeure.html",
        {
            "available": True,
            "rows": rows,
            "extend_forms": extend_forms,
            "may_declare": has_capability(user, "force_majeure.declare"),
            "may_approve": has_capability(user, "force_majeure.approve"),
            **context,
        },
        status=status,
    )


@login_required
def force_majeure(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def force_majeure_declare(request: HttpRequest) -> HttpResponse:
    user = require(request, "force_majeure.declare")
    form = DeclareForm(request.POST, request.FILES, auto_id="fm_%s")
    if form.is_valid():
        d = form.cleaned_data
        upload = d.get("evidence_file")
        try:
            services.force_majeure_declare(
                actor=user,
                reason=d["reason"],
                starts_at=d["starts_at"],
                ends_at=d.get("ends_at"),
                scope=d["scope"],
                scope_value=d.get("scope_value", ""),
                evidence_name=upload.name if upload else "",
                evidence_content=upload.read() if upload else None,
                evidence_url=d.get("evidence_url", ""),
                notify_customers=bool(d.get("notify_customers")),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Đã công bố sự kiện; chờ lãnh đạo phê duyệt."))
            return redirect("web:force_majeure")
    return _page(request, 422, declare_form=form, open_declare=True)


# Operation → what the page says once it is done (the capability: services.OPERATION_CAPABILITIES).
DONE_MESSAGES = {
    "approve": gettext_lazy("Đã phê duyệt sự kiện; các thời hạn liên quan tạm dừng."),
    "extend": gettext_lazy("Đã cập nhật thời điểm kết thúc."),
    "end": gettext_lazy("Đã kết thúc sự kiện; các thời hạn tiếp tục chạy."),
    "cancel": gettext_lazy("Đã hủy sự kiện."),
}


@login_required
@require_POST
def force_majeure_operate(request: HttpRequest, pk: int, operation: str) -> HttpResponse:
    if operation not in DONE_MESSAGES:
        raise Http404
    capability, done = services.OPERATION_CAPABILITIES[operation], DONE_MESSAGES[operation]
    user = require(request, capability)
    event = ForceMajeureEvent.objects.filter(pk=pk).first()
    if event is None:
        raise Http404
    form: Form = (
        ExtendForm(request.POST, auto_id=f"fm{pk}_%s")
        if operation == "extend"
        else VersionForm(request.POST)
    )
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            if operation == "approve":
                services.force_majeure_approve(event=event, actor=user, expected_version=version)
            elif operation == "extend":
                services.force_majeure_extend(
                    event=event,
                    actor=user,
                    ends_at=form.cleaned_data.get("ends_at"),
                    expected_version=version,
                )
            elif operation == "end":
                services.force_majeure_end(event=event, actor=user, expected_version=version)
            else:
                services.force_majeure_cancel(event=event, actor=user, expected_version=version)
        except ServiceError as exc:
            if operation == "extend":
                add_service_error(form, exc)
                return _page(request, 422 if exc.status != 409 else 409, extend_forms={pk: form})
            if exc.status == 403:
                raise PermissionDenied from None
            messages.error(request, exc.message(lang()))
            return redirect("web:force_majeure")
        messages.success(request, str(done))
        return redirect("web:force_majeure")
    if operation == "extend":
        return _page(request, 422, extend_forms={pk: form})
    messages.error(request, _("Yêu cầu không hợp lệ; hãy tải lại trang."))
    return redirect("web:force_majeure")
