"""The public complaint form (``/webhooks/form/``), embeddable in the company's site.

No CSRF cookie (a cookie set inside a third-party iframe is often blocked, which would make the
form fail for real customers): instead a signed one-time form token, a honeypot field, a minimum
filling time and per-address rate limits. A bot that fills the honeypot, or submits faster than a
person can, is shown the thank-you page and nothing is created.
"""

from __future__ import annotations

import logging
import time

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from complaintdesk.complaints.uploads import inspect_upload
from complaintdesk.core.errors import ValidationFailed
from complaintdesk.intake.base import InboundAttachment
from complaintdesk.intake.ratelimit import TOO_MANY_EN, TOO_MANY_VI, allow, client_ip, rate
from complaintdesk.intake.webchat.frames import frameable, language
from complaintdesk.intake.webchat.receipt import deadlines
from complaintdesk.intake.webchat.services import contact_clean, web_form_receive
from complaintdesk.intake.webchat.tokens import form_ticket, form_token

logger = logging.getLogger(__name__)
HONEYPOT = "hp_website"
MAX_FILES = 5


class WebComplaintForm(forms.Form):
    name = forms.CharField(label=_("Họ và tên"), max_length=200)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    subject = forms.CharField(label=_("Tiêu đề"), max_length=300, required=False)
    message = forms.CharField(label=_("Nội dung phản ánh"), max_length=5000, widget=forms.Textarea)


def _files(request: HttpRequest, form: WebComplaintForm) -> tuple[InboundAttachment, ...]:
    uploads: list[UploadedFile] = request.FILES.getlist("pictures")
    if len(uploads) > MAX_FILES:
        form.add_error(None, _("Tối đa %(n)d tệp đính kèm.") % {"n": MAX_FILES})
        return ()
    limit = int(settings.ATTACHMENT_MAX_BYTES)
    out = []
    for upload in uploads:
        content = upload.read(limit + 1)
        try:
            checked = inspect_upload(name=upload.name or "anh", content=content)
        except ValidationFailed as exc:
            message = exc.message(translation.get_language() or "vi")
            form.add_error(None, f"{upload.name}: {message}")
            continue
        out.append(InboundAttachment(name=checked.name, content=content))
    return tuple(out)


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    response: HttpResponse = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return frameable(response)


def _fresh(lang: str, form: WebComplaintForm | None = None, **extra: object) -> dict[str, object]:
    return {
        "form": form or WebComplaintForm(),
        "token": form_token(),
        "honeypot": HONEYPOT,
        "lang": lang,
        **extra,
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def web_form(request: HttpRequest) -> HttpResponse:
    lang = language(request)
    with translation.override(lang):
        if request.method == "GET":
            return _page(request, "intake/webchat/form.html", _fresh(lang))
        return _submit(request, lang)


def _submit(request: HttpRequest, lang: str) -> HttpResponse:
    ip = client_ip(request)
    limit, window = rate("WEBFORM_RATE", "5/600")
    if not allow("webform", ip, limit=limit, window=window):
        message = TOO_MANY_EN if lang == "en" else TOO_MANY_VI
        response = _page(request, "intake/webchat/form.html", _fresh(lang, error=message), 429)
        response["Retry-After"] = str(window)
        return response
    ticket = form_ticket(request.POST.get("token"))
    too_fast = ticket is not None and time.time() - ticket.issued < float(
        getattr(settings, "WEBFORM_MIN_SECONDS", 3)
    )
    if request.POST.get(HONEYPOT) or too_fast:
        logger.info(
            "web form: %s; pretended success, nothing created",
            "honeypot filled" if request.POST.get(HONEYPOT) else "submitted too fast",
        )
        return _page(request, "intake/webchat/form_done.html", {"lang": lang, "code": ""})
    form = WebComplaintForm(request.POST)
    if ticket is None:
        form.add_error(None, _("Biểu mẫu đã hết hạn, vui lòng gửi lại."))
    attachments = _files(request, form) if form.is_valid() else ()
    contact = None
    if form.is_valid():
        try:
            contact = contact_clean(
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
            )
        except ValidationFailed as exc:
            for field, (vi, en) in exc.errors.items():
                form.add_error(field if field in form.fields else None, en if lang == "en" else vi)
    if contact is None or ticket is None or not form.is_valid():
        return _page(request, "intake/webchat/form.html", _fresh(lang, form), 400)
    result = web_form_receive(
        contact=contact,
        subject=form.cleaned_data["subject"],
        text=form.cleaned_data["message"],
        nonce=ticket.nonce,
        attachments=attachments,
        language=lang,
    )
    if result.complaint is None:
        form.add_error(None, _("Không thể tiếp nhận yêu cầu lúc này. Vui lòng gọi tổng đài."))
        return _page(request, "intake/webchat/form.html", _fresh(lang, form), 400)
    return _page(
        request,
        "intake/webchat/form_done.html",
        {
            "lang": lang,
            "code": result.complaint.code,
            "deadlines": deadlines(result.complaint, lang),
        },
    )
