"""The complaint page and everything done from it: actions, messages, notes, tasks, files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import can_see_complaint, can_update_task, has_capability
from complaintdesk.complaints.domain import lifecycle
from complaintdesk.complaints.models import (
    Attachment,
    Complaint,
    Direction,
    Task,
    Visibility,
)
from complaintdesk.complaints.services import (
    attachment_add,
    complaint_transition,
    complaint_update,
    message_add,
    task_create,
    task_update,
)
from complaintdesk.core.clock import utcnow
from complaintdesk.core.errors import Conflict, ServiceError
from complaintdesk.core.formvalues import ascii_int, new_submit_key
from complaintdesk.documents.models import ReplyLetter
from complaintdesk.documents.services import letter_issue, letter_refusal
from complaintdesk.journal.selectors import complaint_timeline
from complaintdesk.notifications.replies import customer_reply_send
from complaintdesk.web import selectors
from complaintdesk.web.forms import (
    AssignForm,
    AttachmentForm,
    MessageForm,
    NoteForm,
    TaskForm,
    TaskUpdateForm,
    action_form_class,
    action_inputs,
)
from complaintdesk.web.timeline import timeline_items
from complaintdesk.web.views.common import add_service_error, require

INLINE_TYPES = ("image/", "application/pdf")


def _action_forms(
    user: User, complaint: Complaint
) -> list[tuple[lifecycle.Transition, forms.Form]]:
    rows = lifecycle.available_actions(state=complaint.status, role=user.role)
    out = []
    for row in rows:
        form = action_form_class(row)(
            initial={"version": complaint.version}, auto_id=f"a-{row.action.value}-%s"
        )
        out.append((row, form))
    return out


def _context(request: HttpRequest, complaint: Complaint, **overrides: Any) -> dict[str, Any]:
    user = require(request, "complaint.view")
    now = utcnow()
    clocks = selectors.clocks(complaint, now)
    actions = _action_forms(user, complaint)
    failed = overrides.pop("action_form", None)
    if failed is not None:
        actions = [
            (row, failed[1] if row.action == failed[0].action else form) for row, form in actions
        ]
    tasks = list(complaint.tasks.select_related("department", "assignee").order_by("created_at"))
    task_forms = {}
    for task in tasks:
        if can_update_task(user, task):
            task_forms[task.pk] = TaskUpdateForm(
                initial={"version": task.version, "status": task.status, "result": task.result},
                auto_id=f"t{task.pk}_%s",
            )
    task_forms.update(overrides.pop("task_forms", {}))
    all_messages = list(complaint.messages.select_related("author"))
    version = {"version": complaint.version}
    can = {
        "message": has_capability(user, "message.send"),
        "note": has_capability(user, "note.add"),
        "task": has_capability(user, "task.create") and complaint.is_open,
        "attach": has_capability(user, "attachment.add"),
        "assign": has_capability(user, "complaint.assign"),
    }
    letter = ReplyLetter.objects.filter(complaint=complaint).first()
    can["issue_letter"] = letter is None and can["message"] and letter_refusal(complaint) is None
    context = {
        "complaint": complaint,
        "customer": complaint.customer,
        "identities": selectors.customer_identities(complaint.customer),
        "history": selectors.customer_history(user, complaint),
        "clocks": clocks,
        "timeline": timeline_items(
            complaint_timeline(complaint.pk), clock_labels={c["key"]: c["name"] for c in clocks}
        ),
        "public_messages": [m for m in all_messages if m.visibility == Visibility.PUBLIC],
        "notes": [m for m in all_messages if m.visibility == Visibility.INTERNAL],
        "tasks": tasks,
        "task_forms": task_forms,
        "attachments": list(
            complaint.attachments.select_related("uploaded_by").order_by("created_at")
        ),
        "actions": actions,
        "can": can,
        "message_form": overrides.pop("message_form", None)
        or MessageForm(initial={"submit_key": new_submit_key()}, auto_id="m_%s"),
        "note_form": overrides.pop("note_form", None)
        or NoteForm(initial={"submit_key": new_submit_key()}, auto_id="n_%s"),
        "task_form": overrides.pop("task_form", None) or TaskForm(auto_id="tn_%s"),
        "attachment_form": overrides.pop("attachment_form", None) or AttachmentForm(auto_id="f_%s"),
        "assign_form": overrides.pop("assign_form", None)
        or AssignForm(
            initial={
                **version,
                "department": complaint.department.code if complaint.department else "",
                "assignee": complaint.assignee.username if complaint.assignee else "",
            },
            auto_id="as_%s",
        ),
        "now": now,
        "letter": letter,
    }
    context.update(overrides)
    return context


def _page(
    request: HttpRequest, complaint: Complaint, status: int = 200, **overrides: Any
) -> HttpResponse:
    return render(
        request,
        "web/complaint_detail.html",
        _context(request, complaint, **overrides),
        status=status,
    )


def _status_for(exc: Exception) -> int:
    return 409 if isinstance(exc, Conflict) else 422


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, "complaint.view")
    return _page(request, selectors.complaint_for(user, pk))


@login_required
@require_POST
def complaint_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = require(request, "complaint.view")
    complaint = selectors.complaint_for(user, pk)
    rows = {
        row.action.value: row
        for row in lifecycle.available_actions(state=complaint.status, role=user.role)
    }
    row = rows.get(action)
    if row is None:
        try:
            lifecycle.transition_for(action)
        except lifecycle.TransitionRefused:
            raise Http404 from None
        if not any(user.role in r.roles for r in lifecycle.transitions_for(action)):
            raise PermissionDenied
        # Allowed for the role but not in this state: someone else moved the complaint.
        messages.error(request, Conflict().message(_lang(request)))
        return redirect("web:complaint_detail", pk=pk)
    form = action_form_class(row)(request.POST, auto_id=f"a-{row.action.value}-%s")
    if form.is_valid():
        try:
            complaint_transition(
                complaint=complaint,
                action=action,
                actor=user,
                inputs=action_inputs(row, form.cleaned_data),
                expected_version=form.cleaned_data["version"],
            )
        except (lifecycle.TransitionRefused, ServiceError) as exc:
            add_service_error(form, exc)
            complaint.refresh_from_db()
            return _page(
                request, complaint, _status_for(exc), action_form=(row, form), open_action=action
            )
        messages.success(
            request, _("Đã thực hiện: %(action)s.") % {"action": row.label(_lang(request))}
        )
        return redirect("web:complaint_detail", pk=pk)
    return _page(request, complaint, 422, action_form=(row, form), open_action=action)


@login_required
@require_POST
def reply_letter_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the complaint's reply letter (công văn) — a deliberate act, never a side effect of
    opening the PDF — then show the complaint again with a link to it."""
    user = require(request, "message.send")
    complaint = selectors.complaint_for(user, pk)
    seen = ascii_int(request.POST.get("version"), max_digits=10)
    if seen is None:
        messages.error(request, Conflict().message(_lang(request)))
        return redirect("web:complaint_detail", pk=pk)
    try:
        letter = letter_issue(complaint=complaint, actor=user, expected_version=seen)
    except ServiceError as exc:
        messages.error(request, exc.message(_lang(request)))
        return redirect("web:complaint_detail", pk=pk)
    messages.success(
        request, _("Đã ban hành công văn số %(reference)s.") % {"reference": letter.reference}
    )
    return redirect("web:complaint_detail", pk=pk)


def _lang(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "vi") or "vi"


@login_required
@require_POST
def complaint_message(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, "complaint.view")
    complaint = selectors.complaint_for(user, pk)
    is_note = request.POST.get("kind") == "note"
    form: forms.Form
    if is_note:
        require(request, "note.add")
        form = NoteForm(request.POST, auto_id="n_%s")
    else:
        require(request, "message.send")
        form = MessageForm(request.POST, auto_id="m_%s")
    if form.is_valid():
        direction = Direction.NOTE if is_note else form.cleaned_data["direction"]
        # The form's one-time key: sent twice, the message is recorded (and sent) once.
        key = form.cleaned_data.get("submit_key") or ""
        once = f"web:{user.pk}:{key}" if key else ""
        try:
            if direction == Direction.OUTBOUND:
                # Facebook and Zalo customers are answered in their conversation (the outbox).
                reply = customer_reply_send(
                    complaint=complaint,
                    actor=user,
                    body=form.cleaned_data["body"],
                    provider_message_id=once,
                )
            else:
                reply = None
                message_add(
                    complaint=complaint,
                    actor=user,
                    body=form.cleaned_data["body"],
                    direction=direction,
                    channel="" if is_note else complaint.channel,
                    provider_message_id=once,
                )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            channel = complaint.get_channel_display()
            if reply is not None and reply.outbox is not None:
                messages.success(
                    request,
                    _("Đã lưu tin nhắn và xếp gửi tới khách hàng qua %(channel)s.")
                    % {"channel": channel},
                )
            elif reply is not None and reply.channel:
                messages.warning(
                    request,
                    _(
                        "Đã lưu tin nhắn nhưng không gửi được qua %(channel)s: kênh chưa được "
                        "cấu hình hoặc khách hàng không có tài khoản trên kênh này."
                    )
                    % {"channel": channel},
                )
            else:
                messages.success(
                    request, _("Đã lưu ghi chú.") if is_note else _("Đã lưu tin nhắn.")
                )
            return redirect("web:complaint_detail", pk=pk)
    key = "note_form" if is_note else "message_form"
    return _page(request, complaint, 422, **{key: form})


@login_required
@require_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, "task.create")
    complaint = selectors.complaint_for(user, pk)
    form = TaskForm(request.POST, auto_id="tn_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            task_create(
                complaint=complaint,
                actor=user,
                department_code=d["department"],
                title=d["title"],
                instructions=d.get("instructions", ""),
                assignee_username=d.get("assignee", ""),
                due_at=d.get("due_at"),
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Đã giao nhiệm vụ."))
            return redirect("web:complaint_detail", pk=pk)
    return _page(request, complaint, 422, task_form=form)


@login_required
@require_POST
def task_edit(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    user = require(request, "complaint.view")
    complaint = selectors.complaint_for(user, pk)
    task = get_object_or_404(Task, pk=task_pk, complaint=complaint)
    if not can_update_task(user, task):
        raise PermissionDenied
    form = TaskUpdateForm(request.POST, auto_id=f"t{task.pk}_%s")
    back = request.POST.get("back") == "board"
    if form.is_valid():
        d = form.cleaned_data
        try:
            task_update(
                task=task,
                actor=user,
                status=d["status"],
                result=d.get("result", ""),
                expected_version=d["version"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
            if back:
                for error in form.non_field_errors() + form.errors.get("result", []):
                    messages.error(request, f"{task.title}: {error}")
                return redirect("web:board")
            return _page(request, complaint, _status_for(exc), task_forms={task.pk: form})
        messages.success(request, _("Đã cập nhật nhiệm vụ."))
        if back:
            return redirect("web:board")
        return redirect("web:complaint_detail", pk=pk)
    return _page(request, complaint, 422, task_forms={task.pk: form})


@login_required
@require_POST
def complaint_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, "complaint.assign")
    complaint = selectors.complaint_for(user, pk)
    form = AssignForm(request.POST, auto_id="as_%s")
    if form.is_valid():
        from complaintdesk.accounts.models import Department

        d = form.cleaned_data
        department = (
            Department.objects.filter(code=d["department"]).first() if d["department"] else None
        )
        assignee = (
            User.objects.filter(username=d["assignee"], is_active=True).first()
            if d["assignee"]
            else None
        )
        try:
            complaint_update(
                complaint=complaint,
                actor=user,
                expected_version=d["version"],
                changes={
                    "department_id": department.pk if department else None,
                    "assignee_id": assignee.pk if assignee else None,
                },
            )
        except ServiceError as exc:
            add_service_error(form, exc, {"department_id": "department", "assignee_id": "assignee"})
            complaint.refresh_from_db()
            return _page(request, complaint, _status_for(exc), assign_form=form)
        messages.success(request, _("Đã cập nhật phân công."))
        return redirect("web:complaint_detail", pk=pk)
    return _page(request, complaint, 422, assign_form=form)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = require(request, "attachment.add")
    complaint = selectors.complaint_for(user, pk)
    form = AttachmentForm(request.POST, request.FILES, auto_id="f_%s")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachment_add(
                complaint=complaint,
                actor=user,
                name=upload.name or "",
                content=upload.read(),
                visibility=form.cleaned_data["visibility"] or Visibility.INTERNAL,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm tệp đính kèm."))
            return redirect("web:complaint_detail", pk=pk)
    return _page(request, complaint, 422, attachment_form=form)


@login_required
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a stored file only to someone who may see its complaint (never straight from MEDIA)."""
    user = require(request, "complaint.view")
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None or not can_see_complaint(user, attachment.complaint_id, Complaint):
        raise Http404
    inline = attachment.content_type.startswith(INLINE_TYPES) and request.GET.get("download") != "1"
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=600"
    if attachment.content_type.startswith("image/"):
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response
