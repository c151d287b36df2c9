"""Complaint records as the API shows them (dicts validated against ``api.schemas``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.urls import reverse

from complaintdesk.accounts.models import User
from complaintdesk.accounts.permissions import has_capability
from complaintdesk.complaints import selectors
from complaintdesk.complaints.domain import lifecycle
from complaintdesk.complaints.models import (
    Attachment,
    Complaint,
    Customer,
    IdentityKind,
    Message,
    Task,
)
from complaintdesk.core.clock import local
from complaintdesk.journal.selectors import complaint_timeline
from complaintdesk.sla.selectors import clocks_as_dicts


def _t(value: datetime | None) -> datetime | None:
    return local(value) if value is not None else None


def _code(obj: Any) -> str | None:
    return obj.code if obj is not None else None


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def status_label(status: str, lang: str) -> str:
    try:
        vi, en = lifecycle.STATE_LABELS[lifecycle.State(status)]
    except ValueError:
        return status
    return en if lang == "en" else vi


def customer_out(customer: Customer) -> dict[str, Any]:
    ids: dict[str, list[str]] = {}
    for identity in customer.identity_list():
        ids.setdefault(identity.kind, []).append(identity.value)
    return {
        "id": customer.pk,
        "name": customer.name,
        "phones": ids.get(IdentityKind.PHONE, []),
        "emails": ids.get(IdentityKind.EMAIL, []),
        "account_ids": ids.get(IdentityKind.ACCOUNT, []),
        "facebook_id": next(iter(ids.get(IdentityKind.FACEBOOK, [])), None),
        "zalo_id": next(iter(ids.get(IdentityKind.ZALO, [])), None),
        "address": customer.address,
        "language": customer.language,
        "vulnerable": customer.vulnerable,
    }


CLOCK_TIMES = ("due_at", "started_at", "stopped_at", "breached_at")


def clock_out(clock: Any) -> Any:
    if not isinstance(clock, dict):
        return clock
    return {
        k: _t(v) if k in CLOCK_TIMES and isinstance(v, datetime) else v for k, v in clock.items()
    }


def complaint_out(
    complaint: Complaint, lang: str, clocks: Sequence[Any] | None = None
) -> dict[str, Any]:
    """The complaint as the API shows it (``clocks``: its clock rows when the caller has them,
    e.g. just started by the intake)."""
    shown = clocks_as_dicts(clocks, lang) if clocks else selectors.complaint_clocks(complaint, lang)
    return {
        "code": complaint.code,
        "kind": complaint.kind,
        "channel": complaint.channel,
        "status": complaint.status,
        "status_label": status_label(complaint.status, lang),
        "received_at": _t(complaint.received_at),
        "recorded_at": _t(complaint.recorded_at),
        "subject": complaint.subject,
        "description": complaint.description,
        "category": _code(complaint.category),
        "priority": complaint.priority,
        "vulnerable": complaint.vulnerable,
        "language": complaint.language,
        "department": _code(complaint.department),
        "assignee": _username(complaint.assignee),
        "procedure": complaint.procedure,
        "next_due_at": _t(complaint.next_due_at),
        "version": complaint.version,
        "customer": customer_out(complaint.customer),
        "account": complaint.account_info,
        "content": complaint.content_info,
        "payment": complaint.payment_info,
        "clocks": [clock_out(c) for c in shown],
    }


def list_item(complaint: Complaint, lang: str) -> dict[str, Any]:
    return {
        "code": complaint.code,
        "kind": complaint.kind,
        "channel": complaint.channel,
        "status": complaint.status,
        "status_label": status_label(complaint.status, lang),
        "received_at": _t(complaint.received_at),
        "subject": complaint.subject,
        "priority": complaint.priority,
        "vulnerable": complaint.vulnerable,
        "category": _code(complaint.category),
        "department": _code(complaint.department),
        "assignee": _username(complaint.assignee),
        "customer_name": complaint.customer.name,
        "next_due_at": _t(complaint.next_due_at),
        "version": complaint.version,
    }


def task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "department": task.department.code,
        "title": task.title,
        "instructions": task.instructions,
        "assignee": _username(task.assignee),
        "status": task.status,
        "result": task.result,
        "due_at": _t(task.due_at),
        "created_by": _username(task.created_by),
        "created_at": _t(task.created_at),
        "completed_at": _t(task.completed_at),
        "version": task.version,
    }


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "direction": message.direction,
        "visibility": message.visibility,
        "channel": message.channel,
        "body": message.body,
        "author": _username(message.author),
        "created_at": _t(message.created_at),
    }


def attachment_out(attachment: Attachment, complaint: Complaint) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "visibility": attachment.visibility,
        "uploaded_by": _username(attachment.uploaded_by),
        "created_at": _t(attachment.created_at),
        "url": reverse(
            "api:attachment_download",
            kwargs={"code": complaint.code, "attachment_id": attachment.pk},
        ),
    }


def actions_out(complaint: Complaint, user: User, lang: str) -> list[dict[str, Any]]:
    rows = lifecycle.available_actions(state=complaint.status, role=user.role)
    return [
        {
            "action": row.action.value,
            "label": row.label(lang),
            "target": row.target_from(complaint.state).value,
            "inputs": [
                {
                    "name": field.name,
                    "label": field.label(lang),
                    "kind": field.kind,
                    "required": field.required,
                    "choices": list(field.choices),
                }
                for field in row.inputs
            ],
        }
        for row in rows
    ]


def timeline_out(complaint: Complaint, user: User) -> list[dict[str, Any]]:
    details = has_capability(user, "journal.view")
    return [
        {
            "seq": entry.seq,
            "at": _t(entry.at),
            "actor": entry.actor_label,
            "action": entry.action,
            "target": entry.target,
            "public": entry.public,
            "before": entry.before if details else None,
            "after": entry.after if details else None,
        }
        for entry in complaint_timeline(complaint.pk)
    ]


def complaint_detail(complaint: Complaint, user: User, lang: str) -> dict[str, Any]:
    messages = list(selectors.complaint_messages(complaint))
    return {
        **complaint_out(complaint, lang),
        "classification": complaint.classification,
        "verification": complaint.verification,
        "resolution": complaint.resolution,
        "satisfaction": complaint.satisfaction,
        "escalation_level": complaint.escalation_level,
        "acknowledged_at": _t(complaint.acknowledged_at),
        "first_response_at": _t(complaint.first_response_at),
        "resolved_at": _t(complaint.resolved_at),
        "closed_at": _t(complaint.closed_at),
        "negotiation_requested_at": _t(complaint.negotiation_requested_at),
        "tasks": [task_out(t) for t in selectors.complaint_tasks(complaint)],
        "notes": [message_out(m) for m in messages if m.direction == "note"],
        "messages": [message_out(m) for m in messages if m.direction != "note"],
        "attachments": [
            attachment_out(a, complaint) for a in selectors.complaint_attachments(complaint)
        ],
        "actions": actions_out(complaint, user, lang),
        "timeline": timeline_out(complaint, user),
    }
