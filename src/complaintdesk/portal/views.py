"""The public tracking pages. The session holds at most one complaint: the one the visitor
proved they filed (one-time code or signed link); nothing in a URL names a complaint."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from complaintdesk.complaints.domain.lifecycle import TransitionRefused
from complaintdesk.complaints.models import Complaint
from complaintdesk.core.errors import Conflict, ServiceError
from complaintdesk.core.formvalues import ascii_int, new_submit_key, submit_key
from complaintdesk.documents.models import ReplyLetter
from complaintdesk.documents.pdf import letter_pdf
from complaintdesk.portal import access
from complaintdesk.portal.selectors import tracking_view
from complaintdesk.portal.services import (
    CUSTOMER_ACTIONS,
    portal_act,
    portal_attachment_add,
    portal_message_add,
)

SESSION_COMPLAINT = "portal_complaint_id"
SESSION_PENDING = "portal_pending_code"
MAX_UPLOAD = 20 * 1024 * 1024


class RequestForm(forms.Form):
    code = forms.CharField(label=_("Mã phiếu"), max_length=40)
    contact = forms.CharField(label=_("Số điện thoại hoặc email đã dùng khi gửi"), max_length=254)


class VerifyForm(forms.Form):
    otp = forms.CharField(label=_("Mã xác thực (6 chữ số)"), max_length=6, min_length=6)


def _lang() -> str:
    return get_language() or "vi"


def _ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _limited(
    request: HttpRequest, exc: ServiceError, template: str, ctx: dict[str, Any]
) -> HttpResponse:
    ctx["error"] = exc.message(_lang())
    return render(request, template, ctx, status=exc.status)


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    initial = {"code": (request.GET.get("ma") or "")[:40]}
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pending = access.access_request(
                code=form.cleaned_data["code"],
                contact=form.cleaned_data["contact"],
                ip=_ip(request),
                language=_lang(),
            )
        except access.RateLimited as exc:
            return _limited(request, exc, "portal/start.html", {"form": form})
        request.session.pop(SESSION_COMPLAINT, None)
        request.session[SESSION_PENDING] = pending.code
        return redirect("portal:verify")
    return render(request, "portal/start.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_PENDING)
    if not code:
        return redirect("portal:start")
    form = VerifyForm(request.POST or None)
    ctx = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            complaint = access.access_verify(
                code=code, otp=form.cleaned_data["otp"], ip=_ip(request)
            )
        except ServiceError as exc:
            return _limited(request, exc, "portal/verify.html", ctx)
        return _grant(request, complaint)
    return render(request, "portal/verify.html", ctx)


def _grant(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    request.session.cycle_key()
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_COMPLAINT] = complaint.pk
    return redirect("portal:complaint")


def link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        complaint = access.signed_link_open(token)
    except access.AccessRefused as exc:
        request.session.pop(SESSION_COMPLAINT, None)
        return _limited(request, exc, "portal/start.html", {"form": RequestForm()})
    return _grant(request, complaint)


def _current(request: HttpRequest) -> Complaint | None:
    pk = request.session.get(SESSION_COMPLAINT)
    return Complaint.objects.filter(pk=pk).first() if pk else None


def complaint(request: HttpRequest) -> HttpResponse:
    current = _current(request)
    if current is None:
        return redirect("portal:start")
    return render(
        request,
        "portal/complaint.html",
        {
            "c": tracking_view(current, _lang()),
            "submit_key": new_submit_key(),
            "version": current.version,
        },
    )


@require_POST
def act(request: HttpRequest, what: str) -> HttpResponse:
    current = _current(request)
    if current is None:
        return redirect("portal:start")
    text = (request.POST.get("text") or "")[:5000]
    try:
        if what == "message":
            portal_message_add(
                complaint=current, body=text, submit_key=submit_key(request.POST.get("submit_key"))
            )
            messages.success(request, _("Đã gửi thông tin bổ sung."))
        elif what == "attachment":
            upload = request.FILES.get("file")
            if upload is None or (upload.size or 0) > MAX_UPLOAD:
                messages.error(request, _("Vui lòng chọn một tệp (tối đa 20 MB)."))
            else:
                portal_attachment_add(
                    complaint=current, name=upload.name or "upload", content=upload.read()
                )
                messages.success(request, _("Đã nhận tệp đính kèm."))
        elif what in CUSTOMER_ACTIONS:
            # The version the page showed: a rating or request made on an older page (the
            # complaint has moved on since, or the form was sent twice) is not taken.
            seen = ascii_int(request.POST.get("version"), max_digits=9)
            portal_act(complaint=current, what=what, text=text, expected_version=seen)
            messages.success(request, _("Đã ghi nhận yêu cầu của Quý khách."))
        else:
            return redirect("portal:complaint")
    except Conflict:
        messages.error(
            request,
            _("Phiếu vừa có cập nhật mới. Vui lòng xem lại thông tin bên dưới rồi thực hiện lại."),
        )
    except (TransitionRefused, ServiceError) as exc:
        messages.error(request, exc.message(_lang()))
    return redirect("portal:complaint")


def letter(request: HttpRequest) -> HttpResponse:
    """The reply letter (công văn) of the complaint in the session, once issued."""
    current = _current(request)
    found = ReplyLetter.objects.filter(complaint=current).first() if current else None
    if found is None:
        return redirect("portal:start" if current is None else "portal:complaint")
    response = HttpResponse(letter_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="cong-van.pdf"'
    return response


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_COMPLAINT, None)
    return redirect("portal:start")
