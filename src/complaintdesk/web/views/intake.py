"""New complaint for the hotline, the counter and letters; look-ups as you type; intake receipt."""

from __future__ import annotations

import uuid

import pydantic
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaintdesk.accounts.models import User
from complaintdesk.complaints.models import Category, Complaint
from complaintdesk.complaints.schemas import ComplaintIn
from complaintdesk.complaints.services import attachment_add, complaint_create
from complaintdesk.complaints.uploads import inspect_upload
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import ServiceError, ValidationFailed
from complaintdesk.web import integrations, selectors
from complaintdesk.web.forms import INTAKE_FIELD_MAP, IntakeForm, LocalDateTimeField
from complaintdesk.web.views.common import add_service_error, lang, pydantic_errors, require

MAX_FILES = 10


class _AttachmentRefused(Exception):
    def __init__(self, error: ValidationFailed, name: str) -> None:
        super().__init__(name)
        self.error = error
        self.name = name


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    user = require(request, "complaint.create")
    if request.method != "POST":
        channel = request.GET.get("channel", "hotline")
        form = IntakeForm(initial={"idempotency_key": uuid.uuid4().hex, "channel": channel})
        return render(request, "web/complaint_new.html", {"form": form})
    form = IntakeForm(request.POST, request.FILES)
    if form.is_valid():
        complaint = _create(user, form)
        if complaint is not None:
            messages.success(request, _("Đã tạo phiếu %(code)s.") % {"code": complaint.code})
            return redirect("web:complaint_detail", pk=complaint.pk)
    return render(request, "web/complaint_new.html", {"form": form}, status=422)


def _file_error(form: IntakeForm, exc: ValidationFailed, name: str) -> None:
    index = 1 if lang().startswith("en") else 0
    for pair in exc.errors.values():
        form.add_error("attachments", f"{name}: {pair[index]}")


def _create(user: User, form: IntakeForm) -> Complaint | None:
    """Create the complaint and its attachments in one transaction: all of it or none of it."""
    files = form.cleaned_data.get("attachments") or []
    if len(files) > MAX_FILES:
        form.add_error("attachments", _("Tối đa %(n)d tệp mỗi lần.") % {"n": MAX_FILES})
        return None
    contents = []
    for upload in files:
        content = upload.read()
        try:
            inspect_upload(name=upload.name or "", content=content)
        except ValidationFailed as exc:
            _file_error(form, exc, upload.name or "")
            continue
        contents.append((upload.name or "", content))
    if form.errors:
        return None
    try:
        data = ComplaintIn.model_validate(form.to_payload())
    except pydantic.ValidationError as exc:
        add_service_error(form, ValidationFailed(pydantic_errors(exc)), INTAKE_FIELD_MAP)
        return None
    try:
        with transaction.atomic():
            result = complaint_create(
                actor=user, data=data, idempotency_key=form.cleaned_data["idempotency_key"]
            )
            if result.created:
                for name, content in contents:
                    try:
                        attachment_add(
                            complaint=result.complaint, actor=user, name=name, content=content
                        )
                    except ValidationFailed as exc:
                        raise _AttachmentRefused(exc, name) from exc
    except _AttachmentRefused as refused:
        _file_error(form, refused.error, refused.name)
        return None
    except ServiceError as exc:
        add_service_error(form, exc, INTAKE_FIELD_MAP)
        return None
    return result.complaint


@login_required
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: customers known by the phone (any format) or the name being typed."""
    user = require(request, "complaint.create")
    phone = request.GET.get("phone", "")[:40]
    name = request.GET.get("name", "")[:100]
    matches = selectors.customers_matching(user, phone=phone, name=name) if (phone or name) else []
    return render(
        request,
        "web/partials/customer_lookup.html",
        {"matches": matches, "phone": phone, "name": name},
    )


@login_required
def procedure_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the procedure chosen for what has been typed, with the deadlines it would start."""
    require(request, "complaint.create")
    now = utcnow()
    category = Category.objects.filter(code=request.GET.get("category", "")[:60]).first()
    try:
        received_at = (
            LocalDateTimeField(required=False).clean(request.GET.get("received_at", "")) or now
        )
    except Exception:
        received_at = now
    preview = integrations.procedure_preview(
        channel=request.GET.get("channel", "hotline")[:16],
        category_procedure=category.procedure if category else "",
        kind=request.GET.get("kind", "complaint")[:16],
        received_at=received_at,
        vulnerable=request.GET.get("vulnerable") in ("on", "true", "1"),
    )
    return render(
        request,
        "web/partials/procedure_preview.html",
        {"preview": preview, "received_at": received_at},
    )


@login_required
def intake_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable intake receipt (phiếu tiếp nhận) for walk-in customers."""
    user = require(request, "complaint.view")
    complaint = selectors.complaint_for(user, pk)
    from django.conf import settings

    return render(
        request,
        "web/receipt.html",
        {
            "complaint": complaint,
            "identities": selectors.customer_identities(complaint.customer),
            "clocks": selectors.clocks(complaint, utcnow()),
            "organisation": settings.ORGANISATION_NAME,
        },
    )
