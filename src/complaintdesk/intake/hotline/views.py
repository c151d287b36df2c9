"""The agent's side of the hotline: the pop-up (htmx partial and JSON) and one-click actions.

The workspace (``web``) includes ``intake/hotline/popup_container.html``: a box that polls
``intake:hotline_popup`` every few seconds and shows the caller's card while a call rings or is
answered at the signed-in agent's extension.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintdesk.accounts.permissions import has_capability
from complaintdesk.core.errors import Conflict, ServiceError
from complaintdesk.core.formvalues import ascii_int
from complaintdesk.intake.hotline.models import Call, CallbackTask
from complaintdesk.intake.hotline.selectors import active_calls_for, callbacks_open
from complaintdesk.intake.hotline.services import callback_done, complaint_from_call


def _go(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_GET
def popup(request: HttpRequest) -> HttpResponse:
    """The htmx partial: the live calls of the signed-in agent (empty when there are none)."""
    calls = active_calls_for(request.user)  # type: ignore[arg-type]
    response = TemplateResponse(
        request,
        "intake/hotline/popup.html",
        {
            "calls": calls,
            "may_create": has_capability(request.user, "complaint.create"),  # type: ignore[arg-type]
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def popup_json(request: HttpRequest) -> JsonResponse:
    calls = active_calls_for(request.user)  # type: ignore[arg-type]
    return JsonResponse({"calls": [item.as_json() for item in calls]})


@login_required
@require_POST
def open_complaint(request: HttpRequest, call_id: str) -> HttpResponse:
    """One click: a complaint from the call (the same one when clicked twice)."""
    if not has_capability(request.user, "complaint.create"):  # type: ignore[arg-type]
        raise PermissionDenied
    call = get_object_or_404(Call, call_id=call_id)
    try:
        complaint = complaint_from_call(call=call, actor=request.user)  # type: ignore[arg-type]
    except ServiceError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(exc.message(getattr(request, "LANGUAGE_CODE", "vi")), status=422)
        messages.error(request, exc.message(getattr(request, "LANGUAGE_CODE", "vi")))
        return redirect("web:complaint_new")
    messages.success(request, _("Đã tạo phiếu %(code)s từ cuộc gọi.") % {"code": complaint.code})
    return _go(request, reverse("web:complaint_detail", args=[complaint.pk]))


@login_required
@require_GET
def callbacks(request: HttpRequest) -> JsonResponse:
    if not has_capability(request.user, "complaint.create"):  # type: ignore[arg-type]
        raise PermissionDenied
    return JsonResponse(
        {
            "callbacks": [
                {
                    "id": task.pk,
                    "phone": task.phone,
                    "day": task.day.strftime("%d/%m/%Y"),
                    "missed_count": task.missed_count,
                    "last_missed_at": task.last_missed_at.isoformat(),
                }
                for task in callbacks_open()
            ]
        }
    )


@login_required
@require_POST
def callback_mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    if not has_capability(request.user, "complaint.create"):  # type: ignore[arg-type]
        raise PermissionDenied
    task = get_object_or_404(CallbackTask, pk=pk)
    seen = ascii_int(request.POST.get("missed_count"), max_digits=9)
    try:
        callback_done(task=task, actor=request.user, seen_count=seen)  # type: ignore[arg-type]
    except Conflict as exc:
        lang = "en" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en") else "vi"
        return JsonResponse({"detail": exc.message(lang), "code": exc.code}, status=409)
    return HttpResponse(status=204)
