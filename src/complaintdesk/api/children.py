"""What hangs on a complaint: internal notes, messages to the customer, tasks, attachments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest
from ninja import Router
from ninja.files import UploadedFile
from ninja.params.functions import File, Form, Header, Path

from complaintdesk.accounts.permissions import can_update_task
from complaintdesk.api.complaints import ERRORS, expected_version, find, require
from complaintdesk.api.errors import ApiError
from complaintdesk.api.schemas import (
    AttachmentOut,
    MessageIn,
    MessageOut,
    NoteIn,
    TaskIn,
    TaskOut,
    TaskPatch,
)
from complaintdesk.api.serializers import attachment_out, message_out, task_out
from complaintdesk.complaints import selectors
from complaintdesk.complaints.messages import msg
from complaintdesk.complaints.models import Channel, Direction, Visibility
from complaintdesk.complaints.services import attachment_add, message_add, task_create, task_update
from complaintdesk.core.errors import NotFound, PermissionRefused, ValidationFailed

router = Router(tags=["complaint records"])

MAX_ID = 2**63 - 1


# --- notes and messages -----------------------------------------------------------------------


@router.get(
    "/complaints/{code}/notes", response={200: list[MessageOut], **ERRORS}, url_name="note_list"
)
def list_notes(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    complaint = find(request, code)
    return [message_out(m) for m in selectors.complaint_messages(complaint, notes=True)]


@router.post("/complaints/{code}/notes", response={201: MessageOut, **ERRORS}, url_name="note_add")
def add_note(request: HttpRequest, code: str, payload: NoteIn) -> tuple[int, dict[str, Any]]:
    complaint = find(request, code)
    user = require(request, "note.add")
    note = message_add(complaint=complaint, actor=user, body=payload.body, direction=Direction.NOTE)
    return 201, message_out(note)


@router.post(
    "/complaints/{code}/messages",
    response={201: MessageOut, **ERRORS},
    url_name="message_send",
    summary="Record a message sent to the customer",
)
def send_message(request: HttpRequest, code: str, payload: MessageIn) -> tuple[int, dict[str, Any]]:
    complaint = find(request, code)
    user = require(request, "message.send")
    channel = payload.channel or complaint.channel
    if channel not in Channel.values:
        raise ValidationFailed({"channel": msg("invalid_choice", value=channel[:40])})
    message = message_add(
        complaint=complaint,
        actor=user,
        body=payload.body,
        direction=Direction.OUTBOUND,
        channel=channel,
    )
    return 201, message_out(message)


# --- tasks ------------------------------------------------------------------------------------


@router.get(
    "/complaints/{code}/tasks", response={200: list[TaskOut], **ERRORS}, url_name="task_list"
)
def list_tasks(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    complaint = find(request, code)
    return [task_out(t) for t in selectors.complaint_tasks(complaint)]


@router.post("/complaints/{code}/tasks", response={201: TaskOut, **ERRORS}, url_name="task_create")
def create_task(request: HttpRequest, code: str, payload: TaskIn) -> tuple[int, dict[str, Any]]:
    complaint = find(request, code)
    user = require(request, "task.create")
    task = task_create(
        complaint=complaint,
        actor=user,
        department_code=payload.department,
        title=payload.title,
        instructions=payload.instructions,
        assignee_username=payload.assignee,
        due_at=payload.due_at,
    )
    return 201, task_out(selectors.complaint_task(complaint, task.pk))


@router.patch(
    "/complaints/{code}/tasks/{task_id}", response={200: TaskOut, **ERRORS}, url_name="task_update"
)
def update_task(
    request: HttpRequest,
    code: str,
    payload: TaskPatch,
    task_id: int = Path(..., ge=1, le=MAX_ID),
    if_match: str = Header("", alias="If-Match", max_length=40),
) -> dict[str, Any]:
    complaint = find(request, code)
    user = require(request, "task.update")
    task = selectors.complaint_task(complaint, task_id)
    if not can_update_task(user, task):
        raise PermissionRefused(
            "Chỉ phòng ban được giao mới cập nhật được nhiệm vụ này.",
            "Only the department the task was given to may update it.",
        )
    sent = payload.model_fields_set
    task_update(
        task=task,
        actor=user,
        status=payload.status if "status" in sent else None,
        result=payload.result if "result" in sent else None,
        assignee_username=payload.assignee if "assignee" in sent else None,
        expected_version=expected_version(payload.version, if_match),
    )
    return task_out(selectors.complaint_task(complaint, task_id))


# --- attachments ------------------------------------------------------------------------------


@router.post(
    "/complaints/{code}/attachments",
    response={201: AttachmentOut, **ERRORS},
    url_name="attachment_add",
    summary="Upload a picture, video, PDF or recording (checked by content, not by name)",
)
def upload(
    request: HttpRequest,
    code: str,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's parameter declaration
    visibility: str = Form(Visibility.INTERNAL, max_length=10),
) -> tuple[int, dict[str, Any]]:
    complaint = find(request, code)
    user = require(request, "attachment.add")
    if visibility not in Visibility.values:
        raise ValidationFailed({"visibility": msg("invalid_choice", value=visibility)})
    limit = settings.ATTACHMENT_MAX_BYTES
    if file.size is None or file.size > limit:
        raise ApiError(413, "file_too_large", field="file", max=limit // (1024 * 1024))
    content = file.read(limit + 1)
    if len(content) > limit:
        raise ApiError(413, "file_too_large", field="file", max=limit // (1024 * 1024))
    attachment = attachment_add(
        complaint=complaint,
        actor=user,
        name=file.name or "",
        content=content,
        visibility=visibility,
    )
    return 201, attachment_out(attachment, complaint)


@router.get(
    "/complaints/{code}/attachments/{attachment_id}",
    url_name="attachment_download",
    summary="Download an attachment",
    response={200: None, **ERRORS},
)
def download(
    request: HttpRequest, code: str, attachment_id: int = Path(..., ge=1, le=MAX_ID)
) -> FileResponse:
    complaint = find(request, code)
    attachment = selectors.complaint_attachment(complaint, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound(
            "Tệp không còn trong kho lưu trữ.", "The file is no longer stored."
        ) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
